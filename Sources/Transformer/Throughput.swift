import Foundation
import Numerics

/// Throughput measurements behind `dma bench`.
public enum Throughput {
    /// Model FLOPs per trained token: 6·P for the parameter matmuls (forward 2·P, backward 4·P)
    /// plus attention, 12·L·T·C (QKᵀ and P·V, 2·T·C each per layer forward, twice that backward;
    /// the full T×T blocks are counted because the causal half is computed too).
    public static func trainingFLOPsPerToken(_ c: ModelConfig, T: Int) -> Double {
        6 * Double(c.parameterCount) + 12 * Double(c.layers * T * c.dModel)
    }

    /// Forward-only FLOPs per token: 2·P + 4·L·T·C.
    public static func evaluationFLOPsPerToken(_ c: ModelConfig, T: Int) -> Double {
        2 * Double(c.parameterCount) + 4 * Double(c.layers * T * c.dModel)
    }

    /// Best-of-`repeats` GFLOP/s of an n×n×n `cblas_sgemm`.
    public static func sgemmGFLOPs(n: Int, repeats: Int = 3) -> Double {
        let rng = RandomSource(seed: 1)
        let a = (0..<(n * n)).map { _ in Float(rng.uniform()) }
        let b = (0..<(n * n)).map { _ in Float(rng.uniform()) }
        var c = [Float](repeating: 0, count: n * n)
        var best = Double.infinity
        BLAS.sgemm(m: n, n: n, k: n, a: a, b: b, c: &c)  // warm-up
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            BLAS.sgemm(m: n, n: n, k: n, a: a, b: b, c: &c)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// Training tokens/s: optimizer steps on random bytes for about `seconds`, with `workers`
    /// data-parallel workers (`GPT.workers`).
    public static func trainingTokensPerSecond(_ c: ModelConfig, batch: Int, seconds: Double, workers: Int = 1) throws -> Double {
        let model = try GPT(config: c, seed: 1)
        model.workers = workers
        let trainer = Trainer(model: model)
        let batches = (0..<4).map { randomBatch(batch: batch, length: c.context + 1, seed: UInt64($0)) }
        try trainer.step(batches[0], lr: 1e-4)  // warm-up: sizes the activation buffer
        var steps = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        while elapsed < seconds || steps < 3 {
            try trainer.step(batches[steps % 4], lr: 1e-4)
            steps += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        return Double(steps * batch * c.context) / elapsed
    }

    /// Forward-only scoring tokens/s (`GPT.scores`, as evaluation uses it) with `workers` workers.
    public static func evaluationTokensPerSecond(_ c: ModelConfig, batch: Int, seconds: Double, workers: Int = 1) throws -> Double {
        let model = try GPT(config: c, seed: 1)
        model.workers = workers
        let batches = (0..<4).map { randomBatch(batch: batch, length: c.context + 1, seed: UInt64($0)) }
        _ = model.scores(batches[0])
        var calls = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        while elapsed < seconds || calls < 3 {
            _ = model.scores(batches[calls % 4])
            calls += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        }
        return Double(calls * batch * c.context) / elapsed
    }

    static func randomBatch(batch: Int, length: Int, seed: UInt64) -> TokenBatch {
        let rng = RandomSource(seed: seed)
        return TokenBatch(batchSize: batch, length: length, tokens: (0..<(batch * length)).map { _ in UInt8(rng.int(below: 256)) })
    }
}

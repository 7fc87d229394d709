import Foundation
import Testing
import Kernels
import Numerics
@testable import Transformer

/// FNV-1a over the bit patterns: any change in any parameter's last bit changes it.
func bitChecksum(_ values: [Float]) -> UInt64 {
    var h = StableHash()
    for v in values { h.combine(UInt64(v.bitPattern)) }
    return h.value
}

/// A few AdamW steps of a small model on fixed random batches; returns the parameters.
func trainedParameters(threads: Int, steps: Int = 4) throws -> [Float] {
    let config = ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16)
    let model = try GPT(config: config, seed: 11)
    model.workers = threads
    let trainer = Trainer(model: model)
    for s in 0..<steps {
        try trainer.step(randomBatch(config, batch: 6, length: 17, seed: UInt64(200 + s)), lr: 3e-3)
    }
    return model.parameterValues
}

@Suite(.serialized) struct DataParallelTests {
    // Bit patterns are compared only within this process: OpenBLAS picks its sgemm kernel per CPU
    // (SkylakeX, Haswell, Zen, Sandybridge…) and each rounds differently, so a checksum recorded on
    // one machine is a property of that machine. Determinism is promised per machine, kernel and
    // worker count; across them results agree within float noise, which the tests below bound.

    /// One worker is the single-pass code: it never builds shards, and the same seed repeats bit for bit.
    @Test func oneWorkerIsTheSinglePassAndRepeatsBitForBit() throws {
        NumericsRuntime.setThreads(1)
        let config = ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16)
        let model = try GPT(config: config, seed: 11)
        #expect(model.dataParallelShards(6) == nil)
        model.workers = 2
        #expect(model.dataParallelShards(6)?.count == 2)
        #expect(model.dataParallelShards(1) == nil, "a one-row batch runs as one pass whatever the worker count")

        let p = try trainedParameters(threads: 1), again = try trainedParameters(threads: 1)
        #expect(bitChecksum(p) == bitChecksum(again))
        #expect(p != (try GPT(config: config, seed: 11)).parameterValues, "the steps changed the parameters")
        let batch = randomBatch(config, batch: 5, length: 17, seed: 300)
        let scores = try GPT(config: config, parameters: p).scores(batch)
        let scoresAgain = try GPT(config: config, parameters: again).scores(batch)
        #expect(bitChecksum(scores.losses) == bitChecksum(scoresAgain.losses))
        #expect(scores.hits == scoresAgain.hits)
    }

    /// Scores are per position, so a shard's scores are a one-pass forward over its own rows: each
    /// row scored alone agrees with the batch scored by one or by two workers, within float noise
    /// (bit equality across batch shapes is not promised: OpenBLAS may pick another code path for
    /// another matrix size).
    @Test func eachRowScoredAloneAgreesWithTheBatch() throws {
        NumericsRuntime.setThreads(1)
        let config = ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16)
        let batch = randomBatch(config, batch: 5, length: 17, seed: 302)
        let model = try GPT(config: config, parameters: try trainedParameters(threads: 1))
        let whole = model.scores(batch)
        model.workers = 2
        let sharded = model.scores(batch)
        model.workers = 1
        let T = whole.losses.count / 5
        for r in 0..<5 {
            let row = TokenBatch(batchSize: 1, length: batch.length, tokens: Array(batch.tokens[(r * batch.length)..<((r + 1) * batch.length)]))
            let alone = model.scores(row)
            #expect(alone.losses.count == T)
            for t in 0..<T {
                #expect(abs(alone.losses[t] - whole.losses[r * T + t]) <= 1e-5 * max(1, abs(alone.losses[t])))
                #expect(abs(alone.losses[t] - sharded.losses[r * T + t]) <= 1e-5 * max(1, abs(alone.losses[t])))
            }
        }
    }

    @Test func twoWorkersRepeatBitForBitAndAgreeWithOne() throws {
        NumericsRuntime.setThreads(1)
        let one = try trainedParameters(threads: 1)
        let two = try trainedParameters(threads: 2), again = try trainedParameters(threads: 2)
        #expect(two == again)
        // Shards sum their gradient contributions in a different order, so only float noise may
        // differ. AdamW divides by √v, so a gradient element near 0 whose sign the noise flips moves
        // by up to 2·lr per step either way (measured: max |Δ| 3.8e-5 under Prescott, < 1e-5 under
        // SkylakeX): bound the typical parameter and the model's loss, not the single worst element.
        let diffs = zip(one, two).map { abs($0 - $1) }
        let meanDiff = diffs.reduce(0, +) / Float(diffs.count)
        #expect(meanDiff < 1e-6, "mean |Δparam| 1 vs 2 workers: \(meanDiff)")
        #expect(diffs.max()! <= 2 * 3e-3 * 4, "max |Δparam| beyond what 4 AdamW steps at lr 3e-3 can move")
        let config = ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16)
        let heldOut = randomBatch(config, batch: 5, length: 17, seed: 303)
        let lossOne = try GPT(config: config, parameters: one).loss(heldOut), lossTwo = try GPT(config: config, parameters: two).loss(heldOut)
        #expect(abs(lossOne - lossTwo) < 1e-5 * lossOne, "held-out loss 1 vs 2 workers: \(lossOne) vs \(lossTwo)")
        #expect(try trainedParameters(threads: 3) == trainedParameters(threads: 3))
    }

    @Test func shardedLossGradientAndScoresMatchOnePass() throws {
        NumericsRuntime.setThreads(1)
        let config = ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16)
        let batch = randomBatch(config, batch: 5, length: 17, seed: 301)
        let single = try GPT(config: config, seed: 12), sharded = try GPT(config: config, seed: 12)
        sharded.workers = 2  // rows 0..<2 and 2..<5: unequal shards must weigh rows, not shards, equally
        let l1 = single.forwardBackward(batch), l2 = sharded.forwardBackward(batch)
        #expect(abs(l1 - l2) < 1e-6)
        var maxDiff: Float = 0, maxGrad: Float = 0
        for i in 0..<single.parameterCount {
            maxDiff = max(maxDiff, abs(single.grads[i] - sharded.grads[i]))
            maxGrad = max(maxGrad, abs(single.grads[i]))
        }
        #expect(maxGrad > 0 && maxDiff <= 1e-6 * max(1, maxGrad), "max |Δgrad| \(maxDiff) of \(maxGrad)")
        #expect(abs(single.loss(batch) - sharded.loss(batch)) < 1e-6)
        let s1 = single.scores(batch), s2 = sharded.scores(batch)
        #expect(s1.hits == s2.hits)
        #expect(zip(s1.losses, s2.losses).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}

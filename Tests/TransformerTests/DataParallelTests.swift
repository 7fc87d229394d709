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
    /// Recorded with the single-path code before data-parallel training existed (commit 57a0029):
    /// one thread must keep exactly that float operation order.
    @Test func oneThreadIsBitIdenticalToTheRecordedRun() throws {
        NumericsRuntime.setThreads(1)
        let p = try trainedParameters(threads: 1)
        #expect(bitChecksum(p) == 0x90d7_6b74_5cbf_9a02)
    }

    @Test func oneThreadScoresAreBitIdenticalToTheRecordedRun() throws {
        NumericsRuntime.setThreads(1)
        let config = ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16)
        let model = try GPT(config: config, parameters: try trainedParameters(threads: 1))
        let scores = model.scores(randomBatch(config, batch: 5, length: 17, seed: 300))
        #expect(bitChecksum(scores.losses) == 0xd391_7f42_224a_a16c)
    }

    @Test func twoWorkersRepeatBitForBitAndAgreeWithOne() throws {
        NumericsRuntime.setThreads(1)
        let one = try trainedParameters(threads: 1)
        let two = try trainedParameters(threads: 2), again = try trainedParameters(threads: 2)
        #expect(two == again)
        // Shards sum their gradient contributions in a different order, so only float noise may differ.
        let maxDiff = zip(one, two).map { abs($0 - $1) }.max()!
        #expect(maxDiff < 1e-5, "max |Δparam| 1 vs 2 workers: \(maxDiff)")
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

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
}

import Foundation
import Testing
import Kernels
import Numerics
@testable import Transformer

let tiny = ModelConfig(name: "tiny", dModel: 8, layers: 2, heads: 2, context: 6)

func randomBatch(_ config: ModelConfig, batch: Int, length: Int, seed: UInt64, alphabet: Int = 256) -> TokenBatch {
    let rng = RandomSource(seed: seed)
    return TokenBatch(batchSize: batch, length: length, tokens: (0..<(batch * length)).map { _ in UInt8(rng.int(below: alphabet)) })
}

@Suite(.serialized) struct GradientTests {
    /// Every parameter tensor's analytic gradient against central finite differences (in Double
    /// accumulation of Float losses, so the tolerance is set for float32 noise).
    @Test func everyTensorMatchesFiniteDifferences() throws {
        NumericsRuntime.setBLASThreads(1)
        let model = try GPT(config: tiny, seed: 1)
        // Larger weights than the GPT-2 init make the gradients big enough to check in float32.
        let rng = RandomSource(seed: 2)
        for i in 0..<model.parameterCount { model.params[i] += Float(rng.gaussian(sigma: 0.3)) }
        let batch = randomBatch(tiny, batch: 2, length: 7, seed: 3, alphabet: 12)
        model.forwardBackward(batch)
        let analytic = Array(UnsafeBufferPointer(start: model.grads, count: model.parameterCount))
        let eps: Float = 1e-2
        var report: [String] = []
        for t in model.layout.tensors {
            var maxErr: Float = 0, maxGrad: Float = 0
            // Up to 24 entries per tensor, spread over it.
            let picks = Set((0..<min(24, t.count)).map { $0 * t.count / min(24, t.count) })
            for j in picks {
                let i = t.offset + j
                let saved = model.params[i]
                model.params[i] = saved + eps
                let lp = Double(model.loss(batch))
                model.params[i] = saved - eps
                let lm = Double(model.loss(batch))
                model.params[i] = saved
                let numeric = Float((lp - lm) / Double(2 * eps))
                maxErr = max(maxErr, abs(numeric - analytic[i]))
                maxGrad = max(maxGrad, abs(analytic[i]))
            }
            let ok = maxErr <= 2e-4 + 2e-3 * maxGrad
            if !ok { report.append("\(t.name): max abs error \(maxErr), max |grad| \(maxGrad)") }
            // A tensor whose gradient is identically zero would pass trivially; only wpe rows beyond T may be zero.
            if t.name != "wpe" { #expect(maxGrad > 0, "\(t.name) has an all-zero gradient sample") }
        }
        #expect(report.isEmpty, "gradient mismatches:\n\(report.joined(separator: "\n"))")
    }

    @Test func initialLossIsLogVocab() throws {
        let model = try GPT(config: ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16), seed: 7)
        let loss = model.loss(randomBatch(model.config, batch: 8, length: 17, seed: 8))
        #expect(abs(loss - Float(log(256.0))) < 0.1, "initial loss \(loss)")
    }

    @Test func overfitsOneBatch() throws {
        NumericsRuntime.setBLASThreads(1)
        let model = try GPT(config: ModelConfig(name: "t", dModel: 32, layers: 2, heads: 4, context: 16), seed: 7)
        var opt = AdamWConfig()
        opt.weightDecay = 0
        let trainer = Trainer(model: model, optimizer: opt)
        let batch = randomBatch(model.config, batch: 4, length: 17, seed: 9, alphabet: 40)
        var loss: Float = 10
        for _ in 0..<300 { loss = try trainer.step(batch, lr: 1e-2) }
        #expect(loss < 0.1, "loss after 300 steps on one batch: \(loss)")
    }

    @Test func sameSeedSameParameters() throws {
        NumericsRuntime.setBLASThreads(1)
        func run(_ seed: UInt64) throws -> [Float] {
            let model = try GPT(config: tiny, seed: seed)
            let trainer = Trainer(model: model)
            for s in 0..<5 { try trainer.step(randomBatch(tiny, batch: 3, length: 7, seed: UInt64(100 + s)), lr: 3e-3) }
            return model.parameterValues
        }
        #expect(try run(1) == run(1))
        #expect(try run(1) != run(2))
    }

    @Test func nonFiniteLossStopsWithStep() throws {
        let model = try GPT(config: tiny, seed: 1)
        let trainer = Trainer(model: model)
        try trainer.step(randomBatch(tiny, batch: 2, length: 7, seed: 1), lr: 1e-3)
        model.params[0] = .nan
        let before = model.parameterValues
        #expect(throws: TrainingError.nonFinite(step: 1, what: "loss (nan)")) {
            try trainer.step(randomBatch(tiny, batch: 2, length: 7, seed: 1), lr: 1e-3)
        }
        #expect(model.parameterValues.elementsEqual(before) { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }
}

@Suite struct InferenceTests {
    @Test func scoresAgreeWithLossAndArgmax() throws {
        let model = try GPT(config: tiny, seed: 4)
        let batch = randomBatch(tiny, batch: 3, length: 7, seed: 5)
        let s = model.scores(batch)
        #expect(abs(s.losses.reduce(0, +) / Float(s.losses.count) - model.loss(batch)) < 1e-5)
        // Greedy completion of one byte must equal the argmax hit pattern: the hit at position t
        // is true iff greedy decoding of row[0...t] yields row[t+1].
        for r in 0..<3 {
            for t in 0..<6 {
                let prompt = Array(batch.tokens[(r * 7)...(r * 7 + t)])
                let next = model.complete(prompts: [prompt], maxNewTokens: 1)[0][0]
                #expect((next == batch.tokens[r * 7 + t + 1]) == s.hits[r * 6 + t])
            }
        }
    }

    @Test func batchedCompletionMatchesOneByOne() throws {
        let model = try GPT(config: tiny, seed: 4)
        let prompts: [[UInt8]] = [Array("ab".utf8), Array("hello".utf8), Array("x".utf8), Array("0123456789".utf8)]
        let batched = model.complete(prompts: prompts, maxNewTokens: 5)
        for (i, p) in prompts.enumerated() { #expect(model.complete(prompts: [p], maxNewTokens: 5)[0] == batched[i]) }
        let sampledA = model.complete(prompts: prompts, maxNewTokens: 5, temperature: 1, rng: RandomSource(seed: 3))
        let sampledB = model.complete(prompts: prompts, maxNewTokens: 5, temperature: 1, rng: RandomSource(seed: 3))
        #expect(sampledA == sampledB)
    }

    @Test func stopByteEndsARow() throws {
        let model = try GPT(config: tiny, seed: 4)
        let out = model.complete(prompts: [Array("abc".utf8)], maxNewTokens: 50, stopByte: nil)
        #expect(out[0].count == 50)
        if let stop = out[0].first {
            let stopped = model.complete(prompts: [Array("abc".utf8)], maxNewTokens: 50, stopByte: stop)
            #expect(stopped[0] == [stop])
        }
    }
}

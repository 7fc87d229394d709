import Foundation
import Testing
import Kernels
import Numerics
@testable import Transformer

/// Details the end-to-end tests cannot see: a missing bias correction, a decayed LayerNorm gain, a
/// clip that does not clip, or attention that peeks ahead all still let a model train.
@Suite struct TrainingDetailsTests {
    @Test func adamWFirstStepsMoveByTheLearningRate() {
        // With bias correction m̂ = g and v̂ = g² while the gradient is constant, so each step moves
        // every parameter by lr · sign(g) whatever |g| is; without it the first step is ≈ 0.45 · lr.
        var x: [Float] = [1, 1, 1]
        let g: [Float] = [3, -0.5, 1e-3]
        var state = AdamWState(count: 3)
        var cfg = AdamWConfig()
        cfg.weightDecay = 0
        cfg.eps = 1e-12
        for step in 1...3 {
            x.withUnsafeMutableBufferPointer { p in
                g.withUnsafeBufferPointer { gp in
                    AdamW.update(params: p.baseAddress!, grads: gp.baseAddress!, count: 3, state: &state, decayMask: [false, false, false], lr: 0.01, config: cfg)
                }
            }
            let expected: [Float] = [1 - 0.01 * Float(step), 1 + 0.01 * Float(step), 1 - 0.01 * Float(step)]
            for i in 0..<3 { #expect(abs(x[i] - expected[i]) < 1e-5, "step \(step): x[\(i)] = \(x[i]), expected \(expected[i])") }
        }
        #expect(state.step == 3)
    }

    @Test func onlyMatricesAndEmbeddingsDecay() {
        let layout = ParameterLayout(tiny)
        for t in layout.tensors {
            let isGainOrBias = t.name.hasSuffix("b") || t.name.hasSuffix("ln1w") || t.name.hasSuffix("ln2w") || t.name == "lnfw"
            #expect(t.decays == !isGainOrBias, "\(t.name) decays: \(t.decays)")
        }
        // The tensors tile the buffer exactly.
        var offset = 0
        for t in layout.tensors { #expect(t.offset == offset); offset += t.count }
        #expect(offset == layout.count)
    }

    @Test func gradientIsClippedToTheGlobalNorm() throws {
        let model = try GPT(config: tiny, seed: 1)
        var opt = AdamWConfig()
        opt.gradClip = 1e-3
        let trainer = Trainer(model: model, optimizer: opt)
        try trainer.step(randomBatch(tiny, batch: 2, length: 7, seed: 1), lr: 1e-3)
        #expect(trainer.lastGradNorm > 1e-3)
        var sq: Double = 0
        for i in 0..<model.parameterCount { sq += Double(model.grads[i]) * Double(model.grads[i]) }
        #expect(abs(sq.squareRoot() - 1e-3) < 1e-6, "norm after clipping \(sq.squareRoot())")
    }

    @Test func attentionIsCausal() throws {
        // Position t predicts byte t + 1 from bytes 0...t, so changing byte k may change the losses
        // at positions k − 1 (its target) and k... (its inputs), and must leave every earlier one bit-exact.
        let model = try GPT(config: tiny, seed: 5)
        let base = randomBatch(tiny, batch: 1, length: 7, seed: 6)
        let before = model.tokenLosses(base)
        for k in 1..<7 {
            var tokens = base.tokens
            tokens[k] &+= 1
            let after = model.tokenLosses(TokenBatch(batchSize: 1, length: 7, tokens: tokens))
            for t in 0..<(k - 1) { #expect(after[t] == before[t], "changing byte \(k) changed the loss at \(t)") }
            // Position k (which reads byte k) must change when it exists.
            if k < 6 { #expect(after[k] != before[k]) }
        }
    }

    @Test func tokenLossesWorkForAnyShape() throws {
        // Rows scored together equal rows scored alone, and a prefix scores like the full row's start
        // (causality again, through the per-shape activation buffers).
        let model = try GPT(config: tiny, seed: 7)
        let full = randomBatch(tiny, batch: 3, length: 7, seed: 8)
        let together = model.tokenLosses(full)
        for r in 0..<3 {
            let row = Array(full.tokens[(r * 7)..<(r * 7 + 7)])
            let alone = model.tokenLosses(TokenBatch(batchSize: 1, length: 7, tokens: row))
            for t in 0..<6 { #expect(abs(alone[t] - together[r * 6 + t]) < 1e-5) }
            for len in 2...6 {
                let prefix = model.tokenLosses(TokenBatch(batchSize: 1, length: len, tokens: Array(row.prefix(len))))
                for t in 0..<(len - 1) { #expect(abs(prefix[t] - together[r * 6 + t]) < 1e-5, "row \(r) prefix \(len) position \(t)") }
            }
        }
        // Training in between (a different, larger shape) does not disturb inference.
        model.forwardBackward(randomBatch(tiny, batch: 5, length: 7, seed: 9))
        #expect(model.tokenLosses(full) == together)
    }

    @Test func greedyCompletionMatchesAManualArgmaxLoop() throws {
        // The reference decodes through the scoring path instead: for each step, score all 256
        // candidate next bytes as targets of one batch; the smallest loss is the largest logit.
        let model = try GPT(config: tiny, seed: 11)
        let prompts: [[UInt8]] = [Array("a".utf8), Array("xyz".utf8), Array("0123456789".utf8)]
        let batched = model.complete(prompts: prompts, maxNewTokens: 4, stopByte: nil)
        for (p, prompt) in prompts.enumerated() {
            var seq = prompt
            for _ in 0..<4 {
                let window = Array(seq.suffix(tiny.context))
                let rows = (0..<256).flatMap { window + [UInt8($0)] }
                let losses = model.tokenLosses(TokenBatch(batchSize: 256, length: window.count + 1, tokens: rows))
                var best = 0
                for v in 1..<256 where losses[v * window.count + window.count - 1] < losses[best * window.count + window.count - 1] { best = v }
                seq.append(UInt8(best))
            }
            #expect(Array(seq.suffix(4)) == batched[p], "prompt \(p)")
        }
    }
}

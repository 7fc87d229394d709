import Foundation
import Testing
import Numerics
@testable import Kernels

/// Each kernel's backward against central finite differences of its forward, with a random
/// upstream gradient so every output contributes.
@Suite struct KernelGradientTests {
    @Test func reluMatchesFiniteDifferences() {
        // Keep inputs away from the kink, where a difference quotient straddles it.
        let x = gaussians(40, seed: 1).map { $0 >= 0 ? $0 + 0.1 : $0 - 0.1 }
        let w = gaussians(40, seed: 2)
        let analytic = gradient(x, w) { ReLU.backward($0, $1, $2, N: 40) }
        let numeric = numericGradient(x, eps: 1e-2) { weightedSum(apply($0, outputs: 40) { ReLU.forward($0, $1, N: 40) }, w) }
        #expect(maxAbsError(analytic, numeric) < 1e-4)
        #expect(analytic.contains(0) && analytic.contains { $0 != 0 }, "both sides of the kink are sampled")
    }

    @Test func reluBackwardRunsInPlace() {
        let x = gaussians(40, seed: 1), w = gaussians(40, seed: 2)
        var apart = [Float](repeating: 7, count: 40), inPlace = w
        ReLU.backward(&apart, x, w, N: 40)
        inPlace.withUnsafeMutableBufferPointer { ReLU.backward($0.baseAddress!, x, $0.baseAddress!, N: 40) }
        #expect(apart == inPlace, "overwrites: neither the old gradient nor aliasing changes the result")
    }

    @Test func meanSquaredErrorMatchesFiniteDifferencesAndKnownValue() {
        let target: [Double] = [1, -2, 0.5, 3]
        #expect(MeanSquaredError.forward([2, -2, 0.5, 1], target, N: 4) == 1.25)  // (1² + 0 + 0 + 2²) / 4
        let pred = gaussians(4, seed: 3)
        var analytic = [Double](repeating: 0, count: 4)
        MeanSquaredError.backward(&analytic, pred, target, gradScale: 0.7, N: 4)
        let numeric = numericGradient(pred, eps: 1e-2) { 0.7 * MeanSquaredError.forward($0, target, N: 4) }
        #expect(maxAbsError(analytic.map(Float.init), numeric) < 1e-4)
    }

    /// log Σ exp of each row (N, K) and its softmax weights.
    private func logSumExp(_ x: [Double], N: Int, K: Int) -> (out: [Double], weights: [Double]) {
        var out = [Double](repeating: 0, count: N), weights = [Double](repeating: 0, count: N * K)
        LogSumExp.forward(&out, &weights, x, N: N, K: K)
        return (out, weights)
    }

    @Test func logSumExpMatchesFiniteDifferences() {
        let N = 3, K = 5
        let x = gaussians(N * K, seed: 4, sigma: 2).map(Double.init)
        let w = gaussians(N, seed: 5).map(Double.init)
        let (_, weights) = logSumExp(x, N: N, K: K)
        for n in 0..<N { #expect(abs(weights[(n * K)..<((n + 1) * K)].reduce(0, +) - 1) < 1e-12) }
        var analytic = [Double](repeating: 0, count: N * K)
        LogSumExp.backward(&analytic, weights, w, N: N, K: K)
        let eps = 1e-6
        for i in 0..<(N * K) {
            var xp = x, xm = x
            xp[i] += eps; xm[i] -= eps
            let lp = zip(logSumExp(xp, N: N, K: K).out, w).reduce(0) { $0 + $1.0 * $1.1 }
            let lm = zip(logSumExp(xm, N: N, K: K).out, w).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs((lp - lm) / (2 * eps) - analytic[i]) < 1e-8)
        }
    }

    @Test func logSumExpIsStableForLargeScores() {
        // exp(1000) overflows even Double; shifted by the maximum, log Σ exp stays exact.
        let x: [Double] = [1000, 1000, 1000, 1000, -1000, 3, 1, 2]
        let (out, weights) = logSumExp(x, N: 2, K: 4)
        #expect(abs(out[0] - (1000 + log(4))) < 1e-12)
        #expect(abs(out[1] - log(exp(3.0) + exp(1.0) + exp(2.0))) < 1e-12)
        #expect(weights[0] == 0.25 && weights[4] == 0)
    }

    @Test func layerNormMatchesFiniteDifferences() {
        let N = 3, C = 8
        let x = gaussians(N * C, seed: 8), gain = gaussians(C, seed: 9).map { 1 + 0.3 * $0 }, bias = gaussians(C, seed: 10)
        let w = gaussians(N * C, seed: 11)
        func forward(_ x: [Float]) -> [Float] {
            var mean = [Float](repeating: 0, count: N), rstd = mean
            return apply(x, outputs: N * C) { LayerNorm.forward($0, &mean, &rstd, $1, gain, bias, N: N, C: C) }
        }
        var mean = [Float](repeating: 0, count: N), rstd = mean
        _ = apply(x, outputs: N * C) { LayerNorm.forward($0, &mean, &rstd, $1, gain, bias, N: N, C: C) }
        var dgain = [Float](repeating: 0, count: C), dbias = dgain
        var scratch = [Float](repeating: 0, count: LayerNorm.backwardScratchCount(C: C))
        let analytic = gradient(x, w) { LayerNorm.backward($0, &dgain, &dbias, $2, $1, gain, mean, rstd, scratch: &scratch, N: N, C: C) }
        let numeric = numericGradient(x, eps: 1e-2) { weightedSum(forward($0), w) }
        #expect(maxAbsError(analytic, numeric) < 5e-4)
        // Bias gradient: Σ_n dout.
        for c in 0..<C { #expect(abs(dbias[c] - (0..<N).map { w[$0 * C + c] }.reduce(0, +)) < 1e-5) }
    }

    @Test func geluMatchesFiniteDifferences() {
        let x = gaussians(32, seed: 12, sigma: 2), w = gaussians(32, seed: 13)
        let analytic = gradient(x, w) { GELU.backward($0, $1, $2, N: 32) }
        let numeric = numericGradient(x, eps: 1e-2) { weightedSum(apply($0, outputs: 32) { GELU.forward($0, $1, N: 32) }, w) }
        #expect(maxAbsError(analytic, numeric) < 5e-4)
    }

    @Test func matmulMatchesFiniteDifferences() {
        NumericsRuntime.setBLASThreads(1)
        let N = 3, C = 4, OC = 5
        let x = gaussians(N * C, seed: 14), weight = gaussians(OC * C, seed: 15), bias = gaussians(OC, seed: 16)
        let w = gaussians(N * OC, seed: 17)
        func forward(_ x: [Float], _ weight: [Float], _ bias: [Float]) -> [Float] {
            apply(x, outputs: N * OC) { Matmul.forward($0, $1, weight, bias, N: N, C: C, OC: OC) }
        }
        var dweight = [Float](repeating: 0, count: OC * C), dbias = [Float](repeating: 0, count: OC)
        let dx = gradient(x, w) { Matmul.backward($0, &dweight, &dbias, $2, $1, weight, N: N, C: C, OC: OC) }
        #expect(maxAbsError(dx, numericGradient(x, eps: 1e-2) { weightedSum(forward($0, weight, bias), w) }) < 2e-4)
        #expect(maxAbsError(dweight, numericGradient(weight, eps: 1e-2) { weightedSum(forward(x, $0, bias), w) }) < 2e-4)
        #expect(maxAbsError(dbias, numericGradient(bias, eps: 1e-2) { weightedSum(forward(x, weight, $0), w) }) < 2e-4)
    }
}

/// The kernels the GPT uses, checked one by one (the GPT's own finite-difference test sees them
/// only composed).
@Suite struct SequenceKernelGradientTests {
    @Test func crossEntropyGradientMatchesFiniteDifferences() {
        let B = 2, T = 3, V = 7, N = B * T
        let logits = gaussians(N * V, seed: 30, sigma: 2)
        // Rows of T + 1 bytes: position t's target is byte t + 1.
        let tokens: [UInt8] = [1, 4, 0, 6, 2, 5, 5, 3]
        func losses(_ l: [Float], dlogits: UnsafeMutablePointer<Float>? = nil) -> [Float] {
            var out = [Float](repeating: 0, count: N)
            CrossEntropy.forwardBackward(l, targets: tokens, rowStride: T + 1, T: T, losses: &out, hits: nil,
                                         dlogits: dlogits, gradScale: 1 / Float(N), N: N, V: V)
            return out
        }
        var analytic = [Float](repeating: 0, count: N * V)
        let l = losses(logits, dlogits: &analytic)
        // Known value: −log softmax at the target.
        let row = logits[0..<V].map(Double.init), lse = log(row.map(exp).reduce(0, +))
        #expect(abs(Double(l[0]) - (lse - row[4])) < 1e-5)
        let numeric = numericGradient(logits, eps: 1e-2) { losses($0).reduce(0.0) { $0 + Double($1) } / Double(N) }
        #expect(maxAbsError(analytic, numeric) < 1e-4)
    }

    @Test func attentionGradientMatchesFiniteDifferences() {
        NumericsRuntime.setBLASThreads(1)
        let B = 1, T = 4, C = 4, NH = 2
        let qkv = gaussians(B * T * 3 * C, seed: 31)
        let w = gaussians(B * T * C, seed: 32)
        func forward(_ qkv: [Float]) -> [Float] {
            var att = [Float](repeating: 0, count: B * NH * T * T)
            return apply(qkv, outputs: B * T * C) { Attention.forward($0, &att, $1, B: B, T: T, C: C, NH: NH) }
        }
        var att = [Float](repeating: 0, count: B * NH * T * T)
        _ = apply(qkv, outputs: B * T * C) { Attention.forward($0, &att, $1, B: B, T: T, C: C, NH: NH) }
        // Causal: nothing above the diagonal, rows are distributions.
        for h in 0..<NH { for i in 0..<T {
            let r = att[((h * T) + i) * T..<((h * T) + i + 1) * T]
            #expect(abs(r.reduce(0, +) - 1) < 1e-6 && r.dropFirst(i + 1).allSatisfy { $0 == 0 })
        } }
        var scratch = [Float](repeating: 0, count: Attention.scratchCount(T: T))
        var dqkv = [Float](repeating: 0, count: qkv.count)
        Attention.backward(&dqkv, w, qkv, att, &scratch, B: B, T: T, C: C, NH: NH)
        let numeric = numericGradient(qkv, eps: 1e-2) { weightedSum(forward($0), w) }
        #expect(maxAbsError(dqkv, numeric) < 5e-4)
    }

    @Test func encoderAndResidualBackwardScatterTheOutputGradient() {
        let B = 1, T = 3, C = 2
        let tokens: [UInt8] = [1, 0, 1, 9]  // byte 1 at positions 0 and 2
        let wte = gaussians(2 * C, seed: 33), wpe = gaussians(T * C, seed: 34)
        var out = [Float](repeating: 0, count: B * T * C)
        Encoder.forward(&out, tokens, rowStride: T + 1, wte, wpe, B: B, T: T, C: C)
        #expect(out[4] == wte[2] + wpe[4] && out[5] == wte[3] + wpe[5])
        let dout: [Float] = [1, 2, 3, 4, 5, 6]
        var dwte = [Float](repeating: 0, count: 2 * C), dwpe = [Float](repeating: 0, count: T * C)
        Encoder.backward(&dwte, &dwpe, dout, tokens, rowStride: T + 1, B: B, T: T, C: C)
        #expect(dwte == [3, 4, 1 + 5, 2 + 6] && dwpe == dout)
        var da: [Float] = [1, 1], db: [Float] = [0, 0]
        Residual.backward(&da, &db, [0.5, -2], N: 2)
        #expect(da == [1.5, -1] && db == [0.5, -2])
    }
}

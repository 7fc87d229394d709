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

    @Test func meanSquaredErrorMatchesFiniteDifferencesAndKnownValue() {
        let target: [Float] = [1, -2, 0.5, 3]
        #expect(MeanSquaredError.forward([2, -2, 0.5, 1], target, N: 4) == 1.25)  // (1² + 0 + 0 + 2²) / 4
        let pred = gaussians(4, seed: 3)
        var analytic = [Float](repeating: 0, count: 4)
        MeanSquaredError.backward(&analytic, pred, target, gradScale: 0.7, N: 4)
        let numeric = numericGradient(pred, eps: 1e-2) { 0.7 * Double(MeanSquaredError.forward($0, target, N: 4)) }
        #expect(maxAbsError(analytic, numeric) < 1e-4)
    }

    @Test func logSumExpMatchesFiniteDifferences() {
        let N = 3, K = 5
        let x = gaussians(N * K, seed: 4, sigma: 2)
        let w = gaussians(N, seed: 5)
        let out = apply(x, outputs: N) { LogSumExp.forward($0, $1, N: N, K: K) }
        var analytic = [Float](repeating: 0, count: N * K)
        LogSumExp.backward(&analytic, out, x, w, N: N, K: K)
        let numeric = numericGradient(x, eps: 1e-2) { weightedSum(apply($0, outputs: N) { LogSumExp.forward($0, $1, N: N, K: K) }, w) }
        #expect(maxAbsError(analytic, numeric) < 2e-4)
    }

    @Test func logSumExpIsStableForLargeScores() {
        // exp(1000) overflows Float; shifted by the maximum, log Σ exp stays exact.
        let x: [Float] = [1000, 1000, 1000, 1000, -1000, 3, 1, 2]
        let out = apply(x, outputs: 2) { LogSumExp.forward($0, $1, N: 2, K: 4) }
        #expect(abs(out[0] - (1000 + logf(4))) < 1e-3)
        #expect(abs(out[1] - Float(log(exp(3.0) + exp(1.0) + exp(2.0)))) < 1e-5)
    }

    @Test func softmaxMatchesFiniteDifferences() {
        let N = 3, K = 6
        let x = gaussians(N * K, seed: 6, sigma: 2)
        let w = gaussians(N * K, seed: 7)
        let p = apply(x, outputs: N * K) { Softmax.forward($0, $1, N: N, K: K) }
        for n in 0..<N { #expect(abs(p[(n * K)..<((n + 1) * K)].reduce(0, +) - 1) < 1e-6) }
        var analytic = [Float](repeating: 0, count: N * K)
        Softmax.backward(&analytic, p, w, N: N, K: K)
        let numeric = numericGradient(x, eps: 1e-2) { weightedSum(apply($0, outputs: N * K) { Softmax.forward($0, $1, N: N, K: K) }, w) }
        #expect(maxAbsError(analytic, numeric) < 2e-4)
        // Large scores: shifted by the row max, no overflow.
        let big = apply([500, 499, -500], outputs: 3) { Softmax.forward($0, $1, N: 1, K: 3) }
        #expect(abs(big[0] - 1 / (1 + expf(-1))) < 1e-6 && big[2] == 0)
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

import Foundation

/// Row-wise log Σ exp, shifted by the row maximum so large scores do not overflow (e.g. CQL's
/// conservative term over sampled actions).
public enum LogSumExp {
    /// out[n] = log Σ_k exp(inp[n,k]) = m + log Σ_k exp(inp[n,k] − m), m the row max.
    ///
    /// - Parameters:
    ///   - out: (N) per-row result.
    ///   - inp: (N,K) scores; K ≥ 1.
    public static func forward(_ out: FloatPtr, _ inp: ConstFloatPtr, N: Int, K: Int) {
        for n in 0..<N {
            let row = inp + n * K
            let m = vectorMax(row, K)
            var sum: Float = 0
            for k in 0..<K { sum += expf(row[k] - m) }
            out[n] = m + logf(sum)
        }
    }

    /// dinp (N,K) += dout[n] · softmax(row n): ∂ lse / ∂ x_k = exp(x_k − lse).
    ///
    /// - Parameters:
    ///   - dinp: (N,K) input gradient, accumulated.
    ///   - out: (N) the forward result; inp (N,K) the forward input.
    ///   - dout: (N) output gradient.
    public static func backward(_ dinp: FloatPtr, _ out: ConstFloatPtr, _ inp: ConstFloatPtr, _ dout: ConstFloatPtr, N: Int, K: Int) {
        for n in 0..<N {
            let row = inp + n * K, d = dinp + n * K
            for k in 0..<K { d[k] += dout[n] * expf(row[k] - out[n]) }
        }
    }
}

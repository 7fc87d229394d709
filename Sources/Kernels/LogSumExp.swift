import Foundation

/// Row-wise log Σ exp, shifted by the row maximum so large scores do not overflow: CQL's
/// conservative term over its sampled actions. In Double, unlike the Float kernels: CQL's scores are
/// Float Q values minus Double log-densities, and its loss terms are summed in Double.
public enum LogSumExp {
    /// out[n] = log Σ_k exp(inp[n,k]) = m + log Σ_k exp(inp[n,k] − m), m the row max, and
    /// weights[n,k] = exp(inp[n,k] − m) / Σ_k exp(inp[n,k] − m) = ∂out[n]/∂inp[n,k] (the row's
    /// softmax), kept for `backward`.
    ///
    /// - Parameters:
    ///   - out: (N) per-row result.
    ///   - weights: (N,K) the softmax of each row.
    ///   - inp: (N,K) scores; K ≥ 1.
    public static func forward(_ out: UnsafeMutablePointer<Double>, _ weights: UnsafeMutablePointer<Double>, _ inp: UnsafePointer<Double>,
                               N: Int, K: Int) {
        for n in 0..<N {
            let row = inp + n * K, w = weights + n * K
            var m = -Double.infinity
            for k in 0..<K { m = max(m, row[k]) }
            var total = 0.0
            for k in 0..<K {
                w[k] = exp(row[k] - m)
                total += w[k]
            }
            out[n] = m + log(total)
            for k in 0..<K { w[k] /= total }
        }
    }

    /// dinp (N,K) += dout[n] · weights[n,k]: ∂ lse / ∂ x_k is the softmax weight of x_k.
    ///
    /// - Parameters:
    ///   - dinp: (N,K) input gradient, accumulated.
    ///   - weights: (N,K) the softmax weights `forward` wrote.
    ///   - dout: (N) output gradient.
    public static func backward(_ dinp: UnsafeMutablePointer<Double>, _ weights: UnsafePointer<Double>, _ dout: UnsafePointer<Double>,
                                N: Int, K: Int) {
        for n in 0..<N {
            let w = weights + n * K, d = dinp + n * K
            for k in 0..<K { d[k] += dout[n] * w[k] }
        }
    }
}

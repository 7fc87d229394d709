import Foundation

/// Row-wise softmax, e.g. a policy's distribution over domains. (Attention fuses its own causal one.)
public enum Softmax {
    /// out (N,K) = softmax of each row of inp (N,K), shifted by the row max (in place allowed).
    public static func forward(_ out: FloatPtr, _ inp: ConstFloatPtr, N: Int, K: Int) {
        for n in 0..<N {
            let row = inp + n * K, o = out + n * K
            let m = vectorMax(row, K)
            var sum: Float = 0
            for k in 0..<K {
                o[k] = expf(row[k] - m)
                sum += o[k]
            }
            let inv = 1 / sum
            for k in 0..<K { o[k] *= inv }
        }
    }

    /// dinp (N,K) += p ⊙ (dout − ⟨p, dout⟩) per row, the Jacobian-vector product of softmax.
    ///
    /// - Parameters:
    ///   - dinp: (N,K) input gradient, accumulated.
    ///   - out: (N,K) the probabilities `forward` produced.
    ///   - dout: (N,K) output gradient.
    public static func backward(_ dinp: FloatPtr, _ out: ConstFloatPtr, _ dout: ConstFloatPtr, N: Int, K: Int) {
        for n in 0..<N {
            let p = out + n * K, d = dout + n * K, di = dinp + n * K
            let dot = vectorDot(p, d, K)
            for k in 0..<K { di[k] += p[k] * (d[k] - dot) }
        }
    }
}

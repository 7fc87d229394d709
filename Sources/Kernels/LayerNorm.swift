import Numerics

/// Layer normalisation over the last axis, with a gain and a bias.
public enum LayerNorm {
    /// Floats of `scratch` that `backward` needs for rows of C channels.
    public static func backwardScratchCount(C: Int) -> Int { 2 * KernelChunks.count * C }

    /// out (N,C) = (inp − mean) · rstd · weight + bias; keeps mean and rstd for backward.
    ///
    /// - Parameters:
    ///   - out: (N,C) output.
    ///   - mean, rstd: (N) per-row mean and 1/√(var + 1e-5), for backward.
    ///   - inp: (N,C) input.
    ///   - weight, bias: (C) gain and bias.
    public static func forward(_ out: FloatPtr, _ mean: FloatPtr, _ rstd: FloatPtr, _ inp: ConstFloatPtr,
                               _ weight: ConstFloatPtr, _ bias: ConstFloatPtr, N: Int, C: Int) {
        let eps: Float = 1e-5
        Parallel.forEachChunk(N, chunks: KernelChunks.count) { _, rows in
            for n in rows {
                let x = inp + n * C
                let m = vectorSum(x, C) / Float(C)
                let v = vectorSumSquaredDeviations(x, mean: m, C) / Float(C)
                let s = 1 / (v + eps).squareRoot()
                let o = out + n * C
                for i in 0..<C { o[i] = (x[i] - m) * s * weight[i] + bias[i] }
                mean[n] = m
                rstd[n] = s
            }
        }
    }

    /// dinp (N,C) += ∂L/∂inp; dweight, dbias (C) += Σ_n over rows.
    ///
    /// - Parameters:
    ///   - dinp: (N,C) input gradient, accumulated.
    ///   - dweight, dbias: (C) parameter gradients, accumulated.
    ///   - dout: (N,C) output gradient.
    ///   - inp: (N,C) the forward input; weight (C); mean, rstd (N) from `forward`.
    ///   - scratch: at least `backwardScratchCount(C:)` floats: per-chunk partial sums, reduced in
    ///     chunk order so the result does not depend on the thread count.
    public static func backward(_ dinp: FloatPtr, _ dweight: FloatPtr, _ dbias: FloatPtr, _ dout: ConstFloatPtr,
                                _ inp: ConstFloatPtr, _ weight: ConstFloatPtr, _ mean: ConstFloatPtr, _ rstd: ConstFloatPtr,
                                scratch: FloatPtr, N: Int, C: Int) {
        let chunks = KernelChunks.count
        scratch.update(repeating: 0, count: 2 * chunks * C)
        Parallel.forEachChunk(N, chunks: chunks) { chunk, rows in
            let pdw = scratch + 2 * chunk * C, pdb = pdw + C
            for n in rows {
                let x = inp + n * C, d = dout + n * C, di = dinp + n * C
                let m = mean[n], s = rstd[n]
                var dnormMean: Float = 0, dnormNormMean: Float = 0
                for i in 0..<C {
                    let norm = (x[i] - m) * s
                    let dnorm = weight[i] * d[i]
                    dnormMean += dnorm
                    dnormNormMean += dnorm * norm
                }
                dnormMean /= Float(C)
                dnormNormMean /= Float(C)
                for i in 0..<C {
                    let norm = (x[i] - m) * s
                    let dnorm = weight[i] * d[i]
                    pdb[i] += d[i]
                    pdw[i] += norm * d[i]
                    di[i] += (dnorm - dnormMean - norm * dnormNormMean) * s
                }
            }
        }
        for c in 0..<min(chunks, N) {
            let pdw = scratch + 2 * c * C, pdb = pdw + C
            for i in 0..<C {
                dweight[i] += pdw[i]
                dbias[i] += pdb[i]
            }
        }
    }
}

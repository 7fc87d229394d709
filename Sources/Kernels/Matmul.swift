import Numerics

/// A dense layer through OpenBLAS: out = inp · wᵀ + bias, weights stored (out, in).
public enum Matmul {
    /// out (N,OC) = inp (N,C) · wᵀ + bias.
    ///
    /// - Parameters:
    ///   - out: (N,OC) output (overwritten).
    ///   - inp: (N,C) input.
    ///   - weight: (OC,C) weights.
    ///   - bias: (OC) bias, or nil for none.
    public static func forward(_ out: FloatPtr, _ inp: ConstFloatPtr, _ weight: ConstFloatPtr, _ bias: ConstFloatPtr?,
                               N: Int, C: Int, OC: Int) {
        if let bias {
            for n in 0..<N { (out + n * OC).update(from: bias, count: OC) }
        }
        BLAS.sgemm(transB: true, m: N, n: OC, k: C, a: inp, b: weight, beta: bias == nil ? 0 : 1, c: out)
    }

    /// dinp (N,C) += dout · w;  dweight (OC,C) += doutᵀ · inp;  dbias (OC) += Σ_n dout.
    ///
    /// - Parameters:
    ///   - dinp: (N,C) input gradient, accumulated; nil when the input needs none (e.g. the first layer).
    ///   - dweight: (OC,C) weight gradient, accumulated.
    ///   - dbias: (OC) bias gradient, accumulated; nil for a layer without bias.
    ///   - dout: (N,OC) output gradient.
    ///   - inp: (N,C) the forward input; weight (OC,C).
    public static func backward(_ dinp: FloatPtr?, _ dweight: FloatPtr, _ dbias: FloatPtr?, _ dout: ConstFloatPtr,
                                _ inp: ConstFloatPtr, _ weight: ConstFloatPtr, N: Int, C: Int, OC: Int) {
        if let dinp { BLAS.sgemm(m: N, n: C, k: OC, a: dout, b: weight, beta: 1, c: dinp) }
        BLAS.sgemm(transA: true, m: OC, n: C, k: N, a: dout, b: inp, beta: 1, c: dweight)
        if let dbias {
            // Chunks over output channels: each sums its own columns over all rows, in row order.
            Parallel.forEachChunk(OC, chunks: KernelChunks.count) { _, cols in
                for n in 0..<N {
                    let d = dout + n * OC
                    for o in cols { dbias[o] += d[o] }
                }
            }
        }
    }
}

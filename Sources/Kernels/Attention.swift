import Numerics

/// Causal multi-head self-attention on a fused QKV buffer; the softmax is fused in (causal part only).
public enum Attention {
    /// Floats of `scratch` that `backward` needs (one (T,T) block per chunk); also the size of
    /// `att` in an inference-only `forward`.
    public static func scratchCount(T: Int) -> Int { KernelChunks.count * T * T }

    /// Per (b, h): S = QKᵀ/√hs, P = softmax over j ≤ i, out = P·V — both products as strided sgemm
    /// straight on the qkv buffer.
    ///
    /// - Parameters:
    ///   - out: (B,T,C) attention output, heads side by side (hs = C / NH channels each).
    ///   - att: (B,NH,T,T) softmax probabilities (zero above the diagonal) kept for backward; with
    ///     `keepProbabilities` false (inference) only `scratchCount(T:)` floats, one (T,T) block per
    ///     chunk reused across heads so it stays in cache.
    ///   - qkv: (B,T,3C) Q, K and V of each position.
    public static func forward(_ out: FloatPtr, _ att: FloatPtr, _ qkv: ConstFloatPtr, B: Int, T: Int, C: Int, NH: Int,
                               keepProbabilities: Bool = true) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        Parallel.forEachChunk(B * NH, chunks: KernelChunks.count) { chunk, pairs in
            for bh in pairs {
                let b = bh / NH, h = bh % NH
                let q = qkv + b * T * 3 * C + h * hs
                let k = q + C, v = q + 2 * C
                let a = att + (keepProbabilities ? bh : chunk) * T * T
                BLAS.sgemm(transB: true, m: T, n: T, k: hs, alpha: scale, a: q, lda: 3 * C, b: k, ldb: 3 * C, c: a, ldc: T)
                for i in 0..<T {
                    let row = a + i * T
                    let mx = vectorMax(row, i + 1)
                    let inv = 1 / expShiftedSum(row, row, shift: mx, i + 1)
                    for j in 0...i { row[j] *= inv }
                    (row + i + 1).update(repeating: 0, count: T - i - 1)
                }
                BLAS.sgemm(m: T, n: hs, k: T, a: a, b: v, ldb: 3 * C, c: out + b * T * C + h * hs, ldc: C)
            }
        }
    }

    /// dqkv (B,T,3C) += ∂L/∂qkv from dout (B,T,C).
    ///
    /// - Parameters:
    ///   - dqkv: (B,T,3C) gradient, accumulated.
    ///   - dout: (B,T,C) output gradient.
    ///   - qkv: (B,T,3C) the forward input; att (B,NH,T,T) the probabilities `forward` kept.
    ///   - scratch: at least `scratchCount(T:)` floats.
    public static func backward(_ dqkv: FloatPtr, _ dout: ConstFloatPtr, _ qkv: ConstFloatPtr, _ att: ConstFloatPtr,
                                _ scratch: FloatPtr, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        Parallel.forEachChunk(B * NH, chunks: KernelChunks.count) { chunk, pairs in
            let dp = scratch + chunk * T * T
            for bh in pairs {
                let b = bh / NH, h = bh % NH
                let q = qkv + b * T * 3 * C + h * hs
                let k = q + C, v = q + 2 * C
                let dq = dqkv + b * T * 3 * C + h * hs
                let dk = dq + C, dv = dq + 2 * C
                let a = att + bh * T * T
                let d = dout + b * T * C + h * hs
                // dP (T,T) = dout_h · Vᵀ;  dV += Pᵀ · dout_h
                BLAS.sgemm(transB: true, m: T, n: T, k: hs, a: d, lda: C, b: v, ldb: 3 * C, c: dp, ldc: T)
                BLAS.sgemm(transA: true, m: T, n: hs, k: T, a: a, lda: T, b: d, ldb: C, beta: 1, c: dv, ldc: 3 * C)
                // Softmax backward in place: dS_ij = P_ij (dP_ij − Σ_k P_ik dP_ik), causal part only.
                for i in 0..<T {
                    let p = a + i * T, row = dp + i * T
                    let dot = vectorDot(p, row, i + 1)
                    for j in 0...i { row[j] = p[j] * (row[j] - dot) }
                    (row + i + 1).update(repeating: 0, count: T - i - 1)
                }
                // dQ += dS · K / √hs;  dK += dSᵀ · Q / √hs
                BLAS.sgemm(m: T, n: hs, k: T, alpha: scale, a: dp, lda: T, b: k, ldb: 3 * C, beta: 1, c: dq, ldc: 3 * C)
                BLAS.sgemm(transA: true, m: T, n: hs, k: T, alpha: scale, a: dp, lda: T, b: q, ldb: 3 * C, beta: 1, c: dk, ldc: 3 * C)
            }
        }
    }
}

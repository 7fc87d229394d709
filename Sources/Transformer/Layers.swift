import Foundation
import Numerics

// Forward and backward of each layer, side by side, over raw Float pointers (llm.c style).
// Shapes in the comments: B batch, T time, C channels, OC output channels, NH heads, V vocab.
// Backward functions accumulate (+=) into gradients, so callers zero them once per step.
// Row-independent loops run in `Parallel` chunks; reductions across rows (LayerNorm and bias
// gradients) sum per-chunk partials in chunk order, so results do not depend on the thread count.

typealias FloatPtr = UnsafeMutablePointer<Float>
typealias ConstFloatPtr = UnsafePointer<Float>

enum Layers {
    /// Fixed chunk count for parallel loops (see `Parallel.forEachChunk`).
    static let chunks = 8

    // MARK: Embedding

    /// out (B,T,C) = wte[token] + wpe[t]
    static func encoderForward(_ out: FloatPtr, _ tokens: UnsafePointer<UInt8>, rowStride: Int,
                               _ wte: ConstFloatPtr, _ wpe: ConstFloatPtr, B: Int, T: Int, C: Int) {
        Parallel.forEachChunk(B * T, chunks: chunks) { _, rows in
            for n in rows {
                let b = n / T, t = n % T
                let o = out + n * C
                let te = wte + Int(tokens[b * rowStride + t]) * C
                let pe = wpe + t * C
                for i in 0..<C { o[i] = te[i] + pe[i] }
            }
        }
    }

    /// Serial: rows that share a byte scatter into the same `dwte` row.
    static func encoderBackward(_ dwte: FloatPtr, _ dwpe: FloatPtr, _ dout: ConstFloatPtr,
                                _ tokens: UnsafePointer<UInt8>, rowStride: Int, B: Int, T: Int, C: Int) {
        for b in 0..<B {
            for t in 0..<T {
                let d = dout + (b * T + t) * C
                let te = dwte + Int(tokens[b * rowStride + t]) * C
                let pe = dwpe + t * C
                for i in 0..<C {
                    te[i] += d[i]
                    pe[i] += d[i]
                }
            }
        }
    }

    // MARK: LayerNorm

    /// out (N,C) = (inp − mean) · rstd · w + b; keeps mean and rstd (N) for backward.
    static func layerNormForward(_ out: FloatPtr, _ mean: FloatPtr, _ rstd: FloatPtr, _ inp: ConstFloatPtr,
                                 _ w: ConstFloatPtr, _ bias: ConstFloatPtr, N: Int, C: Int) {
        let eps: Float = 1e-5
        Parallel.forEachChunk(N, chunks: chunks) { _, rows in
            for n in rows {
                let x = inp + n * C
                let m = vectorSum(x, C) / Float(C)
                let v = vectorSumSquaredDeviations(x, mean: m, C) / Float(C)
                let s = 1 / (v + eps).squareRoot()
                let o = out + n * C
                for i in 0..<C { o[i] = (x[i] - m) * s * w[i] + bias[i] }
                mean[n] = m
                rstd[n] = s
            }
        }
    }

    /// dinp (N,C) += …; dw, db (C) += Σ_n … (per-chunk partials in `scratch`, at least 2·chunks·C floats).
    static func layerNormBackward(_ dinp: FloatPtr, _ dw: FloatPtr, _ db: FloatPtr, _ dout: ConstFloatPtr,
                                  _ inp: ConstFloatPtr, _ w: ConstFloatPtr, _ mean: ConstFloatPtr, _ rstd: ConstFloatPtr,
                                  scratch: FloatPtr, N: Int, C: Int) {
        scratch.update(repeating: 0, count: 2 * chunks * C)
        Parallel.forEachChunk(N, chunks: chunks) { chunk, rows in
            let pdw = scratch + 2 * chunk * C, pdb = pdw + C
            for n in rows {
                let x = inp + n * C, d = dout + n * C, di = dinp + n * C
                let m = mean[n], s = rstd[n]
                var dnormMean: Float = 0, dnormNormMean: Float = 0
                for i in 0..<C {
                    let norm = (x[i] - m) * s
                    let dnorm = w[i] * d[i]
                    dnormMean += dnorm
                    dnormNormMean += dnorm * norm
                }
                dnormMean /= Float(C)
                dnormNormMean /= Float(C)
                for i in 0..<C {
                    let norm = (x[i] - m) * s
                    let dnorm = w[i] * d[i]
                    pdb[i] += d[i]
                    pdw[i] += norm * d[i]
                    di[i] += (dnorm - dnormMean - norm * dnormNormMean) * s
                }
            }
        }
        for c in 0..<min(chunks, N) {
            let pdw = scratch + 2 * c * C, pdb = pdw + C
            for i in 0..<C {
                dw[i] += pdw[i]
                db[i] += pdb[i]
            }
        }
    }

    // MARK: Linear (matmul through OpenBLAS)

    /// out (N,OC) = inp (N,C) · wᵀ + bias, with w (OC,C).
    static func matmulForward(_ out: FloatPtr, _ inp: ConstFloatPtr, _ w: ConstFloatPtr, _ bias: ConstFloatPtr?,
                              N: Int, C: Int, OC: Int) {
        if let bias {
            for n in 0..<N { (out + n * OC).update(from: bias, count: OC) }
        }
        BLAS.sgemm(transB: true, m: N, n: OC, k: C, a: inp, b: w, beta: bias == nil ? 0 : 1, c: out)
    }

    /// dinp (N,C) += dout · w;  dw (OC,C) += doutᵀ · inp;  dbias (OC) += Σ_n dout.
    static func matmulBackward(_ dinp: FloatPtr?, _ dw: FloatPtr, _ dbias: FloatPtr?, _ dout: ConstFloatPtr,
                               _ inp: ConstFloatPtr, _ w: ConstFloatPtr, N: Int, C: Int, OC: Int) {
        if let dinp { BLAS.sgemm(m: N, n: C, k: OC, a: dout, b: w, beta: 1, c: dinp) }
        BLAS.sgemm(transA: true, m: OC, n: C, k: N, a: dout, b: inp, beta: 1, c: dw)
        if let dbias {
            // Chunks over output channels: each sums its own columns over all rows, in row order.
            Parallel.forEachChunk(OC, chunks: chunks) { _, cols in
                for n in 0..<N {
                    let d = dout + n * OC
                    for o in cols { dbias[o] += d[o] }
                }
            }
        }
    }

    // MARK: Causal self-attention

    /// qkv (B,T,3C) holds Q, K, V per position; out (B,T,C); att (B,NH,T,T) keeps the softmax
    /// probabilities (zero above the diagonal) for backward. Per (b, h): S = QKᵀ/√hs, P = softmax
    /// over j ≤ i, out = P·V — both products as strided sgemm straight on the qkv buffer.
    ///
    /// With `keepProbabilities` false (inference), `att` is only one (T,T) block per chunk, reused
    /// across heads so it stays in cache.
    static func attentionForward(_ out: FloatPtr, _ att: FloatPtr, _ qkv: ConstFloatPtr, B: Int, T: Int, C: Int, NH: Int,
                                 keepProbabilities: Bool = true) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        Parallel.forEachChunk(B * NH, chunks: chunks) { chunk, pairs in
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

    /// dqkv (B,T,3C) += from dout (B,T,C); `scratch` holds one (T,T) block per chunk.
    static func attentionBackward(_ dqkv: FloatPtr, _ dout: ConstFloatPtr, _ qkv: ConstFloatPtr, _ att: ConstFloatPtr,
                                  _ scratch: FloatPtr, B: Int, T: Int, C: Int, NH: Int) {
        let hs = C / NH
        let scale = 1 / Float(hs).squareRoot()
        Parallel.forEachChunk(B * NH, chunks: chunks) { chunk, pairs in
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

    // MARK: GELU (tanh approximation, as in GPT-2)

    private static let geluScale = Float((2.0 / Double.pi).squareRoot())

    /// tanh through one `expf`: glibc's `tanhf` (via `expm1f`) cost a third of a training step.
    @inline(__always) static func fastTanh(_ u: Float) -> Float {
        1 - 2 / (fastExp(2 * u) + 1)
    }

    static func geluForward(_ out: FloatPtr, _ inp: ConstFloatPtr, N: Int) {
        let s = geluScale
        Parallel.forEachChunk(N, chunks: chunks) { _, range in
            for i in range {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + fastTanh(s * (x + 0.044715 * x * x * x)))
            }
        }
    }

    /// dinp (N) = gelu'(inp) · dout (overwrites).
    static func geluBackward(_ dinp: FloatPtr, _ inp: ConstFloatPtr, _ dout: ConstFloatPtr, N: Int) {
        let s = geluScale
        Parallel.forEachChunk(N, chunks: chunks) { _, range in
            for i in range {
                let x = inp[i]
                let th = fastTanh(s * (x + 0.044715 * x * x * x))
                let sech2 = 1 - th * th
                let local = 0.5 * (1 + th) + 0.5 * x * sech2 * s * (1 + 3 * 0.044715 * x * x)
                dinp[i] = local * dout[i]
            }
        }
    }

    // MARK: Residual

    static func residualForward(_ out: FloatPtr, _ a: ConstFloatPtr, _ b: ConstFloatPtr, N: Int) {
        for i in 0..<N { out[i] = a[i] + b[i] }
    }

    // MARK: Softmax + cross-entropy (fused)

    /// For each of the N rows of logits (N,V): loss = −log softmax[target]; when `dlogits` is given it
    /// receives (softmax − onehot) · `gradScale`. `hits[n]` records whether the argmax is the target.
    static func crossEntropy(_ logits: ConstFloatPtr, targets: UnsafePointer<UInt8>, rowStride: Int, T: Int, losses: FloatPtr,
                             hits: UnsafeMutablePointer<Bool>?, dlogits: FloatPtr?, gradScale: Float, N: Int, V: Int) {
        Parallel.forEachChunk(N, chunks: chunks) { _, rows in
            // Forward-only rows still need somewhere to put the exps: one V-float row per chunk.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { tmp in
                for n in rows {
                    let y = Int(targets[(n / T) * rowStride + n % T + 1])
                    let row = logits + n * V
                    let mx = vectorMax(row, V)
                    let e = dlogits.map { $0 + n * V } ?? tmp.baseAddress!
                    let sum = expShiftedSum(e, row, shift: mx, V)
                    if dlogits != nil {
                        let inv = gradScale / sum
                        for v in 0..<V { e[v] *= inv }
                        e[y] -= gradScale
                    }
                    losses[n] = logf(sum) + mx - row[y]
                    if let hits {
                        // The argmax is the first maximal logit (the tie rule greedy decoding uses);
                        // the bound only matters for an all-NaN row.
                        var arg = 0
                        while row[arg] != mx && arg < V - 1 { arg += 1 }
                        hits[n] = arg == y
                    }
                }
            }
        }
    }
}

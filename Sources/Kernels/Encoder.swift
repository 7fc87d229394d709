import Numerics

/// Token plus position embedding: the GPT's first layer.
public enum Encoder {
    /// out (B,T,C) = wte[token] + wpe[t].
    ///
    /// - Parameters:
    ///   - out: (B,T,C) output.
    ///   - tokens: byte rows, row b starting at `b * rowStride`; position t reads `tokens[b·rowStride + t]`.
    ///   - wte: (V,C) token embeddings.
    ///   - wpe: (maxT,C) position embeddings, maxT ≥ T.
    public static func forward(_ out: FloatPtr, _ tokens: UnsafePointer<UInt8>, rowStride: Int,
                               _ wte: ConstFloatPtr, _ wpe: ConstFloatPtr, B: Int, T: Int, C: Int) {
        Parallel.forEachChunk(B * T, chunks: KernelChunks.count) { _, rows in
            for n in rows {
                let b = n / T, t = n % T
                let o = out + n * C
                let te = wte + Int(tokens[b * rowStride + t]) * C
                let pe = wpe + t * C
                for i in 0..<C { o[i] = te[i] + pe[i] }
            }
        }
    }

    /// dwte (V,C) += and dwpe (maxT,C) += the rows of dout (B,T,C) they produced.
    ///
    /// Serial: rows that share a byte scatter into the same `dwte` row.
    public static func backward(_ dwte: FloatPtr, _ dwpe: FloatPtr, _ dout: ConstFloatPtr,
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
}

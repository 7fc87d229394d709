import Numerics

/// GELU, tanh approximation (as in GPT-2).
public enum GELU {
    private static let scale = Float((2.0 / Double.pi).squareRoot())

    /// tanh through one exp: glibc's `tanhf` (via `expm1f`) cost a third of a training step.
    @inline(__always) static func fastTanh(_ u: Float) -> Float {
        1 - 2 / (fastExp(2 * u) + 1)
    }

    /// out (N) = gelu(inp), elementwise; N counts all elements.
    public static func forward(_ out: FloatPtr, _ inp: ConstFloatPtr, N: Int) {
        let s = scale
        Parallel.forEachChunk(N, chunks: KernelChunks.count) { _, range in
            for i in range {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + fastTanh(s * (x + 0.044715 * x * x * x)))
            }
        }
    }

    /// dinp (N) = gelu'(inp) · dout (overwrites, unlike most backward passes); inp (N) is the forward input.
    public static func backward(_ dinp: FloatPtr, _ inp: ConstFloatPtr, _ dout: ConstFloatPtr, N: Int) {
        let s = scale
        Parallel.forEachChunk(N, chunks: KernelChunks.count) { _, range in
            for i in range {
                let x = inp[i]
                let th = fastTanh(s * (x + 0.044715 * x * x * x))
                let sech2 = 1 - th * th
                let local = 0.5 * (1 + th) + 0.5 * x * sech2 * s * (1 + 3 * 0.044715 * x * x)
                dinp[i] = local * dout[i]
            }
        }
    }
}

/// Rectified linear unit, max(x, 0).
public enum ReLU {
    /// out (N) = max(inp, 0), elementwise (in place allowed).
    public static func forward(_ out: FloatPtr, _ inp: ConstFloatPtr, N: Int) {
        for i in 0..<N { out[i] = max(inp[i], 0) }
    }

    /// dinp (N) = dout where inp > 0, else 0 (overwrites, unlike most backward passes, so it runs in
    /// place: dinp may be dout). The kink at 0 takes gradient 0 (the subgradient PyTorch uses).
    ///
    /// - Parameters:
    ///   - dinp: (N) input gradient, overwritten.
    ///   - inp: (N) the forward input (the output works too: both are positive at the same places).
    ///   - dout: (N) output gradient.
    public static func backward(_ dinp: FloatPtr, _ inp: ConstFloatPtr, _ dout: ConstFloatPtr, N: Int) {
        for i in 0..<N { dinp[i] = inp[i] > 0 ? dout[i] : 0 } // a select, not a branch: vectorises
    }
}

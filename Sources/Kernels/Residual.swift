/// A residual connection: out = a + b.
public enum Residual {
    /// out (N) = a (N) + b (N), elementwise.
    public static func forward(_ out: FloatPtr, _ a: ConstFloatPtr, _ b: ConstFloatPtr, N: Int) {
        for i in 0..<N { out[i] = a[i] + b[i] }
    }

    /// da (N) += dout; db (N) += dout: the gradient flows to both branches unchanged.
    public static func backward(_ da: FloatPtr, _ db: FloatPtr, _ dout: ConstFloatPtr, N: Int) {
        for i in 0..<N {
            da[i] += dout[i]
            db[i] += dout[i]
        }
    }
}

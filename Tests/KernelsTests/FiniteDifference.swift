import Numerics
@testable import Kernels

/// Central differences of a scalar loss with respect to each element of `x`, accumulated in Double
/// from Float evaluations.
func numericGradient(_ x: [Float], eps: Float, _ loss: ([Float]) -> Double) -> [Float] {
    var x = x
    return (0..<x.count).map { i in
        let saved = x[i]
        x[i] = saved + eps
        let lp = loss(x)
        x[i] = saved - eps
        let lm = loss(x)
        x[i] = saved
        return Float((lp - lm) / Double(2 * eps))
    }
}

/// max |a − b| over all elements.
func maxAbsError(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

func gaussians(_ n: Int, seed: UInt64, sigma: Double = 1) -> [Float] {
    let rng = RandomSource(seed: seed)
    return (0..<n).map { _ in Float(rng.gaussian(sigma: sigma)) }
}

/// Σ w · y in Double: the scalar loss whose gradient with respect to y is w (the upstream `dout`).
func weightedSum(_ y: [Float], _ w: [Float]) -> Double {
    zip(y, w).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// Runs `f(out, inp)` on `inp` and returns `count` outputs.
func apply(_ inp: [Float], outputs count: Int, _ f: (FloatPtr, ConstFloatPtr) -> Void) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    inp.withUnsafeBufferPointer { i in out.withUnsafeMutableBufferPointer { o in f(o.baseAddress!, i.baseAddress!) } }
    return out
}

/// Runs a backward `f(dinp, inp, dout)` from a zero input gradient.
func gradient(_ inp: [Float], _ dout: [Float], _ f: (FloatPtr, ConstFloatPtr, ConstFloatPtr) -> Void) -> [Float] {
    var dinp = [Float](repeating: 0, count: inp.count)
    inp.withUnsafeBufferPointer { i in
        dout.withUnsafeBufferPointer { d in
            dinp.withUnsafeMutableBufferPointer { g in f(g.baseAddress!, i.baseAddress!, d.baseAddress!) }
        }
    }
    return dinp
}

/// Branch-free exp for the hot loops (softmax, cross-entropy, GELU).
///
/// libm's `expf` is an opaque call, so loops around it stay scalar and exps took about half of a
/// forward pass. This version is plain arithmetic that LLVM vectorises: e^x = 2^n · e^r with
/// n = round(x / ln 2) and |r| ≤ ln 2 / 2, e^r from a degree-6 Taylor polynomial (relative error
/// below 2e-7 on that interval), and 2^n built in the exponent bits.
@inline(__always)
func fastExp(_ x: Float) -> Float {
    // NaN maps to NaN (a diverged step must surface as a NaN loss, not a trap); both are selects.
    let clamped = x.isNaN ? 0 : min(max(x, -87.3), 88.3)
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer without a libm call.
    let magic: Float = 12_582_912
    let n = (clamped * 1.442_695_04 + magic) - magic
    // Cody–Waite: ln 2 split in a high part exact in float and a low correction.
    let r = clamped - n * 0.693_145_75 - n * 1.428_606_8e-6
    var p: Float = 1.0 / 720
    p = p * r + 1.0 / 120
    p = p * r + 1.0 / 24
    p = p * r + 1.0 / 6
    p = p * r + 0.5
    p = p * r + 1
    p = p * r + 1
    let bits = UInt32(bitPattern: Int32(n) &+ 127) << 23
    return x.isNaN ? x : p * Float(bitPattern: bits)
}

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

// MARK: - Row reductions with eight partial sums
//
// Without fast-math flags LLVM keeps a float reduction (`sum += x[i]`, a running max) in source
// order, so it cannot vectorise it, and the loops around them (softmax, cross-entropy) stayed
// scalar: together they were 40% of a forward pass at the proxy size. These helpers fix a different
// order instead — eight interleaved partials, combined at the end — which the SLP vectoriser turns
// into one 8-lane register; results stay deterministic. (Swift's `SIMD8` was tried first: its
// generic float-to-int conversion and `pointwiseMax` are not inlined and made things slower.)

/// max of p[0..<n], n ≥ 1.
@inline(__always)
func vectorMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var m0 = p[0], m1 = p[0], m2 = p[0], m3 = p[0], m4 = p[0], m5 = p[0], m6 = p[0], m7 = p[0]
    while i + 8 <= n {
        m0 = max(m0, p[i]); m1 = max(m1, p[i + 1]); m2 = max(m2, p[i + 2]); m3 = max(m3, p[i + 3])
        m4 = max(m4, p[i + 4]); m5 = max(m5, p[i + 5]); m6 = max(m6, p[i + 6]); m7 = max(m7, p[i + 7])
        i += 8
    }
    var m = max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))
    while i < n { m = max(m, p[i]); i += 1 }
    return m
}

/// Σ p[i] for i < n.
@inline(__always)
func vectorSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
    while i + 8 <= n {
        s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]
        s4 += p[i + 4]; s5 += p[i + 5]; s6 += p[i + 6]; s7 += p[i + 7]
        i += 8
    }
    var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while i < n { s += p[i]; i += 1 }
    return s
}

/// Σ a[i]·b[i] for i < n.
@inline(__always)
func vectorDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
    while i + 8 <= n {
        s0 += a[i] * b[i]; s1 += a[i + 1] * b[i + 1]; s2 += a[i + 2] * b[i + 2]; s3 += a[i + 3] * b[i + 3]
        s4 += a[i + 4] * b[i + 4]; s5 += a[i + 5] * b[i + 5]; s6 += a[i + 6] * b[i + 6]; s7 += a[i + 7] * b[i + 7]
        i += 8
    }
    var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// Σ (p[i] − m)² for i < n.
@inline(__always)
func vectorSumSquaredDeviations(_ p: UnsafePointer<Float>, mean m: Float, _ n: Int) -> Float {
    var i = 0
    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0, s4: Float = 0, s5: Float = 0, s6: Float = 0, s7: Float = 0
    while i + 8 <= n {
        let d0 = p[i] - m, d1 = p[i + 1] - m, d2 = p[i + 2] - m, d3 = p[i + 3] - m
        let d4 = p[i + 4] - m, d5 = p[i + 5] - m, d6 = p[i + 6] - m, d7 = p[i + 7] - m
        s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
        s4 += d4 * d4; s5 += d5 * d5; s6 += d6 * d6; s7 += d7 * d7
        i += 8
    }
    var s = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    while i < n { let d = p[i] - m; s += d * d; i += 1 }
    return s
}

/// out[i] = e^(inp[i] − shift) for i < n (in place allowed); returns Σ out[i]. Two passes, so the
/// exp loop has no reduction in it and vectorises.
@inline(__always)
func expShiftedSum(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, shift: Float, _ n: Int) -> Float {
    for i in 0..<n { out[i] = fastExp(inp[i] - shift) }
    return vectorSum(out, n)
}

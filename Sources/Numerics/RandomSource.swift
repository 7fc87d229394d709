import CNumerics

/// A seeded Mersenne Twister (GSL's `gsl_rng_mt19937`) with the distributions dma uses.
///
/// Every random choice in dma draws from one of these, so the same seed gives the same result.
/// Not thread-safe: give each task its own, derived with `RandomSource(seed:stream:)`.
public final class RandomSource {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// Creates a generator; `stream` derives independent generators from one seed.
    public init(seed: UInt64, stream: UInt64 = 0) {
        NumericsRuntime.installErrorHandling()
        guard let r = gsl_rng_alloc(dma_rng_mt19937()) else { fatalError("gsl_rng_alloc failed: out of memory") }
        rng = r
        gsl_rng_set(rng, UInt(truncatingIfNeeded: RandomSource.mix(seed, stream)))
    }

    deinit { gsl_rng_free(rng) }

    /// The generator's full internal state (MT19937's, as GSL stores it), to resume a long job
    /// exactly where it stopped.
    public var state: [UInt8] {
        let n = gsl_rng_size(rng)
        return Array(UnsafeRawBufferPointer(start: gsl_rng_state(rng), count: n))
    }

    /// Restores a state taken with `state`; throws if it is not one of this generator's.
    public func restore(_ saved: [UInt8]) throws {
        let n = gsl_rng_size(rng)
        guard saved.count == n else { throw GSLError(status: Int32(GSL_EBADLEN), context: "random state of \(saved.count) bytes, this generator has \(n)") }
        saved.withUnsafeBytes { gsl_rng_state(rng)!.copyMemory(from: $0.baseAddress!, byteCount: n) }
    }

    /// SplitMix64 finaliser: decorrelates nearby (seed, stream) pairs before they seed MT19937.
    public static func mix(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Uniform integer in 0..<n.
    public func int(below n: Int) -> Int {
        precondition(n > 0, "int(below:) needs a positive bound")
        return Int(gsl_rng_uniform_int(rng, UInt(n)))
    }

    /// Normal with mean 0 and standard deviation `sigma`.
    public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(rng, sigma) }

    /// A draw from Dirichlet(alpha); every alpha must be positive.
    public func dirichlet(_ alpha: [Double]) -> [Double] {
        precondition(!alpha.isEmpty && alpha.allSatisfy { $0 > 0 && $0.isFinite }, "Dirichlet needs positive, finite concentrations")
        var a = alpha
        var theta = [Double](repeating: 0, count: alpha.count)
        gsl_ran_dirichlet(rng, alpha.count, &a, &theta)
        return theta
    }

    /// A draw from the symmetric Dirichlet(alpha, …, alpha) of `count` components, written to `out`
    /// without allocating (GSL's `gsl_ran_dirichlet`; `scratch` holds `count` concentrations).
    public func dirichlet(symmetric alpha: Double, count: Int, into out: UnsafeMutablePointer<Double>,
                          scratch: UnsafeMutablePointer<Double>) {
        precondition(count > 0 && alpha > 0 && alpha.isFinite, "Dirichlet needs positive, finite concentrations")
        scratch.update(repeating: alpha, count: count)
        gsl_ran_dirichlet(rng, count, scratch, out)
    }

    /// Index drawn with probability proportional to `weights`.
    public func categorical(_ weights: [Double]) -> Int {
        let total = weights.reduce(0, +)
        var u = uniform() * total
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return weights.count - 1
    }

    /// Fisher–Yates shuffle in place.
    public func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, int(below: i + 1))
        }
    }
}

import Numerics

/// Maximises a score over the floored simplex by seeded random search: a broad batch of Dirichlet
/// samples, then shrinking Dirichlet clouds around the best point found so far. RegMix searches its
/// regression this way, the surrogate search its batched rollouts; the score is asked for whole
/// batches so a simulator can roll many candidates out at once.
public struct SimplexSearch: Sendable {
    /// Broad candidates (uniform mixture first, then Dirichlet samples cycling `concentrations`).
    public var candidates = 10_000
    /// Symmetric Dirichlet concentrations of the broad phase: 1 covers the simplex evenly, the
    /// smaller ones reach its faces and corners (mixtures that drop domains down to the floor).
    public var concentrations: [Double] = [1, 0.5, 0.2]
    /// Refinement rounds, and samples per round, around the incumbent: Dirichlet(κ·p_best + ε) with
    /// κ starting at `startKappa` and doubling each round (the cloud shrinks as ~1/√κ).
    public var refinementRounds = 12
    public var refinementSamples = 256
    public var startKappa = 20.0
    /// Scores requested per call of the scoring function.
    public var batch = 1_024

    public init() {}

    /// The best point found, in the floored simplex, and its score.
    public struct Result: Sendable, Equatable {
        public var weights: [Double]
        public var score: Double
        /// Points scored in total.
        public var evaluated: Int
    }

    /// Searches `simplex` for the maximum of `score` (one value per point of a batch), drawing on
    /// stream `baselineSearch` of `seed`: the same seed gives the same result.
    public func maximize(_ simplex: FlooredSimplex, seed: UInt64, score: ([[Double]]) throws -> [Double]) throws -> Result {
        precondition(candidates >= 1 && batch >= 1 && !concentrations.isEmpty, "a search needs candidates, a batch size and concentrations")
        let D = simplex.dimension
        let rng = RandomSource(seed: seed, stream: .baselineSearch)
        var best = Result(weights: [], score: -.infinity, evaluated: 0)
        var bestPlain = [Double](repeating: 1 / Double(D), count: D)
        func evaluate(_ plain: [[Double]]) throws {
            var start = 0
            while start < plain.count {
                let chunk = Array(plain[start..<min(start + batch, plain.count)])
                let points = chunk.map(simplex.point)
                let values = try score(points)
                precondition(values.count == points.count, "a search score must give one value per point")
                for (k, v) in values.enumerated() where v.isFinite && v > best.score {
                    best.score = v
                    best.weights = points[k]
                    bestPlain = chunk[k]
                }
                best.evaluated += points.count
                start += chunk.count
            }
        }
        var broad: [[Double]] = [bestPlain]
        broad.reserveCapacity(candidates)
        for k in 1..<max(candidates, 1) {
            broad.append(rng.dirichlet([Double](repeating: concentrations[k % concentrations.count], count: D)))
        }
        try evaluate(broad)
        var kappa = startKappa
        for _ in 0..<refinementRounds {
            // ε keeps every concentration positive, so a domain at the floor can still move off it.
            let alpha = bestPlain.map { kappa * $0 + 1e-2 }
            try evaluate((0..<refinementSamples).map { _ in rng.dirichlet(alpha) })
            kappa *= 2
        }
        if best.weights.isEmpty { best.weights = simplex.point(bestPlain) }
        return best
    }
}

import Corpus
import Numerics

/// A random schedule: a Dirichlet random walk on the simplex.
///
/// The first mixture is drawn RegMix-style, Dirichlet(startConcentration · prior); each next one from
/// Dirichlet(κ · current + floor), so κ sets how far a step moves and `floor` keeps every domain
/// reachable (no weight collapses to exactly zero for good). Seeded: same seed, same schedule.
public final class DirichletWalk: MixturePolicy {
    public let name: String
    public let prior: [Double]
    public let startConcentration: Double
    public let kappa: Double
    public let floor: Double
    private let rng: RandomSource

    public init(prior: [Double], startConcentration: Double, kappa: Double, floor: Double, seed: UInt64) {
        precondition(prior.allSatisfy { $0 > 0 }, "the prior must be positive")
        self.prior = prior
        self.startConcentration = startConcentration
        self.kappa = kappa
        self.floor = floor
        rng = RandomSource(seed: seed, stream: .dirichletWalk)
        name = "dirichlet-walk(κ=\(kappa), start=\(startConcentration), floor=\(floor))"
    }

    /// RegMix-style start: Dirichlet concentrations `concentration · prior / Σ prior` (each ≥ 1e-3).
    static func startAlpha(prior: [Double], concentration: Double) -> [Double] {
        let total = prior.reduce(0, +)
        return prior.map { max(concentration * $0 / total, 1e-3) }
    }

    /// One walk step from `current`: Dirichlet concentrations κ · current + floor.
    static func stepAlpha(from current: Mixture, kappa: Double, floor: Double) -> [Double] {
        current.weights.map { kappa * $0 + floor }
    }

    public func nextMixture(_ state: PolicyState) throws -> Mixture {
        let alpha = state.mixtures.last.map { Self.stepAlpha(from: $0, kappa: kappa, floor: floor) }
            ?? Self.startAlpha(prior: prior, concentration: startConcentration)
        // Dirichlet draws with small α can underflow to exact zeros; renormalise defensively.
        return try Mixture.normalized(rng.dirichlet(alpha).map { max($0, 0) })
    }
}

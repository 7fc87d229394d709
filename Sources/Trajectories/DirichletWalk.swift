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
        rng = RandomSource(seed: seed, stream: 0xD1)
        name = "dirichlet-walk(κ=\(kappa), start=\(startConcentration), floor=\(floor))"
    }

    public func nextMixture(_ state: PolicyState) throws -> Mixture {
        let alpha: [Double]
        if let current = state.mixtures.last {
            alpha = current.weights.map { kappa * $0 + floor }
        } else {
            let total = prior.reduce(0, +)
            alpha = prior.map { max(startConcentration * $0 / total, 1e-3) }
        }
        // Dirichlet draws with small α can underflow to exact zeros; renormalise defensively.
        return try Mixture.normalized(rng.dirichlet(alpha).map { max($0, 0) })
    }
}

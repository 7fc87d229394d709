@testable import Baselines
import Corpus
import DMATestSupport
import Environment
import Evaluation
import Numerics
import Surrogate
import Trajectories

/// Shared inputs of the baseline tests: the synthetic setting of `DMATestSupport` (fixture
/// environment over source/a, source/b, math/add-sub, math/compare-sort), its logged trajectories
/// and one surrogate fitted on them (fitted once: the slowest part of the suite).
enum Fixture {
    static let environment: EnvironmentConfig = try! Synthetic.environment()
    static let space: DomainSpace = try! environment.domainSpace()
    static let trajectories: [Trajectory] = try! Synthetic.trajectories(48)
    static let model: SurrogateModel = {
        NumericsRuntime.installErrorHandling()
        return try! Synthetic.fit(Array(trajectories.prefix(30))).0
    }()
    /// The fixture environment over a real (tiny) corpus, for `natural`.
    static let environmentWithCorpus: EnvironmentConfig = try! fixtureEnvironment(corpus: try! makeFixtureCorpus())

    static func inputs(seed: UInt64 = 3) -> BaselineInputs {
        BaselineInputs(environment: environmentWithCorpus, trajectories: trajectories, surrogate: model, seed: seed)
    }

    /// A state before `round` whose feedback after each round is `losses[k]` (bits per byte of the
    /// four domains; `losses[0]` is the base), the other signals at the synthetic base.
    static func state(_ losses: [[Double]], round: Int? = nil) -> PolicyState {
        let feedback = losses.map { l -> Feedback in
            var v = Synthetic.base
            (v[0], v[1], v[3], v[5]) = (l[0], l[1], l[2], l[3])
            return Feedback(names: Synthetic.names, values: v)
        }
        let r = round ?? (losses.count - 1)
        return PolicyState(space: space, round: r, rounds: max(r + 1, 10), mixtures: (0..<r).map { _ in Mixture.uniform(4) },
                           feedback: feedback, scores: [])
    }

    /// Every weight at least `floor` (up to rounding) and a sum of 1 within 1e-9.
    static func isValid(_ w: [Double], floor: Double) -> Bool {
        w.count == space.count && w.allSatisfy { $0 >= floor - 1e-12 && $0.isFinite } && abs(w.reduce(0, +) - 1) <= 1e-9
    }
}

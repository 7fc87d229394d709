import Corpus
import Numerics
import Surrogate
import Trajectories

/// `best-fixed-under-surrogate`: every field ratio of a grid rolled out through the surrogate, the
/// one with the highest mean final balanced score kept. It is the surrogate's counterpart of the
/// validation's best-fixed, which picks from real runs on selection seeds.
public struct SurrogateGrid: Sendable {
    /// Source shares tried.
    public var shares: [Double] = (1...9).map { Double($0) / 10 }
    /// Episodes per share (episode e seeded seed + e).
    public var episodes = 100
    /// The surrogate's transition the shares are compared under.
    public var transition: SurrogateEnvironment.Transition = .mean

    /// The defaults documented on each field.
    public init() {}

    /// The share with the highest mean final balanced score (the first of equals).
    public func bestShare(_ model: SurrogateModel, space: DomainSpace, seed: UInt64) throws -> Double {
        let scored = try shares.map { share -> (Double, Double) in
            let m = try Mixture.fieldRatio(space, sourceShare: share)
            let eps = try PolicyRollout.run(model, episodes: episodes, seed: seed, transition: transition) { _ in
                SchedulePolicy(name: "ratio:\(share)", schedule: [m])
            }
            return (share, Statistics.meanAndSD(eps.map(\.finalBalanced)).mean)
        }
        guard let best = scored.max(by: { $0.1 < $1.1 }) else {
            throw PolicySpecError(spec: PolicySpec.bestFixedUnderSurrogate.description, reason: "best-fixed-under-surrogate needs a non-empty grid of shares")
        }
        return best.0
    }
}

import Corpus
import Numerics
import Surrogate
import Trajectories

/// The best static mixture under a fitted surrogate: candidate mixtures held constant for the
/// whole episode, each rolled out through the simulator's mean transitions from the same logged
/// start states, scored by the mean final balanced score, searched with `SimplexSearch` (≥ 10,000
/// seeded Dirichlet candidates, then shrinking refinement). It answers "what is the best the
/// surrogate thinks a fixed mixture can do", the static ceiling a re-weighting agent must beat.
public struct SurrogateSearch: Sendable {
    /// Logged start states every candidate is rolled out from, drawn from the model's start states
    /// like the simulator's `reset(seed:)` draws them (stream `baselineSearchStarts`).
    public var starts = 4
    /// Simulated environments per batched rollout (candidates per batch = environments / starts).
    public var environments = 1_024
    public var search = SimplexSearch()

    public init() {}

    public struct Result: Sendable {
        public var mixture: Mixture
        /// Mean final balanced score over the start states (mean transitions).
        public var predicted: Double
        /// Share of the chosen mixture's steps that leave the logged data's support (some weight
        /// below the least weight any logged run gave that domain): how far the prediction extrapolates.
        public var outOfSupportShare: Double
        /// Candidates scored.
        public var evaluated: Int
    }

    /// The start states of the search's rollouts.
    public func startStates(_ model: SurrogateModel, seed: UInt64) -> [[Double]] {
        let rng = RandomSource(seed: seed, stream: .baselineSearchStarts)
        return (0..<max(starts, 1)).map { _ in model.startStates[rng.int(below: model.startStates.count)] }
    }

    /// Mean final balanced score of each static mixture in `mixtures` from `states`, through mean
    /// transitions in batches of `environments`.
    public func scores(_ mixtures: [[Double]], model: SurrogateModel, from states: [[Double]]) throws -> [Double] {
        let S = states.count, D = model.domains.count
        let perBatch = max(1, environments / S)
        let env = SurrogateEnvironment(model: model, count: perBatch * S, transition: .mean)
        var out: [Double] = []
        out.reserveCapacity(mixtures.count)
        var rewards = [Double](repeating: 0, count: env.count)
        var start = 0
        while start < mixtures.count {
            let chunk = Array(mixtures[start..<min(start + perBatch, mixtures.count)])
            // A short last chunk is padded with its last mixture; the padding's scores are dropped.
            var actions = [Double](repeating: 0, count: env.count * D)
            for c in 0..<perBatch {
                let m = chunk[min(c, chunk.count - 1)]
                precondition(m.count == D, "a candidate mixture needs \(D) weights")
                for s in 0..<S { for d in 0..<D { actions[(c * S + s) * D + d] = m[d] } }
            }
            try env.reset(from: (0..<perBatch).flatMap { _ in states }, seed: 0)
            for _ in 0..<model.steps { try actions.withUnsafeBufferPointer { try env.stepUnchecked($0.baseAddress!, rewards: &rewards) } }
            for c in chunk.indices { out.append((0..<S).reduce(0) { $0 + env.observation(c * S + $1).balanced } / Double(S)) }
            start += chunk.count
        }
        return out
    }

    /// Searches the floored simplex (floor `floor`) for the surrogate's best static mixture.
    public func run(_ model: SurrogateModel, floor: Double, seed: UInt64) throws -> Result {
        let states = startStates(model, seed: seed)
        var search = self.search
        search.batch = max(1, environments / states.count)
        let found = try search.maximize(FlooredSimplex(dimension: model.domains.count, floor: floor), seed: seed) {
            try scores($0, model: model, from: states)
        }
        let mixture = try Mixture(found.weights)
        // The chosen mixture once more through the checked path, for its support flags.
        let policy = SchedulePolicy(name: "surrogate-search", schedule: [mixture])
        let episodes = try PolicyRollout.episodes(policy, in: SurrogateEnvironment(model: model, count: states.count), seed: 0, from: states)
        let outside = episodes.reduce(0) { $0 + $1.outOfSupportSteps }
        return Result(mixture: mixture, predicted: found.score, outOfSupportShare: Double(outside) / Double(states.count * model.steps),
                      evaluated: found.evaluated)
    }
}

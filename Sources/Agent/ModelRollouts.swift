import Corpus
import Evaluation
import Foundation
import Numerics
import Surrogate
import Trajectories

/// Short rollouts in the surrogate from logged states, with uncertainty-penalised rewards
/// (MOPO: Yu et al. 2020; the rollouts join the logged data as in COMBO, Yu et al. 2021).
///
/// Each rollout starts at a logged state (a trajectory before its k-th step), takes the policy's
/// mixtures for up to `horizon` steps in the simulator's sampled mode, and records every step with
/// reward r − λ·u, where u is the ensemble's spread of the reward; a step whose mixture gives some
/// domain less weight than any logged run did is penalised further. The model is trusted only near
/// the data, and only for a few steps.
public struct ModelRolloutConfig: Codable, Sendable, Equatable {
    /// Steps per rollout (MOPO uses 1–5 on D4RL; T is 10 here).
    public var horizon = 3
    /// Logged start states drawn (with replacement), one rollout each.
    public var rollouts = 1_000
    /// λ: reward penalty per unit of the ensemble's reward standard deviation (MOPO's default range 1–5).
    public var uncertaintyPenalty = 1.0
    /// Extra penalty of a step out of the data's support, in balanced-score units (about a third of
    /// a typical later step's gain).
    public var outOfSupportPenalty = 0.005
    public var seed: UInt64 = 0
    public init() {}
}

public enum ModelRollouts {
    /// What the rollouts did.
    public struct Summary: Sendable, Equatable {
        public var rows: Int
        /// Mean penalty subtracted per step, and the share of steps out of support.
        public var meanPenalty: Double
        public var outOfSupportShare: Double
    }

    /// Rollouts of `act` (one call per step for all rollouts that start at the same step) from
    /// logged states of `trajectories`, encoded with `layout`; episode ids continue from `firstEpisode`.
    public static func generate(model: SurrogateModel, trajectories: [Trajectory], layout: ObservationLayout,
                                config: ModelRolloutConfig, firstEpisode: Int,
                                act: ([PolicyState]) throws -> [Mixture]) throws -> (data: OfflineDataset, summary: Summary) {
        var data = OfflineDataset(domainCount: layout.domainCount, tokenWidth: layout.tokenColumns.count, globalWidth: layout.globalColumns.count)
        guard !trajectories.isEmpty, config.rollouts > 0, config.horizon > 0 else { return (data, Summary(rows: 0, meanPenalty: 0, outOfSupportShare: 0)) }
        let T = model.steps
        guard trajectories.allSatisfy({ $0.steps.count == T }) else { throw AgentError.data("rollout starts need trajectories of the model's \(T) steps") }
        let rng = RandomSource(seed: config.seed, stream: .modelRolloutStarts)
        var starts = [[Int]](repeating: [], count: T)   // trajectory indices by start step
        for _ in 0..<config.rollouts { starts[rng.int(below: T)].append(rng.int(below: trajectories.count)) }
        var penalty = 0.0, outside = 0, steps = 0, episode = firstEpisode
        for k in 0..<T where !starts[k].isEmpty {
            let sim = SurrogateEnvironment(model: model, count: starts[k].count, transition: .sampled)
            var states = try starts[k].map { try PolicyState(trajectories[$0], before: k) }
            let simStates = starts[k].map { i -> SurrogateEnvironment.State in
                let t = trajectories[i]
                return .init(feedback: layout.feedback(base: t.baseFeedback, after: t.steps.map(\.feedback), before: k),
                             previousMixture: layout.previousMixture(t.steps.map(\.mixture), before: k), step: k, start: t.baseFeedback)
            }
            try sim.reset(continuing: simStates, seed: RandomSource.mix(config.seed, UInt64(k)))
            let ids = (0..<starts[k].count).map { episode + $0 }
            episode += starts[k].count
            for j in 0..<min(config.horizon, T - k) {
                let mixtures = try act(states)
                let results = try sim.step(batch: mixtures.map(\.weights))
                for (e, r) in results.enumerated() {
                    var next = states[e]
                    let start = states[e].feedback[0].values
                    next.record(mixtures[e], feedback: Feedback(names: model.feedbackNames, values: r.observation.feedback),
                                score: model.score.components(r.observation.feedback, base: start))
                    next.round += 1
                    let p = config.uncertaintyPenalty * r.info.rewardSD + (r.info.outOfSupport ? config.outOfSupportPenalty : 0)
                    penalty += p
                    if r.info.outOfSupport { outside += 1 }
                    steps += 1
                    data.append(states[e], action: mixtures[e].weights, reward: r.reward - p, next: next,
                                terminal: k + j == T - 1, layout: layout, episode: ids[e])
                    states[e] = next
                }
            }
        }
        return (data, Summary(rows: data.count, meanPenalty: penalty / Double(max(steps, 1)), outOfSupportShare: Double(outside) / Double(max(steps, 1))))
    }
}

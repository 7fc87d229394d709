import Corpus
import Evaluation
import Numerics
import Trajectories

/// Runs any `MixturePolicy` (random schedules, baselines, the agent) through the surrogate:
/// the policy sees the same `PolicyState` a real CPT run would give it.
public enum PolicyRollout {
    public struct Episode: Sendable {
        public var mixtures: [[Double]]
        public var balanced: [Double]
        public var rewards: [Double]
        public var rewardSD: [Double]
        /// Steps whose action left the data's support (see `StepInfo.outOfSupport`).
        public var outOfSupportSteps: Int
        public var finalBalanced: Double { balanced.last ?? .nan }
    }

    /// `episodes` episodes; `makePolicy(e)` gives episode e's policy (policies may keep per-episode
    /// state); episode e resets with seed `seed + e`.
    public static func run(_ model: SurrogateModel, episodes: Int, seed: UInt64, transition: SurrogateEnvironment.Transition = .mean,
                           makePolicy: (Int) throws -> MixturePolicy) throws -> [Episode] {
        let env = SurrogateEnvironment(model: model, count: 1, transition: transition)
        return try (0..<episodes).map { e in try episode(try makePolicy(e), in: env, seed: seed &+ UInt64(e)) }
    }

    /// One episode in each of `env`'s environments under one `policy` object, which chooses every
    /// environment's mixture in one `nextMixtures` call per step. Episodes start from `states` (one
    /// feedback vector per environment), or from logged start states drawn with `seed` if nil.
    public static func episodes(_ policy: MixturePolicy, in env: SurrogateEnvironment, seed: UInt64,
                                from states: [[Double]]? = nil) throws -> [Episode] {
        let model = env.model
        let space = try DomainSpace(name: model.identity.environment, domains: model.domains, context: "surrogate model")
        let first = try states.map { try env.reset(from: $0, seed: seed) } ?? env.reset(seed: seed)
        let start = first.map(\.feedback)
        var policyStates = first.map { obs in
            PolicyState(space: space, round: 0, rounds: model.steps, mixtures: [],
                        feedback: [Feedback(names: model.feedbackNames, values: obs.feedback)],
                        scores: [model.score.components(obs.feedback, base: obs.feedback)])
        }
        var out = [Episode](repeating: Episode(mixtures: [], balanced: [], rewards: [], rewardSD: [], outOfSupportSteps: 0), count: env.count)
        for t in 0..<model.steps {
            for e in policyStates.indices { policyStates[e].round = t }
            let mixtures = try policy.nextMixtures(policyStates)
            guard mixtures.count == env.count else {
                throw SurrogateError.invalidAction("policy '\(policy.name)' returned \(mixtures.count) mixtures for \(env.count) environments")
            }
            let results = try env.step(batch: mixtures.map(\.weights))
            for (e, result) in results.enumerated() {
                let obs = result.observation
                policyStates[e].record(mixtures[e], feedback: Feedback(names: model.feedbackNames, values: obs.feedback),
                                       score: model.score.components(obs.feedback, base: start[e]))
                out[e].mixtures.append(mixtures[e].weights)
                out[e].balanced.append(obs.balanced)
                out[e].rewards.append(result.reward)
                out[e].rewardSD.append(result.info.rewardSD)
                if result.info.outOfSupport { out[e].outOfSupportSteps += 1 }
            }
        }
        return out
    }

    /// One episode of `policy` in `env` (a single-environment simulator, reset with `seed`): callers
    /// running many episodes reuse one simulator instead of building its predictor each time.
    public static func episode(_ policy: MixturePolicy, in env: SurrogateEnvironment, seed: UInt64) throws -> Episode {
        precondition(env.count == 1, "an episode drives a single-environment simulator")
        return try episodes(policy, in: env, seed: seed)[0]
    }
}

import Corpus
import Evaluation
import Numerics
import Trajectories

/// Runs any `MixturePolicy` (random schedules, baselines, later the agent) through the surrogate:
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

    /// One episode of `policy` in `env` (a single-environment simulator, reset with `seed`): callers
    /// running many episodes reuse one simulator instead of building its predictor each time.
    public static func episode(_ policy: MixturePolicy, in env: SurrogateEnvironment, seed: UInt64) throws -> Episode {
        precondition(env.count == 1, "an episode drives a single-environment simulator")
        let model = env.model
        let space = try DomainSpace(name: model.identity.environment, domains: model.domains, context: "surrogate model")
        var obs = env.reset(seed: seed)[0]
        let start = obs.feedback
        var state = PolicyState(space: space, round: 0, rounds: model.steps, mixtures: [],
                                feedback: [Feedback(names: model.feedbackNames, values: obs.feedback)],
                                scores: [model.score.components(obs.feedback, base: start)])
        var episode = Episode(mixtures: [], balanced: [], rewards: [], rewardSD: [], outOfSupportSteps: 0)
        for t in 0..<model.steps {
            state.round = t
            let mixture = try policy.nextMixture(state)
            let result = try env.step(mixture.weights)
            obs = result.observation
            state.record(mixture, feedback: Feedback(names: model.feedbackNames, values: obs.feedback),
                         score: model.score.components(obs.feedback, base: start))
            episode.mixtures.append(mixture.weights)
            episode.balanced.append(obs.balanced)
            episode.rewards.append(result.reward)
            episode.rewardSD.append(result.info.rewardSD)
            if result.info.outOfSupport { episode.outOfSupportSteps += 1 }
        }
        return episode
    }
}

import Corpus
import Evaluation

/// What a policy sees before choosing the next mixture.
public struct PolicyState: Sendable {
    public var space: DomainSpace
    /// Index of the round about to be trained (0-based).
    public var round: Int
    public var rounds: Int
    /// Mixtures of the rounds trained so far.
    public var mixtures: [Mixture]
    /// Feedback of the base model, then after each round trained so far.
    public var feedback: [Feedback]
    public var scores: [BalancedScore]

    public init(space: DomainSpace, round: Int, rounds: Int, mixtures: [Mixture], feedback: [Feedback], scores: [BalancedScore]) {
        self.space = space
        self.round = round
        self.rounds = rounds
        self.mixtures = mixtures
        self.feedback = feedback
        self.scores = scores
    }

    /// Progress t/T in [0, 1).
    public var progress: Double { Double(round) / Double(max(rounds, 1)) }

    /// The state a policy saw before step `step` of a logged trajectory (`step` = T: after the last).
    public init(_ t: Trajectory, before step: Int) throws {
        precondition((0...t.steps.count).contains(step), "step \(step) is outside the trajectory's 0…\(t.steps.count)")
        let names = t.header.feedbackNames
        let done = t.steps.prefix(step)
        self.init(space: try DomainSpace(name: t.header.environment, domains: t.header.domains, context: "trajectory \(t.header.id)"),
                  round: step, rounds: t.steps.count, mixtures: try done.map { try Mixture($0.mixture) },
                  feedback: [Feedback(names: names, values: t.baseFeedback)] + done.map { Feedback(names: names, values: $0.feedback) },
                  scores: [BalancedScore(balanced: t.baseBalanced, retention: 1, gain: 0)]
                      + done.map { BalancedScore(balanced: $0.balanced, retention: $0.retention, gain: $0.gain) })
    }

    /// Adds a trained round: its mixture, and the feedback and score measured after it.
    public mutating func record(_ mixture: Mixture, feedback: Feedback, score: BalancedScore) {
        mixtures.append(mixture)
        self.feedback.append(feedback)
        scores.append(score)
    }
}

/// Maps the state to the next mixture. Random samplers, baselines and the agent all implement it;
/// the CPT runner knows only this protocol.
public protocol MixturePolicy: AnyObject {
    /// A short description recorded in logs.
    var name: String { get }
    func nextMixture(_ state: PolicyState) throws -> Mixture
    /// One mixture per state, for many runs at once (1,024 simulated environments, or one real run).
    /// A learned policy overrides it to score every state in one batched pass; the default loops.
    /// Policies that keep per-run state (random walks) must be used with one run per object.
    func nextMixtures(_ states: [PolicyState]) throws -> [Mixture]
}

/// A policy whose behaviour is fixed by a file (a trained agent): `policyFingerprint` names the
/// file's content, so a log can tell a run of it from one of an earlier file at the same path.
public protocol FingerprintedPolicy: MixturePolicy {
    var policyFingerprint: String { get }
}

extension MixturePolicy {
    public func nextMixtures(_ states: [PolicyState]) throws -> [Mixture] { try states.map(nextMixture) }
}

/// Replays a fixed schedule: one mixture per round (the last one repeats if the schedule is short).
public final class SchedulePolicy: MixturePolicy {
    public let name: String
    public let schedule: [Mixture]

    public init(name: String, schedule: [Mixture]) {
        precondition(!schedule.isEmpty, "a schedule needs at least one mixture")
        self.name = name
        self.schedule = schedule
    }

    public func nextMixture(_ state: PolicyState) throws -> Mixture {
        schedule[min(state.round, schedule.count - 1)]
    }
}

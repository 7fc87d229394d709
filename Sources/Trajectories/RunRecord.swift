import Corpus
import Evaluation
import Foundation

/// Why a run was made: collection runs are training data under a random schedule; selection and
/// evaluation runs are what the validation harness ran (a baseline's selection grid, then the
/// compared runs).
public enum RunRole: String, Codable, Sendable, CaseIterable {
    case collection, selection, evaluation
}

/// One real CPT run as every log describes it, whichever format it was logged in: who made it
/// (environment and base), what chose its mixtures (a policy spec string), why it ran, on which
/// data seed, its rounds, and the full-suite scores after the last round where they were taken.
/// A collection ``Trajectory`` and a validation run both provide this view.
public struct RunRecord: Sendable, Equatable {
    /// Full-suite feedback after the last round and its score against the base's full suite.
    public struct FinalScores: Sendable, Equatable {
        public var feedbackNames: [String]
        public var feedback: [Double]
        public var score: BalancedScore

        public init(feedbackNames: [String], feedback: [Double], score: BalancedScore) {
            (self.feedbackNames, self.feedback, self.score) = (feedbackNames, feedback, score)
        }
    }

    /// Unique within the run's log (a trajectory id, or `<policy>|<role>|s<seed>`).
    public var id: String
    public var identity: RunIdentity
    /// The policy spec that chose the mixtures (`random` for a collection's random schedules).
    public var policy: String
    public var role: RunRole
    /// Data-order seed.
    public var seed: UInt64
    public var domains: [DomainName]
    /// Names of the per-round feedback (`rounds[].feedback`).
    public var feedbackNames: [String]
    public var baseFeedback: [Double]
    public var rounds: [LoggedRound]
    public var final: FinalScores?

    public init(id: String, identity: RunIdentity, policy: String, role: RunRole, seed: UInt64, domains: [DomainName],
                feedbackNames: [String], baseFeedback: [Double], rounds: [LoggedRound], final: FinalScores? = nil) {
        (self.id, self.identity, self.policy, self.role, self.seed, self.domains) = (id, identity, policy, role, seed, domains)
        (self.feedbackNames, self.baseFeedback, self.rounds, self.final) = (feedbackNames, baseFeedback, rounds, final)
    }
}

extension Trajectory {
    /// The spec string of the random schedule sampler that chose a collection trajectory's mixtures.
    public static let collectionPolicy = "random"

    /// This trajectory as a run: a collection run under the random schedule, unless it was converted
    /// from another log (its header then keeps the policy and role it ran with).
    public var runRecord: RunRecord {
        RunRecord(id: "\(header.id)",
                  identity: RunIdentity(environment: header.environment, environmentHash: header.environmentHash, baseCheckpoint: header.baseCheckpoint,
                                        model: header.declaredModel),
                  policy: header.policy ?? Self.collectionPolicy, role: header.role ?? .collection, seed: header.dataSeed,
                  domains: header.domains, feedbackNames: header.feedbackNames, baseFeedback: baseFeedback, rounds: steps)
    }
}

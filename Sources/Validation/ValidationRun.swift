import Base
import Evaluation
import Trajectories

/// One real CPT run of the validation harness: a policy on a seed in a setting, as logged (one JSON
/// line of `runs.jsonl`). Evaluation runs are what the results compare; selection runs are what a
/// baseline consumed before them (best-fixed's grid on the selection seeds).
public struct ValidationRun: Codable, Sendable, Equatable, LoggedRun {
    /// Why the run was made (`collection` is refused in validation logs: those runs are trajectories).
    public typealias Role = RunRole

    /// One re-weighting step: the mixture trained and the per-step feedback subset (in
    /// `feedbackNames` order) measured after it; the round record every log shares.
    public typealias Round = LoggedRound

    /// `<policy>|<role>|s<seed>`: unique within a log.
    public var id: String
    /// The setting's name: the environment, with `@<model>` for a model other than the proxy.
    public var setting: String
    public var environment: String
    public var environmentHash: String
    public var baseCheckpoint: String
    /// Model preset name of the base (`proxy`, `target`), or the name of an imported run's own model.
    public var model: String
    /// The policy's label in tables (`agent`, `uniform`, `best-fixed`, …).
    public var policy: String
    /// What ran: the resolved spec (`agent:FILE`, `ratio:0.7`, `mixture:…`, `doremi`, …).
    public var spec: String
    public var role: Role
    public var seed: UInt64
    /// Real CPT runs of this setting the method consumed before its evaluation runs (its selection
    /// grid, or the fresh trajectories that regmix, surrogate-search and best-logged fit on).
    public var priorRuns: Int
    public var domains: [String]
    /// Names of the per-step feedback subset (`rounds[].feedback`).
    public var feedbackNames: [String]
    public var baseFeedback: [Double]
    public var rounds: [Round]
    /// Full-suite feedback after the last round, and its score against the base's full suite.
    public var finalFeedbackNames: [String]
    public var finalFeedback: [Double]
    public var final: BalancedScore
    public var sourceTokens: Int
    public var targetTokens: Int
    public var seconds: Double
    /// For a policy fixed by a file (`agent:FILE`): the file's fingerprint when the run was made, so
    /// a resume can tell it from a run of an earlier file at the same path. nil for other policies
    /// and in records written before it was kept.
    public var policyFingerprint: String? = nil
    /// For runs of a model dma did not train (`dma validate import`): the trainer's description of
    /// it, recorded with its name in `model`. nil for dma's own presets.
    public var modelDescription: String? = nil
    /// For runs made outside dma and imported (`dma validate import`): the run log they were read
    /// from. nil for dma's own runs.
    public var importedFrom: String? = nil

    public init(id: String, setting: String, environment: String, environmentHash: String, baseCheckpoint: String, model: String,
                policy: String, spec: String, role: Role, seed: UInt64, priorRuns: Int, domains: [String], feedbackNames: [String],
                baseFeedback: [Double], rounds: [Round], finalFeedbackNames: [String], finalFeedback: [Double], final: BalancedScore,
                sourceTokens: Int, targetTokens: Int, seconds: Double) {
        (self.id, self.setting, self.environment, self.environmentHash, self.baseCheckpoint, self.model) =
            (id, setting, environment, environmentHash, baseCheckpoint, model)
        (self.policy, self.spec, self.role, self.seed, self.priorRuns, self.domains, self.feedbackNames) =
            (policy, spec, role, seed, priorRuns, domains, feedbackNames)
        (self.baseFeedback, self.rounds, self.finalFeedbackNames, self.finalFeedback, self.final) =
            (baseFeedback, rounds, finalFeedbackNames, finalFeedback, final)
        (self.sourceTokens, self.targetTokens, self.seconds) = (sourceTokens, targetTokens, seconds)
    }

    public static func id(policy: String, role: Role, seed: UInt64) -> String { "\(policy)|\(role.rawValue)|s\(seed)" }

    public var runID: String { id }
    public var madeWith: (environmentHash: String?, baseCheckpoint: String?) { (environmentHash, baseCheckpoint) }
}

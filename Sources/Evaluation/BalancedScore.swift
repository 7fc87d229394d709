import Corpus
import Environment

/// The scalar a user wants high: source retention and target gain, both relative to the base model.
///
///     retention = Σ_d w_d · bpb_base(d) / bpb_now(d)  /  Σ_d w_d          over source domains d
///     gain_d    = (1 − s) · (abpb_base(d) − abpb_now(d)) / abpb_base(d)
///               +      s  · (em_now(d) − em_base(d))                       for a math domain d
///     gain_d    = (bpb_base(d) − bpb_now(d)) / bpb_base(d)                 for a code domain d
///     gain      = mean_d gain_d                                           over target domains d
///     balanced  = a · retention + b · gain
///
/// with `w_d` = `score.sourceWeights` (default 1), `s` = `score.exactMatchShare`,
/// `a`, `b` = `score.retentionWeight`, `score.gainWeight`. Retention is 1 with no forgetting, below 1
/// when the source field is forgotten; gain is 0 at the base model and approaches 1 when the target
/// field's answers are learned perfectly.
public struct BalancedScore: Codable, Sendable, Equatable {
    public var balanced: Double
    public var retention: Double
    public var gain: Double

    public init(balanced: Double, retention: Double, gain: Double) {
        self.balanced = balanced
        self.retention = retention
        self.gain = gain
    }

    /// The score of `now` against `base`, through `ScoreFormula`.
    public static func compute(_ now: Feedback, base: Feedback, env: EnvironmentConfig) throws -> BalancedScore {
        let formula = try ScoreFormula(env: env, feedbackNames: base.names, which: "base")
        guard now.names != base.names else { return formula.components(now.values, base: base.values) }
        // Signals in another order: line the current values up with the base's.
        _ = try ScoreFormula(env: env, feedbackNames: now.names, which: "current")
        return formula.components(base.names.map { now[$0] ?? 0 }, base: base.values)
    }
}

import Evaluation
import Trajectories

/// A policy the analysis probes: how it reads states (its layout, which carries the score weights)
/// and how to re-read them under other score weights. The agent binds through `AgentPolicy.bound(to:)`;
/// any rule that reads `layout.scoreWeights` can be studied the same way.
public struct StudiedPolicy {
    public var name: String
    /// The layout the policy reads states with (window and score weights).
    public var layout: ObservationLayout
    /// The balanced-score formula of the states' feedback, used to keep a perturbed state's scores
    /// consistent with its feedback.
    public var score: ScoreFormula
    /// The policy reading states with a given layout (same domains, other score weights).
    public var bind: (ObservationLayout) throws -> MixturePolicy

    /// A studied policy; `bind` must accept layouts of the same domains and window.
    public init(name: String, layout: ObservationLayout, score: ScoreFormula, bind: @escaping (ObservationLayout) throws -> MixturePolicy) {
        (self.name, self.layout, self.score, self.bind) = (name, layout, score, bind)
    }

    /// The policy under its own layout.
    public func policy() throws -> MixturePolicy { try bind(layout) }
}

import Base
import Foundation
import Surrogate
import Trajectories

/// Everything `dma analyze` reads, loaded and checked by the caller.
public struct AnalysisInputs {
    /// The agent (bound to the surrogate's space with the environment's score weights).
    public var agent: StudiedPolicy
    /// The agent's policy file as given (`--policy`): its validation runs (spec `agent:FILE`) are the
    /// reference of the report's paired differences. Nil: the runs labelled `agent`.
    public var agentFile: String?
    /// The agent's minimum weight per domain; the distilled rule keeps it.
    public var agentFloor: Double
    /// The logged trajectories (domain effects, the states probed and distilled on).
    public var trajectories: [Trajectory]
    /// The fitted surrogate (the rule's and the replay's simulations).
    public var model: SurrogateModel
    /// The validation results folder, read.
    public var results: ValidationResults
    /// `dma surrogate report --csv` output to copy into the folder, with its path.
    public var fidelity: (path: String, table: CSVTable)?
    /// Held-out rollouts of `dma surrogate report --json`, plotted predicted against real.
    public var fidelityRollouts: FidelityReport.Rollouts?
    /// The commands that produced the inputs and this analysis, shown in the report.
    public var commands: [String]

    /// Bundles loaded inputs; the caller has checked they share one domain space.
    public init(agent: StudiedPolicy, agentFile: String? = nil, agentFloor: Double, trajectories: [Trajectory], model: SurrogateModel,
                results: ValidationResults, fidelity: (path: String, table: CSVTable)? = nil, fidelityRollouts: FidelityReport.Rollouts? = nil,
                commands: [String] = []) {
        (self.agent, self.agentFloor, self.trajectories, self.model, self.results, self.fidelity, self.commands) =
            (agent, agentFloor, trajectories, model, results, fidelity, commands)
        (self.agentFile, self.fidelityRollouts) = (agentFile, fidelityRollouts)
    }
}

/// Settings of the analyses; every random choice derives from `seed`.
public struct AnalysisConfig: Sendable {
    /// Logged trajectories whose states the sensitivity probes and the rule fit use (all steps of each).
    public var sampledTrajectories = 60
    /// Surrogate episodes per policy for the rule's simulated score (≥ 100 for a stable mean).
    public var episodes = 100
    /// Seed of the state sample and of the simulated episodes.
    public var seed: UInt64 = 0
    /// Settings of the rule fit.
    public var rule = RuleDistillation.Config()
    /// The defaults documented on each field.
    public init() {}
}

/// One file of the analysis folder, in memory until everything has been computed.
public struct AnalysisFile: Sendable {
    /// File name inside the folder.
    public var name: String
    /// The bytes written.
    public var contents: Data
    /// What the file holds, for the closing summary.
    public var description: String
}

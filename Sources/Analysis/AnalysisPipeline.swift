import Base
import Corpus
import Foundation
import Numerics
import Surrogate
import Trajectories

/// Everything `dma analyze` reads, loaded and checked by the caller.
public struct AnalysisInputs {
    /// The agent (bound to the surrogate's space with the environment's score weights).
    public var agent: StudiedPolicy
    /// The agent's minimum weight per domain; the distilled rule keeps it.
    public var agentFloor: Double
    public var trajectories: [Trajectory]
    public var model: SurrogateModel
    public var results: ValidationResults
    /// `dma surrogate report --csv` output to copy into the folder, with its path.
    public var fidelity: (path: String, table: CSVTable)?
    /// Held-out rollouts of `dma surrogate report --json`, plotted predicted against real.
    public var fidelityRollouts: FidelityReport.Rollouts?
    /// The commands that produced the inputs and this analysis, shown in the report.
    public var commands: [String]

    public init(agent: StudiedPolicy, agentFloor: Double, trajectories: [Trajectory], model: SurrogateModel, results: ValidationResults,
                fidelity: (path: String, table: CSVTable)? = nil, fidelityRollouts: FidelityReport.Rollouts? = nil, commands: [String] = []) {
        (self.agent, self.agentFloor, self.trajectories, self.model, self.results, self.fidelity, self.commands) =
            (agent, agentFloor, trajectories, model, results, fidelity, commands)
        self.fidelityRollouts = fidelityRollouts
    }
}

/// Settings of the analyses; every random choice derives from `seed`.
public struct AnalysisConfig: Sendable {
    /// Logged trajectories whose states the sensitivity probes and the rule fit use (all steps of each).
    public var sampledTrajectories = 60
    /// Surrogate episodes per policy for the rule's simulated score (≥ 100 for a stable mean).
    public var episodes = 100
    public var seed: UInt64 = 0
    public var rule = RuleDistillation.Config()
    public init() {}
}

/// One file of the analysis folder, in memory until everything has been computed.
public struct AnalysisFile: Sendable {
    public var name: String
    public var contents: Data
    /// What the file holds, for the closing summary.
    public var description: String
}

/// Runs every analysis on `AnalysisInputs`, in memory, then writes the folder in one go: an error
/// in any analysis leaves no partial output, and each file is replaced atomically.
public enum AnalysisPipeline {
    public struct Output: Sendable {
        public var files: [AnalysisFile]
        public var tables: [AnalysisTable]
        public var rule: DistilledRule
        public var simulations: [RuleDistillation.Simulation]
        public var differences: [PairedDifference]
        /// Policies the surrogate replay skipped (another space or feedback set).
        public var replaySkipped: [String]
    }

    public static func run(_ inputs: AnalysisInputs, config: AnalysisConfig = AnalysisConfig(), progress: (String) -> Void = { _ in }) throws -> Output {
        let results = inputs.results
        progress("validation results: \(results.policies.count) policies, \(results.policies.reduce(0) { $0 + $1.runs.count }) evaluation runs")
        let differences = PairedDifference.all(results)
        var tables = [ScheduleTable.table(results), FieldBalanceTable.table(results)]

        let states = try StateSample.logged(inputs.trajectories, count: config.sampledTrajectories, seed: config.seed)
        progress("sensitivity: probing the agent around \(states.count) logged states")
        let effects = try Sensitivity.run(inputs.agent, states: states)
        tables.append(Sensitivity.table(effects))

        // The rule is fitted where the agent acts: logged states and the agent's own simulated states.
        let agentPolicy = try inputs.agent.policy()
        let (own, simulated) = try simulatedStates(agentPolicy, model: inputs.model, episodes: config.episodes, seed: config.seed)
        progress("rules: distilling the agent on \(states.count + own.count) states (logged and its own simulated ones)")
        let features = RuleFeatures(layout: inputs.agent.layout)
        let rule = try RuleDistillation.fit(agentPolicy, features: features, states: states + own, floor: inputs.agentFloor, config: config.rule)
        let simulations = try RuleDistillation.simulate([("agent", agentPolicy), ("distilled rule", rule)], model: inputs.model,
                                                        episodes: config.episodes, seed: config.seed)
        tables += [RuleDistillation.ruleTable(rule), RuleDistillation.simulationTable(simulations)]

        progress("domain effects: regressing per-step changes on domain weights over \(inputs.trajectories.count) trajectories")
        let domainEffects = try DomainEffects.estimate(inputs.trajectories)
        tables.append(DomainEffects.table(domainEffects))
        tables += [SourceEfficiencyTable.table(results), ValidationResultsTable.table(results), PairedDifference.table(differences)]
        progress("surrogate replay: each validated run's schedule through the surrogate")
        let replay = try SurrogateReplay.run(results, model: inputs.model)
        tables.append(SurrogateReplay.table(replay.fits))

        var files = try tables.map { AnalysisFile(name: $0.file, contents: Data(try $0.csv.encoded().utf8), description: "\($0.rows.count) rows") }
        if let fidelity = inputs.fidelity {
            files.append(AnalysisFile(name: "surrogate_fidelity.csv", contents: Data(try fidelity.table.encoded().utf8),
                                      description: "copy of \(fidelity.path)"))
        }
        // The agent's schedule in the simulator, beside its real one: available before any real run.
        let steps = inputs.model.steps, D = inputs.model.domains.count
        let simulatedSchedule = (0..<steps).map { t in (0..<D).map { d in Statistics.meanAndSD(simulated.map { $0.mixtures[t][d] }).mean } }
        let plots = AnalysisPlots.make(results, replay: replay.fits,
                                       simulatedAgent: (label: "agent (surrogate, \(simulated.count) episodes)", domains: inputs.model.domains.map(\.rawValue),
                                                        weights: simulatedSchedule))
            + (inputs.fidelityRollouts.map {
                [AnalysisPlot(name: "surrogate_rollouts.svg", svg: RolloutFidelityPlot.svg($0),
                              caption: "The surrogate's T-step rollouts against the real final score of held-out logged trajectories (dma surrogate report --json)",
                              series: Array(Set($0.finals.map(\.family))).sorted())]
            } ?? [])
        files += plots.map { AnalysisFile(name: $0.name, contents: Data($0.svg.utf8), description: "plot: \($0.series.count) series") }
        let report = AnalysisReport.html(inputs: inputs, tables: tables, plots: plots, rule: rule, simulations: simulations,
                                         differences: differences, effects: effects, domainEffects: domainEffects)
        files.append(AnalysisFile(name: "report.html", contents: Data(report.utf8), description: "the report (self-contained)"))
        files.append(AnalysisFile(name: "README.md", contents: Data(AnalysisReadme.markdown(tables: tables, fidelity: inputs.fidelity != nil).utf8),
                                  description: "every file and column documented"))
        return Output(files: files, tables: tables, rule: rule, simulations: simulations, differences: differences, replaySkipped: replay.skipped)
    }

    /// The states the agent visits in the surrogate (mean transitions): where its rule must agree with it.
    static func simulatedStates(_ policy: MixturePolicy, model: SurrogateModel, episodes: Int,
                                seed: UInt64) throws -> (states: [PolicyState], episodes: [PolicyRollout.Episode]) {
        let recorder = StateRecorder(policy)
        let env = SurrogateEnvironment(model: model, count: max(episodes, 1), transition: .mean)
        let run = try PolicyRollout.episodes(recorder, in: env, seed: seed)
        return (recorder.states, run)
    }

    /// Writes every file into `directory` (created if missing), each atomically.
    public static func write(_ output: Output, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for f in output.files { try AtomicFile.write(f.contents, to: (directory as NSString).appendingPathComponent(f.name)) }
    }
}

/// Passes states through to a policy and keeps them (the states an agent visits in simulation).
final class StateRecorder: MixturePolicy {
    let inner: MixturePolicy
    private(set) var states: [PolicyState] = []
    var name: String { inner.name }
    init(_ inner: MixturePolicy) { self.inner = inner }
    func nextMixture(_ state: PolicyState) throws -> Mixture { try nextMixtures([state])[0] }
    func nextMixtures(_ batch: [PolicyState]) throws -> [Mixture] {
        states += batch
        return try inner.nextMixtures(batch)
    }
}

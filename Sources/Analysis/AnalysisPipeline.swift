import Base
import Corpus
import Foundation
import Numerics
import Surrogate
import Trajectories

/// Runs every analysis on `AnalysisInputs`, in memory, then writes the folder in one go: an error
/// in any analysis leaves no partial output, and each file is replaced atomically.
public enum AnalysisPipeline {
    /// Everything computed: the files to write, and the main results for callers that print them.
    public struct Output: Sendable {
        /// Every file of the folder, CSV, SVG, HTML and README.
        public var files: [AnalysisFile]
        /// The CSV tables (also among `files`).
        public var tables: [AnalysisTable]
        /// The agent distilled into formulas.
        public var rule: DistilledRule
        /// The agent and the rule through the surrogate.
        public var simulations: [RuleDistillation.Simulation]
        /// Every agent against each other policy, paired by seed.
        public var differences: [PairedDifference]
        /// The agent the report compares against, one per setting (`ValidationResults.referenceAgents`).
        public var references: [PolicyRuns]
        /// Policies the surrogate replay skipped (another space or feedback set).
        public var replaySkipped: [String]
    }

    /// Computes every analysis; `progress` receives one note per stage.
    public static func run(_ inputs: AnalysisInputs, config: AnalysisConfig = AnalysisConfig(), progress: (String) -> Void = { _ in }) throws -> Output {
        let results = inputs.results
        progress("validation results: \(results.policies.count) policies, \(results.policies.reduce(0) { $0 + $1.runs.count }) evaluation runs")
        let differences = PairedDifference.all(results)
        let references = results.referenceAgents(policyFile: inputs.agentFile)
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
        let plots = AnalysisPlots.make(results, references: references, replay: replay.fits,
                                       simulatedAgent: (label: "agent (surrogate, \(simulated.count) episodes)", domains: inputs.model.domains.map(\.rawValue),
                                                        weights: simulatedSchedule))
            + (inputs.fidelityRollouts.map {
                [AnalysisPlot(name: "surrogate_rollouts.svg", svg: RolloutFidelityPlot.svg($0),
                              caption: "The surrogate's T-step rollouts against the real final score of held-out logged trajectories (dma surrogate report --json)",
                              series: Array(Set($0.finals.map(\.family))).sorted())]
            } ?? [])
        files += plots.map { AnalysisFile(name: $0.name, contents: Data($0.svg.utf8), description: "plot: \($0.series.count) series") }
        let report = AnalysisReport.html(inputs: inputs, tables: tables, plots: plots, rule: rule, simulations: simulations,
                                         differences: differences, references: references, effects: effects, domainEffects: domainEffects)
        files.append(AnalysisFile(name: "report.html", contents: Data(report.utf8), description: "the report (self-contained)"))
        files.append(AnalysisFile(name: "README.md", contents: Data(AnalysisReadme.markdown(tables: tables).utf8),
                                  description: "every file and column documented"))
        return Output(files: files, tables: tables, rule: rule, simulations: simulations, differences: differences,
                      references: references, replaySkipped: replay.skipped)
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

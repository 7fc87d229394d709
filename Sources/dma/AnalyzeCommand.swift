import Agent
import Analysis
import ArgumentParser
import Base
import Environment
import Evaluation
import Foundation
import Numerics
import Surrogate
import Trajectories

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Analyses of the agent, the logged data and the validation results → CSV files, SVG plots and one self-contained report.html.",
        discussion: """
        Reads the policy, the trajectory log, the surrogate and a validation results folder (runs.jsonl), computes every \
        analysis in memory and only then writes the folder (each file atomically): a bad input leaves no partial output. \
        Every column of every file is documented in the folder's README.md.
        """
    )

    @Option(help: "Policy file of the agent.") var policy: String
    @Option(help: "Validation results folder (holds runs.jsonl); without it the results tables are written with their header only.") var results: String?
    @Option(help: "Logged trajectories (JSON Lines), comma-separated.") var data: String
    @Option(help: "Fitted surrogate model.") var surrogate: String
    @Option(help: "Environment file (default: envs/<environment>.json of the surrogate, from the nearest folder above it that has it, else the working directory).") var env: String?
    @Option(help: "Fidelity CSV of `dma surrogate report --csv`, copied into the folder.") var fidelity: String?
    @Option(help: "Fidelity report of `dma surrogate report --json`: its held-out rollouts are plotted predicted against real.") var fidelityJson: String?
    // Required: the old default, analysis/, is a committed folder this would overwrite.
    @Option(help: "Output folder (the repository keeps its own in analysis/).") var out: String
    @Option(help: "Logged trajectories sampled for the sensitivity probes and the rule fit (all steps of each).") var states = AnalysisConfig().sampledTrajectories
    @Option(help: "Surrogate episodes per policy for the distilled rule's score (≥ 100 recommended).") var episodes = AnalysisConfig().episodes
    @Option(help: "Seed of the state sample and the simulated episodes.") var seed: UInt64 = 0

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        guard states > 0, episodes > 0 else { throw ValidationError("--states and --episodes must be positive") }
        let inputs = try loadInputs()
        var config = AnalysisConfig()
        (config.sampledTrajectories, config.episodes, config.seed) = (states, episodes, seed)
        let output = try AnalysisPipeline.run(inputs, config: config) { ProgressLine.note($0) }
        for skipped in output.replaySkipped { ProgressLine.note("surrogate replay skipped \(skipped): another domain space or feedback set than the surrogate's") }
        try AnalysisPipeline.write(output, to: out)
        var table = Table(["file", "bytes", "what it holds"])
        for f in output.files { table.add([(out as NSString).appendingPathComponent(f.name), "\(f.contents.count)", f.description]) }
        print(table.render())
        let sims = output.simulations
        if sims.count == 2 {
            print("distilled rule through the surrogate: \(fmt(sims[1].meanFinalBalanced, 4)) vs the agent's \(fmt(sims[0].meanFinalBalanced, 4)) (\(sims[0].episodes) episodes, mean transitions)")
        }
    }

    /// The policy under study and its floor: the closed-loop agent (no window, no floor: it reads
    /// the state's scores) or a trained network, bound to the surrogate's domains.
    private func studiedPolicy(model: SurrogateModel, score: ScoreFormula) throws -> (StudiedPolicy, Double) {
        do {
            switch try AgentFile.load(policy) {
            case .controller(let controller):
                let layout = ObservationLayout(domains: model.domains, feedbackNames: model.feedbackNames, score: score)
                return (StudiedPolicy(name: controller.name, layout: layout, score: score) { try controller.bound(to: $0) }, 0)
            case .network(let agent):
                let layout = ObservationLayout(domains: model.domains, feedbackNames: model.feedbackNames, score: score, window: agent.file.window)
                _ = try agent.bound(to: layout)
                return (StudiedPolicy(name: agent.name, layout: layout, score: score) { try agent.bound(to: $0) }, agent.effectiveFloor(layout.domainCount))
            }
        } catch let error as AgentError {
            throw DataFileError(path: policy, problem: error.description)
        }
    }

    /// Every input, checked against the others; failures are data errors naming the file.
    private func loadInputs() throws -> AnalysisInputs {
        let model = try SurrogateModel.load(from: surrogate)
        let environment = try EnvironmentConfig.load(from: environmentPath(env, for: model.identity.environment, near: surrogate))
        try model.check(against: environment, path: surrogate)
        let (trajectories, _) = try readTrajectoryLogs(data, skipInvalid: false)
        if let t = trajectories.first(where: { $0.header.domains != model.domains || $0.header.feedbackNames != model.feedbackNames }) {
            throw DataFileError(path: data, problem: "trajectory \(t.header.id) has other domains or feedback signals than the surrogate \(surrogate)")
        }
        let resultsLog = try results.map { try ValidationResults.load(directory: $0, notes: ProgressLine.note) } ?? .none
        if results == nil { ProgressLine.note("no --results: analysing the agent and the logged data only") }
        let score = try ScoreFormula(env: environment, feedbackNames: model.feedbackNames)
        let (studied, floor) = try studiedPolicy(model: model, score: score)
        let fidelityTable = try fidelity.map { (path: $0, table: try CSVTable.read(from: $0)) }
        let rollouts = try fidelityJson.map(RolloutFidelityPlot.load)
        let command = (["dma"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        // The validation's own command lines (each once), as `dma validate` logged them.
        var seen = Set<String>()
        let validateCommands = resultsLog.invocations.map(\.command).filter { seen.insert($0).inserted }
        let commands = [
            "# inputs: policy \(policy); results \(results.map { "\($0) (\(resultsLog.runs.count) runs)" } ?? "none"); trajectories \(data) (\(trajectories.count)); surrogate \(surrogate) (fitted on \(model.trajectories) trajectories)",
            "dma surrogate fit --data \(data) --out \(surrogate)   # how a surrogate is fitted",
        ] + validateCommands + [command]
        return AnalysisInputs(agent: studied, agentFile: policy, agentFloor: floor, trajectories: trajectories, model: model, results: resultsLog,
                              fidelity: fidelityTable, fidelityRollouts: rollouts, commands: commands)
    }

}

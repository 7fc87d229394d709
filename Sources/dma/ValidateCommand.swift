import Agent
import ArgumentParser
import Base
import Baselines
import Corpus
import Environment
import Foundation
import Numerics
import Surrogate
import Trajectories
import Transformer
import Validation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate policies on real CPT runs over seeds: the agent against baselines, paired by data seed.",
        subcommands: [ValidateRunCommand.self, ValidateMergeCommand.self, ValidateImportCommand.self, ValidateReportCommand.self],
        defaultSubcommand: ValidateRunCommand.self
    )
}

struct ValidateRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Real CPT for every (policy, evaluation seed), plus best-fixed's ratio grid on the selection seeds.",
        discussion: """
        Appends every finished run to OUT/runs.jsonl and rewrites OUT/results.csv and OUT/summary.json. Resumable: \
        a re-run skips finished pairs, and a killed run resumes from its last round. Sharded like collection \
        (--shard i/n, or the Slurm / Kubernetes variables); merge the shards' logs with `dma validate merge`.
        """
    )

    @OptionGroup var setup: BaseRunOptions
    @Option(help: "Policies, comma-separated: agent:FILE (or LABEL=agent:FILE for another agent beside it), best-fixed, score-weighted, or any name --policy takes.") var policies: String
    @Option(help: "Evaluation seeds (data order), comma-separated.") var seeds = "4,5,6"
    @Option(help: "Selection seeds of best-fixed's grid (must differ from the evaluation seeds).") var selectionSeeds = "1,2"
    @Option(help: "Trajectory log(s) of this setting for the baselines that fit on logged runs (regmix, surrogate-search, best-logged, doremi).") var data: String?
    @Option(help: "Fitted surrogate model of this setting, for surrogate-search (fit one on --data with `dma surrogate fit`).") var surrogate: String?
    @Option(help: "Runs in parallel (each with one BLAS thread).") var workers = 2
    @Option(help: "This process's shard, i/n (default: from Slurm/Kubernetes variables, else 0/1).") var shard: String?
    @Option(help: "Other shards' logs, comma-separated (read-only): their selection runs let this shard run best-fixed.") var with: String?
    @Flag(help: "Keep each evaluation run's final model in OUT/checkpoints/.") var saveCheckpoints = false
    @Option(help: "Output folder.") var out: String

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let started = Date()
        // Names are checked before anything is loaded or created: a typo is a usage error (64), not an empty folder.
        let choices = try usage { try commaSeparated(policies, option: "--policies", as: String.self).map(PolicyChoice.init(parsing:)) }
        let (environment, checkpoint, store) = try setup.load()
        let trajectories = try data.map { try readTrajectoryLogs($0, skipInvalid: false).trajectories } ?? []
        var agentRuns: [String: Int] = [:]
        for case .agent(let path, let label) in choices {
            agentRuns[label] = try AgentFile.runsOfSetting(path: path, environment: environment, preset: setup.preset)
        }
        let plan: ValidationPlan
        do {
            plan = try ValidationPlan(policies: choices, evaluationSeeds: try commaSeparated(seeds, option: "--seeds"),
                                      selectionSeeds: try commaSeparated(selectionSeeds, option: "--selection-seeds"),
                                      loggedRuns: trajectories.count, agentRuns: agentRuns)
        } catch let e as ValidationPlanError { throw ValidationError(e.description) }
        let slice = try shard.map(Shard.init(parsing:)) ?? Shard.fromEnvironment() ?? Shard(index: 0, count: 1)
        let others = try with.map { try commaSeparated($0, option: "--with", as: String.self).flatMap { try ValidationLog.read($0, notes: ProgressLine.note) } } ?? []
        let runners = try CPTRunner(env: environment, base: checkpoint, store: store, fullEvaluation: true).withWorkers(workers)
        let harness = ValidationHarness(environment: environment, runners: runners, model: setup.preset)
        let model = try surrogate.map { try SurrogateModel.load(from: $0, expecting: environment) }
        let catalog = PolicyCatalog(environment: environment, space: runners[0].space, feedbackNames: runners[0].baseFeedback.names,
                                    trajectories: trajectories, surrogate: model)
        // Every policy is built once before the folder exists, so missing inputs leave nothing behind.
        try usage { try catalog.check(plan) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let log = slice.count == 1 ? "\(out)/runs.jsonl" : "\(out)/runs.shard-\(slice.index)-of-\(slice.count).jsonl"
        var bar: ProgressLine?
        let outcome = try harness.execute(plan, log: log, others: others, shard: (slice.index, slice.count),
                                          checkpoints: saveCheckpoints ? "\(out)/checkpoints" : nil,
                                          makePolicy: { spec, seed in try catalog.policy(spec, seed: seed) },
                                          starting: { phase, runs in bar = ProgressLine("validate \(harness.setting) \(phase)", total: runs, unit: "run") },
                                          progress: { r, done, _ in bar?.update(done, detail: "\(r.policy) seed \(r.seed): balanced \(fmt(r.final.balanced, 4))") })
        outcome.tail.notice(path: log).map(ProgressLine.note)
        // The outcome holds this log's records and the other shards' (read-only) ones.
        let new = outcome.records.count - others.count - outcome.resumed
        ProgressLine.note("validate \(harness.setting): \(outcome.resumed) runs were already in \(log), \(new) new"
            + (outcome.deferred > 0 ? "; \(outcome.deferred) best-fixed/score-weighted runs wait for the other shards' selection runs (re-run with --with)" : ""))
        let summary = try Self.writeTables(outcome.records, folder: out)
        try ValidationInvocation(command: CommandLine.arguments.joined(separator: " "), started: started, newRuns: new)
            .append(to: "\(out)/invocations.jsonl")
        print(Self.render(summary, bestShare: outcome.bestShare))
    }

    /// `FOLDER/results.csv` and `FOLDER/summary.json` of `records`, each written atomically.
    static func writeTables(_ records: [ValidationRun], folder: String) throws -> ValidationSummary {
        try ValidationFolder.write(records, folder: folder)
    }

    static func render(_ s: ValidationSummary, bestShare: Double?) -> String {
        var table = Table(["policy", "runs", "balanced", "sd", "retention", "gain", "source tokens", "target tokens", "prior runs", "agent − policy (95% CI)"])
        for p in s.policies.sorted(by: { $0.balanced > $1.balanced }) {
            let diff = s.paired(against: p.policy).map { d in
                String(format: "%+.4f", d.mean) + (d.low.map { String(format: " [%+.4f, %+.4f]", $0, d.high!) } ?? "")
            } ?? ""
            table.add([p.policy, "\(p.runs)", fmt(p.balanced, 4), fmt(p.balancedSD, 4), fmt(p.retention, 4), fmt(p.gain, 4),
                       "\(Int(p.sourceTokens))", "\(Int(p.targetTokens))", "\(p.priorRuns)", diff])
        }
        return "\(s.setting), seeds \(s.seeds.map(String.init).joined(separator: ","))" + (bestShare.map { "; best-fixed share \($0) (selection seeds)" } ?? "")
            + "\n" + table.render()
    }
}

struct ValidateMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Merge shard logs of one validation into one log (atomically), with its results.csv and summary.json beside it.")
    @Option(help: "Shard logs, comma-separated.") var logs: String
    @Option(help: "Merged log.") var out: String

    func run() throws {
        // The merged folder reads like one validation's: its results.csv and summary beside the log.
        let (merged, summary) = try ValidationFolder.merge(try commaSeparated(logs, option: "--logs", as: String.self), into: out, notes: ProgressLine.note)
        let folder = (out as NSString).deletingLastPathComponent.isEmpty ? "." : (out as NSString).deletingLastPathComponent
        print(ValidateRunCommand.render(summary, bestShare: summary.bestFixedShare))
        print("merged \(merged.count) runs → \(out) (with \(folder)/results.csv, \(folder)/summary.json)")
    }
}

struct ValidateImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "A validation folder from runs your own trainer made: run logs (RunLogger's CSV) with their runs.meta.csv.",
        discussion: "Each --from CSV needs its sidecar beside it (runs.csv → runs.meta.csv: trajectory,seed,policy,spec,role,prior_runs; examples/pytorch_cpt.py writes both). Every run is scored with the environment's score formula, its final score from its last round's feedback. Writes OUT/runs.jsonl, results.csv, summary.json and invocations.jsonl (the trainer's invocations.jsonl beside each CSV, then this command), each atomically, after every input is checked."
    )
    @Option(help: "Run logs (CSV), comma-separated.") var from: String
    @Option(help: "Environment the runs belong to (its domain space and score formula).") var env: String
    @Option(help: "The model the runs trained (required), e.g. pytorch-gpt.") var model: String?
    @Option(help: "Free-form description of the model (recorded with its name).") var modelDescription: String?
    @Option(help: "An identifier of your base model, recorded as the base checkpoint.") var baseId = "imported"
    @Option(help: "The setting's name in the report (default: <environment>@<model>).") var setting: String?
    @Option(help: "Keep this many significant digits of every feedback value, LR, train loss and seconds (1–17), re-scoring each round from them; default: as logged.") var significantDigits: Int?
    @Option(help: "Output folder.") var out: String

    func validate() throws {
        guard let model, !model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--model is required: name the model your runs trained, e.g. --model pytorch-gpt")
        }
        if let d = modelDescription, d.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("\(TrajectoryImport.ImportModelError.emptyDescription)") }
        if let setting, setting.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--setting is empty") }
        if let d = significantDigits, !(1...17).contains(d) { throw ValidationError("--significant-digits must be in 1…17") }
    }

    func run() throws {
        let started = Date()
        let environment = try EnvironmentConfig.load(from: env)
        let imported = try TrajectoryImport.Model(name: model ?? "", description: modelDescription, env: environment)
        let csvs = try commaSeparated(from, option: "--from", as: String.self)
        let runs = try ValidationImport.read(csvs: csvs, env: environment, model: imported, baseID: baseId,
                                             setting: setting ?? "\(environment.name)@\(imported.identity.name)", significantDigits: significantDigits)
        let own = ValidationInvocation(command: CommandLine.arguments.joined(separator: " "), started: started, newRuns: runs.count)
        let summary = try ValidationImport.write(runs, invocations: try ValidationImport.invocations(besides: csvs) + [own], folder: out)
        print(ValidateRunCommand.render(summary, bestShare: summary.bestFixedShare))
        if let best = try ValidationImport.bestFixedShare(runs) {
            print("best-fixed share: \(best.share) (mean balanced \(fmt(best.mean, 4)) over \(best.runs) selection runs)")
        }
        print("imported \(runs.count) runs (\(runs.filter { $0.role == .selection }.count) selection) of model \(imported.identity.label) into \(out)/runs.jsonl")
    }
}

struct ValidateReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "Build the results page (the repository's docs/results.md) from validation result folders.")
    @Option(help: "Result folders, comma-separated, in the order of the report.") var results: String
    @Option(help: "The main setting (its row also needs the paired interval above 0 against uniform, target-only and best-fixed).") var main = "math-cpt"
    // Required: the old default, docs/results.md, is a committed file this would overwrite.
    @Option(help: "Output markdown file (written atomically).") var out: String

    func run() throws {
        let settings = try commaSeparated(results, option: "--results", as: String.self).map { try ResultsReport.Setting(folder: $0, notes: ProgressLine.note) }
        try AtomicFile.write(Data(ResultsReport.markdown(settings, main: main).utf8), to: out)
        for s in settings { print(ValidateRunCommand.render(s.summary, bestShare: s.summary.bestFixedShare)) }
        print("wrote \(out)")
    }
}

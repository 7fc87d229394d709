import ArgumentParser
import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Trajectories
import Transformer

struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Collect trajectories: CPT runs from the base under random mixing schedules.",
        discussion: """
        Trajectory ids 0..<N are split across shards (shard i of n takes ids ≡ i mod n); the shard \
        defaults from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX/DMA_SHARD_COUNT. \
        Each finished trajectory is appended to --out as one JSON line (one write + fsync); re-running \
        the same command skips ids already there, and a line torn by kill -9 is ignored and cut.
        """
    )

    @OptionGroup var setup: BaseRunOptions
    @Option(help: "Total trajectories across all shards.") var trajectories: Int
    @Option(help: "This process's shard, i/n (default: from Slurm/Kubernetes variables, else 0/1).") var shard: String?
    @Option(help: "Trajectories run side by side in this process.") var workers = 2
    @Option(help: "BLAS threads (shared by the workers). Measured on 2 cores: 2 workers × 1 thread is fastest.") var threads = 1
    @Option(help: "Collection seed: trajectory id k uses seeds derived from (seed, k).") var seed: UInt64 = 0
    @Option(help: "Override the environment's schedule families for this collection, e.g. field-ratio:1 or dirichlet-walk:0.5,field-ratio:0.5 (recorded per trajectory in its header).") var families: String?
    @Option(help: "Runs per schedule: ids kR..<kR+R share a schedule and differ in data order (seed repeats for noise estimates).") var repeats = 1
    @Option(help: "First trajectory id: collect ids K..<K+N, e.g. to extend a collection of K trajectories with the same seed.") var firstId = 0
    @Option(help: "Output log (default: datasets/trajectories/<env>.shard-i-of-n.jsonl).") var out: String?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(threads)
        guard trajectories > 0 else { throw ValidationError("--trajectories must be positive") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
        let (environment, checkpoint, store) = try setup.load()
        let shard = try shard.map { try Shard(parsing: $0) } ?? Shard.fromEnvironment() ?? Shard(index: 0, count: 1)
        let path = out ?? "datasets/trajectories/\(environment.name).shard-\(shard.index)-of-\(shard.count).jsonl"
        guard firstId >= 0 else { throw ValidationError("--first-id must be non-negative") }
        let ids = shard.ids(total: trajectories).map { $0 + firstId }
        let collector = try TrajectoryCollector(env: environment, base: checkpoint, store: store, workers: workers, seed: seed, repeats: repeats,
                                                families: try families.map { try keyedNumbers($0, option: "--families", separator: ":", form: "name:weight") })
        let bar = ProgressLine("collect \(shard)", total: ids.count, unit: "traj")
        let start = Date()
        let collected = try collector.collect(ids: ids, log: path) { t, done, total in
            bar.update(done, detail: "#\(t.header.id) \(t.header.sampler.family) final \(fmt(t.finalBalanced ?? .nan, 4))")
        }
        let seconds = Date().timeIntervalSince(start)
        // A shard with no ids to collect never creates its log.
        let all = FileManager.default.fileExists(atPath: path) ? try TrajectoryReader.read(path).trajectories : []
        var table = Table(["shard", "ids", "new", "in log", "seconds", "traj/hour", "log"])
        table.add(["\(shard)", "\(ids.count)", "\(collected.count)", "\(all.count)", fmt(seconds, 1),
                   fmt(collected.isEmpty ? 0 : Double(collected.count) / seconds * 3600, 1), path])
        print(table.render())
    }
}

struct TrajectoriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trajectories",
        abstract: "Inspect logged trajectories.",
        subcommands: [TrajectoriesStatsCommand.self, TrajectoriesExportCommand.self, TrajectoriesMergeCommand.self, TrajectoriesImportCommand.self]
    )
}

/// Reads comma-separated trajectory logs as one dataset (``TrajectoryLogs``), noting torn tails
/// and skipped lines on standard error.
func readTrajectoryLogs(_ list: String, skipInvalid: Bool) throws -> (trajectories: [Trajectory], skipped: Int) {
    try TrajectoryLogs.read(paths: try commaSeparated(list, option: "--data"), skipInvalid: skipInvalid, notes: ProgressLine.note)
}

struct TrajectoriesStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts, sampler families, final balanced scores and tokens per domain.")

    @Option(help: "Trajectory log(s), comma-separated.") var data: String
    @Flag(help: "Skip invalid lines (reporting how many) instead of failing.") var skipInvalid = false
    @Option(help: "Write the statistics as JSON to this file.") var json: String?

    func run() throws {
        let (all, skipped) = try readTrajectoryLogs(data, skipInvalid: skipInvalid)
        let stats = TrajectoryStatistics(all, skipped: skipped)
        print("\(stats.trajectories) trajectories, \(stats.steps) steps, environment \(stats.environment)\(skipped > 0 ? ", \(skipped) invalid lines skipped" : "")")
        var fam = Table(["family", "trajectories"])
        for (f, n) in stats.families.sorted(by: { $0.key < $1.key }) { fam.add([f, "\(n)"]) }
        print(fam.render())
        var fb = Table(["final balanced", "value"])
        for k in TrajectoryStatistics.finalBalancedKeys { fb.add([k, stats.finalBalanced[k].map { fmt($0, 4) } ?? "-"]) }
        print(fb.render())
        var tok = Table(["domain", "tokens"])
        for d in all[0].header.domains { tok.add([d.rawValue, "\(stats.tokensPerDomain[d.rawValue] ?? 0)"]) }
        print(tok.render())
        if let json { try writeJSON(stats, to: json) }
    }
}

struct TrajectoriesExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write flat transitions (D4RL-style columns) for other RL tools.",
        discussion: """
        Columns: trajectory, step, obs:<feedback>… obs:mix/<domain>… obs:progress, action:<domain>…, \
        reward (change of the balanced score), next_obs:…, terminal (1 on a trajectory's last step).
        """
    )

    @Option(help: "Trajectory log(s), comma-separated.") var data: String
    @Option(help: "Export format (csv).") var format = "csv"
    @Option(help: "Output file.") var out: String
    @Flag(help: "Skip invalid lines instead of failing.") var skipInvalid = false

    func run() throws {
        guard format == "csv" else { throw ValidationError("--format must be csv") }
        let (all, _) = try readTrajectoryLogs(data, skipInvalid: skipInvalid)
        try AtomicFile.write(Data(try TransitionExport.csv(all).utf8), to: out)
        print("wrote \(all.reduce(0) { $0 + $1.steps.count }) transitions of \(all.count) trajectories to \(out)")
    }
}

struct TrajectoriesMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine shard logs: same environment and base required, duplicate ids kept once, sorted by id."
    )

    @Argument(help: "Shard logs to merge.") var inputs: [String]
    @Option(help: "Merged output (written atomically).") var out: String
    @Flag(help: "Skip invalid lines instead of failing.") var skipInvalid = false

    func run() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one log to merge") }
        let (trajectories, duplicates) = try TrajectoryMerge.merge(inputs, skipInvalid: skipInvalid)
        try AppendLog.write(trajectories, to: out)
        print("merged \(trajectories.count) trajectories from \(inputs.count) logs into \(out) (\(duplicates) duplicate ids dropped)")
    }
}

struct TrajectoriesImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import your own logged CPT runs (CSV) as a trajectory log.",
        discussion: """
        CSV columns: trajectory, step (0 = base model, then 1…T), mixture:<domain> for every domain of \
        the environment's space, feedback:<signal> (must include bpb/<domain> for every domain and \
        em/<domain> for math domains), optional tokens:<domain>, lr, train_loss, seconds. A <domain> is \
        the environment's name (source/humor) or the bare name dma serve takes (humor) when only one \
        domain has it; an ambiguous bare name is an error. Balanced scores are computed with the \
        environment's weights. See datasets/README.md.
        """
    )

    @Option(help: "CSV of logged runs.") var from: String
    @Option(help: "Environment the runs belong to (its domain space and score weights).") var env: String
    /// Required: with no name the runs would have to claim a model. Recording `proxy` was false for
    /// any other trainer, and a shared `unknown` would let runs of two unnamed models mix in one
    /// surrogate fit or policy unnoticed, so a missing name is a usage error saying what to pass.
    @Option(help: "The model the runs trained (required): a preset of the environment (its config is recorded) or any name for your own model, e.g. byom.") var model: String?
    @Option(help: "Free-form description of the model, e.g. \"PyTorch GPT, 391k params, 3 layers\" (recorded with the name).") var modelDescription: String?
    @Option(help: "An identifier of your base model, recorded as the base checkpoint.") var baseId = "imported"
    @Option(help: "Output trajectory log (written atomically).") var out: String

    /// The message of a missing `--model`, naming what to pass.
    static let missingModel = "--model is required: name the model your runs trained, e.g. --model byom --model-description \"PyTorch GPT, 391k params, 3 layers\" (a preset of the environment, such as proxy or target, records its config)"

    func validate() throws {
        guard let model else { throw ValidationError(Self.missingModel) }
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("\(TrajectoryImport.ImportModelError.emptyName)") }
        if let d = modelDescription, d.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("\(TrajectoryImport.ImportModelError.emptyDescription)") }
    }

    func run() throws {
        let environment = try EnvironmentConfig.load(from: env)
        let imported = try TrajectoryImport.Model(name: model ?? "", description: modelDescription, env: environment)
        let trajectories = try TrajectoryImport.read(csv: from, env: environment, model: imported, baseID: baseId)
        try AppendLog.write(trajectories, to: out)
        print("imported \(trajectories.count) trajectories (\(trajectories.reduce(0) { $0 + $1.steps.count }) steps) of model \(imported.identity.label) into \(out)")
    }
}

import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Trajectories

/// Real CPT runs made by a trainer outside dma (your own loop, `examples/pytorch_cpt.py`) as a
/// validation folder, so `dma validate report` compares policies on a model dma did not train.
///
/// Each input is the run log `dma trajectories import` reads (`runs.csv`, written by the Python
/// client's `RunLogger`) with a sidecar `runs.meta.csv` beside it: one row per run,
///
///     trajectory,seed,policy,spec,role,prior_runs
///
/// * `trajectory`: the run's id in `runs.csv` (every run of the CSV has exactly one row, and every
///   row a run);
/// * `seed`: the run's data seed (runs of two policies on one seed are paired in the summary);
/// * `policy`: the label in tables (`agent`, `agent-<name>`, `best-fixed`, `score-weighted`,
///   `uniform`, `fixed:0.3` for a selection run of best-fixed's grid, …);
/// * `spec`: what chose the mixtures (`agent:FILE`, `ratio:0.7`, …), as `--policy` takes it;
/// * `role`: `selection` or `evaluation` (`collection` runs are training data: import those with
///   `dma trajectories import`);
/// * `prior_runs`: real CPT runs of this setting the method consumed before its evaluation runs.
///
/// Every run is read through ``TrajectoryImport`` (the same checks, and every round scored with the
/// environment's ``ScoreFormula``); its final score is the score of its last round's feedback against
/// the base's. The run's evaluation is the trainer's own (`finalFeedback` is the last round's
/// feedback), so the scores compare policies on one model, not with dma's own models' rows.
public enum ValidationImport {
    /// The sidecar's header, in this order.
    public static let metaHeader = ["trajectory", "seed", "policy", "spec", "role", "prior_runs"]

    /// One run's row of the sidecar.
    public struct Meta: Sendable, Equatable {
        public var trajectory: Int
        public var seed: UInt64
        public var policy: String
        public var spec: String
        public var role: RunRole
        public var priorRuns: Int
        /// Its row in the file (the header is row 1).
        public var line: Int
    }

    /// The sidecar of `csv`: `runs.csv` → `runs.meta.csv` in the same folder.
    public static func metaPath(for csv: String) -> String {
        (csv.hasSuffix(".csv") ? String(csv.dropLast(4)) : csv) + ".meta.csv"
    }

    /// The rows of the sidecar at `path`, by trajectory id; every cell checked.
    public static func readMeta(_ path: String) throws -> [Int: Meta] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataFileError(path: path, problem: "file not found (each run log needs its sidecar: \(metaHeader.joined(separator: ",")))")
        }
        let table = try CSVTable.read(from: path)
        func fail(_ line: Int, _ problem: String) -> DataFileError { DataFileError(path: path, line: line, problem: problem) }
        guard table.header.map({ $0.trimmingCharacters(in: .whitespaces) }) == metaHeader else {
            throw fail(1, "header is '\(table.header.joined(separator: ","))', expected '\(metaHeader.joined(separator: ","))'")
        }
        guard !table.rows.isEmpty else { throw DataFileError(path: path, problem: "no runs") }
        var rows: [Int: Meta] = [:]
        var ids = Set<String>()
        for (k, raw) in table.rows.enumerated() {
            let line = k + 2
            let c = raw.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let t = Int(c[0]), t >= 0 else { throw fail(line, "trajectory '\(c[0])' is not an integer ≥ 0") }
            guard let seed = UInt64(c[1]) else { throw fail(line, "seed '\(c[1])' is not an integer ≥ 0") }
            guard !c[2].isEmpty, !c[2].contains("|") else { throw fail(line, "policy label '\(c[2])' must be non-empty and without '|'") }
            guard !c[3].isEmpty else { throw fail(line, "spec is empty: name what chose the mixtures (agent:FILE, ratio:0.7, uniform, …)") }
            guard let role = RunRole(rawValue: c[4]) else { throw fail(line, "role '\(c[4])' is not selection or evaluation") }
            guard role != .collection else {
                throw fail(line, "role collection: collection runs are training data; import them with `dma trajectories import`")
            }
            guard let prior = Int(c[5]), prior >= 0 else { throw fail(line, "prior_runs '\(c[5])' is not an integer ≥ 0") }
            guard rows[t] == nil else { throw fail(line, "trajectory \(t) has a row already (line \(rows[t]!.line))") }
            let meta = Meta(trajectory: t, seed: seed, policy: c[2], spec: c[3], role: role, priorRuns: prior, line: line)
            guard ids.insert(ValidationRun.id(policy: meta.policy, role: role, seed: seed)).inserted else {
                throw fail(line, "policy \(meta.policy), role \(role.rawValue), seed \(seed) appears twice")
            }
            rows[t] = meta
        }
        return rows
    }

    /// `value` kept to `digits` significant digits (as `%.{digits}g` prints it).
    public static func rounded(_ value: Double, significantDigits digits: Int) -> Double {
        Double(String(format: "%.*g", digits, value)) ?? value
    }

    /// The runs of `csv` and its sidecar `meta` as validation runs of `setting`, made by `model`
    /// from the base `baseID` on `env`. With `significantDigits`, every feedback value (the base's
    /// and each round's), LR, train loss and seconds is kept to that many significant digits and
    /// every round re-scored from the rounded values (mixtures and token counts are kept as
    /// logged); smaller logs for a trainer whose evaluation does not measure to 17 digits. Nothing
    /// is written.
    public static func read(csv: String, meta metaFile: String, env: EnvironmentConfig, model: TrajectoryImport.Model, baseID: String,
                            setting: String, significantDigits: Int? = nil) throws -> [ValidationRun] {
        try read(csv: csv, meta: metaFile, metas: try readMeta(metaFile), env: env, model: model, baseID: baseID, setting: setting,
                 significantDigits: significantDigits)
    }

    /// ``read(csv:meta:env:model:baseID:setting:significantDigits:)`` with the sidecar `metaFile` already read into `metas`.
    static func read(csv: String, meta metaFile: String, metas: [Int: Meta], env: EnvironmentConfig, model: TrajectoryImport.Model, baseID: String,
                     setting: String, significantDigits: Int?) throws -> [ValidationRun] {
        let trajectories = try TrajectoryImport.read(csv: csv, env: env, model: model, baseID: baseID)
        let space = try env.domainSpace()
        let isSource = space.domains.map { $0.field == .source }
        let ids = Set(trajectories.map(\.header.id))
        if let orphan = metas.values.sorted(by: { $0.line < $1.line }).first(where: { !ids.contains($0.trajectory) }) {
            throw DataFileError(path: metaFile, line: orphan.line, problem: "trajectory \(orphan.trajectory) has no run in \(csv)")
        }
        return try trajectories.map { logged in
            var t = logged
            func fail(_ problem: String) -> DataFileError { DataFileError(path: csv, problem: "trajectory \(logged.header.id): \(problem)") }
            guard let m = metas[t.header.id] else {
                throw DataFileError(path: metaFile, problem: "no row for trajectory \(t.header.id) of \(csv)")
            }
            let names = t.header.feedbackNames
            if let digits = significantDigits {
                func r(_ x: Double) -> Double { rounded(x, significantDigits: digits) }
                // TrajectoryImport scored these names already, so the formula takes them.
                let formula: ScoreFormula
                do { formula = try ScoreFormula(env: env, feedbackNames: names) } catch { throw fail("\(error)") }
                let base = t.baseFeedback.map(r)
                t.baseFeedback = base
                t.steps = t.steps.map { step in
                    var s = step
                    (s.feedback, s.lr, s.trainLoss, s.seconds) = (s.feedback.map(r), s.lr.map(r), s.trainLoss.map(r), s.seconds.map(r))
                    let score = formula.components(s.feedback, base: base)
                    (s.balanced, s.retention, s.gain) = (score.balanced, score.retention, score.gain)
                    return s
                }
            }
            let last = t.steps[t.steps.count - 1]
            // The final score: the environment's formula on the last round's feedback against the
            // base's, which is how TrajectoryImport (or the re-scoring above) scored that round.
            let final = last.score
            var source = 0, target = 0
            for step in t.steps {
                for (d, n) in step.tokensPerDomain.enumerated() { if isSource[d] { source += n } else { target += n } }
            }
            var run = ValidationRun(
                id: ValidationRun.id(policy: m.policy, role: m.role, seed: m.seed), setting: setting, environment: env.name,
                environmentHash: env.hash, baseCheckpoint: baseID, model: model.identity.name, policy: m.policy, spec: m.spec, role: m.role,
                seed: m.seed, priorRuns: m.priorRuns, domains: space.domains.map(\.rawValue), feedbackNames: names, baseFeedback: t.baseFeedback,
                rounds: t.steps, finalFeedbackNames: names, finalFeedback: last.feedback, final: final, sourceTokens: source, targetTokens: target,
                seconds: t.steps.reduce(0) { $0 + ($1.seconds ?? 0) })
            (run.modelDescription, run.importedFrom) = (model.identity.description, csv)
            if let problem = ValidationLog.problems(of: run) { throw fail(problem) }
            return run
        }
    }

    /// Every input (a run log, its sidecar beside it) read and checked; runs of one (policy, role,
    /// seed) in two inputs are an error naming both. Nothing is written.
    public static func read(csvs: [String], env: EnvironmentConfig, model: TrajectoryImport.Model, baseID: String,
                            setting: String, significantDigits: Int? = nil) throws -> [ValidationRun] {
        var runs: [ValidationRun] = []
        var from: [String: String] = [:]
        var first: (rounds: Int, trajectory: String)?
        for csv in csvs {
            let meta = metaPath(for: csv)
            let metas = try readMeta(meta)
            let trajectoryOf = Dictionary(uniqueKeysWithValues: metas.values.map { (ValidationRun.id(policy: $0.policy, role: $0.role, seed: $0.seed), $0.trajectory) })
            for r in try read(csv: csv, meta: meta, metas: metas, env: env, model: model, baseID: baseID, setting: setting, significantDigits: significantDigits) {
                let t = trajectoryOf[r.id].map { "trajectory \($0)" } ?? r.id
                if let first, first.rounds != r.rounds.count {
                    throw DataFileError(path: csv, problem: "\(t) has \(r.rounds.count) rounds, \(first.trajectory) \(first.rounds): one setting's runs train the same rounds")
                }
                if first == nil { first = (r.rounds.count, t) }
                if let other = from[r.id] { throw DataFileError(path: meta, problem: "run \(r.id) is in \(other) too") }
                from[r.id] = meta
                runs.append(r)
            }
        }
        return runs
    }

    /// Best-fixed's share from imported selection runs labelled as ``ValidationPlan/gridLabel(_:)``
    /// labels them (`fixed:0.3`): the share with the highest mean final balanced score, as
    /// ``ValidationPlan/bestShare(from:)`` chooses it; nil without such runs. Every share must have
    /// run on the same seeds (else the means are not comparable, and this throws).
    public static func bestFixedShare(_ runs: [ValidationRun]) throws -> (share: Double, mean: Double, runs: Int)? {
        let prefix = ValidationPlan.gridPrefix
        var byShare: [Double: [ValidationRun]] = [:]
        for r in runs where r.role == .selection && r.policy.hasPrefix(prefix) {
            guard let share = Double(r.policy.dropFirst(prefix.count)), (0...1).contains(share) else {
                throw ValidationPlanError("selection run \(r.id): '\(r.policy)' is not a grid label \(prefix)R with R in [0, 1]")
            }
            byShare[share, default: []].append(r)
        }
        guard let first = byShare.first else { return nil }
        let seeds = Set(first.value.map(\.seed))
        let grid = byShare.keys.sorted().map { ($0, byShare[$0]!) }
        for (share, rs) in grid where Set(rs.map(\.seed)) != seeds {
            throw ValidationPlanError("the grid's shares ran on different seeds (\(ValidationPlan.gridLabel(share)): \(rs.map(\.seed).sorted()), \(ValidationPlan.gridLabel(first.key)): \(seeds.sorted()))")
        }
        return ValidationPlan.best(of: grid)
    }

    /// Invocation records written by the trainer beside its runs (`invocations.jsonl`, the format of
    /// ``ValidationInvocation``), in input order; inputs without one contribute none.
    public static func invocations(besides csvs: [String]) throws -> [ValidationInvocation] {
        try csvs.flatMap { csv -> [ValidationInvocation] in
            let folder = (csv as NSString).deletingLastPathComponent
            return try ValidationInvocation.read((folder.isEmpty ? "." : folder) + "/invocations.jsonl")
        }
    }

    /// Writes `folder/runs.jsonl`, `results.csv`, `summary.json` and `invocations.jsonl` (the
    /// trainer's invocations, then `own`); each atomically, none unless all encoded.
    @discardableResult
    public static func write(_ runs: [ValidationRun], invocations: [ValidationInvocation], folder: String) throws -> ValidationSummary {
        guard !runs.isEmpty else { throw ValidationPlanError("no runs to import") }
        var log = Data()
        for i in invocations { log.append(try AppendLog<ValidationInvocation>.encodeLine(i)) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let summary = try ValidationFolder.write(runs, folder: folder, log: "\(folder)/runs.jsonl")
        try AtomicFile.write(log, to: "\(folder)/invocations.jsonl")
        return summary
    }
}

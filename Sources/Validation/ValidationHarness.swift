import Base
import Baselines
import Environment
import Evaluation
import Foundation
import Numerics
import Trajectories

/// Runs a validation plan as real CPT: the selection grid first, then every (policy, evaluation
/// seed), each appended to one log as it finishes (`ResumableRuns`: a re-run skips finished
/// pairs, a killed run resumes mid-way from its per-round snapshot). Shards split each phase's
/// list; a shard that lacks selection runs made by other shards leaves best-fixed and
/// score-weighted for a later run over the merged logs.
public struct ValidationHarness {
    /// Makes run `seed`'s policy from a resolved spec (`agent:FILE`, `ratio:R`, `score-weighted:R`, a named baseline).
    public typealias PolicyMaker = (_ spec: PolicySpec, _ seed: UInt64) throws -> MixturePolicy

    public let environment: EnvironmentConfig
    public let runners: [CPTRunner]
    /// The base model's preset name (`proxy`, `target`).
    public let model: String

    public init(environment: EnvironmentConfig, runners: [CPTRunner], model: String) {
        precondition(!runners.isEmpty, "a validation needs at least one runner")
        precondition(runners[0].baseFullFeedback != nil, "validation scores every run on the full suite: make the runners with fullEvaluation")
        (self.environment, self.runners, self.model) = (environment, runners, model)
    }

    /// The setting's name: the environment, with `@model` unless the model is the proxy.
    public var setting: String { model == "proxy" ? environment.name : "\(environment.name)@\(model)" }

    public var identity: RunIdentity {
        RunIdentity(environment: environment.name, environmentHash: environment.hash, baseCheckpoint: runners[0].baseHash)
    }

    /// What a call did.
    public struct Outcome {
        /// Every record in the log (and in `others`) after the call.
        public var records: [ValidationRun]
        public var resumed: Int
        public var tail: LogTail
        /// Best-fixed's share, once the selection is complete.
        public var bestShare: Double?
        /// Evaluation runs left for a later call because the selection was incomplete in this shard's view.
        public var deferred: Int
    }

    /// Runs `plan`'s entries of shard `shard` (index, count) not yet in the log at `path` or in
    /// `others` (records of other shards' logs, read-only). `checkpoints`: a folder to keep each
    /// evaluation run's final model in. `starting(phase, runs)` and `progress(record, done, total)`
    /// report progress.
    public func execute(_ plan: ValidationPlan, log path: String, others: [ValidationRun] = [], shard: (index: Int, count: Int) = (0, 1),
                        checkpoints: String? = nil, makePolicy: PolicyMaker,
                        starting: (_ phase: String, _ runs: Int) -> Void = { _, _ in },
                        progress: (_ record: ValidationRun, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) throws -> Outcome {
        let runs = ResumableRuns<ValidationRun>(log: path, identity: identity, option: "--out")
        let (previous, tail) = try runs.finished()
        if let foreign = others.first(where: { $0.environmentHash != identity.environmentHash || $0.baseCheckpoint != identity.baseCheckpoint }) {
            throw ForeignLogError(path: "--with", run: foreign.id, found: "environment \(foreign.environmentHash), base \(foreign.baseCheckpoint)",
                                  expected: identity, option: "--with")
        }
        if let checkpoints { try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true) }
        var records = previous
        let known = { records + others }
        // A finished run of `agent:FILE` counts only if FILE still holds the policy it was made with.
        var fingerprints: [PolicySpec: String] = [:]
        func fingerprint(of entry: ValidationPlan.Entry) throws -> String? {
            guard entry.spec.isAgent else { return nil }
            if let known = fingerprints[entry.spec] { return known }
            guard let f = (try makePolicy(entry.spec, entry.seed) as? FingerprintedPolicy)?.policyFingerprint else { return nil }
            fingerprints[entry.spec] = f
            return f
        }
        func checkFinished(_ entries: [ValidationPlan.Entry]) throws {
            let byID = Dictionary(known().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            for entry in entries {
                guard let done = byID[entry.id], let now = try fingerprint(of: entry) else { continue }
                if done.spec != entry.spec.description || (done.policyFingerprint.map { $0 != now } ?? false) {
                    throw DataFileError(path: path, problem: "run \(entry.id) was made with \(done.spec) (policy fingerprint \(done.policyFingerprint ?? "not recorded")), not \(entry.spec) as it is now (\(now)); give another --out, or remove that run's line to run it again")
                }
            }
        }
        func run(_ entries: [ValidationPlan.Entry], phase: String) throws {
            let mine = ValidationPlan.shard(entries, index: shard.index, count: shard.count)
            try checkFinished(mine)
            records += try runs.run(mine, id: \.id, finished: known(), workers: runners.count, work: { w, entry in
                let policy = try makePolicy(entry.spec, entry.seed)
                let stamp = (policy as? FingerprintedPolicy)?.policyFingerprint
                let saved = entry.role == .evaluation ? checkpoints.map { "\($0)/\(Self.fileName(entry.id)).ckpt" } : nil
                // The per-round snapshot is named after the policy's content too: a run of an edited
                // policy file does not continue one of its predecessor.
                let snapshot = runs.snapshotPath(for: Self.fileName(entry.id) + (stamp.map { "-\($0)" } ?? ""))
                let result = try runners[w].run(policy: policy, seed: entry.seed, snapshot: snapshot, finalModel: saved)
                var made = record(entry, result)
                made.policyFingerprint = stamp
                return made
            }, starting: { starting(phase, $0) }, progress: progress)
        }
        try run(plan.selection, phase: "selection")
        let share = plan.bestShare(from: known())
        let evaluation = plan.evaluation(bestShare: share)
        try run(evaluation, phase: "evaluation")
        let deferred = share == nil ? plan.evaluationSeeds.count * plan.policies.filter(\.needsSelection).count : 0
        return Outcome(records: known(), resumed: previous.count, tail: tail, bestShare: share, deferred: deferred)
    }

    /// A run id as a file name.
    static func fileName(_ id: String) -> String { id.replacingOccurrences(of: "|", with: "-").replacingOccurrences(of: "/", with: "_") }

    /// The logged record of a finished run.
    func record(_ entry: ValidationPlan.Entry, _ result: CPTResult) -> ValidationRun {
        let runner = runners[0]
        let source = Set(runner.space.indices(in: .source))
        let total = result.rounds.reduce(into: [Int](repeating: 0, count: runner.space.count)) { acc, r in
            for (d, t) in r.tokensPerDomain.enumerated() { acc[d] += t }
        }
        let sourceTokens = total.indices.filter(source.contains).reduce(0) { $0 + total[$1] }
        return ValidationRun(
            id: entry.id, setting: setting, environment: environment.name, environmentHash: environment.hash, baseCheckpoint: runner.baseHash,
            model: model, policy: entry.policy, spec: entry.spec.description, role: entry.role, seed: entry.seed, priorRuns: entry.priorRuns,
            domains: runner.space.domains.map(\.rawValue), feedbackNames: runner.baseFeedback.names, baseFeedback: runner.baseFeedback.values,
            rounds: result.rounds.map(\.withoutTrainingMeasures),
            finalFeedbackNames: result.finalFeedback?.names ?? [], finalFeedback: result.finalFeedback?.values ?? [],
            final: result.finalScore ?? BalancedScore(balanced: .nan, retention: .nan, gain: .nan),
            // A run resumed from a snapshot spent its earlier rounds in another process: count them too.
            sourceTokens: sourceTokens, targetTokens: total.reduce(0, +) - sourceTokens,
            seconds: max(result.seconds, result.rounds.reduce(0) { $0 + ($1.seconds ?? 0) }))
    }
}

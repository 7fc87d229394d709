import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Transformer

/// Which slice of trajectory ids this process collects: shard i of n takes ids ≡ i (mod n).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw TrajectoryError.mismatch(path: "--shard", reason: "shard \(index)/\(count) is out of range (need 0 ≤ i < n)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw TrajectoryError.mismatch(path: "--shard", reason: "'\(text)' is not of the form i/n")
        }
        try self.init(index: i, count: n)
    }

    /// From a Slurm job array (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`) or a Kubernetes
    /// indexed Job (`JOB_COMPLETION_INDEX`, with the count in `DMA_SHARD_COUNT`); nil when neither is set.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        if let id = env["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) {
            let count = env["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) ?? 1
            let minID = env["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            return try Shard(index: id - minID, count: count)
        }
        if let id = env["JOB_COMPLETION_INDEX"].flatMap(Int.init) {
            guard let count = env["DMA_SHARD_COUNT"].flatMap(Int.init) else {
                throw TrajectoryError.mismatch(path: "environment", reason: "JOB_COMPLETION_INDEX is set but DMA_SHARD_COUNT (the Job's completions) is not")
            }
            return try Shard(index: id, count: count)
        }
        return nil
    }

    public func ids(total: Int) -> [Int] { (0..<total).filter { $0 % count == index } }
    public var description: String { "\(index)/\(count)" }
}

/// Collects trajectories: CPT runs from one base under random schedules, appended to a log one
/// complete trajectory per line, resumable (ids already in the log are skipped).
public final class TrajectoryCollector {
    public let env: EnvironmentConfig
    public let base: Checkpoint
    public let collection: CollectionConfig
    public let prior: [Double]
    public let seed: UInt64
    /// Consecutive ids sharing one schedule (different data orders): seed repeats that measure noise.
    public let repeats: Int
    private let runners: [CPTRunner]

    /// `families` overrides the environment's family weights (the environment, and so its hash, is unchanged).
    public init(env: EnvironmentConfig, base: Checkpoint, store: CorpusStore, workers: Int, seed: UInt64 = 0, repeats: Int = 1,
                families: [String: Double]? = nil) throws {
        precondition(repeats >= 1, "repeats must be at least 1")
        self.repeats = repeats
        self.env = env
        self.base = base
        var collection = env.collection ?? .standard
        if let families { collection.families = families }
        self.collection = collection
        try collection.validate(context: "environment '\(env.name)'")
        prior = try store.trainingBytes(env.domainSpace().domains)
        self.seed = seed
        runners = try CPTRunner(env: env, base: base, store: store).withWorkers(workers)
    }

    /// The seeds of trajectory `id`: data order and schedule, both derived from the collection seed.
    /// With `repeats` R, ids kR..<kR+R share the schedule of group k and differ in data order.
    public func seeds(for id: Int) -> (data: UInt64, schedule: UInt64) {
        (RandomSource.mix(seed, UInt64(id) &* 2), RandomSource.mix(seed, UInt64(id / repeats) &* 2 &+ 1))
    }

    /// Runs trajectory `id` on worker `worker`'s runner; with `snapshot`, resumable after each step.
    public func trajectory(_ id: Int, worker: Int = 0, snapshot: String? = nil) throws -> Trajectory {
        let runner = runners[worker]
        let (dataSeed, scheduleSeed) = seeds(for: id)
        let policy = RandomSchedulePolicy(config: collection, prior: prior, rounds: env.cpt.rounds, seed: scheduleSeed)
        let result = try runner.run(policy: policy, seed: dataSeed, snapshot: snapshot)
        let header = Trajectory.Header(
            format: Trajectory.Header.formatName, version: Trajectory.Header.currentVersion, id: id,
            environment: env.name, environmentHash: env.hash, domains: runner.space.domains,
            feedbackNames: runner.baseFeedback.names, model: base.config, baseCheckpoint: runner.baseHash,
            sampler: policy.sampled, dataSeed: dataSeed, scheduleSeed: scheduleSeed, codeVersion: DMAVersion.string)
        return Trajectory(header: header, baseFeedback: runner.baseFeedback.values, baseBalanced: runner.baseScore.balanced,
                          steps: result.rounds)
    }

    /// The identity every trajectory of this collection's log must share.
    public var identity: RunIdentity {
        RunIdentity(environment: env.name, environmentHash: env.hash, baseCheckpoint: runners[0].baseHash)
    }

    /// Collects `ids` not yet in `log`, `runners.count` at a time; calls `progress` after each.
    public func collect(ids: [Int], log path: String, progress: (Trajectory, Int, Int) -> Void) throws -> [Trajectory] {
        let runs = ResumableRuns<Trajectory>(log: path, identity: identity, option: "--out")
        let (done, _) = try runs.finished()
        return try runs.run(ids, id: { "\($0)" }, finished: done, workers: runners.count, work: { w, id in
            // Per-step snapshots next to the log: a killed run resumes mid-trajectory.
            try trajectory(id, worker: w, snapshot: runs.snapshotPath(for: "\(id)"))
        }, progress: progress)
    }
}

extension Trajectory: LoggedRun {
    public var runID: String { "\(header.id)" }
    public var madeWith: (environmentHash: String?, baseCheckpoint: String?) { (header.environmentHash, header.baseCheckpoint) }

    /// Trajectory logs are read with all of `TrajectoryReader`'s checks.
    public static func readLog(_ path: String) throws -> (records: [Trajectory], tail: LogTail) {
        let result = try TrajectoryReader.read(path)
        return (result.trajectories, result.tail)
    }
}

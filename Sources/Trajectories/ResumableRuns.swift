import Base
import Foundation
import Numerics

/// The environment and base model that runs were made with: what a resumable log's records must
/// share (run ids name a plan entry, not the environment, so resuming another environment's log
/// would silently mix its results in), and what a surrogate fitted on such runs serves.
public struct RunIdentity: Codable, Sendable, Equatable, CustomStringConvertible {
    public var environment: String
    public var environmentHash: String
    public var baseCheckpoint: String
    /// The model of imported runs (``Trajectory/Header/declaredModel``); nil for dma's own runs, whose
    /// preset the hashes above pin. Omitted from the JSON when nil, so those files keep their bytes.
    public var model: ModelIdentity? = nil

    public init(environment: String, environmentHash: String, baseCheckpoint: String, model: ModelIdentity? = nil) {
        (self.environment, self.environmentHash, self.baseCheckpoint, self.model) = (environment, environmentHash, baseCheckpoint, model)
    }

    public var description: String { "\(environment)@\(environmentHash) with base \(baseCheckpoint)" + (model.map { ", model \($0.label)" } ?? "") }
}

/// A record of one finished run in a resumable log.
public protocol LoggedRun: Codable {
    /// The plan entry this record finishes; a log holds each id once.
    var runID: String { get }
    /// The environment hash and base checkpoint it was made with (nil in logs from before they were recorded).
    var madeWith: (environmentHash: String?, baseCheckpoint: String?) { get }
    /// Reads a log of such records: the records, and how the file ended.
    static func readLog(_ path: String) throws -> (records: [Self], tail: LogTail)
}

extension LoggedRun {
    public static func readLog(_ path: String) throws -> (records: [Self], tail: LogTail) {
        try AppendLog<Self>(path: path).read()
    }
}

/// A log was written by runs of another environment or base.
public struct ForeignLogError: DataError {
    public var path: String
    public var run: String
    public var found: String
    public var expected: RunIdentity
    public var option: String

    public init(path: String, run: String, found: String, expected: RunIdentity, option: String) {
        (self.path, self.run, self.found, self.expected, self.option) = (path, run, found, expected, option)
    }

    public var description: String {
        "\(path): run \(run) was made with \(found), not \(expected); give another \(option) or delete this log"
    }
}

/// Plans of independent CPT runs that survive `kill -9`: every finished run is appended to one
/// log (a single write + fsync per record), a re-run skips the ids already there, and runs go to
/// parallel workers. `dma env check`, `dma collect` and validation on real runs share it.
public struct ResumableRuns<Record: LoggedRun> {
    public let path: String
    public let identity: RunIdentity
    /// The option that names the log, for error messages (`--log`, `--out`).
    public let option: String
    private let log: AppendLog<Record>

    public init(log path: String, identity: RunIdentity, option: String) {
        self.path = path
        self.identity = identity
        self.option = option
        log = AppendLog(path: path)
    }

    /// The records already in the log, each checked to come from `identity`, and how the log
    /// ended: a line cut short by an interrupted writer is ignored (the next append cuts it); a
    /// complete last record without its newline is kept (the next append adds the newline).
    public func finished() throws -> (records: [Record], tail: LogTail) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], .complete) }
        let (records, tail) = try Record.readLog(path)
        if let stale = records.first(where: { $0.madeWith.environmentHash != identity.environmentHash || $0.madeWith.baseCheckpoint != identity.baseCheckpoint }) {
            let made = stale.madeWith.environmentHash.map { "environment \($0), base \(stale.madeWith.baseCheckpoint ?? "?")" } ?? "an unrecorded environment"
            throw ForeignLogError(path: path, run: stale.runID, found: made, expected: identity, option: option)
        }
        return (records, tail)
    }

    /// A per-run snapshot file beside the log, for runs that resume mid-way after a crash.
    public func snapshotPath(for id: String) -> String { "\(path).partial-\(id).ckpt" }

    /// Runs the entries of `planned` whose ids are not in `finished` on `workers` threads (worker w
    /// gets index w, so it can own a model), appending each record as it finishes and calling
    /// `starting(total)` before the first (when there is work) and `progress(record, done, total)`
    /// after each. Returns the new records in completion order.
    public func run<Item>(_ planned: [Item], id: (Item) -> String, finished: [Record], workers: Int,
                          work: (_ worker: Int, _ item: Item) throws -> Record,
                          starting: (_ total: Int) -> Void = { _ in },
                          progress: (_ record: Record, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) throws -> [Record] {
        let done = Set(finished.map(\.runID))
        let todo = planned.filter { !done.contains(id($0)) }
        guard !todo.isEmpty else { return [] }
        starting(todo.count)
        var collected: [Record] = []
        try Parallel.process(todo, workers: workers, work: work, collect: { record in
            try log.append(record)
            collected.append(record)
            progress(record, collected.count, todo.count)
        })
        return collected
    }
}

import Base
import Corpus
import Foundation
import Trajectories
import Validation

/// A validation results folder read and checked: `runs.jsonl` (one `ValidationRun` per line), its
/// evaluation runs grouped by policy and setting. Selection runs (what a baseline consumed before
/// its evaluation) are kept but not compared.
public struct ValidationResults: Sendable {
    /// The log's file name inside a results folder.
    public static let logName = "runs.jsonl"

    /// The log read (errors and the report name it).
    public var path: String
    /// Every run of the log, selection runs included.
    public var runs: [ValidationRun]
    /// Evaluation runs by (setting, policy), in the order policies first appear in the log.
    public var policies: [PolicyRuns]
    /// The `dma validate` invocations that wrote the log (`invocations.jsonl` beside it; none if absent).
    public var invocations: [ValidationInvocation] = []

    /// Reads `<directory>/runs.jsonl`; errors name the file (missing, malformed line, inconsistent runs);
    /// `notes` gets the log's tail notice (``LogTail/notice(path:)``).
    public static func load(directory: String, notes: (String) -> Void = { _ in }) throws -> ValidationResults {
        let path = (directory as NSString).appendingPathComponent(logName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw DataFileError(path: path, problem: "file not found (a validation results folder holds \(logName))")
        }
        let records = try ValidationLog.read(path, notes: notes)
        var results = try ValidationResults(runs: records, path: path)
        results.invocations = try ValidationInvocation.read((directory as NSString).appendingPathComponent("invocations.jsonl"))
        return results
    }

    /// Groups and checks `runs`; `path` names their file in errors.
    public init(runs: [ValidationRun], path: String) throws {
        self.path = path
        self.runs = runs
        let evaluation = runs.filter { $0.role == .evaluation }
        guard !evaluation.isEmpty else { throw DataFileError(path: path, problem: "no evaluation runs (role \"evaluation\")") }
        // The log reader's own record checks, so runs built in memory are held to the same rules.
        if let (r, problem) = runs.lazy.compactMap({ r in ValidationLog.problems(of: r).map { (r, $0) } }).first {
            throw DataFileError(path: path, problem: "run \(r.id): \(problem)")
        }
        var order: [String] = []
        var groups: [String: [ValidationRun]] = [:]
        for r in evaluation {
            let key = "\(r.setting)\u{1}\(r.policy)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        let settings = Set(evaluation.map(\.setting))
        policies = try order.map { key in
            let group = groups[key]!.sorted { $0.seed < $1.seed }
            let first = group[0]
            if let other = group.first(where: { $0.domains != first.domains }) {
                throw DataFileError(path: path, problem: "runs \(first.id) and \(other.id) of one policy and setting have different domains")
            }
            let label = settings.count > 1 ? "\(first.policy) @ \(first.setting)" : first.policy
            return PolicyRuns(policy: first.policy, setting: first.setting, spec: first.spec, runs: group, label: label)
        }
    }

    /// No validation results yet: the agent and data analyses run, the results tables are written
    /// with their header only.
    public static let none = ValidationResults(path: "", runs: [], policies: [])

    private init(path: String, runs: [ValidationRun], policies: [PolicyRuns]) { (self.path, self.runs, self.policies) = (path, runs, policies) }

    /// Every learned policy's groups: the agent and its earlier versions, in every setting.
    public var agents: [PolicyRuns] { policies.filter(\.isAgent) }

    /// The agent every other policy is compared against, at most one per setting: the runs of
    /// `policyFile` (the `--policy` of `dma analyze`, matched against the spec `agent:FILE` as one
    /// file), else the runs labelled exactly `agent` (the label `dma validate` gives an unlabelled
    /// agent, and the one `ValidationSummary` takes its differences from). Never chosen by label
    /// prefix or log order: with earlier versions in the log (`agent-v1`, …) the first agent in it
    /// is usually not the one analysed.
    public func referenceAgents(policyFile: String?) -> [PolicyRuns] {
        let wanted = policyFile.map(Self.sameFileKey)
        var settings: [String] = []
        for p in policies where !settings.contains(p.setting) { settings.append(p.setting) }
        return settings.compactMap { setting in
            let mine = agents.filter { $0.setting == setting }
            let byFile = mine.filter { p in wanted != nil && p.agentFile.map(Self.sameFileKey) == wanted }
            // One file validated under two labels: the unlabelled run is the agent itself.
            return byFile.first { $0.policy == "agent" } ?? byFile.first ?? mine.first { $0.policy == "agent" }
        }
    }

    /// A path in a form two spellings of one file share (`./a/../b.json` and `b.json` from the same
    /// directory): relative paths resolve against the working directory, as both commands read them.
    static func sameFileKey(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

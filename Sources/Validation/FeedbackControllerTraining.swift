import Agent
import Baselines
import Corpus
import Foundation
import Trajectories

/// Learns the closed-loop agent (``FeedbackController``) from logged runs of several settings:
/// collection trajectories and real validation runs alike, leaving out the settings it will be
/// judged on, so a row of the results can say its agent saw 0 runs of that setting.
public enum FeedbackControllerTraining {
    /// What went into a fit, per setting key: runs used, and runs left out by `excluding`.
    public struct Inputs {
        public var runs: [RunRecord] = []
        public var used: [String: Int] = [:]
        public var excluded: [String: Int] = [:]
        /// Runs of closed-loop agents, left out so a refit does not learn from its own earlier runs.
        public var ownRuns: Int = 0
    }

    /// Reads `trajectoryFiles` (JSONL trajectory logs) and `validationFolders` (each with a
    /// `runs.jsonl`), keeping runs whose setting key is not in `excluding`.
    public static func read(trajectoryFiles: [String], validationFolders: [String], excluding: Set<String>,
                            notes: (String) -> Void = { _ in }) throws -> Inputs {
        var inputs = Inputs()
        func add(_ run: RunRecord, key: String) {
            if excluding.contains(key) { inputs.excluded[key, default: 0] += 1; return }
            inputs.used[key, default: 0] += 1
            inputs.runs.append(run)
        }
        // One file at a time: a merge refuses logs of different settings, which is what this mixes.
        for path in trajectoryFiles {
            for t in try TrajectoryLogs.read(paths: [path], notes: notes).trajectories {
                var run = t.runRecord
                run.id = "\(t.header.environment)/\(t.header.id)"
                add(run, key: FeedbackControllerFile.settingKey(environment: t.header.environment, model: t.header.declaredModel?.name ?? t.header.model?.name ?? "proxy"))
            }
        }
        for folder in validationFolders {
            let log = (folder as NSString).appendingPathComponent("runs.jsonl")
            // One look at each spec's file per folder, not one per run of it.
            var closedLoop: [String: Bool] = [:]
            for v in try ValidationLog.read(log, notes: notes) {
                let own = closedLoop[v.spec] ?? isClosedLoopAgent(spec: v.spec, log: log)
                closedLoop[v.spec] = own
                if own { inputs.ownRuns += 1; continue }
                var run = v.runRecord
                run.id = "\(folder)/\(v.id)"
                add(run, key: FeedbackControllerFile.settingKey(environment: v.environment, model: v.model))
            }
        }
        return inputs
    }

    /// Whether `spec` names a closed-loop agent's file: looked up in the working directory (where
    /// validation ran it), then in each folder above the log, so a checkout read from elsewhere
    /// still finds its own files.
    static func isClosedLoopAgent(spec: String, log: String) -> Bool {
        guard let path = (try? PolicySpec(parsing: spec))?.agentPath else { return false }
        var candidates = [path]
        if !path.hasPrefix("/") {
            var folder = URL(fileURLWithPath: log).standardizedFileURL.deletingLastPathComponent()
            while folder.path != "/" {
                candidates.append(folder.appendingPathComponent(path).path)
                folder.deleteLastPathComponent()
            }
        }
        guard let data = candidates.lazy.compactMap({ FileManager.default.contents(atPath: $0) }).first else { return false }
        return FeedbackControllerFile.isFeedbackController(data)
    }

    /// Fits the controller on `inputs`; the file records the run counts per setting it used.
    public static func fit(_ inputs: Inputs, config: FeedbackControllerConfig = FeedbackControllerConfig()) throws -> FeedbackControllerFile {
        guard !inputs.runs.isEmpty else { throw AgentError.data("no runs left to learn from (every input was excluded or empty)") }
        var file = try FeedbackController.fit(runs: inputs.runs, config: config)
        file.trainedOn = inputs.used
        return file
    }
}

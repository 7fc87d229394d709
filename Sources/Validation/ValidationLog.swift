import Base
import Foundation
import Trajectories

/// Reads validation logs (`runs.jsonl`, JSON Lines of `ValidationRun`), checking every record:
/// consistent shapes, probability-vector mixtures, finite scores, one setting per file, ids once.
public enum ValidationLog {
    /// Largest score or feedback magnitude a run may hold. Real scores are O(1) (bits per byte,
    /// exact match); anything near this is a corrupt file, and its square would overflow the summary.
    public static let maxScoreMagnitude = 1e6

    /// Reads `path`, passing its tail notice (``LogTail/notice(path:)``) to `notes`. A file with no
    /// run is an error (the wrong file, not an empty shard), said in one line without the notice.
    public static func read(_ path: String, notes: (String) -> Void) throws -> [ValidationRun] {
        let (records, tail) = try read(path)
        guard !records.isEmpty else { throw noRuns(path) }
        tail.notice(path: path).map(notes)
        return records
    }

    /// The error for a log without a run, with the reason its only line is none.
    static func noRuns(_ path: String) -> DataFileError {
        let reason = FileManager.default.contents(atPath: path).map { AppendLog<ValidationRun>.whyNoRecord(in: $0) } ?? "unreadable"
        return DataFileError(path: path, problem: reason == "empty" ? "no runs" : "no validation run: \(reason)")
    }

    /// Reads `path` and says how it ended; callers that drop `tail` must report its notice.
    public static func read(_ path: String) throws -> (records: [ValidationRun], tail: LogTail) {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "file not found") }
        let (lines, tail) = AppendLog<ValidationRun>.lines(of: data)
        let decoder = JSONDecoder()
        var records: [ValidationRun] = []
        var seen = Set<String>()
        for line in lines {
            func fail(_ problem: String) -> DataFileError { DataFileError(path: path, line: line.number, problem: problem) }
            let r: ValidationRun
            do { r = try StrictJSON.decode(ValidationRun.self, from: Data(line.text), decoder: decoder) } catch {
                throw fail("not a validation run record: \(JSONErrorText.describe(error))")
            }
            if let problem = problems(of: r) { throw fail("run \(r.id): \(problem)") }
            if let first = records.first, !sameSetting(first, r) {
                throw fail("run \(r.id) belongs to \(r.setting)@\(r.environmentHash) with base \(r.baseCheckpoint), the file's first run to \(first.setting)@\(first.environmentHash) with base \(first.baseCheckpoint)")
            }
            guard seen.insert(r.id).inserted else { throw fail("run \(r.id) appears twice") }
            records.append(r)
        }
        return (records, tail)
    }

    /// What is wrong with one record, or nil (shapes, probability-vector mixtures, finite values).
    public static func problems(of r: ValidationRun) -> String? {
        let D = r.domains.count
        guard D > 0, r.feedbackNames.count == r.baseFeedback.count else { return "needs domains and one base feedback value per name" }
        guard r.id == ValidationRun.id(policy: r.policy, role: r.role, seed: r.seed) else { return "id does not match its policy, role and seed" }
        guard r.role != .collection else { return "role collection belongs to trajectory logs (validation runs are selection or evaluation)" }
        guard !r.rounds.isEmpty else { return "has no rounds" }
        for (k, round) in r.rounds.enumerated() {
            guard round.mixture.count == D, round.tokensPerDomain.count == D else { return "round \(k + 1): needs \(D) weights and token counts" }
            guard round.mixture.allSatisfy({ $0.isFinite && $0 >= 0 }), abs(round.mixture.reduce(0, +) - 1) <= 1e-6 else {
                return "round \(k + 1): mixture is not a probability vector"
            }
            guard round.feedback.count == r.feedbackNames.count, round.feedback.allSatisfy(\.isFinite) else {
                return "round \(k + 1): needs \(r.feedbackNames.count) finite feedback values"
            }
            guard [round.balanced, round.retention, round.gain].allSatisfy(\.isFinite) else { return "round \(k + 1): score is not finite" }
            if let bad = (round.feedback + [round.balanced, round.retention, round.gain]).first(where: { abs($0) > maxScoreMagnitude }) {
                return "round \(k + 1): score or feedback \(bad) is beyond ±\(Int(maxScoreMagnitude))"
            }
        }
        guard r.finalFeedbackNames.count == r.finalFeedback.count, r.finalFeedback.allSatisfy(\.isFinite),
              [r.final.balanced, r.final.retention, r.final.gain].allSatisfy(\.isFinite) else { return "final full-suite score is missing or not finite" }
        if let bad = (r.finalFeedback + [r.final.balanced, r.final.retention, r.final.gain]).first(where: { abs($0) > maxScoreMagnitude }) {
            return "final score or feedback \(bad) is beyond ±\(Int(maxScoreMagnitude))"
        }
        guard r.seconds.isFinite, r.seconds >= 0, r.rounds.allSatisfy({ $0.seconds.map { $0.isFinite && $0 >= 0 } ?? false }) else { return "run time is not a finite non-negative number" }
        guard r.sourceTokens >= 0, r.targetTokens >= 0, r.priorRuns >= 0 else { return "token and run counts must be non-negative" }
        return nil
    }

    /// Whether two runs come from one setting, environment and base (one log holds one such triple).
    static func sameSetting(_ a: ValidationRun, _ b: ValidationRun) -> Bool {
        a.setting == b.setting && a.environmentHash == b.environmentHash && a.baseCheckpoint == b.baseCheckpoint
    }

    /// The runs of shard logs, merged: the same id twice must be the same run. Writes nothing;
    /// ``ValidationFolder`` writes the merged log with its tables.
    public static func merge(_ paths: [String], notes: (String) -> Void) throws -> [ValidationRun] {
        var merged: [ValidationRun] = []
        var byID: [String: (ValidationRun, String)] = [:]
        for p in paths {
            let records = try read(p, notes: notes)
            for r in records {
                if let (known, from) = byID[r.id] {
                    guard known == r else { throw DataFileError(path: p, problem: "run \(r.id) differs from the one in \(from)") }
                    continue
                }
                if let first = merged.first, !sameSetting(first, r) {
                    throw DataFileError(path: p, problem: "run \(r.id) belongs to another setting, environment or base than \(paths[0])")
                }
                byID[r.id] = (r, p)
                merged.append(r)
            }
        }
        return merged
    }
}

extension ValidationRun {
    /// Validation logs are read with all of `ValidationLog`'s checks.
    public static func readLog(_ path: String) throws -> (records: [ValidationRun], tail: LogTail) { try ValidationLog.read(path) }
}

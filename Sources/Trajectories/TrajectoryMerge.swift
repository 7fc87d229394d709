import Base
import Foundation

/// Combines shard logs into one dataset: same environment, model and base checkpoint required,
/// duplicates (the same id in two logs, e.g. after a re-run) kept once, sorted by id.
/// Any command that reads several logs reads them through `merge`, so they are checked the same way.
public enum TrajectoryMerge {
    /// What reading the logs passed over.
    public enum Note {
        /// A line skipped with `skipInvalid`, with its `file:line: reason`.
        case skipped(String)
        /// A log that ends in a partially written line (ignored).
        case tornTail(path: String)
        /// A log whose last record lacks its newline (kept).
        case unterminatedTail(path: String)
    }

    public static func merge(_ paths: [String], skipInvalid: Bool = false,
                             notes: (Note) -> Void = { _ in }) throws -> (trajectories: [Trajectory], duplicates: Int) {
        var byID: [Int: Trajectory] = [:]
        var first: (path: String, header: Trajectory.Header)?
        var duplicates = 0
        for path in paths {
            let r = try TrajectoryReader.read(path, skipInvalid: skipInvalid)
            // A log that yields nothing is the wrong file, not an empty shard. A single line without a
            // newline that is no record reads as a torn tail, so say what is wrong with it instead.
            if r.trajectories.isEmpty, r.skipped.isEmpty {
                guard r.tornTail, let data = FileManager.default.contents(atPath: path) else {
                    throw TrajectoryError.mismatch(path: path, reason: "no trajectory records")
                }
                throw TrajectoryError.invalid(path: path, line: data.filter { $0 == UInt8(ascii: "\n") }.count + 1,
                                              reason: "no valid trajectory record: \(AppendLog<Trajectory>.whyNoRecord(in: data))")
            }
            if r.tornTail { notes(.tornTail(path: path)) }
            if r.tail == .unterminated { notes(.unterminatedTail(path: path)) }
            r.skipped.forEach { notes(.skipped($0)) }
            // The reader already holds every line of a file to its first line's header, so each
            // file's first trajectory stands for the whole file.
            if let t = r.trajectories.first {
                if let f = first {
                    guard t.header.environmentHash == f.header.environmentHash, t.header.environment == f.header.environment else {
                        throw TrajectoryError.mismatch(path: path, reason: "environment \(t.header.environment)@\(t.header.environmentHash) differs from \(f.path)'s \(f.header.environment)@\(f.header.environmentHash); refusing to mix")
                    }
                    guard t.header.modelIdentity == f.header.modelIdentity else {
                        throw TrajectoryError.mismatch(path: path, reason: "model \(t.header.modelIdentity.label) differs from \(f.path)'s \(f.header.modelIdentity.label); refusing to mix")
                    }
                    guard t.header.baseCheckpoint == f.header.baseCheckpoint else {
                        throw TrajectoryError.mismatch(path: path, reason: "base checkpoint \(t.header.baseCheckpoint) differs from \(f.path)'s \(f.header.baseCheckpoint); refusing to mix")
                    }
                    guard t.header.domains == f.header.domains, t.header.feedbackNames == f.header.feedbackNames else {
                        throw TrajectoryError.mismatch(path: path, reason: "domain space or feedback names differ from \(f.path)")
                    }
                } else {
                    first = (path, t.header)
                }
            }
            for t in r.trajectories {
                if byID[t.header.id] != nil { duplicates += 1 } else { byID[t.header.id] = t }
            }
        }
        return (byID.keys.sorted().map { byID[$0]! }, duplicates)
    }
}

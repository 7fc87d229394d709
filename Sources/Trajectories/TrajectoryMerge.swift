import Foundation

/// Combines shard logs into one dataset: same environment and base checkpoint required,
/// duplicates (the same id in two logs, e.g. after a re-run) kept once, sorted by id.
public enum TrajectoryMerge {
    public static func merge(_ paths: [String], skipInvalid: Bool = false) throws -> (trajectories: [Trajectory], duplicates: Int) {
        var byID: [Int: Trajectory] = [:]
        var first: (path: String, header: Trajectory.Header)?
        var duplicates = 0
        for path in paths {
            let r = try TrajectoryReader.read(path, skipInvalid: skipInvalid)
            for t in r.trajectories {
                if let f = first {
                    guard t.header.environmentHash == f.header.environmentHash, t.header.environment == f.header.environment else {
                        throw TrajectoryError.mismatch(path: path, reason: "environment \(t.header.environment)@\(t.header.environmentHash) differs from \(f.path)'s \(f.header.environment)@\(f.header.environmentHash); refusing to mix")
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
                if byID[t.header.id] != nil { duplicates += 1 } else { byID[t.header.id] = t }
            }
        }
        return (byID.keys.sorted().map { byID[$0]! }, duplicates)
    }
}

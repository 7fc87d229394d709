import Base
import Foundation

/// Several trajectory logs read as one dataset, the way every command that trains or fits on
/// logged runs reads its `--data`: checked and de-duplicated by ``TrajectoryMerge``, with how each
/// file ended and what was skipped reported as notes rather than dropped silently.
public enum TrajectoryLogs {
    /// Reads `paths` (in order) as one dataset; `notes` gets one line per torn or unterminated tail
    /// (``LogTail/notice(path:)``) and per line skipped with `skipInvalid` (`skipped <file:line: reason>`).
    /// Throws when the logs hold no trajectory; the error names `paths`.
    public static func read(paths: [String], skipInvalid: Bool = false,
                            notes: (String) -> Void = { _ in }) throws -> (trajectories: [Trajectory], skipped: Int) {
        var skipped = 0
        let (all, _) = try TrajectoryMerge.merge(paths, skipInvalid: skipInvalid) { note in
            switch note {
            case let .tornTail(path): LogTail.torn.notice(path: path).map(notes)
            case let .unterminatedTail(path): LogTail.unterminated.notice(path: path).map(notes)
            case let .skipped(reason): notes("skipped \(reason)"); skipped += 1
            }
        }
        guard !all.isEmpty else { throw DataFileError(path: paths.joined(separator: ","), problem: "no trajectories") }
        return (all, skipped)
    }
}

import Base
import Foundation

/// Flat transitions for other RL tools, D4RL-style: one row per re-weighting step.
///
/// observation = (feedback before the step, previous mixture, progress t/T); action = the step's
/// mixture; reward = change in balanced score; next_observation = (feedback after, this mixture,
/// (t+1)/T); terminal = 1 on a trajectory's last step. The first step's "previous mixture" is
/// all zeros (no mixture trained yet).
public enum TransitionExport {
    public static func header(_ h: Trajectory.Header) -> [String] {
        let obs = h.feedbackNames.map { "obs:\($0)" } + h.domains.map { "obs:mix/\($0.rawValue)" } + ["obs:progress"]
        let next = obs.map { "next_" + $0 }
        return ["trajectory", "step"] + obs + h.domains.map { "action:\($0.rawValue)" } + ["reward"] + next + ["terminal"]
    }

    public static func rows(_ t: Trajectory) -> [[String]] {
        let T = Double(t.steps.count)
        let zeros = [Double](repeating: 0, count: t.header.domains.count)
        var feedback = t.baseFeedback
        var mixture = zeros
        var balanced = t.baseBalanced
        var out: [[String]] = []
        for (k, s) in t.steps.enumerated() {
            let obs = feedback + mixture + [Double(k) / T]
            let next = s.feedback + s.mixture + [Double(k + 1) / T]
            let row = obs + s.mixture + [s.balanced - balanced] + next
            out.append(["\(t.header.id)", "\(k)"] + row.map { "\($0)" } + [k == t.steps.count - 1 ? "1" : "0"])
            feedback = s.feedback
            mixture = s.mixture
            balanced = s.balanced
        }
        return out
    }

    /// All transitions of `trajectories` as one table (the header of the first trajectory's;
    /// `TrajectoryReader` guarantees the others agree).
    public static func table(_ trajectories: [Trajectory]) -> CSVTable? {
        guard let first = trajectories.first else { return nil }
        return CSVTable(header: header(first.header), rows: trajectories.flatMap(rows))
    }

    /// The CSV text of `table(_:)` (RFC 4180; empty without trajectories).
    public static func csv(_ trajectories: [Trajectory]) throws -> String {
        try table(trajectories)?.encoded() ?? ""
    }
}

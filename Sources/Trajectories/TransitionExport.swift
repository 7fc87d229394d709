import Base
import Foundation

/// Flat transitions for other RL tools, D4RL-style: one row per re-weighting step.
///
/// observation = `ObservationLayout`'s flat vector before the step (feedback, previous mixture,
/// progress t/T); action = the step's mixture; reward = change in balanced score;
/// next_observation = the flat vector after it; terminal = 1 on a trajectory's last step.
public enum TransitionExport {
    /// The observation columns come from the trajectory's `ObservationLayout`, prefixed `obs:`.
    public static func header(_ h: Trajectory.Header) -> [String] {
        let obs = layout(h).columns.map { "obs:\($0)" }
        let next = obs.map { "next_" + $0 }
        return ["trajectory", "step"] + obs + h.domains.map { "action:\($0.rawValue)" } + ["reward"] + next + ["terminal"]
    }

    static func layout(_ h: Trajectory.Header) -> ObservationLayout { ObservationLayout(domains: h.domains, feedbackNames: h.feedbackNames) }

    public static func rows(_ t: Trajectory) -> [[String]] {
        let layout = layout(t.header)
        var balanced = t.baseBalanced
        var out: [[String]] = []
        for (k, s) in t.steps.enumerated() {
            let row = layout.vector(t, before: k) + s.mixture + [s.balanced - balanced] + layout.vector(t, before: k + 1)
            out.append(["\(t.header.id)", "\(k)"] + row.map { "\($0)" } + [k == t.steps.count - 1 ? "1" : "0"])
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

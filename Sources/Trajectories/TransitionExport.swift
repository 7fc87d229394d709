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

    /// Writes all transitions of `trajectories` as CSV (atomically).
    public static func csv(_ trajectories: [Trajectory]) -> String {
        guard let first = trajectories.first else { return "" }
        var lines = [header(first.header).map(quote).joined(separator: ",")]
        for t in trajectories { for r in rows(t) { lines.append(r.joined(separator: ",")) } }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
}

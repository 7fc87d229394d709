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

    /// Writes all transitions of `trajectories` as CSV (atomically).
    public static func csv(_ trajectories: [Trajectory]) -> String {
        guard let first = trajectories.first else { return "" }
        var lines = [header(first.header).map(quote).joined(separator: ",")]
        for t in trajectories { for r in rows(t) { lines.append(r.joined(separator: ",")) } }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String { s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s }
}

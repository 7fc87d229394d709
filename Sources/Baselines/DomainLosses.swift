import Corpus
import Evaluation
import Trajectories

/// Each domain's loss as the online baselines read it from feedback: its bits per byte
/// (`bpb/<domain>`: held-out text for source domains, answer bits per byte for math, text for code).
enum DomainLosses {
    static func bitsPerByte(_ feedback: Feedback, space: DomainSpace, policy: String) throws -> [Double] {
        try space.domains.map { d in
            let name = Signal.bitsPerByte(d).name
            guard let v = feedback[name], v.isFinite, v > 0 else {
                throw PolicySpecError(spec: policy, reason: "\(policy) needs a positive '\(name)' signal in every feedback vector")
            }
            return v
        }
    }

    /// Per target domain of `space`, the lowest final bits per byte any logged trajectory reached
    /// (what target-heavy training gets to); source domains get nil.
    static func bestLoggedTargets(_ space: DomainSpace, trajectories: [Trajectory], policy: String) throws -> [Double?] {
        let source = Set(space.indices(in: .source))
        return try space.domains.indices.map { i -> Double? in
            guard !source.contains(i) else { return nil }
            let name = Signal.bitsPerByte(space.domains[i]).name
            let finals = trajectories.compactMap { t -> Double? in
                guard let k = t.header.feedbackNames.firstIndex(of: name), let last = t.steps.last, last.feedback[k].isFinite, last.feedback[k] > 0 else { return nil }
                return last.feedback[k]
            }
            guard let best = finals.min() else {
                throw PolicySpecError(spec: policy, reason: "\(policy) needs logged trajectories (--data) with a final '\(name)' for its reference loss")
            }
            return best
        }
    }
}

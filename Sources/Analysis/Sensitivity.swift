import Corpus
import Evaluation
import Numerics
import Trajectories

/// How a policy's mixture responds to each feature of its state, by finite differences around
/// typical states: every state is changed in one named feature, the policy is asked again, and the
/// change of every domain's weight (and of the source share) is averaged over the states.
///
/// Features come in the groups the question "what does the agent respond to" needs:
/// - `forgetting`: a source domain's bits per byte 1% (of its base value) higher now;
/// - `target_feedback`: a target domain's answer bits per byte 1% higher now (less learnt);
/// - `last_change`: the same 1% rise, but reached in the last step (the previous step's value 1%
///   lower, the level now unchanged), for states two or more steps in;
/// - `progress`: the same state later in the run (t/T raised; reported per +0.1 of t/T);
/// - `score_weight`: a tenth of the field's score weight moved onto the domain (w ← 0.9·w + 0.1·e_d
///   within its field); only the policy's layout changes, the state's logged scores do not.
/// Perturbed states keep their scores consistent with their feedback (recomputed by `score`).
public enum Sensitivity {
    /// One feature's effect on one output.
    public struct Effect: Sendable, Equatable {
        public var group: String
        public var feature: String
        /// The domain the feature is about (empty for progress).
        public var domain: String
        /// What was changed, in words.
        public var change: String
        /// A domain's weight, or `source_share`.
        public var output: String
        public var meanChange: Double
        public var sdChange: Double
        /// Mean of the output before the change (over the same states).
        public var meanBefore: Double
        public var states: Int
    }

    /// The relative size of a feedback probe (1% of the base value).
    public static let feedbackStep = 0.01
    /// Share of the field's score weight moved onto a domain.
    public static let scoreWeightStep = 0.1
    /// Progress effects are scaled to this rise of t/T.
    public static let progressUnit = 0.1

    /// Probes `studied` around `states`; one `Effect` per feature and output.
    public static func run(_ studied: StudiedPolicy, states: [PolicyState]) throws -> [Effect] {
        precondition(!states.isEmpty, "sensitivity needs states")
        let layout = studied.layout
        let policy = try studied.policy()
        let names = layout.feedbackNames
        let source = layout.isSource
        var effects: [Effect] = []

        /// Mixtures before and after over `pairs` of (state, perturbed state), scaled by `scale`.
        func record(group: String, feature: String, domain: String, change: String, before: [[Double]], after: [[Double]], scale: Double = 1) {
            guard !before.isEmpty else { return }
            func add(_ output: String, _ value: ([Double]) -> Double) {
                let b = before.map(value)
                let diffs = zip(after.map(value), b).map { ($0 - $1) * scale }
                let (mean, sd) = Statistics.meanAndSD(diffs)
                effects.append(Effect(group: group, feature: feature, domain: domain, change: change, output: output, meanChange: mean,
                                      sdChange: sd, meanBefore: Statistics.meanAndSD(b).mean, states: diffs.count))
            }
            for (d, name) in layout.domains.enumerated() { add(name.rawValue) { $0[d] } }
            add("source_share") { w in w.indices.filter { source[$0] }.reduce(0) { $0 + w[$1] } }
        }
        let baseline = try policy.nextMixtures(states).map(\.weights)

        /// Asks the policy about the states `change` applies to (it returns nil for the others).
        func probe(_ change: (PolicyState) -> PolicyState?) throws -> (before: [[Double]], after: [[Double]]) {
            var keep: [Int] = [], changed: [PolicyState] = []
            for (k, s) in states.enumerated() { if let c = change(s) { keep.append(k); changed.append(c) } }
            guard !changed.isEmpty else { return ([], []) }
            return (keep.map { baseline[$0] }, try policy.nextMixtures(changed).map(\.weights))
        }

        func raised(_ s: PolicyState, signal i: Int, at step: Int, by sign: Double) -> PolicyState {
            var s = s
            var values = s.feedback[step].values
            values[i] += sign * feedbackStep * s.feedback[0].values[i]
            s.feedback[step] = Feedback(names: names, values: values)
            s.scores[step] = studied.score.components(values, base: s.feedback[0].values)
            return s
        }

        for (d, domain) in layout.domains.enumerated() {
            guard let i = names.firstIndex(of: Signal.bitsPerByte(domain).name) else { continue }
            let group = source[d] ? "forgetting" : "target_feedback"
            let what = source[d] ? "bits per byte" : "answer bits per byte"
            let level = try probe { $0.round >= 1 ? raised($0, signal: i, at: $0.round, by: 1) : nil }
            record(group: group, feature: "bpb:\(domain.rawValue)", domain: domain.rawValue,
                   change: "\(domain.rawValue) \(what) +1% of base now", before: level.before, after: level.after)
            let recent = try probe { $0.round >= 2 ? raised($0, signal: i, at: $0.round - 1, by: -1) : nil }
            record(group: "last_change", feature: "bpb_change:\(domain.rawValue)", domain: domain.rawValue,
                   change: "\(domain.rawValue) \(what) rose 1% of base in the last step (level now unchanged)", before: recent.before, after: recent.after)
        }

        // Progress: the same history in a run one step shorter, so t/T rises by t/(T−1) − t/T; the
        // effect is rescaled to +0.1 of t/T (states with t ≥ 1 and t ≤ T − 2 only).
        var keep: [Int] = [], later: [PolicyState] = [], scales: [Double] = []
        for (k, s) in states.enumerated() where s.round >= 1 && s.round <= s.rounds - 2 {
            var c = s
            c.rounds -= 1
            keep.append(k); later.append(c); scales.append(progressUnit / (c.progress - s.progress))
        }
        if !later.isEmpty {
            let after = try policy.nextMixtures(later).map(\.weights)
            let scaled = zip(zip(after, keep.map { baseline[$0] }), scales).map { pair, f in zip(pair.0, pair.1).map { $1 + ($0 - $1) * f } }
            record(group: "progress", feature: "progress", domain: "", change: "t/T +0.1 (the same state later in the run)",
                   before: keep.map { baseline[$0] }, after: scaled)
        }

        if let weights = layout.scoreWeights {
            for (d, domain) in layout.domains.enumerated() {
                let field = layout.domains.indices.filter { source[$0] == source[d] }
                guard field.count > 1 else { continue }
                var moved = weights
                for e in field { moved[e] = (1 - scoreWeightStep) * weights[e] + (e == d ? scoreWeightStep : 0) }
                let other = try studied.bind(ObservationLayout(domains: layout.domains, feedbackNames: names, scoreWeights: moved, window: layout.window))
                let after = try other.nextMixtures(states).map(\.weights)
                record(group: "score_weight", feature: "score_weight:\(domain.rawValue)", domain: domain.rawValue,
                       change: "a tenth of the \(source[d] ? "source" : "target") score weight moved onto \(domain.rawValue)",
                       before: baseline, after: after)
            }
        }
        return effects
    }

    /// One line per group: how strongly the policy reacts to that kind of feature, as the largest
    /// mean change over the group's features of the probed domain's own weight, and of the source
    /// share (probe sizes as in the type's documentation).
    public struct GroupSummary: Sendable, Equatable {
        public var group: String
        public var features: Int
        public var largestOwnWeightChange: Double
        public var largestOwnWeightFeature: String
        public var largestSourceShareChange: Double
        public var largestSourceShareFeature: String
    }

    /// The group lines of `effects`, in the order groups first appear.
    public static func summary(_ effects: [Effect]) -> [GroupSummary] {
        var groups: [String] = []
        for e in effects where !groups.contains(e.group) { groups.append(e.group) }
        return groups.map { g in
            let members = effects.filter { $0.group == g }
            let own = members.filter { $0.output == $0.domain }.max { abs($0.meanChange) < abs($1.meanChange) }
            let share = members.filter { $0.output == "source_share" }.max { abs($0.meanChange) < abs($1.meanChange) }
            return GroupSummary(group: g, features: Set(members.map(\.feature)).count, largestOwnWeightChange: own?.meanChange ?? .nan,
                                largestOwnWeightFeature: own?.feature ?? "", largestSourceShareChange: share?.meanChange ?? .nan,
                                largestSourceShareFeature: share?.feature ?? "")
        }
    }

    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("group", "what the feature is about: forgetting (source bits per byte now), target_feedback (target answer bits per byte now), last_change (the same rise reached in the last step), progress (t/T), score_weight (the balanced score's weight of a domain)"),
        .init("feature", "the probed feature: bpb:<domain>, bpb_change:<domain>, progress, score_weight:<domain>"),
        .init("domain", "the domain the feature is about (empty for progress)"),
        .init("change", "the change made to each state, in words"),
        .init("output", "the output whose change is reported: a domain's mixture weight, or source_share (total weight on the source field)"),
        .init("mean_change", "mean change of the output over the probed states (mixture weight units, 0–1; for progress per +0.1 of t/T)"),
        .init("sd_change", "sample sd of that change across the states"),
        .init("mean_before", "mean of the output before the change, over the same states"),
        .init("states", "states probed (logged states before every step of the sampled trajectories to which the change applies)"),
    ]

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ effects: [Effect]) -> AnalysisTable {
        AnalysisTable(file: "sensitivity.csv",
                      summary: "The policy's response to each state feature by finite differences around logged states: e.g. the row (bpb:source/jargon, source/jargon) reads \"when source/jargon's bits per byte rise 1% above base, its weight changes by mean_change\".",
                      columns: columns,
                      rows: effects.map {
                          [$0.group, $0.feature, $0.domain, $0.change, $0.output, CSVNumber.text($0.meanChange), CSVNumber.text($0.sdChange),
                           CSVNumber.text($0.meanBefore), "\($0.states)"]
                      })
    }
}

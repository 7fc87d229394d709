import Corpus
import Evaluation

/// The one encoding of a `PolicyState` into numbers, with a name for every column. The CSV export,
/// the simulator, the surrogate's transition set and learned policies all go through it, so "what
/// the state was before the first step" is decided here only: the base model's feedback and no
/// mixture (all zeros).
///
/// Two views of the same state:
/// - the **flat vector** (`columns`): feedback signals, previous mixture, progress t/T — one fixed
///   width per domain space, D4RL-style, for exports and generic RL code;
/// - **domain tokens** (`tokenColumns`, `globalColumns`): one row of features per domain plus a
///   global row, built so that their meaning does not depend on which or how many domains there
///   are. A domain-agnostic policy encodes each token with shared weights.
public struct ObservationLayout: Sendable, Equatable {
    public let domains: [DomainName]
    public let feedbackNames: [String]
    /// Each domain's weight in the balanced score, normalised within its field (source weights from
    /// the environment's `score.sourceWeights`; target domains count equally); nil when the layout
    /// was built without the score (flat vectors only).
    public private(set) var scoreWeights: [Double]?
    /// Steps of history in the domain tokens (lag 0 = the state now, lag 1 = one step earlier, …).
    public let window: Int
    /// Feedback index of each domain's bits per byte and exact match (-1 when not measured).
    let bitsPerByteIndex: [Int]
    let exactMatchIndex: [Int]
    /// Whether each domain is in the source field.
    public let isSource: [Bool]

    /// A layout for `domains` and `feedbackNames`; `score` gives the per-domain score weights the
    /// domain tokens carry (flat vectors do not need it).
    public init(domains: [DomainName], feedbackNames: [String], score: ScoreFormula? = nil, window: Int = 2) {
        precondition(window >= 1, "a window needs at least the current step")
        self.domains = domains
        self.feedbackNames = feedbackNames
        self.window = window
        // Dictionaries, not `firstIndex` per domain: a request may bring thousands of domains.
        let position = Dictionary(feedbackNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let bpb = domains.map { position[Signal.bitsPerByte($0).name] ?? -1 }
        let source = domains.map { $0.field == .source }
        bitsPerByteIndex = bpb
        exactMatchIndex = domains.map { position[Signal.exactMatch($0).name] ?? -1 }
        isSource = source
        scoreWeights = score.map { Self.fieldNormalisedWeights(score: $0, domains: domains, isSource: source, bitsPerByteIndex: bpb) }
    }

    /// A layout whose domains carry the given score weights (one per domain, e.g. from a state sent
    /// by another trainer), normalised within each field.
    public init(domains: [DomainName], feedbackNames: [String], scoreWeights weights: [Double], window: Int = 2) {
        precondition(weights.count == domains.count && weights.allSatisfy { $0 >= 0 && $0.isFinite }, "one non-negative score weight per domain")
        self.init(domains: domains, feedbackNames: feedbackNames, score: nil, window: window)
        scoreWeights = Self.normalisedWithinFields(weights, isSource: isSource)
    }

    private static func normalisedWithinFields(_ weights: [Double], isSource: [Bool]) -> [Double] {
        var out = weights
        for field in [true, false] {
            let members = weights.indices.filter { isSource[$0] == field }
            let total = members.reduce(0) { $0 + weights[$1] }
            for d in members { out[d] = total > 0 ? weights[d] / total : 0 }
        }
        return out
    }

    private static func fieldNormalisedWeights(score: ScoreFormula, domains: [DomainName], isSource: [Bool], bitsPerByteIndex: [Int]) -> [Double] {
        var raw = [Double](repeating: 0, count: domains.count)
        let retention = Dictionary(zip(score.retentionTerms, score.retentionWeights).map { ($0, $1) }, uniquingKeysWith: { first, _ in first })
        let gain = Set(score.gainBPB)
        for d in domains.indices {
            if isSource[d] {
                if let w = retention[bitsPerByteIndex[d]] { raw[d] = w }
            } else if gain.contains(bitsPerByteIndex[d]) {
                raw[d] = 1
            }
        }
        return normalisedWithinFields(raw, isSource: isSource)
    }

    public var domainCount: Int { domains.count }

    /// The same domains, signals and score weights read over another window.
    public func with(window: Int) -> ObservationLayout {
        var other = ObservationLayout(domains: domains, feedbackNames: feedbackNames, score: nil, window: window)
        other.scoreWeights = scoreWeights
        return other
    }

    // MARK: - The state before the first step

    /// The mixture trained before step `step` of `mixtures` (one per trained step): all zeros
    /// before the first step, when none has been trained yet.
    public func previousMixture(_ mixtures: [[Double]], before step: Int) -> [Double] {
        step == 0 ? [Double](repeating: 0, count: domainCount) : mixtures[step - 1]
    }

    /// The feedback before step `step`: the base's before the first, else the one after step − 1.
    public func feedback(base: [Double], after steps: [[Double]], before step: Int) -> [Double] {
        step == 0 ? base : steps[step - 1]
    }

    // MARK: - Flat vector

    /// Names of the flat vector's columns: `<signal>`…, `mix/<domain>`…, `progress`.
    public var columns: [String] { feedbackNames + domains.map { "mix/\($0.rawValue)" } + ["progress"] }

    public var width: Int { feedbackNames.count + domainCount + 1 }

    /// Feedback, then the previous mixture, then progress t/T.
    public func vector(feedback: [Double], previousMixture: [Double], progress: Double) -> [Double] {
        precondition(feedback.count == feedbackNames.count && previousMixture.count == domainCount, "observation does not match its layout")
        return feedback + previousMixture + [progress]
    }

    /// The flat vector of `state`.
    public func vector(_ state: PolicyState) -> [Double] {
        vector(feedback: state.feedback[state.round].values, previousMixture: previousMixture(state.mixtures.map(\.weights), before: state.round),
               progress: state.progress)
    }

    /// The flat observation before step `step` of a logged trajectory (step = T gives the final one).
    public func vector(_ t: Trajectory, before step: Int) -> [Double] {
        vector(feedback: feedback(base: t.baseFeedback, after: t.steps.map(\.feedback), before: step),
               previousMixture: previousMixture(t.steps.map(\.mixture), before: step), progress: Double(step) / Double(t.steps.count))
    }

    // MARK: - Domain tokens

    /// Per-lag features of a domain token (lag l = l steps before now).
    public static let tokenLagFeatures = ["weight_x_domains", "feedback_bpb", "feedback_em"]
    /// Per-lag global features.
    public static let globalLagFeatures = ["retention", "gain", "balanced"]

    /// Names of a domain token's columns, e.g. `is_source`, `score_weight`, `weight_x_domains@0`, …,
    /// `feedback_bpb_change`. Weights are relative to uniform (w·D). Feedback is relative to the base:
    /// source bits per byte as base/now (1 = no forgetting), target answer bits per byte as the
    /// relative gain (base − now)/base, exact match as now − base.
    public var tokenColumns: [String] { Self.tokenColumns(window: window) }

    /// Token column names for `window` steps of history (they depend on nothing else).
    public static func tokenColumns(window: Int) -> [String] {
        ["is_source", "score_weight"] + (0..<window).flatMap { l in tokenLagFeatures.map { "\($0)@\(l)" } }
            + ["feedback_bpb_change", "feedback_em_change"]
    }

    /// Names of the global columns: progress, the source share of the last mixture, retention, gain
    /// and balanced score per lag, and their last changes.
    public var globalColumns: [String] { Self.globalColumns(window: window) }

    /// Global column names for `window` steps of history.
    public static func globalColumns(window: Int) -> [String] {
        ["progress", "source_share"] + (0..<window).flatMap { l in globalLagFeatures.map { "\($0)@\(l)" } }
            + globalLagFeatures.map { "\($0)_change" }
    }

    /// Domain tokens of `state`, row-major (domainCount × tokenColumns.count).
    public func tokens(_ state: PolicyState) -> [Double] {
        guard let scoreWeights else { preconditionFailure("domain tokens need the layout built with the balanced score") }
        let D = Double(domainCount)
        let base = state.feedback[0].values
        let mixtures = state.mixtures.map(\.weights)
        // Lags before the start repeat the start: no history yet means no change.
        func lagged(_ l: Int) -> Int { max(state.round - l, 0) }
        func relative(_ d: Int, _ f: [Double]) -> (bpb: Double, em: Double) {
            let i = bitsPerByteIndex[d], e = exactMatchIndex[d]
            let bpb = i < 0 ? 0 : (isSource[d] ? base[i] / max(f[i], 1e-9) : (base[i] - f[i]) / max(base[i], 1e-9))
            return (bpb, e < 0 ? 0 : f[e] - base[e])
        }
        // Per lag, once: the step it refers to and the mixture trained before it.
        let steps = (0..<window).map(lagged)
        let lagMixtures = steps.map { previousMixture(mixtures, before: $0) }
        let before = lagged(1)
        var out: [Double] = []
        out.reserveCapacity(domainCount * tokenColumns.count)
        for d in 0..<domainCount {
            out.append(isSource[d] ? 1 : 0)
            out.append(scoreWeights[d])
            var now = (bpb: 0.0, em: 0.0)
            for (l, step) in steps.enumerated() {
                out.append(lagMixtures[l][d] * D)
                let r = relative(d, state.feedback[step].values)
                out += [r.bpb, r.em]
                if l == 0 { now = r }
            }
            let earlier = relative(d, state.feedback[before].values)
            out += [now.bpb - earlier.bpb, now.em - earlier.em]
        }
        return out
    }

    /// Global features of `state` (globalColumns.count values).
    public func globals(_ state: PolicyState) -> [Double] {
        func lagged(_ l: Int) -> Int { max(state.round - l, 0) }
        let last = previousMixture(state.mixtures.map(\.weights), before: state.round)
        let sourceShare = domains.indices.filter { isSource[$0] }.reduce(0) { $0 + last[$1] }
        var out = [state.progress, sourceShare]
        for l in 0..<window {
            let s = state.scores[lagged(l)]
            out += [s.retention, s.gain, s.balanced]
        }
        let now = state.scores[state.round], before = state.scores[lagged(1)]
        out += [now.retention - before.retention, now.gain - before.gain, now.balanced - before.balanced]
        return out
    }
}

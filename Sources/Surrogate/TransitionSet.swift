import Corpus
import Trajectories

/// Logged trajectories flattened into one-step transitions: (feedback, previous mixture, step,
/// action) → next feedback, each row tagged with its trajectory so folds split by trajectory.
public struct TransitionSet: Sendable {
    public let domains: [DomainName]
    public let feedbackNames: [String]
    /// Re-weighting steps per trajectory (T).
    public let steps: Int
    /// Base-model feedback: every trajectory's start state.
    public let base: [Double]
    public let trajectories: [Trajectory]
    /// How a state is encoded (the rows' feedback and previous mixture follow its rules).
    public let layout: ObservationLayout

    /// Row-major, one row per transition (`count` rows).
    public private(set) var feedback: [Double] = []
    public private(set) var previous: [Double] = []
    public private(set) var action: [Double] = []
    public private(set) var next: [Double] = []
    public private(set) var step: [Int] = []
    /// Index into `trajectories` of each row.
    public private(set) var owner: [Int] = []

    public var count: Int { step.count }
    public var signalCount: Int { feedbackNames.count }
    public var domainCount: Int { domains.count }

    /// All trajectories must share a domain space, feedback names, base feedback and length T.
    public init(_ trajectories: [Trajectory]) throws {
        guard let first = trajectories.first else { throw SurrogateError.data("no trajectories") }
        domains = first.header.domains
        feedbackNames = first.header.feedbackNames
        steps = first.steps.count
        base = first.baseFeedback
        self.trajectories = trajectories
        layout = ObservationLayout(domains: domains, feedbackNames: feedbackNames)
        for (i, t) in trajectories.enumerated() {
            guard t.header.domains == domains, t.header.feedbackNames == feedbackNames else {
                throw SurrogateError.data("trajectory \(t.header.id) has another domain space or feedback names than trajectory \(first.header.id)")
            }
            guard t.steps.count == steps else {
                throw SurrogateError.data("trajectory \(t.header.id) has \(t.steps.count) steps, trajectory \(first.header.id) has \(steps); the surrogate needs one episode length T")
            }
            let mixtures = t.steps.map(\.mixture), after = t.steps.map(\.feedback)
            for (k, s) in t.steps.enumerated() {
                feedback += layout.feedback(base: t.baseFeedback, after: after, before: k)
                previous += layout.previousMixture(mixtures, before: k)
                action += s.mixture
                next += s.feedback
                step.append(k)
                owner.append(i)
            }
        }
    }

    /// Whether `other` has the same domain space, feedback names and episode length.
    public func hasSameShape(as other: TransitionSet) -> Bool {
        domains == other.domains && feedbackNames == other.feedbackNames && steps == other.steps
    }

    /// Rows belonging to the given trajectory indices, in order.
    public func rows(of trajectoryIndices: [Int]) -> [Int] {
        let perTrajectory = steps
        return trajectoryIndices.flatMap { i in (i * perTrajectory)..<((i + 1) * perTrajectory) }
    }

    /// The change of signal `j` at row `r` on `map`'s modelling scale (what the surrogate fits).
    @inline(__always) public func modelledChange(_ r: Int, _ j: Int, _ map: FeatureMap) -> Double {
        map.delta(from: feedback[r * signalCount + j], to: next[r * signalCount + j], j)
    }

    /// Next − current of signal `j` at row `r`: the change a step causes, in the signal's units.
    @inline(__always) public func change(_ r: Int, _ j: Int) -> Double {
        next[r * signalCount + j] - feedback[r * signalCount + j]
    }
}

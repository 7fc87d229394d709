import Corpus
import Evaluation
import Numerics
import Trajectories

/// What the agent sees after `reset` or `step`.
public struct Observation: Sendable, Equatable {
    /// Feedback vector in `SurrogateModel.feedbackNames` order.
    public var feedback: [Double]
    /// The mixture applied last (before the first step, what `ObservationLayout.previousMixture` says: all zeros).
    public var mixture: [Double]
    /// Steps taken so far, and the episode length T.
    public var step: Int
    public var steps: Int
    /// Balanced score of `feedback` against the episode's start state.
    public var balanced: Double

    public var progress: Double { Double(step) / Double(steps) }

    /// The flat vector for RL code, in `layout`'s columns (the simulator's `layout`).
    public func vector(_ layout: ObservationLayout) -> [Double] { layout.vector(feedback: feedback, previousMixture: mixture, progress: progress) }
}

/// Uncertainty that comes with every simulated step.
public struct StepInfo: Sendable, Equatable {
    /// Spread of the ensemble members' predicted next feedback (epistemic).
    public var ensembleSD: [Double]
    /// Ensemble spread plus the out-of-fold residual noise: the predictive standard deviation.
    public var predictiveSD: [Double]
    /// Spread of the members' rewards.
    public var rewardSD: Double
    /// The action gave some domain less weight, or more, than any logged run did: the prediction extrapolates.
    public var outOfSupport: Bool
}

public struct StepResult: Sendable, Equatable {
    public var observation: Observation
    /// Change of the balanced score this step caused.
    public var reward: Double
    public var done: Bool
    public var info: StepInfo
}

/// A Gym-style simulator of CPT feedback over a fitted surrogate, for one or many environments at
/// once. Episodes start from logged initial states and last T steps; the reward is the change in
/// balanced score.
public final class SurrogateEnvironment {
    public enum Transition: String, Sendable, CaseIterable {
        /// Next feedback = current + the ensemble's mean change (deterministic).
        case mean
        /// One member drawn per episode, plus Gaussian residual noise each step, correlated across
        /// signals as the out-of-fold residuals were: a stochastic world that reflects what the
        /// surrogate does not know.
        case sampled
    }

    public let model: SurrogateModel
    /// How observations are encoded (flat vectors and domain tokens), with the model's score weights.
    public let layout: ObservationLayout
    public let count: Int
    public let transition: Transition
    /// Opt-in: actions with non-negative finite weights and a positive sum are divided by their sum
    /// instead of rejected for not summing to 1.
    public let normalizesActions: Bool

    private let predictor: SurrogatePredictor
    private let F: Int, D: Int, M: Int
    private var feedback: [Double]
    private var previous: [Double]
    private var start: [Double]
    private var stepIndex: [Int]
    private var member: [Int]
    private var changes: [Double]
    private var rng = RandomSource(seed: 0)
    private var isReset = false

    public init(model: SurrogateModel, count: Int = 1, transition: Transition = .mean, normalizesActions: Bool = false) {
        precondition(count >= 1, "a simulator needs at least one environment")
        self.model = model
        layout = ObservationLayout(domains: model.domains, feedbackNames: model.feedbackNames, score: model.score)
        self.count = count
        self.transition = transition
        self.normalizesActions = normalizesActions
        predictor = SurrogatePredictor(model)
        F = model.signalCount
        D = model.domains.count
        M = model.ensembleSize
        feedback = [Double](repeating: 0, count: count * F)
        previous = [Double](repeating: 0, count: count * D)
        start = feedback
        stepIndex = [Int](repeating: 0, count: count)
        member = [Int](repeating: 0, count: count)
        changes = [Double](repeating: 0, count: M * count * F)
    }

    /// Starts new episodes in every environment from logged initial states drawn with `seed`; the
    /// same seed gives the same episodes.
    @discardableResult
    public func reset(seed: UInt64) -> [Observation] {
        rng = RandomSource(seed: seed, stream: .simulatorReset)
        let states = (0..<count).map { _ in model.startStates[rng.int(below: model.startStates.count)] }
        return start(from: states)
    }

    /// Starts environment e's episode from `states[e]` (a feedback vector), e.g. a held-out run's base.
    @discardableResult
    public func reset(from states: [[Double]], seed: UInt64) throws -> [Observation] {
        guard states.count == count, states.allSatisfy({ $0.count == F && $0.allSatisfy(\.isFinite) }) else {
            throw SurrogateError.usage("reset(from:) needs \(count) start states of \(F) finite values")
        }
        rng = RandomSource(seed: seed, stream: .simulatorResetFromStates)
        return start(from: states)
    }

    /// A point inside an episode: the feedback now, the mixture trained last, the steps taken and
    /// the episode's start (base) feedback, against which the balanced score is measured.
    public struct State: Sendable, Equatable {
        public var feedback: [Double]
        public var previousMixture: [Double]
        public var step: Int
        public var start: [Double]
        public init(feedback: [Double], previousMixture: [Double], step: Int, start: [Double]) {
            (self.feedback, self.previousMixture, self.step, self.start) = (feedback, previousMixture, step, start)
        }
    }

    /// Continues environment e's episode from `states[e]`, e.g. a logged run after its k-th step
    /// (short model rollouts from logged states, MOPO-style).
    @discardableResult
    public func reset(continuing states: [State], seed: UInt64) throws -> [Observation] {
        guard states.count == count, states.allSatisfy({ $0.feedback.count == F && $0.start.count == F && $0.previousMixture.count == D
            && (0..<model.steps).contains($0.step) && ($0.feedback + $0.start + $0.previousMixture).allSatisfy(\.isFinite) }) else {
            throw SurrogateError.usage("reset(continuing:) needs \(count) states of \(F) feedback values, \(D) weights and a step in 0..<\(model.steps)")
        }
        rng = RandomSource(seed: seed, stream: .simulatorResetMidEpisode)
        _ = start(from: states.map(\.start))
        for (e, s) in states.enumerated() {
            for j in 0..<F { feedback[e * F + j] = s.feedback[j] }
            for d in 0..<D { previous[e * D + d] = s.previousMixture[d] }
            stepIndex[e] = s.step
        }
        return (0..<count).map(observation)
    }

    private func start(from states: [[Double]]) -> [Observation] {
        let none = layout.previousMixture([], before: 0)
        for e in 0..<count {
            for j in 0..<F { feedback[e * F + j] = states[e][j]; start[e * F + j] = states[e][j] }
            for d in 0..<D { previous[e * D + d] = none[d] }
            stepIndex[e] = 0
            member[e] = rng.int(below: M)
        }
        isReset = true
        return (0..<count).map(observation)
    }

    public func observation(_ e: Int) -> Observation {
        let f = Array(feedback[(e * F)..<((e + 1) * F)])
        return Observation(feedback: f, mixture: Array(previous[(e * D)..<((e + 1) * D)]), step: stepIndex[e], steps: model.steps,
                           balanced: model.score.balanced(f, base: Array(start[(e * F)..<((e + 1) * F)])))
    }

    /// Checks (and, if opted in, normalises) one action with `Mixture`'s rules.
    public func validated(_ action: [Double], environment e: Int = 0) throws -> [Double] {
        let which = count > 1 ? "environment \(e): " : ""
        do {
            let mixture = normalizesActions ? try Mixture.normalized(action) : try Mixture(action, count: D)
            guard mixture.count == D else { throw CorpusError.invalidMixture(reason: "has \(action.count) weights but the domain space has \(D) domains") }
            return mixture.weights
        } catch let CorpusError.invalidMixture(reason) {
            throw SurrogateError.invalidAction("\(which)mixture \(reason)")
        }
    }

    /// One step of a single environment (`count` must be 1).
    public func step(_ action: [Double]) throws -> StepResult {
        guard count == 1 else { throw SurrogateError.usage("step(_:) drives one environment; this simulator has \(count): use step(batch:)") }
        return try step(batch: [action])[0]
    }

    /// One step of every environment; `actions[e]` is environment e's next mixture.
    public func step(batch actions: [[Double]]) throws -> [StepResult] {
        guard actions.count == count else { throw SurrogateError.usage("step(batch:) got \(actions.count) actions for \(count) environments") }
        var flat = [Double]()
        flat.reserveCapacity(count * D)
        for (e, a) in actions.enumerated() { flat += try validated(a, environment: e) }
        var rewards = [Double](repeating: 0, count: count)
        let infos = try flat.withUnsafeBufferPointer { try advance($0.baseAddress!, rewards: &rewards, collectInfo: true) }
        return (0..<count).map { e in
            StepResult(observation: observation(e), reward: rewards[e], done: stepIndex[e] >= model.steps, info: infos[e])
        }
    }

    /// The fast path for RL and benchmarks: `actions` is `count × D`, already valid mixtures;
    /// writes rewards and skips building observations and infos.
    public func stepUnchecked(_ actions: UnsafePointer<Double>, rewards: inout [Double]) throws {
        _ = try advance(actions, rewards: &rewards, collectInfo: false)
    }

    /// Current feedback of all environments (`count × F`, row-major).
    public var feedbackMatrix: [Double] { feedback }

    private func advance(_ actions: UnsafePointer<Double>, rewards: inout [Double], collectInfo: Bool) throws -> [StepInfo] {
        guard isReset else { throw SurrogateError.usage("call reset(seed:) before step") }
        if let e = stepIndex.firstIndex(where: { $0 >= model.steps }) {
            throw SurrogateError.usage("environment \(e) finished its \(model.steps)-step episode; call reset(seed:)")
        }
        var z = [Double](repeating: 0, count: F)
        feedback.withUnsafeBufferPointer { f in
            previous.withUnsafeBufferPointer { p in
                stepIndex.withUnsafeBufferPointer { s in
                    changes.withUnsafeMutableBufferPointer { out in
                        predictor.changes(count: count, feedback: f.baseAddress!, previous: p.baseAddress!, action: actions,
                                          step: s.baseAddress!, into: out.baseAddress!)
                    }
                }
            }
        }
        var next = [Double](repeating: 0, count: F)
        var memberNext = [Double](repeating: 0, count: F)
        var memberRewards = [Double](repeating: 0, count: M)
        var infos: [StepInfo] = []
        let score = model.score
        let map = model.features
        let residual = model.residualVariance
        func clamped(_ x: Double, _ j: Int) -> Double { min(max(x, model.lower[j]), model.upper[j]) }
        func balanced(_ values: [Double], offset: Int, row: Int) -> Double {
            values.withUnsafeBufferPointer { v in start.withUnsafeBufferPointer { score.balanced(v.baseAddress! + offset, base: $0.baseAddress! + row) } }
        }
        for e in 0..<count {
            let row = e * F
            let before = balanced(feedback, offset: row, row: row)
            if transition == .sampled { for j in 0..<F { z[j] = rng.gaussian() } }
            // Infos are built only on the checked path; the fast path allocates nothing per environment.
            var ensembleSD = collectInfo ? [Double](repeating: 0, count: F) : [], predictiveSD = ensembleSD
            for j in 0..<F {
                var mean = 0.0
                for m in 0..<M { mean += changes[(m * count + e) * F + j] }
                mean /= Double(M)
                let current = feedback[row + j]
                switch transition {
                case .mean: next[j] = map.advance(current, by: mean, j)
                case .sampled:
                    var noise = 0.0
                    for k in 0...j { noise += model.noiseFactor[j * F + k] * z[k] }
                    next[j] = map.advance(current, by: changes[(member[e] * count + e) * F + j] + noise, j)
                }
                next[j] = clamped(next[j], j)
                if collectInfo {
                    var v = 0.0
                    for m in 0..<M { let d = changes[(m * count + e) * F + j] - mean; v += d * d }
                    v /= Double(max(M - 1, 1))
                    let unit = map.unitScale(at: map.advance(current, by: mean, j), j)
                    ensembleSD[j] = unit * v.squareRoot()
                    predictiveSD[j] = unit * (v + residual[j]).squareRoot()
                }
            }
            rewards[e] = balanced(next, offset: 0, row: row) - before
            if collectInfo {
                for m in 0..<M {
                    for j in 0..<F { memberNext[j] = clamped(map.advance(feedback[row + j], by: changes[(m * count + e) * F + j], j), j) }
                    memberRewards[m] = balanced(memberNext, offset: 0, row: row) - before
                }
                infos.append(StepInfo(ensembleSD: ensembleSD, predictiveSD: predictiveSD, rewardSD: Statistics.meanAndSD(memberRewards).sd,
                                      outOfSupport: model.isOutOfSupport(UnsafeBufferPointer(start: actions + e * D, count: D))))
            }
            for j in 0..<F { feedback[row + j] = next[j] }
            for d in 0..<D { previous[e * D + d] = actions[e * D + d] }
            stepIndex[e] += 1
        }
        return infos
    }
}

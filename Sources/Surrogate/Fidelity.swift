import Evaluation
import Foundation
import Numerics
import Trajectories

/// How far a surrogate can be trusted, measured on held-out trajectories (k-fold by trajectory:
/// every trajectory is predicted by a surrogate fitted without it).
public struct FidelityReport: Codable, Sendable {
    /// A signal qualifies for the change-R² criterion when its change's standard deviation is at
    /// least this many times its seed-noise standard deviation (noise explains ≤ 25% of the variance).
    public static let signalToNoise = 2.0
    public static let requiredChangeR2 = 0.6
    public static let requiredSpearman = 0.8
    public static let coverageRange = 0.80...0.97

    public struct Signal: Codable, Sendable {
        public var name: String
        public var family: String
        /// Standard deviation of the one-step change over the dataset, and of its seed noise
        /// (from repeats; nil without them).
        public var changeSD: Double
        public var noiseSD: Double?
        /// Best R² the noise allows: 1 − noise variance / change variance, over all steps and over steps 2…T.
        public var ceilingR2: Double?
        public var ceilingR2LaterSteps: Double?
        public var qualifies: Bool
        /// Out-of-fold R² of the predicted change, over all steps and over steps 2…T (without the
        /// large first step away from the base model).
        public var r2Change: Double
        public var r2ChangeLaterSteps: Double
        /// Persistence (no change) scores R² ≤ 0 on changes by construction; on levels it is the bar.
        public var r2ChangePersistence: Double
        public var r2Level: Double
        public var r2LevelPersistence: Double
        /// Share of held-out next values inside the 90% predictive interval.
        public var coverage90: Double
    }

    public struct Rollouts: Codable, Sendable {
        public var trajectories: Int
        /// Open-loop T-step rollouts along each held-out trajectory's logged mixtures.
        public var finalBalancedMAE: Double
        public var spearman: Double
        public var pearson: Double
        /// Spread of the actual final balanced scores, for scale.
        public var actualSD: Double
        /// Share of actual final scores inside the 5–95% band of sampled (stochastic) rollouts.
        public var coverage90: Double
        /// Every held-out trajectory: id, sampler family, predicted and actual final balanced score.
        public var finals: [Final]
    }

    public struct Final: Codable, Sendable {
        public var id: Int
        public var family: String
        public var predicted: Double
        public var actual: Double
    }

    public struct CurvePoint: Codable, Sendable {
        public var trajectories: Int
        public var medianChangeR2: Double
        public var minChangeR2: Double
        public var spearman: Double
        public var finalBalancedMAE: Double
    }

    /// The fitted model itself on a separate log it never saw (e.g. another collection seed).
    public struct External: Codable, Sendable {
        public var trajectories: Int
        public var medianChangeR2: Double
        public var minChangeR2: Double
        public var spearman: Double
        public var finalBalancedMAE: Double
        public var coverage90: Double
    }

    public struct Criterion: Codable, Sendable {
        public var name: String
        public var value: String
        public var target: String
        public var pass: Bool
    }

    public var environment: String
    public var trajectories: Int
    public var folds: Int
    public var repeatsGroups: Int
    public var signals: [Signal]
    /// One-step 90% interval coverage pooled over qualifying signals.
    public var coverage90: Double
    public var rollouts: Rollouts
    public var learningCurve: [CurvePoint]
    public var external: External?
    public var criteria: [Criterion]
    public var seconds: Double
}

/// Computes a `FidelityReport`.
public enum Fidelity {
    /// Per-signal seed-noise variance of the one-step change, and the number of repeat groups:
    /// trajectories sharing a schedule seed differ only in data order, so their changes' spread
    /// at the same step is measurement noise.
    public static func noiseVariance(_ repeats: TransitionSet, steps: ClosedRange<Int>? = nil) -> (variance: [Double], groups: Int) {
        let F = repeats.signalCount
        var groups: [UInt64: [Int]] = [:]
        for (i, t) in repeats.trajectories.enumerated() { groups[t.header.scheduleSeed, default: []].append(i) }
        // In seed order: a dictionary's iteration order changes from run to run, and so would the sums.
        let usable = groups.keys.sorted().map { groups[$0]! }.filter { $0.count >= 2 }
        var ss = [Double](repeating: 0, count: F)
        var dof = 0
        for members in usable {
            for t in 0..<repeats.steps where steps?.contains(t) ?? true {
                let rows = members.map { $0 * repeats.steps + t }
                for j in 0..<F {
                    let xs = rows.map { repeats.change($0, j) }
                    let mean = xs.reduce(0, +) / Double(xs.count)
                    ss[j] += xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                }
                dof += rows.count - 1
            }
        }
        return (ss.map { dof > 0 ? $0 / Double(dof) : .nan }, usable.count)
    }

    struct HeldOut {
        var predicted: [Double] = []    // rows × F, change
        var interval: [Double] = []     // rows × F, predictive sd
        var rows: [Int] = []
        var finalPredicted: [Double] = []
        var finalActual: [Double] = []
        var finalCovered: [Bool] = []
        var finalTrajectory: [Int] = []

        /// Whether row i's actual change of signal j lies in its 90% predictive interval.
        func covers(_ i: Int, _ j: Int, truth: Double, signals F: Int) -> Bool {
            abs(truth - predicted[i * F + j]) <= Self.z90 * interval[i * F + j] + 1e-12
        }

        /// Half-width of a central 90% normal interval, in standard deviations.
        static let z90 = Statistics.normalQuantile(0.95)

        var finalMAE: Double {
            zip(finalPredicted, finalActual).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(max(finalActual.count, 1))
        }

        var finalSpearman: Double { Statistics.spearman(finalPredicted, finalActual) ?? .nan }
    }

    /// Predictions of `model` for the trajectories `held` of `data`.
    static func predict(_ model: SurrogateModel, data: TransitionSet, held: [Int], samples: Int, seed: UInt64, into out: inout HeldOut) throws {
        let F = data.signalCount, D = data.domainCount, M = model.ensembleSize
        let rows = data.rows(of: held)
        let predictor = SurrogatePredictor(model)
        var changes = [Double](repeating: 0, count: M * rows.count * F)
        let f = rows.flatMap { data.feedback[($0 * F)..<(($0 + 1) * F)] }
        let p = rows.flatMap { data.previous[($0 * D)..<(($0 + 1) * D)] }
        let a = rows.flatMap { data.action[($0 * D)..<(($0 + 1) * D)] }
        let s = rows.map { data.step[$0] }
        predictor.changes(count: rows.count, feedback: f, previous: p, action: a, step: s, into: &changes)
        let residual = model.residualVariance
        for (i, r) in rows.enumerated() {
            out.rows.append(r)
            for j in 0..<F {
                let xs = (0..<M).map { changes[($0 * rows.count + i) * F + j] }
                let (mean, sd) = Statistics.meanAndSD(xs)
                // Back to the signal's units: predicted change and predictive sd of the next level.
                let current = data.feedback[r * F + j], next = model.features.advance(current, by: mean, j)
                out.predicted.append(next - current)
                out.interval.append(model.features.unitScale(at: next, j) * (sd * sd + residual[j]).squareRoot())
            }
        }
        // Open-loop rollouts along the logged mixtures: the mean model, and `samples` stochastic worlds each.
        let starts = held.map { data.trajectories[$0].baseFeedback }
        let meanEnv = SurrogateEnvironment(model: model, count: held.count, transition: .mean)
        let sampledEnv = SurrogateEnvironment(model: model, count: held.count * samples, transition: .sampled)
        try meanEnv.reset(from: starts, seed: seed)
        try sampledEnv.reset(from: starts.flatMap { Array(repeating: $0, count: samples) }, seed: seed)
        var rewardsMean = [Double](repeating: 0, count: held.count)
        var rewardsSampled = [Double](repeating: 0, count: held.count * samples)
        var totalMean = [Double](repeating: 0, count: held.count)
        var totalSampled = [Double](repeating: 0, count: held.count * samples)
        for t in 0..<data.steps {
            let actions = held.flatMap { data.trajectories[$0].steps[t].mixture }
            try meanEnv.stepUnchecked(actions, rewards: &rewardsMean)
            let sampledActions = held.flatMap { i in (0..<samples).flatMap { _ in data.trajectories[i].steps[t].mixture } }
            try sampledEnv.stepUnchecked(sampledActions, rewards: &rewardsSampled)
            for e in 0..<held.count { totalMean[e] += rewardsMean[e] }
            for e in 0..<(held.count * samples) { totalSampled[e] += rewardsSampled[e] }
        }
        for (e, i) in held.enumerated() {
            let t = data.trajectories[i]
            let startScore = model.score.balanced(t.baseFeedback, base: t.baseFeedback)
            let actual = t.finalBalanced ?? .nan
            out.finalPredicted.append(startScore + totalMean[e])
            out.finalActual.append(actual)
            out.finalTrajectory.append(i)
            let band = Array(totalSampled[(e * samples)..<((e + 1) * samples)]).map { startScore + $0 }
            out.finalCovered.append(actual >= Statistics.quantile(band, 0.05) && actual <= Statistics.quantile(band, 0.95))
        }
    }

    static func r2(_ truth: [Double], _ predicted: [Double]) -> Double {
        let mean = truth.reduce(0, +) / Double(max(truth.count, 1))
        let sst = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let sse = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return sst > 0 ? 1 - sse / sst : (sse == 0 ? 1 : -.infinity)
    }

    /// Out-of-fold predictions of surrogates fitted on `size` trajectories (all training ones when nil) per fold.
    static func crossValidate(_ data: TransitionSet, identity: SurrogateModel.Identity, score: ScoreFormula, config: SurrogateConfig,
                              folds: [[Int]], size: Int?, samples: Int, progress: (String) -> Void) throws -> HeldOut {
        var out = HeldOut()
        for (k, fold) in folds.enumerated() {
            var train = folds.enumerated().filter { $0.offset != k }.flatMap(\.element)
            if let size, size < train.count {
                RandomSource(seed: config.seed, stream: RandomStream.learningCurve.offset(size)).shuffle(&train)
                train = Array(train.prefix(size)).sorted()
            }
            progress("fold \(k + 1)/\(folds.count) on \(train.count) trajectories")
            let model = try SurrogateFitter.fit(data, identity: identity, score: score, subset: train, config: config)
            try predict(model, data: data, held: fold, samples: samples, seed: config.seed &+ UInt64(k), into: &out)
        }
        return out
    }

    /// The full report: k-fold fidelity on `data`, noise from `repeats`, and a learning curve;
    /// `fitted` (a model fitted on all of `data` with `config`) supplies the family column;
    /// `external` scores a fitted model on a separate log.
    public static func report(_ data: TransitionSet, identity: SurrogateModel.Identity, score: ScoreFormula, config: SurrogateConfig,
                              repeats: TransitionSet?, folds k: Int = 5, curve: [Int] = [25, 50, 100], samples: Int = 32,
                              fitted: SurrogateModel? = nil, external: (model: SurrogateModel, data: TransitionSet)? = nil,
                              progress: (String) -> Void = { _ in }) throws -> FidelityReport {
        let start = Date()
        let F = data.signalCount
        guard data.trajectories.count >= k else { throw SurrogateError.data("fidelity needs at least \(k) trajectories for \(k) folds, got \(data.trajectories.count)") }
        for (log, other) in [("repeats", repeats), ("test", external?.data)] {
            if let other, !other.hasSameShape(as: data) {
                throw SurrogateError.data("the \(log) log has another domain space, feedback or episode length than the data")
            }
        }
        let folds = SurrogateFitter.folds(Array(data.trajectories.indices), count: k, seed: config.seed &+ 0xFEED)
        let main = try crossValidate(data, identity: identity, score: score, config: config, folds: folds, size: nil, samples: samples, progress: progress)
        let noise = repeats.map { noiseVariance($0) }
        let laterNoise = repeats.map { noiseVariance($0, steps: 1...max(1, $0.steps - 1)) }
        // Families per signal as the full-data fit chose them (the caller's model, or a fresh fit).
        let model = try fitted ?? SurrogateFitter.fit(data, identity: identity, score: score, config: config)
        var signals: [FidelityReport.Signal] = []
        var covered = 0, total = 0
        for j in 0..<F {
            let truth = main.rows.map { data.change($0, j) }
            let pred = main.rows.indices.map { main.predicted[$0 * F + j] }
            let later = main.rows.indices.filter { data.step[main.rows[$0]] > 0 }
            let level = main.rows.map { data.next[$0 * F + j] }
            let current = main.rows.map { data.feedback[$0 * F + j] }
            let changeSD = Statistics.meanAndSD(truth).sd
            let noiseVar = noise?.variance[j]
            let ceiling = noiseVar.map { changeSD > 0 ? 1 - $0 / (changeSD * changeSD) : 0 }
            let laterSD = Statistics.meanAndSD(later.map { truth[$0] }).sd
            let laterCeiling = laterNoise.map { laterSD > 0 ? 1 - $0.variance[j] / (laterSD * laterSD) : 0 }
            let qualifies = changeSD > 0 && (noiseVar.map { changeSD >= FidelityReport.signalToNoise * $0.squareRoot() } ?? true)
            let inside = main.rows.indices.filter { main.covers($0, j, truth: truth[$0], signals: F) }.count
            if qualifies { covered += inside; total += main.rows.count }
            signals.append(FidelityReport.Signal(
                name: data.feedbackNames[j], family: model.selections[j].choice.family.rawValue, changeSD: changeSD,
                noiseSD: noiseVar.map { $0.squareRoot() }, ceilingR2: ceiling, ceilingR2LaterSteps: laterCeiling, qualifies: qualifies,
                r2Change: r2(truth, pred), r2ChangeLaterSteps: r2(later.map { truth[$0] }, later.map { pred[$0] }),
                r2ChangePersistence: r2(truth, truth.map { _ in 0 }),
                r2Level: r2(level, zip(current, pred).map { $0 + $1 }), r2LevelPersistence: r2(level, current),
                coverage90: Double(inside) / Double(max(main.rows.count, 1))))
        }
        let rollouts = FidelityReport.Rollouts(
            trajectories: main.finalActual.count,
            finalBalancedMAE: main.finalMAE,
            spearman: main.finalSpearman,
            pearson: Statistics.pearson(main.finalPredicted, main.finalActual) ?? .nan,
            actualSD: Statistics.meanAndSD(main.finalActual).sd,
            coverage90: Double(main.finalCovered.filter { $0 }.count) / Double(main.finalCovered.count),
            finals: main.finalTrajectory.indices.map { k in
                let h = data.trajectories[main.finalTrajectory[k]].header
                return FidelityReport.Final(id: h.id, family: h.sampler.family, predicted: main.finalPredicted[k], actual: main.finalActual[k])
            })
        var points: [FidelityReport.CurvePoint] = []
        let all = data.trajectories.count * (k - 1) / k
        for size in curve where size < all {
            let held = try crossValidate(data, identity: identity, score: score, config: config, folds: folds, size: size, samples: 4, progress: progress)
            points.append(curvePoint(held, data: data, signals: signals, trajectories: size))
        }
        points.append(curvePoint(main, data: data, signals: signals, trajectories: all))
        var externalSummary: FidelityReport.External?
        if let (fitted, test) = external {
            var held = HeldOut()
            try predict(fitted, data: test, held: Array(test.trajectories.indices), samples: samples, seed: config.seed, into: &held)
            let point = curvePoint(held, data: test, signals: signals, trajectories: test.trajectories.count)
            let qualifyingSignals = signals.indices.filter { signals[$0].qualifies }
            var inside = 0
            for (i, r) in held.rows.enumerated() {
                for j in qualifyingSignals where held.covers(i, j, truth: test.change(r, j), signals: F) { inside += 1 }
            }
            externalSummary = FidelityReport.External(
                trajectories: test.trajectories.count, medianChangeR2: point.medianChangeR2, minChangeR2: point.minChangeR2,
                spearman: point.spearman, finalBalancedMAE: point.finalBalancedMAE,
                coverage90: Double(inside) / Double(max(held.rows.count * qualifyingSignals.count, 1)))
        }
        let qualifying = signals.filter(\.qualifies)
        let worst = qualifying.min { $0.r2Change < $1.r2Change }
        let coverage = Double(covered) / Double(max(total, 1))
        let criteria = [
            FidelityReport.Criterion(name: "change R² of every qualifying signal (\(qualifying.count) of \(F))",
                                     value: worst.map { String(format: "min %.3f (%@)", $0.r2Change, $0.name) } ?? "none qualify",
                                     target: "≥ \(FidelityReport.requiredChangeR2)", pass: worst.map { $0.r2Change >= FidelityReport.requiredChangeR2 } ?? false),
            FidelityReport.Criterion(name: "rollout Spearman, final balanced", value: String(format: "%.3f", rollouts.spearman),
                                     target: "≥ \(FidelityReport.requiredSpearman)", pass: rollouts.spearman >= FidelityReport.requiredSpearman),
            FidelityReport.Criterion(name: "90% interval coverage, one step", value: String(format: "%.3f", coverage),
                                     target: "0.80–0.97", pass: FidelityReport.coverageRange.contains(coverage)),
        ]
        return FidelityReport(environment: identity.environment, trajectories: data.trajectories.count, folds: k,
                              repeatsGroups: noise?.groups ?? 0, signals: signals, coverage90: coverage, rollouts: rollouts,
                              learningCurve: points, external: externalSummary, criteria: criteria, seconds: Date().timeIntervalSince(start))
    }

    static func curvePoint(_ held: HeldOut, data: TransitionSet, signals: [FidelityReport.Signal], trajectories: Int) -> FidelityReport.CurvePoint {
        let F = data.signalCount
        let r2s = signals.indices.filter { signals[$0].qualifies }.map { j in
            r2(held.rows.map { data.change($0, j) }, held.rows.indices.map { held.predicted[$0 * F + j] })
        }.sorted()
        return FidelityReport.CurvePoint(
            trajectories: trajectories, medianChangeR2: r2s.isEmpty ? .nan : r2s[r2s.count / 2], minChangeR2: r2s.first ?? .nan,
            spearman: held.finalSpearman, finalBalancedMAE: held.finalMAE)
    }
}

import Evaluation
import Foundation
import Numerics

/// Hyper-parameters of a surrogate fit, in one place.
public struct SurrogateConfig: Codable, Sendable, Equatable {
    /// Cross-validation folds, split by trajectory (never by step: steps of one run are correlated).
    public var folds = 5
    /// Bootstrap ensemble members, each fitted on trajectories resampled with replacement.
    public var ensembleSize = 5
    /// GSL ridge λ path (penalty λ²‖c‖² on standardised features).
    public var lambdas: [Double] = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
    /// RBF widths as multiples of 1/p (p features, standardised): γ = g / p.
    public var gammaScales: [Double] = [0.25, 1, 4]
    public var kernelLambdas: [Double] = [0.01, 0.1, 1, 10]
    /// RBF centres (subset of regressors).
    public var centres = 500
    /// `ridge+rbf` replaces ridge for a signal only when it lowers the cross-validated error by more
    /// than this fraction: the simpler, faster model wins ties.
    public var kernelMargin = 0.02
    /// Threads fitting signals side by side.
    public var workers = 2
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws {
        guard folds >= 2, ensembleSize >= 1, !lambdas.isEmpty, lambdas.allSatisfy({ $0 >= 0 && $0.isFinite }),
              gammaScales.allSatisfy({ $0 > 0 }), kernelLambdas.allSatisfy({ $0 > 0 }), centres >= 1, kernelMargin >= 0, workers >= 1 else {
            throw SurrogateError.data("surrogate config needs folds ≥ 2, ensembleSize ≥ 1, non-negative λs, positive γ scales and kernel λs, centres ≥ 1")
        }
    }
}

/// What cross-validation chose for one signal, and how well it did out of fold.
public struct SignalSelection: Codable, Sendable, Equatable {
    public var choice: RegressorChoice
    /// Out-of-fold mean squared error of the change, for the chosen model and for plain ridge.
    public var cvMSE: Double
    public var ridgeMSE: Double
}

/// Fits surrogates: per-signal model selection by trajectory-split cross-validation, then a
/// bootstrap ensemble with the chosen hyper-parameters.
public enum SurrogateFitter {
    /// Raw feature rows of signal `j` (or, with `j` nil, only the generic block) for `rows` of `data`.
    static func design(_ data: TransitionSet, map: FeatureMap, signal j: Int?, rows: [Int]) -> [Double] {
        let p = j == nil ? map.genericCount : map.featureCount, F = data.signalCount, D = data.domainCount
        var x = [Double](repeating: 0, count: rows.count * p)
        data.feedback.withUnsafeBufferPointer { f in
            data.previous.withUnsafeBufferPointer { pv in
                data.action.withUnsafeBufferPointer { a in
                    x.withUnsafeMutableBufferPointer { out in
                        for (i, r) in rows.enumerated() {
                            let (fr, pr, ar, o) = (f.baseAddress! + r * F, pv.baseAddress! + r * D, a.baseAddress! + r * D, out.baseAddress! + i * p)
                            if let j {
                                map.row(j, feedback: fr, previous: pr, action: ar, step: data.step[r], into: o)
                            } else {
                                map.generic(feedback: fr, previous: pr, action: ar, step: data.step[r], into: o)
                            }
                        }
                    }
                }
            }
        }
        return x
    }

    /// Trajectory indices of `subset` assigned to `folds` folds by a seeded shuffle.
    public static func folds(_ subset: [Int], count: Int, seed: UInt64) -> [[Int]] {
        var order = subset
        RandomSource(seed: seed, stream: .surrogateFolds).shuffle(&order)
        return (0..<count).map { k in order.enumerated().filter { $0.offset % count == k }.map(\.element).sorted() }
    }

    /// One cross-validation fold: its rows, and the RBF basis (fitted on its training rows) at every width.
    struct Fold {
        var train: [Int]
        var validation: [Int]
        /// Per γ: the kernel solver over the training rows and the kernel at the validation rows.
        var kernels: [(ridge: KernelRidge, validation: [Double])]
    }

    static func prepareFolds(_ data: TransitionSet, map: FeatureMap, subset: [Int], config: SurrogateConfig) -> [Fold] {
        let assignment = folds(subset, count: min(config.folds, subset.count), seed: config.seed)
        let g = map.genericCount
        return assignment.indices.compactMap { k in
            let train = data.rows(of: assignment.enumerated().filter { $0.offset != k }.flatMap(\.element))
            let validation = data.rows(of: assignment[k])
            guard !train.isEmpty, !validation.isEmpty else { return nil }
            let gt = design(data, map: map, signal: nil, rows: train), gv = design(data, map: map, signal: nil, rows: validation)
            let basis = KernelBasis(generic: gt, rows: train.count, columns: g, centres: config.centres, gamma: 1, seed: config.seed &+ UInt64(k))
            let kernels = config.gammaScales.map { scale -> (KernelRidge, [Double]) in
                let b = basis.with(gamma: scale / Double(g))
                return (KernelRidge(knm: b.kernel(gt, rows: train.count), rows: train.count, kmm: b.centreKernel), b.kernel(gv, rows: validation.count))
            }
            return Fold(train: train, validation: validation, kernels: kernels)
        }
    }

    /// Cross-validated errors of signal `j`: the ridge λ path, then RBF corrections of the best ridge.
    struct SignalCV {
        var lambda: Double
        var ridgeSSE: Double
        /// [γ][kernel λ] total squared error of ridge + RBF.
        var kernelSSE: [[Double]]
        var count: Int
        /// Out-of-fold residuals (validation rows of the folds in order): of the best ridge, and per [γ][kernel λ].
        var ridgeResidual: [Double]
        var kernelResidual: [[[Double]]]
    }

    static func crossValidate(_ data: TransitionSet, map: FeatureMap, signal j: Int, folds: [Fold], config: SurrogateConfig) throws -> SignalCV {
        let p = map.featureCount
        var ridgeSSE = [Double](repeating: 0, count: config.lambdas.count)
        var total = 0
        var prepared: [(z: [Double], zv: [Double], y: [Double], yv: [Double], mean: Double, ridge: RidgeRegression)] = []
        for fold in folds {
            let (nt, nv) = (fold.train.count, fold.validation.count)
            let x = design(data, map: map, signal: j, rows: fold.train), xv = design(data, map: map, signal: j, rows: fold.validation)
            let s = Standardisation(design: x, rows: nt, columns: p)
            let z = s.apply(x, rows: nt), zv = s.apply(xv, rows: nv)
            let y = fold.train.map { data.modelledChange($0, j, map) }, yv = fold.validation.map { data.modelledChange($0, j, map) }
            let mean = y.reduce(0, +) / Double(nt)
            let ridge = try z.withUnsafeBufferPointer { try RidgeRegression(design: $0.baseAddress!, rows: nt, columns: p) }
            let yc = y.map { $0 - mean }
            for (li, lambda) in config.lambdas.enumerated() {
                let w = try ridge.solve(yc, lambda: lambda)
                for r in 0..<nv {
                    var v = mean
                    for c in 0..<p { v += zv[r * p + c] * w[c] }
                    ridgeSSE[li] += (v - yv[r]) * (v - yv[r])
                }
            }
            total += nv
            prepared.append((z, zv, y, yv, mean, ridge))
        }
        let best = ridgeSSE.indices.min { ridgeSSE[$0] < ridgeSSE[$1] }!
        let lambda = config.lambdas[best]
        var kernelSSE = [[Double]](repeating: [Double](repeating: 0, count: config.kernelLambdas.count), count: config.gammaScales.count)
        var ridgeResidual: [Double] = []
        var kernelResidual = [[[Double]]](repeating: [[Double]](repeating: [], count: config.kernelLambdas.count), count: config.gammaScales.count)
        for (k, fold) in folds.enumerated() {
            let (z, zv, y, yv, mean, ridge) = prepared[k]
            let (nt, nv) = (fold.train.count, fold.validation.count)
            let w = try ridge.solve(y.map { $0 - mean }, lambda: lambda)
            func linear(_ m: [Double], _ r: Int) -> Double { (0..<p).reduce(0.0) { $0 + m[r * p + $1] * w[$1] } }
            let residual = (0..<nt).map { y[$0] - mean - linear(z, $0) }
            let validationResidual = (0..<nv).map { yv[$0] - mean - linear(zv, $0) }
            ridgeResidual += validationResidual
            for (gi, kernel) in fold.kernels.enumerated() {
                let m = kernel.ridge.centreCount
                for (li, kl) in config.kernelLambdas.enumerated() {
                    guard let alpha = try? kernel.ridge.solve(residual, lambda: kl) else {
                        kernelSSE[gi][li] = .infinity
                        kernelResidual[gi][li] += validationResidual
                        continue
                    }
                    for r in 0..<nv {
                        var v = 0.0
                        for c in 0..<m { v += kernel.validation[r * m + c] * alpha[c] }
                        kernelSSE[gi][li] += (v - validationResidual[r]) * (v - validationResidual[r])
                        kernelResidual[gi][li].append(validationResidual[r] - v)
                    }
                }
            }
        }
        return SignalCV(lambda: lambda, ridgeSSE: ridgeSSE[best], kernelSSE: kernelSSE, count: total,
                        ridgeResidual: ridgeResidual, kernelResidual: kernelResidual)
    }

    /// Fits a surrogate on the trajectories `subset` of `data` (all when nil).
    public static func fit(_ data: TransitionSet, identity: SurrogateModel.Identity, score: ScoreFormula,
                           subset: [Int]? = nil, config: SurrogateConfig = SurrogateConfig()) throws -> SurrogateModel {
        try config.validate()
        let start = Date()
        let subset = subset ?? Array(data.trajectories.indices)
        guard subset.count >= 2 else { throw SurrogateError.data("need at least 2 trajectories, got \(subset.count)") }
        let map = FeatureMap(domains: data.domains, feedbackNames: data.feedbackNames, steps: data.steps, base: data.base)
        let F = data.signalCount, p = map.featureCount, g = map.genericCount
        let folds = prepareFolds(data, map: map, subset: subset, config: config)
        guard !folds.isEmpty else { throw SurrogateError.data("too few trajectories (\(subset.count)) for cross-validation") }
        var cv = [SignalCV?](repeating: nil, count: F)
        try Parallel.process(Array(0..<F), workers: config.workers, work: { _, j in
            (j, try crossValidate(data, map: map, signal: j, folds: folds, config: config))
        }, collect: { cv[$0.0] = $0.1 })
        let results = cv.map { $0! }
        if let bad = results.firstIndex(where: { !$0.ridgeSSE.isFinite }) {
            throw SurrogateError.data("signal '\(data.feedbackNames[bad])': cross-validated error is not finite (non-finite feedback or features?)")
        }
        // One RBF width for the shared basis: the one that most lowers the errors, relative to ridge, over all signals.
        let gammaIndex = config.gammaScales.indices.min { a, b in
            func loss(_ gi: Int) -> Double { results.reduce(0) { $0 + ($1.kernelSSE[gi].min() ?? .infinity) / max($1.ridgeSSE, 1e-300) } }
            return loss(a) < loss(b)
        }!
        var residuals: [[Double]] = []
        let selections = results.map { r -> SignalSelection in
            let ridgeMSE = r.ridgeSSE / Double(r.count)
            let row = r.kernelSSE[gammaIndex]
            let li = row.indices.min { row[$0] < row[$1] }!
            let kernelMSE = row[li] / Double(r.count)
            if kernelMSE.isFinite, kernelMSE < (1 - config.kernelMargin) * ridgeMSE {
                residuals.append(r.kernelResidual[gammaIndex][li])
                return SignalSelection(choice: RegressorChoice(family: .ridgeRBF, lambda: r.lambda, kernelLambda: config.kernelLambdas[li]),
                                       cvMSE: kernelMSE, ridgeMSE: ridgeMSE)
            }
            residuals.append(r.ridgeResidual)
            return SignalSelection(choice: RegressorChoice(family: .ridge, lambda: r.lambda), cvMSE: ridgeMSE, ridgeMSE: ridgeMSE)
        }
        let noiseFactor = try ResidualNoise.choleskyFactor(residuals)
        // The final basis: standardised on, and centred at, the whole subset.
        let subsetRows = data.rows(of: subset)
        let usesKernel = selections.contains { $0.choice.family == .ridgeRBF }
        let subsetGeneric = usesKernel ? design(data, map: map, signal: nil, rows: subsetRows) : []
        let basis = usesKernel ? KernelBasis(generic: subsetGeneric, rows: subsetRows.count, columns: g, centres: config.centres,
                                             gamma: config.gammaScales[gammaIndex] / Double(g), seed: config.seed) : nil
        var kernelOfRow: [Int: ArraySlice<Double>] = [:]
        let centreKernel = basis?.centreKernel
        if let basis {
            let all = basis.kernel(subsetGeneric, rows: subsetRows.count)
            for (i, r) in subsetRows.enumerated() { kernelOfRow[r] = all[(i * basis.count)..<((i + 1) * basis.count)] }
        }
        // Bootstrap members: trajectories resampled with replacement, hyper-parameters fixed.
        let samples: [[Int]] = (0..<config.ensembleSize).map { m in
            let rng = RandomSource(seed: config.seed, stream: RandomStream.bootstrapMember.offset(m))
            return (0..<subset.count).map { _ in subset[rng.int(below: subset.count)] }
        }
        var members = [[SignalRegressor?]](repeating: [SignalRegressor?](repeating: nil, count: F), count: config.ensembleSize)
        let jobs = (0..<config.ensembleSize).flatMap { m in (0..<F).map { (m, $0) } }
        try Parallel.process(jobs, workers: config.workers, work: { _, job in
            let (m, j) = job
            let rows = data.rows(of: samples[m])
            let kernel = selections[j].choice.family == .ridgeRBF ? rows.flatMap { kernelOfRow[$0]! } : nil
            let reg = try SignalRegressor.fit(design: design(data, map: map, signal: j, rows: rows), rows: rows.count, columns: p,
                                              y: rows.map { data.modelledChange($0, j, map) }, choice: selections[j].choice,
                                              kernel: kernel, centreKernel: centreKernel)
            return (m, j, reg)
        }, collect: { members[$0.0][$0.1] = $0.2 })
        var lower = [Double](repeating: .infinity, count: F), upper = [Double](repeating: -.infinity, count: F)
        for r in subsetRows {
            for j in 0..<F {
                for v in [data.feedback[r * F + j], data.next[r * F + j]] { lower[j] = min(lower[j], v); upper[j] = max(upper[j], v) }
            }
        }
        for j in 0..<F {
            let span = upper[j] - lower[j]
            lower[j] = max(lower[j] - 0.25 * span, 0)
            upper[j] += 0.25 * span
            if Signal(data.feedbackNames[j]).kind != .bitsPerByte { upper[j] = min(upper[j], 1) }  // accuracies
        }
        let D = data.domainCount
        let weights = (0..<D).map { d in subsetRows.map { data.action[$0 * D + d] } }
        let actionFloor = weights.map { $0.min() ?? 0 }, actionCeiling = weights.map { $0.max() ?? 1 }
        let starts = Array(Set(subset.map { data.trajectories[$0].baseFeedback })).sorted { $0.lexicographicallyPrecedes($1) }
        return SurrogateModel(
            format: SurrogateModel.formatName, version: SurrogateModel.currentVersion, identity: identity,
            domains: data.domains, feedbackNames: data.feedbackNames, steps: data.steps, startStates: starts,
            score: score, features: map, config: config, selections: selections, noiseFactor: noiseFactor, lower: lower, upper: upper, actionFloor: actionFloor, actionCeiling: actionCeiling, kernel: basis,
            members: members.map { $0.map { $0! } }, trajectories: subset.count,
            fitSeconds: Date().timeIntervalSince(start))
    }
}

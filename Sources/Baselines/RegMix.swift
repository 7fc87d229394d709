import Corpus
import Numerics
import Trajectories

/// RegMix-style static baseline (after Liu et al., 2024, "RegMix: Data Mixture as Regression"):
/// regress each logged run's final balanced score on the mixture it trained on, then search the
/// simplex for the mixture the regression predicts best.
///
/// - Rows: one per logged trajectory with at least one step; x is its token-averaged mixture
///   (tokens per domain summed over steps, normalised; the plain mean of the step mixtures when a
///   log has no token counts), y its final balanced score.
/// - Regressor: ridge least squares (GSL, `RidgeSVD`) on the mixture and its squares, 2·D
///   standardised columns plus an unpenalised intercept (the centred mean). The squares let it
///   express an interior optimum; the ridge keeps it well-posed with D = 17 (34 columns) on 48 rows.
///   λ is chosen from a log grid by k-fold cross-validation on the rows (fold = row index mod k,
///   rows in log order: deterministic). RegMix itself fits LightGBM on many small proxy runs; a
///   quadratic ridge is what a few hundred rows support here.
/// - Search: `SimplexSearch` (≥ 10,000 seeded Dirichlet candidates in the floored simplex, then
///   shrinking Dirichlet refinement) for the predicted best mixture.
public struct RegMix: Sendable {
    /// λ grid (GSL's λ: it minimises ‖y − Xc‖² + λ²‖c‖² on standardised columns).
    public var lambdas: [Double] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1, 3, 10, 30]
    public var folds = 5
    public var search = SimplexSearch()

    public init() {}

    /// The fitted regression: predicts a final balanced score from a (token-averaged) mixture.
    public struct Fit: Sendable {
        public var lambda: Double
        /// Mean squared error of the chosen λ over the folds.
        public var cvMSE: Double
        public var rows: Int
        let intercept: Double, means: [Double], scales: [Double], coefficients: [Double]

        public func predict(_ mixture: [Double]) -> Double {
            var y = intercept
            for (j, v) in RegMix.features(mixture).enumerated() where scales[j] > 0 { y += coefficients[j] * (v - means[j]) / scales[j] }
            return y
        }
    }

    /// The chosen static mixture, its predicted final balanced score and the fit behind it.
    public struct Result: Sendable {
        public var mixture: Mixture
        public var predicted: Double
        public var fit: Fit
    }

    /// Columns of one row: the weights, then their squares.
    static func features(_ x: [Double]) -> [Double] { x + x.map { $0 * $0 } }

    /// The row of one trajectory: its token-averaged mixture.
    public static func averageMixture(_ t: Trajectory) -> [Double] {
        let D = t.header.domains.count
        var tokens = [Double](repeating: 0, count: D)
        for s in t.steps where s.tokensPerDomain.count == D { for d in 0..<D { tokens[d] += Double(s.tokensPerDomain[d]) } }
        let total = tokens.reduce(0, +)
        if total > 0 { return tokens.map { $0 / total } }
        var mean = [Double](repeating: 0, count: D)
        for s in t.steps { for d in 0..<D { mean[d] += s.mixture[d] / Double(t.steps.count) } }
        return mean
    }

    /// Fits the regression on `trajectories` (all over one domain space).
    public func fit(_ trajectories: [Trajectory]) throws -> Fit {
        let rows = trajectories.filter { !$0.steps.isEmpty && ($0.finalBalanced ?? .nan).isFinite }
        guard let D = rows.first?.header.domains.count, rows.allSatisfy({ $0.header.domains.count == D }) else {
            throw PolicySpecError(spec: "regmix", reason: "regmix needs logged trajectories with at least one step, all over one domain space")
        }
        let x = rows.map { Self.features(Self.averageMixture($0)) }
        let y = rows.map { $0.finalBalanced! }
        let C = 2 * D
        guard rows.count >= max(folds, 2) * 2 else {
            throw PolicySpecError(spec: "regmix", reason: "regmix needs at least \(max(folds, 2) * 2) logged trajectories to choose its ridge λ by \(folds)-fold cross-validation, got \(rows.count)")
        }
        func solve(_ idx: [Int], lambdas: [Double]) throws -> [(Double, [Double], [Double], [Double])] {
            let n = Double(idx.count)
            var means = [Double](repeating: 0, count: C), scales = means, yMean = 0.0
            for i in idx {
                for j in 0..<C { means[j] += x[i][j] / n }
                yMean += y[i] / n
            }
            for i in idx { for j in 0..<C { let d = x[i][j] - means[j]; scales[j] += d * d / n } }
            scales = scales.map { $0.squareRoot() }
            // Zero-variance columns (a domain at the same weight in every row) carry nothing: left 0.
            var design = [Double](repeating: 0, count: max(idx.count, C) * C)
            for (r, i) in idx.enumerated() { for j in 0..<C where scales[j] > 1e-12 { design[r * C + j] = (x[i][j] - means[j]) / scales[j] } }
            // GSL's SVD path needs rows ≥ columns; zero rows pad a short design without changing the fit.
            let ridge = try RidgeSVD(design: design, rows: max(idx.count, C), columns: C)
            let targets = idx.map { y[$0] - yMean } + [Double](repeating: 0, count: max(0, C - idx.count))
            return try lambdas.map { lambda in
                (yMean, means, scales.map { $0 > 1e-12 ? $0 : 0 }, try ridge.solve(targets, lambda: lambda))
            }
        }
        var error = [Double](repeating: 0, count: lambdas.count)
        for f in 0..<folds {
            let train = rows.indices.filter { $0 % folds != f }, test = rows.indices.filter { $0 % folds == f }
            for (k, (yMean, means, scales, c)) in try solve(train, lambdas: lambdas).enumerated() {
                let model = Fit(lambda: lambdas[k], cvMSE: 0, rows: train.count, intercept: yMean, means: means, scales: scales, coefficients: c)
                for i in test { let e = model.predict(Self.averageMixture(rows[i])) - y[i]; error[k] += e * e }
            }
        }
        let best = error.indices.min { error[$0] < error[$1] }!
        let (yMean, means, scales, c) = try solve(Array(rows.indices), lambdas: [lambdas[best]])[0]
        return Fit(lambda: lambdas[best], cvMSE: error[best] / Double(rows.count), rows: rows.count, intercept: yMean, means: means,
                   scales: scales, coefficients: c)
    }

    /// Fits, then searches the floored simplex for the predicted best static mixture.
    public func run(_ trajectories: [Trajectory], floor: Double, seed: UInt64) throws -> Result {
        let fit = try fit(trajectories)
        let simplex = FlooredSimplex(dimension: fit.means.count / 2, floor: floor)
        let found = try search.maximize(simplex, seed: seed) { $0.map(fit.predict) }
        return Result(mixture: try Mixture(found.weights), predicted: found.score, fit: fit)
    }
}

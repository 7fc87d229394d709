import DMATestSupport
import Environment
import Foundation
import Numerics
@testable import Surrogate
import Testing

@Suite struct RegressionTests {
    /// y = Xβ exactly: a vanishing λ recovers β; a huge λ shrinks it towards 0.
    @Test func ridgeRecoversKnownCoefficients() throws {
        NumericsRuntime.installErrorHandling()
        let rng = RandomSource(seed: 3)
        let n = 200, p = 4, beta = [1.5, -2.0, 0.25, 3.0]
        let x = (0..<(n * p)).map { _ in rng.gaussian() }
        let y = (0..<n).map { r in (0..<p).reduce(0.0) { $0 + x[r * p + $1] * beta[$1] } }
        let ridge = try x.withUnsafeBufferPointer { try RidgeRegression(design: $0.baseAddress!, rows: n, columns: p) }
        let exact = try ridge.solve(y, lambda: 1e-8)
        for (b, e) in zip(beta, exact) { #expect(abs(b - e) < 1e-6) }
        let shrunk = try ridge.solve(y, lambda: 1e4)
        let shrunkSize: Double = shrunk.map { abs($0) }.reduce(0, +)
        let trueSize: Double = beta.map { abs($0) }.reduce(0, +)
        #expect(shrunkSize < 0.01 * trueSize)
    }

    /// The subset-of-regressors RBF fit learns sin(3x) on [−2, 2], which no line can.
    @Test func kernelRidgeFitsANonlinearFunction() throws {
        NumericsRuntime.installErrorHandling()
        let n = 300
        let xs = (0..<n).map { -2 + 4 * Double($0) / Double(n - 1) }
        let ys = xs.map { sin(3 * $0) }
        let basis = KernelBasis(generic: xs, rows: n, columns: 1, centres: 40, gamma: 4, seed: 1)
        let kernel = basis.kernel(xs, rows: n)
        let alpha = try KernelRidge(knm: kernel, rows: n, kmm: basis.centreKernel).solve(ys, lambda: 1e-6)
        let test = (0..<50).map { -1.9 + 3.8 * Double($0) / 49 }
        let kt = basis.kernel(test, rows: test.count)
        let rmse = (zip(test.indices, test).map { i, x in
            let f = (0..<basis.count).reduce(0.0) { $0 + kt[i * basis.count + $1] * alpha[$1] }
            return (f - sin(3 * x)) * (f - sin(3 * x))
        }.reduce(0, +) / Double(test.count)).squareRoot()
        #expect(rmse < 0.02)
    }

    @Test func spearmanAndQuantileThroughGSL() {
        #expect(abs(Statistics.spearman([1, 2, 3, 4, 5], [10, 20, 25, 40, 100])! - 1) < 1e-12)
        #expect(abs(Statistics.spearman([1, 2, 3, 4], [4, 3, 2, 1])! + 1) < 1e-12)
        #expect(abs(Statistics.quantile([3, 1, 2, 5, 4], 0.5) - 3) < 1e-12)
    }

    /// The compiled score reproduces `BalancedScore` exactly.
    @Test func scoreFormulaMatchesBalancedScore() throws {
        let env = try Synthetic.environment()
        let formula = try ScoreFormula(env: env, feedbackNames: Synthetic.names)
        let rng = RandomSource(seed: 5)
        for _ in 0..<20 {
            let now = Synthetic.base.map { $0 * (0.7 + 0.6 * rng.uniform()) + 0.1 * rng.uniform() }
            let expected = try BalancedScoreReference.compute(now, env: env)
            let got = formula.components(now, base: Synthetic.base)
            let gaps: [Double] = [got.balanced - expected.balanced, got.retention - expected.retention, got.gain - expected.gain].map(abs)
            #expect(gaps.max()! < 1e-12)
        }
    }
}

import Evaluation
enum BalancedScoreReference {
    static func compute(_ now: [Double], env: EnvironmentConfig) throws -> BalancedScore {
        try BalancedScore.compute(Feedback(names: Synthetic.names, values: now), base: Feedback(names: Synthetic.names, values: Synthetic.base), env: env)
    }
}

@Suite struct ResidualNoiseTests {
    /// L·Lᵀ gives back the residual covariance, including the correlation between signals.
    @Test func choleskyFactorReproducesTheCovariance() throws {
        NumericsRuntime.installErrorHandling()
        let rng = RandomSource(seed: 11)
        let n = 500
        let shared = (0..<n).map { _ in rng.gaussian() }
        let residuals = [shared.map { 0.5 * $0 }, shared.map { 0.3 * $0 + 0.1 * rng.gaussian() }, [Double](repeating: 0, count: n)]
        let l = try ResidualNoise.choleskyFactor(residuals)
        for i in 0..<3 {
            for j in 0..<3 {
                let fromFactor = (0..<3).reduce(0.0) { $0 + l[i * 3 + $1] * l[j * 3 + $1] }
                let direct = zip(residuals[i], residuals[j]).reduce(0.0) { $0 + $1.0 * $1.1 } / Double(n)
                #expect(abs(fromFactor - direct) < 1e-8)
            }
        }
    }
}

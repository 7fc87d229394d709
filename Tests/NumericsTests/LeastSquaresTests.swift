import Numerics
import Testing

@Suite struct LeastSquaresTests {
    /// y = 1 + 2x exactly on x = 0…4 except one point raised by 1: known OLS answer and covariance.
    @Test func matchesTheClosedForm() throws {
        let xs = [0.0, 1, 2, 3, 4]
        var y = xs.map { 1 + 2 * $0 }
        y[4] += 1
        let fit = try LeastSquares(design: xs.flatMap { [1, $0] }, rows: 5, columns: 2, y: y, context: "test")
        // Slope = Sxy/Sxx with Sxx = 10: the +1 at x = 4 adds (4 − 2)/10 = 0.2 to it; the intercept
        // is ȳ − slope·x̄ = 5.2 − 2.2·2 = 0.8.
        #expect(abs(fit.coefficients[1] - 2.2) < 1e-12)
        #expect(abs(fit.coefficients[0] - 0.8) < 1e-12)
        let rss = zip(xs, y).reduce(0.0) { s, p in let r = p.1 - (0.8 + 2.2 * p.0); return s + r * r }
        #expect(abs(fit.residualSumOfSquares - rss) < 1e-12)
        // Var(slope) = σ̂² / Sxx with σ̂² = RSS / (n − 2).
        #expect(abs(fit.standardErrors[1] - (rss / 3 / 10).squareRoot()) < 1e-12)
        #expect(fit.degreesOfFreedom == 3)
        #expect((fit.rSquared(y) ?? 0) > 0.98)
    }
}

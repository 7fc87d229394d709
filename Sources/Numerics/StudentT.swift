import CNumerics

/// Student's t distribution through GSL: the quantiles behind confidence intervals of means and
/// regression coefficients.
public enum StudentT {
    /// t with P(T ≤ t) = p for `degreesOfFreedom` ν (GSL's `gsl_cdf_tdist_Pinv`).
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(p > 0 && p < 1 && nu > 0, "a t quantile needs 0 < p < 1 and ν > 0")
        return gsl_cdf_tdist_Pinv(p, nu)
    }

    /// Half-width of the two-sided `level` (e.g. 0.95) interval of a mean: t_{(1+level)/2, n−1} · sd/√n;
    /// nil for fewer than two values.
    public static func meanHalfWidth(_ x: [Double], level: Double = 0.95) -> Double? {
        guard x.count >= 2 else { return nil }
        let (_, sd) = Statistics.meanAndSD(x)
        return quantile((1 + level) / 2, degreesOfFreedom: Double(x.count - 1)) * sd / Double(x.count).squareRoot()
    }
}

import CNumerics

/// Summary statistics through GSL.
public enum Statistics {
    /// Pearson correlation (`gsl_stats_correlation`); nil for fewer than 2 points or zero variance.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "pearson needs paired samples")
        guard x.count > 1 else { return nil }
        let r = gsl_stats_correlation(x, 1, y, 1, x.count)
        return r.isFinite ? r : nil
    }

    /// Mean and sample standard deviation (`gsl_stats_mean`, `gsl_stats_sd`).
    public static func meanAndSD(_ x: [Double]) -> (mean: Double, sd: Double) {
        guard !x.isEmpty else { return (.nan, .nan) }
        let m = gsl_stats_mean(x, 1, x.count)
        return (m, x.count > 1 ? gsl_stats_sd_m(x, 1, x.count, m) : 0)
    }

    /// Spearman rank correlation (`gsl_stats_spearman`); nil for fewer than 2 points or ties everywhere.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        precondition(x.count == y.count, "spearman needs paired samples")
        guard x.count > 1 else { return nil }
        var work = [Double](repeating: 0, count: 2 * x.count)
        let r = gsl_stats_spearman(x, 1, y, 1, x.count, &work)
        return r.isFinite ? r : nil
    }

    /// The q-quantile (0…1) of `x` by GSL's linear interpolation of the sorted sample.
    public static func quantile(_ x: [Double], _ q: Double) -> Double {
        precondition(!x.isEmpty, "quantile of an empty sample")
        let sorted = x.sorted()
        return gsl_stats_quantile_from_sorted_data(sorted, 1, sorted.count, q)
    }

    /// The standard normal's quantile: z with P(Z ≤ z) = p (GSL's `gsl_cdf_ugaussian_Pinv`).
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a normal quantile needs 0 < p < 1")
        return gsl_cdf_ugaussian_Pinv(p)
    }

    /// Student's t quantile: t with P(T ≤ t) = p for `dof` degrees of freedom (`gsl_cdf_tdist_Pinv`).
    public static func studentTQuantile(_ p: Double, dof: Double) -> Double {
        precondition(p > 0 && p < 1 && dof > 0, "a t quantile needs 0 < p < 1 and dof > 0")
        return gsl_cdf_tdist_Pinv(p, dof)
    }

    /// The mean of paired differences `a[i] − b[i]` with its two-sided `level` t-interval
    /// (nil half-width for fewer than 2 pairs).
    public static func pairedDifference(_ a: [Double], _ b: [Double], level: Double = 0.95) -> (mean: Double, sd: Double, halfWidth: Double?) {
        precondition(a.count == b.count && !a.isEmpty, "paired differences need equally many, at least one, pairs")
        let d = zip(a, b).map { $0 - $1 }
        let (mean, sd) = meanAndSD(d)
        guard d.count > 1 else { return (mean, sd, nil) }
        return (mean, sd, studentTQuantile(0.5 + level / 2, dof: Double(d.count - 1)) * sd / Double(d.count).squareRoot())
    }
}

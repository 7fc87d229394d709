import CNumerics
import Numerics

/// The covariance of out-of-fold residuals across signals, factorised for sampling.
enum ResidualNoise {
    /// Cholesky factor (row-major, lower triangle) of the covariance of `residuals[j][row]`.
    /// Constant signals make Σ singular; a small diagonal jitter keeps it positive definite.
    static func choleskyFactor(_ residuals: [[Double]]) throws -> [Double] {
        let F = residuals.count, n = residuals.first?.count ?? 0
        guard n > 1, residuals.allSatisfy({ $0.count == n }) else { throw SurrogateError.data("residuals of unequal length") }
        let a = gsl_matrix_alloc(F, F)!
        defer { gsl_matrix_free(a) }
        var maxDiagonal = 0.0
        for i in 0..<F {
            for j in 0...i {
                var c = 0.0
                for r in 0..<n { c += residuals[i][r] * residuals[j][r] }
                c /= Double(n)
                gsl_matrix_set(a, i, j, c)
                gsl_matrix_set(a, j, i, c)
                if i == j { maxDiagonal = max(maxDiagonal, c) }
            }
        }
        for i in 0..<F { gsl_matrix_set(a, i, i, gsl_matrix_get(a, i, i) + 1e-10 * maxDiagonal + 1e-300) }
        try NumericsRuntime.check(gsl_linalg_cholesky_decomp1(a), "Cholesky of the residual covariance")
        var l = [Double](repeating: 0, count: F * F)
        for i in 0..<F { for j in 0...i { l[i * F + j] = gsl_matrix_get(a, i, j) } }
        return l
    }
}

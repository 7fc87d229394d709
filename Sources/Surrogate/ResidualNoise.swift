import Numerics

/// The covariance of out-of-fold residuals across signals, factorised for sampling.
enum ResidualNoise {
    /// Cholesky factor (row-major, lower triangle) of the covariance of `residuals[j][row]`.
    /// Constant signals make Σ singular; a small diagonal jitter keeps it positive definite.
    static func choleskyFactor(_ residuals: [[Double]]) throws -> [Double] {
        let F = residuals.count, n = residuals.first?.count ?? 0
        guard n > 1, residuals.allSatisfy({ $0.count == n }) else { throw SurrogateError.data("residuals of unequal length") }
        var a = [Double](repeating: 0, count: F * F)
        var maxDiagonal = 0.0
        for i in 0..<F {
            for j in 0...i {
                var c = 0.0
                for r in 0..<n { c += residuals[i][r] * residuals[j][r] }
                c /= Double(n)
                a[i * F + j] = c
                a[j * F + i] = c
                if i == j { maxDiagonal = max(maxDiagonal, c) }
            }
        }
        for i in 0..<F { a[i * F + i] += 1e-10 * maxDiagonal + 1e-300 }
        try Cholesky.factorize(&a, n: F, context: "Cholesky of the residual covariance")
        var l = [Double](repeating: 0, count: F * F)
        for i in 0..<F { for j in 0...i { l[i * F + j] = a[i * F + j] } }
        return l
    }
}

import CNumerics

/// Cholesky factorisation and solves through GSL (`gsl_linalg_cholesky_*`), on row-major arrays.
public enum Cholesky {
    /// Factorises the symmetric positive-definite n×n matrix `a` (row-major) in place, as GSL does:
    /// afterwards the lower triangle (diagonal included) holds L with A = L·Lᵀ and the upper one Lᵀ.
    /// Throws a `GSLError` (with `context`) when `a` is not positive definite.
    public static func factorize(_ a: inout [Double], n: Int, context: @autoclosure () -> String) throws {
        precondition(a.count == n * n, "Cholesky: \(a.count) entries for a \(n)×\(n) matrix")
        NumericsRuntime.installErrorHandling()
        let status = a.withUnsafeMutableBufferPointer { p in
            var view = gsl_matrix_view_array(p.baseAddress!, n, n)
            return gsl_linalg_cholesky_decomp1(&view.matrix)
        }
        try NumericsRuntime.check(status, context())
    }

    /// Solves A x = b for the n×n matrix `factor` that `factorize` produced.
    public static func solve(factor: [Double], n: Int, _ b: [Double], context: @autoclosure () -> String) throws -> [Double] {
        precondition(factor.count == n * n && b.count == n, "Cholesky.solve: shapes disagree")
        var factor = factor, b = b
        var x = [Double](repeating: 0, count: n)
        let status = factor.withUnsafeMutableBufferPointer { f in
            b.withUnsafeMutableBufferPointer { bp in
                x.withUnsafeMutableBufferPointer { xp in
                    var fm = gsl_matrix_view_array(f.baseAddress!, n, n)
                    var bv = gsl_vector_view_array(bp.baseAddress!, n)
                    var xv = gsl_vector_view_array(xp.baseAddress!, n)
                    return gsl_linalg_cholesky_solve(&fm.matrix, &bv.vector, &xv.vector)
                }
            }
        }
        try NumericsRuntime.check(status, context())
        return x
    }
}

/// Tikhonov (ridge) least squares through GSL: one SVD of the design (`gsl_multifit_linear_svd`),
/// then `gsl_multifit_linear_solve` per λ at the cost of a back-substitution. GSL minimises
/// ‖y − Xc‖² + λ²‖c‖².
public final class RidgeSVD {
    public let rows: Int
    public let columns: Int
    private let x: UnsafeMutablePointer<gsl_matrix>
    private let work: UnsafeMutablePointer<gsl_multifit_linear_workspace>

    /// Decomposes the row-major `rows × columns` design (rows ≥ columns).
    public init(design: UnsafePointer<Double>, rows: Int, columns: Int) throws {
        precondition(rows >= columns && columns > 0, "RidgeSVD needs rows ≥ columns > 0")
        NumericsRuntime.installErrorHandling()
        self.rows = rows
        self.columns = columns
        x = gsl_matrix_alloc(rows, columns)
        work = gsl_multifit_linear_alloc(rows, columns)
        for i in 0..<rows { for j in 0..<columns { gsl_matrix_set(x, i, j, design[i * columns + j]) } }
        try NumericsRuntime.check(gsl_multifit_linear_svd(x, work), "ridge SVD of a \(rows)×\(columns) design")
    }

    deinit {
        gsl_multifit_linear_free(work)
        gsl_matrix_free(x)
    }

    /// Coefficients for targets `y` (length `rows`) at regularisation `lambda`.
    public func solve(_ y: [Double], lambda: Double) throws -> [Double] {
        precondition(y.count == rows, "ridge targets must match the design rows")
        let yv = gsl_vector_alloc(rows)!, c = gsl_vector_alloc(columns)!
        defer { gsl_vector_free(yv); gsl_vector_free(c) }
        for i in 0..<rows { gsl_vector_set(yv, i, y[i]) }
        var rnorm = 0.0, snorm = 0.0
        try NumericsRuntime.check(gsl_multifit_linear_solve(lambda, x, yv, c, &rnorm, &snorm, work), "ridge solve at λ=\(lambda)")
        return (0..<columns).map { gsl_vector_get(c, $0) }
    }
}

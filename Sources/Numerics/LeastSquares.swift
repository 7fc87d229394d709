import CNumerics

/// Ordinary least squares through GSL (`gsl_multifit_linear`): coefficients with their covariance,
/// so callers get standard errors and confidence intervals (with `Statistics.studentTQuantile`),
/// and the residual sum of squares.
public struct LeastSquares: Sendable {
    /// One coefficient per design column.
    public let coefficients: [Double]
    /// Row-major p×p covariance of the coefficients: σ̂²·(XᵀX)⁻¹ with σ̂² = RSS / (n − p).
    public let covariance: [Double]
    /// Residual sum of squares.
    public let residualSumOfSquares: Double
    /// Rows n and columns p of the design.
    public let rows: Int
    public let columns: Int

    /// Fits `y` on the row-major `rows × columns` design `x` (rows > columns). GSL solves through an
    /// SVD, so collinear columns give a least-norm fit rather than a failure; `context` names the
    /// fit in errors.
    public init(design x: [Double], rows: Int, columns: Int, y: [Double], context: @autoclosure () -> String) throws {
        precondition(rows > columns && columns > 0 && x.count == rows * columns && y.count == rows,
                     "least squares needs a rows × columns design with rows > columns > 0 and one target per row")
        NumericsRuntime.installErrorHandling()
        let X = gsl_matrix_alloc(rows, columns)!, Y = gsl_vector_alloc(rows)!
        let c = gsl_vector_alloc(columns)!, cov = gsl_matrix_alloc(columns, columns)!
        let work = gsl_multifit_linear_alloc(rows, columns)!
        defer { gsl_matrix_free(X); gsl_vector_free(Y); gsl_vector_free(c); gsl_matrix_free(cov); gsl_multifit_linear_free(work) }
        for i in 0..<rows {
            gsl_vector_set(Y, i, y[i])
            for j in 0..<columns { gsl_matrix_set(X, i, j, x[i * columns + j]) }
        }
        var chisq = 0.0
        try NumericsRuntime.check(gsl_multifit_linear(X, Y, c, cov, &chisq, work), context())
        coefficients = (0..<columns).map { gsl_vector_get(c, $0) }
        // GSL's `cov` is (XᵀX)⁻¹ scaled by the residual variance χ²/(n − p) already.
        covariance = (0..<columns * columns).map { gsl_matrix_get(cov, $0 / columns, $0 % columns) }
        residualSumOfSquares = chisq
        (self.rows, self.columns) = (rows, columns)
    }

    /// Residual degrees of freedom n − p.
    public var degreesOfFreedom: Int { rows - columns }

    /// Standard error of each coefficient (square root of the covariance's diagonal).
    public var standardErrors: [Double] { (0..<columns).map { max(covariance[$0 * columns + $0], 0).squareRoot() } }

    /// The fitted value of one design row.
    public func predict(_ row: [Double]) -> Double {
        precondition(row.count == columns, "a prediction needs one value per design column")
        return zip(row, coefficients).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// R² against the targets' total sum of squares about their mean (1 − RSS/TSS); nil when the
    /// targets are constant.
    public func rSquared(_ y: [Double]) -> Double? {
        let mean = y.reduce(0, +) / Double(y.count)
        let tss = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return tss > 0 ? 1 - residualSumOfSquares / tss : nil
    }
}

import CNumerics
import Foundation
import Numerics

/// Ridge regression through GSL's SVD-based Tikhonov solver: one SVD of X
/// (`gsl_multifit_linear_svd`), then `gsl_multifit_linear_solve` for every λ of a path at the cost of
/// a back-substitution. GSL minimises ‖y − Xc‖² + λ²‖c‖², so λ here is GSL's (squared in the penalty).
///
/// X is expected standardised and y centred: the model has no intercept of its own.
public final class RidgeRegression {
    public let rows: Int
    public let columns: Int
    private let x: UnsafeMutablePointer<gsl_matrix>
    private let work: UnsafeMutablePointer<gsl_multifit_linear_workspace>

    /// `design` is row-major `rows × columns`.
    public init(design: UnsafePointer<Double>, rows: Int, columns: Int) throws {
        precondition(rows > 0 && columns > 0, "ridge needs a non-empty design")
        guard rows >= columns else {
            throw SurrogateError.data("\(rows) training transitions for \(columns) features; collect more trajectories")
        }
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

/// RBF kernel ridge by the subset-of-regressors approximation: m centres, f(x) = Σ_c α_c k(x, x_c)
/// with k(x, x') = exp(−γ‖x − x'‖²), and α solving (K_nmᵀK_nm + λ K_mm) α = K_nmᵀ y by Cholesky
/// (`gsl_linalg_cholesky_decomp1`). Kernel matrices come from `KernelBasis` (`cblas_dgemm`).
public final class KernelRidge {
    public let rows: Int
    public let centreCount: Int
    private let knm: [Double]   // rows × m
    private var ktk: [Double]   // m × m
    private let kmm: [Double]   // m × m

    /// `knm` is the `rows × m` kernel between training rows and centres, `kmm` between centres.
    public init(knm: [Double], rows: Int, kmm: [Double]) {
        let m = Int(Double(kmm.count).squareRoot().rounded())
        precondition(m * m == kmm.count && knm.count == rows * m, "kernel ridge shapes disagree")
        self.rows = rows
        centreCount = m
        self.knm = knm
        self.kmm = kmm
        ktk = [Double](repeating: 0, count: m * m)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(m), Int32(m), Int32(rows), 1, knm, Int32(m), knm, Int32(m), 0, &ktk, Int32(m))
    }

    /// Weights α for targets `y` (length `rows`) at regularisation `lambda`.
    public func solve(_ y: [Double], lambda: Double) throws -> [Double] {
        let m = centreCount
        let a = gsl_matrix_alloc(m, m)!, b = gsl_vector_alloc(m)!, alpha = gsl_vector_alloc(m)!
        defer { gsl_matrix_free(a); gsl_vector_free(b); gsl_vector_free(alpha) }
        var trace = 0.0
        for i in 0..<m { trace += ktk[i * m + i] }
        let jitter = 1e-9 * trace / Double(m) + 1e-12  // keeps the factorisation positive definite
        var kty = [Double](repeating: 0, count: m)
        cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(m), 1, knm, Int32(m), y, 1, 0, &kty, 1)
        for i in 0..<m {
            for j in 0..<m { gsl_matrix_set(a, i, j, ktk[i * m + j] + lambda * kmm[i * m + j] + (i == j ? jitter : 0)) }
            gsl_vector_set(b, i, kty[i])
        }
        try NumericsRuntime.check(gsl_linalg_cholesky_decomp1(a), "kernel ridge Cholesky (\(m) centres, λ=\(lambda))")
        try NumericsRuntime.check(gsl_linalg_cholesky_solve(a, b, alpha), "kernel ridge solve")
        return (0..<m).map { gsl_vector_get(alpha, $0) }
    }
}

/// A shared RBF basis over the generic (state–action) features: standardisation, centres and γ.
/// Every signal and ensemble member that uses an RBF correction weights the same basis functions,
/// so simulation computes one kernel row per environment step, not one per signal and member.
public struct KernelBasis: Codable, Sendable, Equatable {
    public var mean: [Double]
    public var scale: [Double]
    /// m × g standardised centres, row-major.
    public var centres: [Double]
    public var gamma: Double

    public var columns: Int { mean.count }
    public var count: Int { centres.count / max(columns, 1) }

    /// Standardises on `generic` (`rows × columns`) and draws `centres` of its rows with `seed`.
    public init(generic: [Double], rows: Int, columns: Int, centres m: Int, gamma: Double, seed: UInt64) {
        let s = Standardisation(design: generic, rows: rows, columns: columns)
        mean = s.mean
        scale = s.scale
        centres = Standardisation.pickRows(s.apply(generic, rows: rows), rows: rows, columns: columns, count: m, seed: seed)
        self.gamma = gamma
    }

    /// Same standardisation and centres, another width.
    public func with(gamma: Double) -> KernelBasis { var b = self; b.gamma = gamma; return b }

    /// exp(−γ‖z_i − c_k‖²) for every raw row i of `generic` and centre k (`rows × count`), via
    /// ‖z‖² + ‖c‖² − 2 z·c with the cross term from `cblas_dgemm`.
    public func kernel(_ generic: UnsafePointer<Double>, rows: Int) -> [Double] {
        let g = columns, m = count
        var z = [Double](repeating: 0, count: rows * g)
        for r in 0..<rows { for c in 0..<g { z[r * g + c] = (generic[r * g + c] - mean[c]) / scale[c] } }
        return Self.rbf(z, rows: rows, centres: centres, m: m, columns: g, gamma: gamma)
    }

    public func kernel(_ generic: [Double], rows: Int) -> [Double] {
        generic.withUnsafeBufferPointer { kernel($0.baseAddress!, rows: rows) }
    }

    /// Kernel between the centres themselves (m × m).
    public var centreKernel: [Double] { Self.rbf(centres, rows: count, centres: centres, m: count, columns: columns, gamma: gamma) }

    static func rbf(_ z: [Double], rows: Int, centres: [Double], m: Int, columns g: Int, gamma: Double) -> [Double] {
        var k = [Double](repeating: 0, count: rows * m)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(m), Int32(g), -2, z, Int32(g), centres, Int32(g), 0, &k, Int32(m))
        let zn = (0..<rows).map { i in (0..<g).reduce(0.0) { $0 + z[i * g + $1] * z[i * g + $1] } }
        let cn = (0..<m).map { i in (0..<g).reduce(0.0) { $0 + centres[i * g + $1] * centres[i * g + $1] } }
        for i in 0..<rows { for c in 0..<m { k[i * m + c] = exp(-gamma * max(k[i * m + c] + zn[i] + cn[c], 0)) } }
        return k
    }
}

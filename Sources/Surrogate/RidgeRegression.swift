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
    private let svd: RidgeSVD

    /// `design` is row-major `rows × columns`.
    public init(design: UnsafePointer<Double>, rows: Int, columns: Int) throws {
        precondition(rows > 0 && columns > 0, "ridge needs a non-empty design")
        guard rows >= columns else {
            throw SurrogateError.data("\(rows) training transitions for \(columns) features; collect more trajectories")
        }
        self.rows = rows
        self.columns = columns
        svd = try RidgeSVD(design: design, rows: rows, columns: columns)
    }

    /// Coefficients for targets `y` (length `rows`) at regularisation `lambda`.
    public func solve(_ y: [Double], lambda: Double) throws -> [Double] {
        try svd.solve(y, lambda: lambda)
    }
}

/// RBF kernel ridge by the subset-of-regressors approximation: m centres, f(x) = Σ_c α_c k(x, x_c)
/// with k(x, x') = exp(−γ‖x − x'‖²), and α solving (K_nmᵀK_nm + λ K_mm) α = K_nmᵀ y by Cholesky
/// (`Cholesky`, GSL). Kernel matrices come from `KernelBasis` (`BLAS.dgemm`).
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
        BLAS.dgemm(transA: true, m: m, n: m, k: rows, a: knm, lda: m, b: knm, ldb: m, c: &ktk, ldc: m)
    }

    /// Weights α for targets `y` (length `rows`) at regularisation `lambda`.
    public func solve(_ y: [Double], lambda: Double) throws -> [Double] {
        let m = centreCount
        var trace = 0.0
        for i in 0..<m { trace += ktk[i * m + i] }
        let jitter = 1e-9 * trace / Double(m) + 1e-12  // keeps the factorisation positive definite
        var kty = [Double](repeating: 0, count: m)
        BLAS.dgemv(trans: true, m: rows, n: m, a: knm, lda: m, x: y, y: &kty)
        var a = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            for j in 0..<m { a[i * m + j] = ktk[i * m + j] + lambda * kmm[i * m + j] + (i == j ? jitter : 0) }
        }
        try Cholesky.factorize(&a, n: m, context: "kernel ridge Cholesky (\(m) centres, λ=\(lambda))")
        return try Cholesky.solve(factor: a, n: m, kty, context: "kernel ridge solve")
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
    /// ‖z‖² + ‖c‖² − 2 z·c with the cross term from `BLAS.dgemm`.
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
        BLAS.dgemm(transB: true, m: rows, n: m, k: g, alpha: -2, a: z, lda: g, b: centres, ldb: g, c: &k, ldc: m)
        let zn = (0..<rows).map { i in (0..<g).reduce(0.0) { $0 + z[i * g + $1] * z[i * g + $1] } }
        let cn = (0..<m).map { i in (0..<g).reduce(0.0) { $0 + centres[i * g + $1] * centres[i * g + $1] } }
        for i in 0..<rows { for c in 0..<m { k[i * m + c] = exp(-gamma * max(k[i * m + c] + zn[i] + cn[c], 0)) } }
        return k
    }
}

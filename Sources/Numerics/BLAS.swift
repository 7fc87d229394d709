import CNumerics

/// Matrix products through OpenBLAS's CBLAS (row-major): `sgemm` for the networks, `dgemm` and
/// `dgemv` for the surrogate's regressions.
public enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C`, all row-major.
    ///
    /// - Parameters:
    ///   - transA: use Aᵀ; A is stored (k, m) instead of (m, k).
    ///   - transB: use Bᵀ; B is stored (n, k) instead of (k, n).
    ///   - m, n, k: op(A) is (m, k), op(B) is (k, n), C is (m, n).
    ///   - lda, ldb, ldc: row strides; default to the dense row length.
    @inlinable
    public static func sgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        let ld = strides(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        cblas_sgemm(CblasRowMajor, ld.opA, ld.opB, Int32(m), Int32(n), Int32(k), alpha, a, ld.a, b, ld.b, beta, c, ld.c)
    }

    /// CBLAS's operation flags and row strides of a row-major gemm (dense rows unless given).
    @inlinable
    static func strides(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int?, ldb: Int?, ldc: Int?)
        -> (opA: CBLAS_TRANSPOSE, opB: CBLAS_TRANSPOSE, a: Int32, b: Int32, c: Int32) {
        (transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
         Int32(lda ?? (transA ? m : k)), Int32(ldb ?? (transB ? k : n)), Int32(ldc ?? n))
    }

    /// Double precision `C = alpha * op(A) * op(B) + beta * C`, row-major; arguments as in `sgemm`.
    @inlinable
    public static func dgemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int? = nil,
        b: UnsafePointer<Double>, ldb: Int? = nil,
        beta: Double = 0,
        c: UnsafeMutablePointer<Double>, ldc: Int? = nil
    ) {
        let ld = strides(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        cblas_dgemm(CblasRowMajor, ld.opA, ld.opB, Int32(m), Int32(n), Int32(k), alpha, a, ld.a, b, ld.b, beta, c, ld.c)
    }

    /// `y = alpha * op(A) * x + beta * y` with A stored row-major (m, n).
    ///
    /// - Parameters:
    ///   - trans: use Aᵀ: x has m elements and y has n (otherwise x has n and y has m).
    ///   - m, n: A's stored shape; `lda` its row stride, default n.
    ///   - incx, incy: element strides of x and y.
    @inlinable
    public static func dgemv(
        trans: Bool = false,
        m: Int, n: Int,
        alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int? = nil,
        x: UnsafePointer<Double>, incx: Int = 1,
        beta: Double = 0,
        y: UnsafeMutablePointer<Double>, incy: Int = 1
    ) {
        cblas_dgemv(
            CblasRowMajor,
            trans ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n),
            alpha, a, Int32(lda ?? n), x, Int32(incx),
            beta, y, Int32(incy))
    }
}

import Testing
@testable import Numerics

@Suite struct DoubleBLASTests {
    @Test func dgemmTransposedAMatchesNaiveProduct() {
        let m = 4, n = 3, k = 5
        let at = (0..<(k * m)).map { Double($0 % 6) - 2.5 }  // stored (k, m)
        let b = (0..<(k * n)).map { Double($0) * 0.25 }
        var c = [Double](repeating: 2, count: m * n)
        BLAS.dgemm(transA: true, m: m, n: n, k: k, alpha: -2, a: at, b: b, beta: 1, c: &c)
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k { s += at[p * m + i] * b[p * n + j] }
            #expect(abs(c[i * n + j] - (2 - 2 * s)) < 1e-12)
        } }
    }

    @Test func dgemvBothOrientations() {
        let m = 3, n = 4
        let a = (0..<(m * n)).map { Double($0) - 5 }
        let xn: [Double] = [1, -1, 2, 0.5], xm: [Double] = [2, 0, -1]
        var y = [Double](repeating: 0, count: m), yt = [Double](repeating: 0, count: n)
        BLAS.dgemv(m: m, n: n, a: a, x: xn, y: &y)
        BLAS.dgemv(trans: true, m: m, n: n, a: a, x: xm, y: &yt)
        for i in 0..<m { #expect(y[i] == (0..<n).reduce(0.0) { $0 + a[i * n + $1] * xn[$1] }) }
        for j in 0..<n { #expect(yt[j] == (0..<m).reduce(0.0) { $0 + a[$1 * n + j] * xm[$1] }) }
    }
}

@Suite struct CholeskyTests {
    @Test func factorAndSolveAKnownSystem() throws {
        // A = L Lᵀ with L = [[2, 0], [1, 3]]: A = [[4, 2], [2, 10]].
        var a: [Double] = [4, 2, 2, 10]
        try Cholesky.factorize(&a, n: 2, context: "test")
        #expect(a[0] == 2 && a[2] == 1 && a[3] == 3)
        let x = try Cholesky.solve(factor: a, n: 2, [8, 14], context: "test")
        #expect(abs(4 * x[0] + 2 * x[1] - 8) < 1e-12 && abs(2 * x[0] + 10 * x[1] - 14) < 1e-12)
    }

    @Test func indefiniteMatrixThrows() {
        var a: [Double] = [1, 2, 2, 1]
        #expect(throws: GSLError.self) { try Cholesky.factorize(&a, n: 2, context: "indefinite") }
    }
}

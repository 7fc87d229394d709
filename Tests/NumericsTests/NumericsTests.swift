import Testing
@testable import Numerics

@Suite struct BLASTests {
    @Test func sgemmMatchesNaiveProduct() {
        let m = 5, n = 7, k = 3
        let a = (0..<(m * k)).map { Float($0 % 7) - 3 }
        let b = (0..<(k * n)).map { Float($0 % 5) * 0.5 - 1 }
        var c = [Float](repeating: 0, count: m * n)
        BLAS.sgemm(m: m, n: n, k: k, a: a, b: b, c: &c)
        for i in 0..<m { for j in 0..<n {
            var s: Float = 0
            for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
            #expect(abs(c[i * n + j] - s) < 1e-5)
        } }
    }

    @Test func sgemmTransposedOperands() {
        let m = 4, n = 3, k = 6
        let at = (0..<(k * m)).map { Float($0) * 0.1 }    // stored (k, m)
        let bt = (0..<(n * k)).map { Float($0 % 4) - 1 }  // stored (n, k)
        var c = [Float](repeating: 1, count: m * n)
        BLAS.sgemm(transA: true, transB: true, m: m, n: n, k: k, a: at, b: bt, beta: 1, c: &c)
        for i in 0..<m { for j in 0..<n {
            var s: Float = 1
            for p in 0..<k { s += at[p * m + i] * bt[j * k + p] }
            #expect(abs(c[i * n + j] - s) < 1e-4)
        } }
    }
}

@Suite struct RandomSourceTests {
    @Test func sameSeedSameStream() {
        let a = RandomSource(seed: 42), b = RandomSource(seed: 42), c = RandomSource(seed: 42, stream: 1)
        let xa = (0..<10).map { _ in a.uniform() }
        let xb = (0..<10).map { _ in b.uniform() }
        let xc = (0..<10).map { _ in c.uniform() }
        #expect(xa == xb)
        #expect(xa != xc)
    }

    @Test func dirichletMeanMatchesConcentrations() {
        let r = RandomSource(seed: 7)
        let alpha = [1.0, 2.0, 7.0]
        var mean = [0.0, 0.0, 0.0]
        let n = 20_000
        for _ in 0..<n {
            let x = r.dirichlet(alpha)
            #expect(abs(x.reduce(0, +) - 1) < 1e-9)
            for i in 0..<3 { mean[i] += x[i] / Double(n) }
        }
        for i in 0..<3 { #expect(abs(mean[i] - alpha[i] / 10) < 0.01) }
    }

    @Test func gaussianMoments() {
        let r = RandomSource(seed: 3)
        let xs = (0..<50_000).map { _ in r.gaussian(sigma: 2) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        #expect(abs(mean) < 0.05)
        #expect(abs(variance - 4) < 0.1)
    }
}

@Suite struct StatisticsTests {
    @Test func pearsonOfLinearAndAnticorrelatedData() {
        let x = [1.0, 2, 3, 4, 5]
        #expect(abs(Statistics.pearson(x, x.map { 3 * $0 - 1 })! - 1) < 1e-12)
        #expect(abs(Statistics.pearson(x, x.map { -$0 })! + 1) < 1e-12)
        #expect(Statistics.pearson([1, 1, 1], [1, 2, 3]) == nil)
        let (m, sd) = Statistics.meanAndSD([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(abs(m - 5) < 1e-12 && abs(sd - 2.138089935299395) < 1e-12)
    }

    @Test func tQuantilesAndPairedIntervals() {
        // Table values: t(0.975; 2) = 4.302653, t(0.975; 9) = 2.262157.
        #expect(abs(Statistics.studentTQuantile(0.975, dof: 2) - 4.302652730) < 1e-6)
        #expect(abs(Statistics.studentTQuantile(0.975, dof: 9) - 2.262157163) < 1e-6)
        // Differences 1, 2, 3: mean 2, sd 1, half-width 4.3027 / √3.
        let p = Statistics.pairedDifference([11, 12, 13], [10, 10, 10])
        #expect(abs(p.mean - 2) < 1e-12 && abs(p.sd - 1) < 1e-12)
        #expect(abs(p.halfWidth! - 4.302652730 / 3.0.squareRoot()) < 1e-6)
        #expect(Statistics.pairedDifference([1], [0]).halfWidth == nil)
    }
}

@Suite struct ParallelTests {
    struct Boom: Error {}

    @Test func workQueueProcessesEveryItemOnceAndSerialisesCollect() throws {
        var seen: [Int] = []
        var inCollect = false
        try Parallel.process(Array(0..<50), workers: 2, work: { _, x in x * x }, collect: { y in
            #expect(!inCollect)
            inCollect = true
            seen.append(y)
            inCollect = false
        })
        #expect(seen.sorted() == (0..<50).map { $0 * $0 })
    }

    @Test func firstErrorIsRethrown() {
        #expect(throws: Boom.self) {
            try Parallel.process(Array(0..<20), workers: 2, work: { _, x in
                if x == 7 { throw Boom() }
                return x
            }, collect: { _ in })
        }
    }

    @Test func chunkedLoopsCoverTheRangeWithAnyThreadCount() {
        for threads in [1, 2] {
            Parallel.threads = threads
            var hits = [Int](repeating: 0, count: 100)
            hits.withUnsafeMutableBufferPointer { h in
                let p = h.baseAddress!
                Parallel.forEachChunk(100, chunks: 8) { _, range in for i in range { p[i] += 1 } }
            }
            #expect(hits.allSatisfy { $0 == 1 })
        }
        Parallel.threads = 1
    }
}

@Suite struct RandomStreamRegistryTests {
    @Test func namedStreamsAreDistinctAndIndexedFamiliesDoNotOverlap() {
        let values = RandomStream.allCases.map(\.rawValue)
        #expect(Set(values).count == values.count)
        // Indexed families (corpus domains, bootstrap members, learning-curve sizes) stay clear of
        // every other named stream over the indices they use.
        for family in [RandomStream.corpusDomain, .bootstrapMember, .learningCurve] {
            let used = Set((0..<512).map { family.offset($0) })
            for other in RandomStream.allCases where other != family { #expect(!used.contains(other.rawValue)) }
        }
        #expect(RandomSource(seed: 4, stream: .dirichletWalk).uniform() == RandomSource(seed: 4, stream: 0xD1).uniform())
    }

    @Test func normalQuantileMatchesKnownValues() {
        #expect(abs(Statistics.normalQuantile(0.95) - 1.6448536269514722) < 1e-12)
        #expect(abs(Statistics.normalQuantile(0.5)) < 1e-15)
        #expect(abs(Statistics.normalQuantile(0.975) - 1.959963984540054) < 1e-12)
    }
}

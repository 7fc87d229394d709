@testable import Baselines
import Corpus
import DMATestSupport
import Numerics
import Testing
import Trajectories

@Suite struct RegMixTests {
    /// Final score a known concave quadratic of the token-averaged mixture, peaked inside the simplex.
    static let peak = [0.4, 0.3, 0.2, 0.1]
    static func truth(_ x: [Double]) -> Double {
        let curvature = [2.0, 3.0, 1.0, 4.0]
        var loss = 0.0
        for d in 0..<4 { let e = x[d] - peak[d]; loss += curvature[d] * e * e }
        return 1 - loss
    }

    /// Logged runs with random three-step schedules whose final balanced score is `truth` of the
    /// run's token-averaged mixture (plus a little noise).
    static func logged(_ count: Int, noise: Double = 1e-4) throws -> [Trajectory] {
        let rng = RandomSource(seed: 21)
        var runs = try Synthetic.trajectories(count, steps: 3)
        for k in runs.indices {
            let score = truth(RegMix.averageMixture(runs[k])) + rng.gaussian(sigma: noise)
            runs[k].steps[runs[k].steps.count - 1].balanced = score
        }
        return runs
    }

    @Test func recoversAKnownOptimum() throws {
        let result = try RegMix().run(try Self.logged(96), floor: 0, seed: 5)
        let l1 = zip(result.mixture.weights, Self.peak).reduce(0) { $0 + abs($1.0 - $1.1) }
        #expect(l1 < 0.05, "searched \(result.mixture.weights), true argmax \(Self.peak)")
        #expect(abs(result.predicted - 1) < 0.01)
        #expect(result.fit.rows == 96)
        #expect(result.fit.lambda <= 0.1, "noise-free rows should need little shrinkage, chose λ = \(result.fit.lambda)")
    }

    @Test func sameSeedSameMixtureAndFloorKept() throws {
        let runs = try Self.logged(48)
        let a = try RegMix().run(runs, floor: 0.05, seed: 9), b = try RegMix().run(runs, floor: 0.05, seed: 9)
        #expect(a.mixture == b.mixture && a.predicted == b.predicted)
        #expect(a.mixture.weights.allSatisfy { $0 >= 0.05 - 1e-12 })
        #expect(abs(a.mixture.weights.reduce(0, +) - 1) <= 1e-9)
    }

    @Test func tooFewRowsAreRejected() throws {
        #expect(throws: PolicySpecError.self) { try RegMix().fit(try Self.logged(6)) }
    }

    /// The broad phase alone already samples at least 10,000 mixtures, and refinement improves on it.
    @Test func searchCoversTheSimplexAndRefines() throws {
        let simplex = FlooredSimplex(dimension: 4, floor: 0)
        var broad = SimplexSearch()
        broad.refinementRounds = 0
        let coarse = try broad.maximize(simplex, seed: 1) { $0.map(Self.truth) }
        let fine = try SimplexSearch().maximize(simplex, seed: 1) { $0.map(Self.truth) }
        #expect(coarse.evaluated == 10_000 && fine.evaluated > 10_000)
        #expect(fine.score >= coarse.score && fine.score > 1 - 1e-4)
    }
}

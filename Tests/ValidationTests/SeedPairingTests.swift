import Numerics
import Testing
@testable import Validation

/// The one paired comparison the summary and the analysis share.
@Suite struct SeedPairingTests {
    @Test func pairsOnlyCommonSeedsInSeedOrderAndGivesATInterval() throws {
        let mine = [record("agent", seed: 6, balanced: 0.70), record("agent", seed: 4, balanced: 0.66), record("agent", seed: 5, balanced: 0.69)]
        let theirs = [record("uniform", seed: 5, balanced: 0.65), record("uniform", seed: 7, balanced: 0.10), record("uniform", seed: 6, balanced: 0.67)]
        let d = try #require(SeedPairedDifference(mine, minus: theirs))
        // Seeds 5 and 6 only: differences 0.04 and 0.03.
        #expect(d.pairs == 2)
        #expect(abs(d.mean - 0.035) < 1e-12)
        #expect(abs(d.sd - 0.01 / 2.0.squareRoot()) < 1e-12)
        let half = Statistics.studentTQuantile(0.975, dof: 1) * d.sd / 2.0.squareRoot()
        let low = try #require(d.low), high = try #require(d.high)
        #expect(abs(low - (0.035 - half)) < 1e-12 && abs(high - (0.035 + half)) < 1e-12)
        #expect(SeedPairedDifference([record("agent", seed: 1, balanced: 0.5)], minus: [record("uniform", seed: 2, balanced: 0.5)]) == nil)
        let one = try #require(SeedPairedDifference([record("agent", seed: 1, balanced: 0.5)], minus: [record("uniform", seed: 1, balanced: 0.4)]))
        #expect(one.pairs == 1 && one.low == nil && one.high == nil)
    }

    @Test func theSummaryReportsExactlyThisComparison() throws {
        let agentScores: [Double] = [0.64, 0.65, 0.66], uniformScores: [Double] = [0.603, 0.612, 0.609]
        var runs: [ValidationRun] = []
        for (i, seed) in [UInt64(4), 5, 6].enumerated() {
            runs.append(record("agent", seed: seed, balanced: agentScores[i]))
            runs.append(record("uniform", seed: seed, balanced: uniformScores[i]))
        }
        let summary = ValidationSummary(runs)
        let row = try #require(summary.paired(against: "uniform"))
        let d = try #require(SeedPairedDifference(runs.filter { $0.policy == "agent" }, minus: runs.filter { $0.policy == "uniform" }))
        #expect(row.mean == d.mean && row.sd == d.sd && row.low == d.low && row.high == d.high && row.pairs == 3)
    }
}

import Testing
@testable import Trajectories

@Suite struct TrajectoryStatisticsTests {
    @Test func quantilesCountsAndTokens() {
        let trajectories = (0..<5).map { i -> Trajectory in
            var t = sampleTrajectory(id: i)
            t.steps[t.steps.count - 1].balanced = Double(i) / 4   // finals 0, 0.25, 0.5, 0.75, 1
            return t
        }
        let s = TrajectoryStatistics(trajectories, skipped: 2)
        #expect(s.trajectories == 5 && s.steps == 10 && s.skipped == 2)
        #expect(s.families == ["constant": 5])
        #expect(s.finalBalanced["min"] == 0 && s.finalBalanced["max"] == 1)
        #expect(abs(s.finalBalanced["median"]! - 0.5) < 1e-12 && abs(s.finalBalanced["p25"]! - 0.25) < 1e-12)
        #expect(abs(s.finalBalanced["mean"]! - 0.5) < 1e-12)
        #expect(s.tokensPerDomain == ["source/a": 640, "math/b": 1920])
        // Interpolated quantiles between order statistics (GSL), not the nearest lower one.
        let four = TrajectoryStatistics(Array(trajectories.prefix(4)))
        #expect(abs(four.finalBalanced["median"]! - 0.375) < 1e-12)
    }
}

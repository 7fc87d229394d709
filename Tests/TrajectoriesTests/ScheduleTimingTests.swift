import DMATestSupport
import Foundation
import Testing
@testable import Trajectories

/// `dma env timing`'s schedules and report on made-up outcomes.
@Suite struct ScheduleTimingTests {
    func check(rounds: Int = 10, seeds: Int = 3) throws -> EnvironmentCheck {
        var env = try fixtureEnvironment(corpus: "unused")
        env.cpt.rounds = rounds
        var settings = EnvironmentCheck.Settings()
        settings.seeds = seeds
        return try EnvironmentCheck(env: env, settings: settings, prior: [1, 1, 1, 1])
    }

    func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-12 } }

    @Test func decaySchedulesChangeTheLastFifthAndKeepTheAverage() throws {
        let c = try check()
        #expect(abs(c.twoPhaseAverageShare - 0.35) < 1e-12)
        let target = try c.decaySchedule(.targetHeavyDecay), source = try c.decaySchedule(.sourceHeavyDecay)
        #expect(close(target, Array(repeating: 0.425, count: 8) + [0.05, 0.05]))
        #expect(close(source, Array(repeating: 0.2, count: 8) + [0.95, 0.95]))
        for s in [target, source] { #expect(abs(s.reduce(0, +) / 10 - 0.35) < 1e-12) }
        // Short runs still change at least one round, and never all of them.
        #expect(close(try check(rounds: 2).decaySchedule(.targetHeavyDecay), [0.65, 0.05]))
    }

    @Test func anAverageOutOfReachIsAnError() throws {
        var c = try check()
        c = try EnvironmentCheck(env: c.env, settings: { var s = c.settings; s.twoPhase = [0, 0.1]; return s }(), prior: c.prior)
        #expect(throws: (any Error).self) { try c.decaySchedule(.sourceHeavyDecay) }
    }

    @Test func reportPairsEachScheduleWithTheStaticRunOfItsSeed() throws {
        let c = try check()
        #expect(c.timingPlan().count == 12 && Set(c.timingPlan().map(\.id)).count == 12)
        let score: [EnvironmentCheck.Run.Kind: [Double]] = [
            .twoPhaseAverage: [0.60, 0.62, 0.61], .twoPhase: [0.59, 0.61, 0.60],
            .targetHeavyDecay: [0.65, 0.67, 0.66], .sourceHeavyDecay: [0.60, 0.62, 0.61],
        ]
        let log = c.timingPlan().map { run in
            EnvironmentCheck.Outcome(id: run.id, run: run, environmentHash: c.env.hash, baseCheckpoint: "base", balanced: score[run.kind]![Int(run.seed) - 1],
                                     retention: 1, gain: 0, sourceBpbChange: 0, mathEMChange: 0, mixtures: [], seconds: 0, subsetBalanced: nil)
        }
        let report = try c.timingReport(log, lrSchedule: "cosine")
        #expect(abs(report.staticMean - 0.61) < 1e-12 && abs(report.seedSD - 0.01) < 1e-12)
        let byName = Dictionary(uniqueKeysWithValues: report.comparisons.map { ($0.schedule, $0) })
        #expect(Set(byName.keys) == ["two-phase", "target-heavy-decay", "source-heavy-decay"])
        let t = byName["target-heavy-decay"]!
        #expect(abs(t.difference - 0.05) < 1e-12 && t.differenceSD < 1e-12 && t.beatsStatic == true)
        #expect(abs(byName["two-phase"]!.difference + 0.01) < 1e-12 && byName["two-phase"]!.beatsStatic == false)
        #expect(byName["source-heavy-decay"]!.beatsStatic == false)
    }

    @Test func anotherPlanGetsItsOwnIdsAndIsReportedApart() throws {
        let c = try check(seeds: 1)
        #expect(c.settings.timingTag == nil && c.timingPlan().map(\.id) == ["two-phase-average-s1", "two-phase-s1", "target-heavy-decay-s1", "source-heavy-decay-s1"])
        var settings = c.settings
        settings.twoPhase = [0.55, 0.95]
        let other = try EnvironmentCheck(env: c.env, settings: settings, prior: c.prior)
        #expect(other.timingPlan().map(\.id) == ["two-phase-average-0.55-0.95-s1", "two-phase-0.55-0.95-s1", "target-heavy-decay-0.55-0.95-s1", "source-heavy-decay-0.55-0.95-s1"])
        #expect(abs(other.twoPhaseAverageShare - 0.75) < 1e-12)
        let log = (c.timingPlan() + other.timingPlan()).map { run in
            EnvironmentCheck.Outcome(id: run.id, run: run, environmentHash: c.env.hash, baseCheckpoint: "base", balanced: run.plan == nil ? 0.5 : 0.7,
                                     retention: 1, gain: 0, sourceBpbChange: 0, mathEMChange: 0, mixtures: [], seconds: 0, subsetBalanced: nil)
        }
        #expect(try other.timingReport(log, lrSchedule: "cosine").staticMean == 0.7)
        #expect(try c.timingReport(log, lrSchedule: "cosine").staticMean == 0.5)
    }
}

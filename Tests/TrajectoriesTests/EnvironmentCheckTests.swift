import DMATestSupport
import Evaluation
import Foundation
import Testing
@testable import Trajectories

/// Plan and report of `dma env check` on made-up outcomes (the real-run path is in the pipeline smoke test).
@Suite struct EnvironmentCheckTests {
    func check(first: Int) throws -> EnvironmentCheck {
        var settings = EnvironmentCheck.Settings()
        settings.seeds = 2
        settings.randomSchedules = 3
        settings.firstSchedule = first
        settings.ratios = [0, 0.5, 1]
        return try EnvironmentCheck(env: try fixtureEnvironment(corpus: "unused"), settings: settings, prior: [1, 1, 1, 1])
    }

    func outcome(_ run: EnvironmentCheck.Run, _ balanced: Double, environment: String? = nil, base: String? = "base") -> EnvironmentCheck.Outcome {
        .init(id: run.id, run: run, environmentHash: environment ?? (try? fixtureEnvironment(corpus: "unused").hash), baseCheckpoint: base, balanced: balanced, retention: 1, gain: 0, sourceBpbChange: 0, mathEMChange: 0, mixtures: [],
              seconds: 0, subsetBalanced: nil)
    }

    @Test func aLaterBatchIsJudgedOnItsOwnSchedulesAndReusesTheFixedRuns() throws {
        let first = try check(first: 1), second = try check(first: 4)
        #expect(first.scheduleIDs == [1, 2, 3] && second.scheduleIDs == [4, 5, 6])
        // The fixed mixtures and two-phase runs are the same runs in both batches (same log ids).
        let fixedIDs = { (c: EnvironmentCheck) in Set(c.firstPhase().filter { $0.kind != .random }.map(\.id)) }
        #expect(fixedIDs(first) == fixedIDs(second))

        // One log holding batch 1 (schedule 2 is best overall) and batch 2 (schedule 5 is its best).
        var log = first.firstPhase().map { outcome($0, $0.kind == .fixed ? 0.5 : 0.4) }
        log = log.map { $0.run.kind == .random && $0.run.schedule == 2 ? outcome($0.run, 0.9) : $0 }
        log += second.firstPhase().filter { $0.kind == .random }.map { outcome($0, $0.schedule == 5 ? 0.7 : 0.6) }
        #expect(second.secondPhase(after: log).map(\.schedule) == [5])
        #expect(first.secondPhase(after: log).map(\.schedule) == [2])
        let report = second.report(log)
        #expect(report.randomScheduleScores.sorted() == [0.6, 0.6, 0.7])
        #expect(report.groups.contains { $0.label == "best random schedule (#5)" })
    }

    @Test func onlyLogsOfTheSameEnvironmentAndBaseAreResumed() throws {
        let check = try check(first: 1)
        let run = check.firstPhase()[0]
        try check.checkResumable([outcome(run, 0.5)], baseCheckpoint: "base", path: "log.jsonl")
        let stale: [[EnvironmentCheck.Outcome]] = [
            [outcome(run, 0.5, base: "other")],
            [outcome(run, 0.5, environment: "0123456789abcdef")],
            [outcome(run, 0.5, base: nil)],
        ]
        for log in stale {
            #expect(throws: EnvironmentError.self) { try check.checkResumable(log, baseCheckpoint: "base", path: "log.jsonl") }
        }
        do {
            try check.checkResumable(stale[1], baseCheckpoint: "base", path: "log.jsonl")
        } catch {
            #expect("\(error)".hasPrefix("log.jsonl: run fixed-0.0-s1 was made with environment 0123456789abcdef"))
        }
    }
}

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
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dma-resume-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func runs(_ log: [EnvironmentCheck.Outcome], _ name: String) throws -> ResumableRuns<EnvironmentCheck.Outcome> {
            let path = "\(dir)/\(name).jsonl"
            try AppendLog.write(log, to: path)
            return ResumableRuns(log: path, identity: RunIdentity(environment: check.env.name, environmentHash: check.env.hash, baseCheckpoint: "base"), option: "--log")
        }
        #expect(try runs([outcome(run, 0.5)], "same").finished().records.count == 1)
        let stale: [[EnvironmentCheck.Outcome]] = [
            [outcome(run, 0.5, base: "other")],
            [outcome(run, 0.5, environment: "0123456789abcdef")],
            [outcome(run, 0.5, base: nil)],
        ]
        for (k, log) in stale.enumerated() {
            let r = try runs(log, "stale\(k)")
            #expect(throws: ForeignLogError.self) { try r.finished() }
        }
        do {
            _ = try runs(stale[1], "message").finished()
        } catch {
            #expect("\(error)".hasPrefix("\(dir)/message.jsonl: run fixed-0.0-s1 was made with environment 0123456789abcdef"))
        }
    }
}

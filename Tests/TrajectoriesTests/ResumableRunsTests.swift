import Foundation
import Testing
@testable import Trajectories

/// The resumable-runs driver on a made-up plan: an interrupted plan resumes where it stopped, each
/// id is run and logged once, and a log of another identity is refused.
@Suite struct ResumableRunsTests {
    struct Record: LoggedRun, Equatable {
        var id: Int
        var value: Double
        var environmentHash: String
        var base: String
        var runID: String { "\(id)" }
        var madeWith: (environmentHash: String?, baseCheckpoint: String?) { (environmentHash, base) }
    }

    struct Crash: Error {}

    let identity = RunIdentity(environment: "toy", environmentHash: "e1", baseCheckpoint: "b1")

    func temporaryLog() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dma-runs-\(UUID().uuidString).jsonl").path
    }

    @Test func anInterruptedPlanResumesWithoutRepeatingRuns() throws {
        let path = temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let runs = ResumableRuns<Record>(log: path, identity: identity, option: "--log")
        let plan = Array(0..<8)
        let record = { (id: Int) in Record(id: id, value: Double(id * id), environmentHash: "e1", base: "b1") }
        // The first attempt dies at id 5 (one worker, so ids 0–4 are logged before it).
        #expect(throws: Crash.self) {
            _ = try runs.run(plan, id: { "\($0)" }, finished: [], workers: 1, work: { _, id in
                if id == 5 { throw Crash() }
                return record(id)
            })
        }
        let (logged, tail) = try runs.finished()
        #expect(tail == .complete)
        #expect(logged.map(\.id) == [0, 1, 2, 3, 4])
        var ran: [Int] = []
        let lock = NSLock()
        var announced = 0
        let new = try runs.run(plan, id: { "\($0)" }, finished: logged, workers: 2, work: { _, id in
            lock.lock(); ran.append(id); lock.unlock()
            return record(id)
        }, starting: { announced = $0 })
        #expect(announced == 3)
        #expect(ran.sorted() == [5, 6, 7])
        #expect(Set(new.map(\.id)) == [5, 6, 7])
        let all = try runs.finished().records
        #expect(all.map(\.id).sorted() == plan)
        #expect(all.allSatisfy { $0 == record($0.id) })
        // Everything finished: nothing runs, nothing is announced.
        announced = -1
        #expect(try runs.run(plan, id: { "\($0)" }, finished: all, workers: 2, work: { _, _ in throw Crash() }, starting: { announced = $0 }).isEmpty)
        #expect(announced == -1)
    }

    @Test func aLogOfAnotherBaseIsRefusedByName() throws {
        let path = temporaryLog()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try AppendLog.write([Record(id: 0, value: 1, environmentHash: "e1", base: "b2")], to: path)
        let runs = ResumableRuns<Record>(log: path, identity: identity, option: "--out")
        do {
            _ = try runs.finished()
            Issue.record("a log of another base was resumed")
        } catch let e as ForeignLogError {
            #expect(e.description.contains(path) && e.description.contains("--out") && e.description.contains("base b2"))
        }
    }
}

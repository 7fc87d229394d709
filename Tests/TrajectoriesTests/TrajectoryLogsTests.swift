import Base
import DMATestSupport
import Environment
import Foundation
import Testing
@testable import Trajectories

@Suite struct TrajectoryLogsTests {
    /// Two shard logs, the second ending in a torn line and holding one invalid line.
    func shards() throws -> [String] {
        let dir = NSTemporaryDirectory() + "dma-logs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let all = try Synthetic.trajectories(4, steps: 3)
        let (a, b) = ("\(dir)/a.jsonl", "\(dir)/b.jsonl")
        try AppendLog.write(Array(all[..<2]), to: a)
        var data = Data()
        for t in all[2...] { data.append(try AppendLog<Trajectory>.encodeLine(t)) }
        data.append(Data("{\"not\":\"a trajectory\"}\n{\"header\":".utf8))
        try data.write(to: URL(fileURLWithPath: b))
        return [a, b]
    }

    @Test func readsLogsAsOneDatasetAndNotesWhatItPassedOver() throws {
        let paths = try shards()
        var notes: [String] = []
        let (trajectories, skipped) = try TrajectoryLogs.read(paths: paths, skipInvalid: true) { notes.append($0) }
        #expect(trajectories.map(\.header.id) == [0, 1, 2, 3] && skipped == 1)
        #expect(notes.contains(LogTail.torn.notice(path: paths[1])!))
        #expect(notes.contains { $0.hasPrefix("skipped \(paths[1]):3:") })
    }

    @Test func invalidLineFailsWithoutSkipInvalid() throws {
        let paths = try shards()
        #expect(throws: TrajectoryError.self) { try TrajectoryLogs.read(paths: paths) }
    }

    @Test func environmentFilesDefaultToTheEnvsFolder() {
        #expect(EnvironmentConfig.defaultPath(for: "math-cpt") == "envs/math-cpt.json")
    }
}

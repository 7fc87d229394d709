import Base
import Environment
import Foundation
import Surrogate
import Testing
import Trajectories
@testable import Validation

/// The committed logs, read from the checkout this test was built from.
private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private func committed(_ path: String) -> String { repository.appendingPathComponent(path).path }

/// The first line of a committed JSON Lines log, with its newline.
private func firstLine(_ path: String) throws -> Data {
    let data = try #require(FileManager.default.contents(atPath: committed(path)))
    let end = try #require(data.firstIndex(of: UInt8(ascii: "\n")))
    return data[...end]
}

@Test func committedTrajectoryLineReEncodesByteForByte() throws {
    let line = try firstLine("datasets/trajectories/math-cpt-proxy.jsonl")
    let t = try StrictJSON.decode(Trajectory.self, from: line)
    #expect(t.steps.allSatisfy { $0.lr != nil && $0.trainLoss != nil && $0.seconds != nil })
    #expect(t.runRecord.policy == "random" && t.runRecord.role == .collection && t.runRecord.final == nil)
    #expect(try AppendLog<Trajectory>.encodeLine(t) == line)
}

@Test func committedValidationLineReEncodesByteForByte() throws {
    let line = try firstLine("docs/validation/math-cpt/runs.jsonl")
    let r = try StrictJSON.decode(ValidationRun.self, from: line)
    // Validation rounds never logged lr or train loss: they stay absent, not null.
    #expect(r.rounds.allSatisfy { $0.lr == nil && $0.trainLoss == nil && $0.seconds != nil })
    #expect(try AppendLog<ValidationRun>.encodeLine(r) == line)
}

/// `CPTRunner` returns rounds with their training measures; the harness logs them without, so a
/// re-made validation run writes the committed line byte for byte.
@Test func measuredRoundsLogAsTheCommittedValidationLine() throws {
    let line = try firstLine("docs/validation/math-cpt/runs.jsonl")
    var r = try StrictJSON.decode(ValidationRun.self, from: line)
    let measured = r.rounds.map { var m = $0; (m.lr, m.trainLoss) = (1e-3, 1.5); return m }
    r.rounds = measured.map(\.withoutTrainingMeasures)
    #expect(try AppendLog<ValidationRun>.encodeLine(r) == line)
    // The typed view the runner builds rounds from and restores snapshots to loses nothing.
    for m in measured {
        let typed = LoggedRound(mixture: m.mixture, tokensPerDomain: m.tokensPerDomain, feedback: m.feedback(names: r.feedbackNames),
                                score: m.score, lr: m.lr, trainLoss: m.trainLoss, seconds: m.seconds)
        #expect(typed == m)
    }
}

@Test func validationRunsBecomeTrainingData() throws {
    let runs = try ValidationLog.read(committed("docs/validation/math-cpt/runs.jsonl")).records
    let env = try EnvironmentConfig.load(from: committed(EnvironmentConfig.defaultPath(for: "math-cpt")))
    // The setting's environment file may since have changed (its hash then differs): convert with
    // the one the runs were made with, or say so.
    try #require(env.hash == runs[0].environmentHash, "envs/math-cpt.json no longer is the environment of the committed validation runs")
    let trajectories = try runs.enumerated().map { try $1.trajectory(id: $0, environment: env) }

    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("run-record-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let log = dir.appendingPathComponent("converted.jsonl").path
    try AppendLog.write(trajectories, to: log)
    let read = try TrajectoryReader.read(log)
    #expect(read.trajectories == trajectories && read.skipped.isEmpty && read.tail == .complete)

    for (run, t) in zip(runs, read.trajectories) {
        var view = run.runRecord
        view.id = "\(t.header.id)"
        view.final = nil
        #expect(t.runRecord == view)
        #expect(t.header.policy == run.spec && t.header.role == run.role)
    }
    let transitions = try TransitionSet(read.trajectories)
    #expect(transitions.count == runs.reduce(0) { $0 + $1.rounds.count })
}

@Test func conversionRefusesAnotherEnvironment() throws {
    let run = record("uniform", seed: 1, balanced: 0.5)
    let env = try EnvironmentConfig.load(from: committed(EnvironmentConfig.defaultPath(for: "math-cpt")))
    #expect(throws: RunConversionError.self) { try run.trajectory(id: 0, environment: env) }
}

@Test func collectionRoleIsRefusedInValidationLogs() {
    #expect(ValidationLog.problems(of: record("uniform", seed: 1, balanced: 0.5, role: .collection))?.contains("trajectory logs") == true)
}

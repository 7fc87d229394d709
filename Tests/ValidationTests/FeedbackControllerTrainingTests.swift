import Agent
import Foundation
import Testing
@testable import Validation

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private func committed(_ path: String) -> String { repository.appendingPathComponent(path).path }

/// The closed-loop agent learned from the committed runs: leaving a setting out leaves out every
/// run of it, the agents' own runs never feed a refit, and the retention response it finds is the
/// one docs/agent.md reports.
struct FeedbackControllerTrainingTests {
    static let folders = ["math-cpt", "math-cpt-target", "math-cpt-unseen-source", "math-cpt-format", "code-cpt"].map { committed("docs/validation/" + $0) }

    @Test func leaveOneSettingOutOnTheCommittedRuns() throws {
        let inputs = try FeedbackControllerTraining.read(trajectoryFiles: [committed("datasets/trajectories/math-cpt-target.jsonl")],
                                                         validationFolders: Self.folders, excluding: ["code-cpt@proxy"])
        #expect(inputs.used["code-cpt@proxy"] == nil)
        #expect(inputs.excluded["code-cpt@proxy"] == 42, "the code folder's runs other than the closed-loop agent's own 3")
        #expect(inputs.ownRuns == 15, "3 evaluation runs of the closed-loop agent in each of the 5 folders")
        #expect(!inputs.runs.contains { $0.identity.environment == "code-cpt" })
        let file = try FeedbackControllerTraining.fit(inputs)
        #expect((0.02...0.05).contains(file.retentionShareElasticity), "α = \(file.retentionShareElasticity)")
        #expect((0.02...0.05).contains(file.retentionFieldElasticity), "γ = \(file.retentionFieldElasticity)")
        #expect(file.trainedOn["code-cpt@proxy"] == nil)
        // The gain-exponent map from the four math settings: across runs their final gain responds to
        // the target share less steeply than their own curves say (power > 1); all four lie below the
        // prior, and a code run's own exponent (~0.18) lies above it, so the code row's agent keeps it.
        var config = FeedbackControllerConfig()
        config.mapsGainExponent = true
        let map = try #require(try FeedbackControllerTraining.fit(inputs, config: config).gainExponentMap)
        #expect(map.settings.count == 4 && map.settings.values.allSatisfy { $0[0] < 0.1 && $0[1] < $0[0] }, "\(map.settings)")
        #expect((1.2...3).contains(map.power), "power \(map.power)")
        #expect(map.settings.values.allSatisfy { $0[0] < file.priorGainExponent } && file.priorGainExponent < 0.18)
        #expect(map.mapped(0.18, pivot: file.priorGainExponent) == 0.18)
    }

    @Test func excludingEverythingIsAnError() throws {
        let inputs = try FeedbackControllerTraining.read(trajectoryFiles: [], validationFolders: [committed("docs/validation/code-cpt")], excluding: ["code-cpt@proxy"])
        #expect(inputs.runs.isEmpty)
        #expect(throws: AgentError.self) { try FeedbackControllerTraining.fit(inputs) }
    }

    @Test func aBrokenLogIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fct-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "{\"id\": 3,\n".write(to: dir.appendingPathComponent("runs.jsonl"), atomically: true, encoding: .utf8)
        #expect {
            try FeedbackControllerTraining.read(trajectoryFiles: [], validationFolders: [dir.path], excluding: [])
        } throws: { "\($0)".contains(dir.appendingPathComponent("runs.jsonl").path) }
    }
}

@testable import Agent
@testable import dma
import Testing

/// The options of `dma agent train` reach the training settings.
@Suite struct AgentTrainCommandTests {
    @Test func discountAndRelabelReachTheConfig() throws {
        let command = try AgentTrainCommand.parse(["--data", "runs.jsonl", "--out", "p.json", "--discount", "0.99", "--relabel", "3", "--seed", "7"])
        let config = command.config()
        #expect(config.cql.discount == 0.99)
        #expect(config.relabel == RelabelConfig(copies: 3, seed: 7))
        let plain = try AgentTrainCommand.parse(["--data", "runs.jsonl", "--out", "p.json"]).config()
        #expect(plain.cql.discount == 0.9 && plain.relabel.copies == 3)
        #expect(plain == AgentTrainingConfig.commandDefaults())
        #expect(throws: (any Error).self) { try AgentTrainCommand.parse(["--data", "d", "--out", "o", "--discount", "1.5"]) }
        #expect(throws: (any Error).self) { try AgentTrainCommand.parse(["--data", "d", "--out", "o", "--relabel", "-1"]) }
    }
}

extension AgentTrainingConfig {
    /// What the command gives without options: the library defaults with the rollouts' seed set.
    static func commandDefaults() -> AgentTrainingConfig {
        var c = AgentTrainingConfig()
        c.rollouts.seed = 0
        return c
    }
}

/// `trajectories import` needs a model name: without one it is a usage error saying what to pass,
/// never runs silently recorded as the proxy preset.
@Suite struct TrajectoriesImportCommandTests {
    @Test func aMissingModelIsAUsageError() throws {
        do {
            _ = try TrajectoriesImportCommand.parse(["--from", "runs.csv", "--env", "e.json", "--out", "o.jsonl"])
            Issue.record("imported without a model")
        } catch {
            #expect(TrajectoriesImportCommand.exitCode(for: error).rawValue == 64)
            #expect(TrajectoriesImportCommand.message(for: error).contains("--model is required"))
        }
        #expect(throws: (any Error).self) { try TrajectoriesImportCommand.parse(["--from", "r", "--env", "e", "--out", "o", "--model", " "]) }
        let named = try TrajectoriesImportCommand.parse(["--from", "r", "--env", "e", "--out", "o", "--model", "byom", "--model-description", "PyTorch GPT, 391k params"])
        #expect(named.model == "byom" && named.modelDescription == "PyTorch GPT, 391k params")
    }
}

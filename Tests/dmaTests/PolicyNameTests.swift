import ArgumentParser
import Foundation
@testable import dma
import Testing

/// A misspelt policy is a usage error (exit 64), found before any input is loaded or output created.
@Suite struct PolicyNameTests {
    func expectUsageError(_ command: some ParsableCommand, out: String) {
        var command = command
        do { try command.run(); Issue.record("ran") } catch {
            #expect(error is ValidationError && "\(error)".contains("'nosuch'") && "\(error)".contains("unknown policy"), "\(error)")
            #expect(type(of: command).exitCode(for: error) == ExitCode(64))
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func validateRunRejectsAnUnknownPolicyBeforeCreatingItsFolder() throws {
        let out = NSTemporaryDirectory() + "dma-validate-\(UUID().uuidString)"
        expectUsageError(try ValidateRunCommand.parse(["--env", "/nonexistent/env.json", "--base", "/nonexistent/base.ckpt", "--policies", "uniform,nosuch", "--out", out]), out: out)
    }

    @Test func cptRejectsAnUnknownPolicy() throws {
        let out = NSTemporaryDirectory() + "dma-cpt-\(UUID().uuidString).ckpt"
        expectUsageError(try CPTCommand.parse(["--env", "/nonexistent/env.json", "--base", "/nonexistent/base.ckpt", "--policy", "nosuch", "--out", out]), out: out)
    }
}

/// `surrogate simulate` takes every spec the catalog knows, agents included.
@Suite struct SimulatePolicyTests {
    @Test func simulateAcceptsAnAgentFileAndRejectsAnUnknownName() throws {
        let agent = try SurrogateSimulateCommand.parse(["--model", "/nonexistent/model.json", "--policy", "uniform,agent:/nonexistent/a.policy.json"])
        do { try agent.run(); Issue.record("ran") } catch {
            // Past the names: it fails on the missing model file, not on the policy.
            #expect(!"\(error)".contains("unknown policy") && "\(error)".contains("/nonexistent/model.json"), "\(error)")
        }
        let unknown = try SurrogateSimulateCommand.parse(["--model", "/nonexistent/model.json", "--policy", "uniform,nosuch"])
        do { try unknown.run(); Issue.record("ran") } catch {
            #expect(error is ValidationError && "\(error)".contains("'nosuch'") && "\(error)".contains("unknown policy"), "\(error)")
        }
    }
}

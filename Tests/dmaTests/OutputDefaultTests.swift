import ArgumentParser
import Foundation
@testable import dma
import Testing

/// No output defaults onto a committed file: the commands that used to write into analysis/ or
/// docs/ by default now need the path, and `surrogate report` writes its CSV only when asked.
@Suite struct OutputDefaultTests {
    func expectMissingOut(_ parse: () throws -> Void) {
        do { try parse(); Issue.record("parsed without --out") } catch {
            #expect("\(DMA.message(for: error))".contains("--out"), "\(error)")
            #expect(DMA.exitCode(for: error) == ExitCode(64))
        }
    }

    @Test func analyzeNeedsAnOutputFolder() {
        expectMissingOut { _ = try AnalyzeCommand.parse(["--policy", "p", "--data", "d", "--surrogate", "s"]) }
    }

    @Test func validateReportNeedsAnOutputFile() {
        expectMissingOut { _ = try ValidateReportCommand.parse(["--results", "r"]) }
    }

    @Test func surrogateReportWritesNoCSVUnlessAsked() throws {
        #expect(try SurrogateReportCommand.parse(["--model", "m", "--data", "d"]).csv == nil)
        #expect(try SurrogateReportCommand.parse(["--model", "m", "--data", "d", "--csv", "f.csv"]).csv == "f.csv")
    }

    /// A log outside any checkout, no `envs/` beside it or in the working directory: exit 64
    /// naming what was tried, before anything is written.
    @Test func missingDefaultEnvironmentIsAUsageErrorNamingThePathsTried() throws {
        let dir = NSTemporaryDirectory() + "dma-noenv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let log = dir + "/log.jsonl"
        do { _ = try environmentPath(nil, for: "no-such-env", near: log); Issue.record("found an environment") } catch {
            #expect(error is ValidationError)
            #expect("\(error)".contains(dir + "/envs/no-such-env.json") && "\(error)".contains("--env"), "\(error)")
        }
        #expect(try environmentPath("given.json", for: "no-such-env", near: log) == "given.json")
    }
}

import Analysis
import Base
import Foundation
import Testing
import Validation

@Suite struct AnalysisTablesTests {
    @Test func everyCSVRoundTripsWithItsDocumentedColumns() throws {
        let output = AnalysisFixture.output
        let expected = ["schedule.csv", "field_balance.csv", "sensitivity.csv", "rules.csv", "rules_simulation.csv", "domain_effects.csv",
                        "source_efficiency.csv", "validation_results.csv", "paired_differences.csv", "surrogate_replay.csv"]
        #expect(output.tables.map(\.file) == expected)
        let readme = try #require(output.files.first { $0.name == "README.md" }).contents
        let readmeText = String(decoding: readme, as: UTF8.self)
        for table in output.tables {
            let file = try #require(output.files.first { $0.name == table.file }, "\(table.file) is written")
            let parsed = try CSVTable(parsing: String(decoding: file.contents, as: UTF8.self), path: table.file)
            #expect(parsed == table.csv, "\(table.file) round-trips through CSVTable")
            #expect(parsed.header == table.columns.map(\.name))
            #expect(!parsed.rows.isEmpty, "\(table.file) has rows")
            #expect(readmeText.contains("## `\(table.file)`"))
            for c in table.columns { #expect(readmeText.contains("| `\(c.name)` |"), "README documents \(table.file):\(c.name)") }
        }
    }

    /// The committed `analysis/README.md` is the generated one: regenerate it with `dma analyze
    /// … --out analysis/` when a column changes.
    @Test func theCommittedFolderREADMEIsTheGeneratedOne() throws {
        let committed = try String(contentsOfFile: "analysis/README.md", encoding: .utf8)
        #expect(committed == AnalysisReadme.markdown(tables: AnalysisFixture.output.tables))
    }

    @Test func scheduleAndBalanceAverageTheRuns() throws {
        let results = AnalysisFixture.results
        let schedule = ScheduleTable.table(results).csv
        // 5 policies × 5 steps × 4 domains; the selection run is not counted.
        #expect(schedule.rows.count == 5 * 5 * 4)
        let row = try #require(schedule.rows.first { $0[0] == "agent" && $0[2] == "3" && $0[3] == "source/a" })
        #expect(abs(Double(row[5])! - 0.26) < 1e-9)
        #expect(Double(row[6])! == 0)
        #expect(row[7] == "3")
        let balance = FieldBalanceTable.table(results).csv
        let ratio = try #require(balance.rows.first { $0[0] == "ratio:0.7" && $0[2] == "1" })
        #expect(abs(Double(ratio[3])! - 0.7) < 1e-9)
        #expect(abs(Double(ratio[4])! - 0.3) < 1e-9)
    }

    @Test func pairedDifferencesUseCommonSeedsAndTIntervals() throws {
        let diffs = PairedDifference.all(AnalysisFixture.results)
        // The agent against 4 other policies × 3 metrics.
        #expect(diffs.count == 12)
        let d = try #require(diffs.first { $0.baseline == "uniform" && $0.metric == "balanced" })
        #expect(d.pairs == 3)
        let runs = AnalysisFixture.results.policies
        let agent = runs.first { $0.policy == "agent" }!.runs.map(\.final.balanced)
        let uniform = runs.first { $0.policy == "uniform" }!.runs.map(\.final.balanced)
        let x = zip(agent, uniform).map { $0 - $1 }
        let mean = x.reduce(0, +) / 3
        let sd = (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 2).squareRoot()
        // t_{0.975, 2} = 4.302653
        #expect(abs(d.meanDifference - mean) < 1e-12)
        #expect(abs(d.high! - (mean + 4.302653 * sd / 3.0.squareRoot())) < 1e-5)
    }

    /// The balanced rows agree with the validation stage's own paired summary.
    @Test func pairedDifferencesMatchTheValidationSummary() throws {
        let ours = PairedDifference.all(AnalysisFixture.results).filter { $0.metric == "balanced" }
        let summary = ValidationSummary(AnalysisFixture.runs())
        #expect(summary.paired.count == ours.count)
        for row in summary.paired {
            let mine = try #require(ours.first { $0.baseline == row.baseline })
            #expect(mine.pairs == row.pairs)
            #expect(abs(mine.meanDifference - row.mean) < 1e-12)
            #expect(abs(mine.low! - row.low!) < 1e-12 && abs(mine.high! - row.high!) < 1e-12)
        }
    }

    @Test func missingAndMalformedResultsNameTheFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dma-analysis-\(getpid())-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: DataFileError.self) { try ValidationResults.load(directory: dir) }
        do { _ = try ValidationResults.load(directory: dir) } catch { #expect("\(error)".contains("runs.jsonl")) }
        // A well-formed log is read with its invocations.
        let log = try AnalysisFixture.runs().map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        try Data(log.utf8).write(to: URL(fileURLWithPath: dir + "/runs.jsonl"))
        try ValidationInvocation(command: "dma validate --out x", started: Date(), newRuns: 16).append(to: dir + "/invocations.jsonl")
        let loaded = try ValidationResults.load(directory: dir)
        #expect(loaded.policies.count == 5)
        #expect(loaded.invocations.map(\.command) == ["dma validate --out x"])
        try Data("{\"id\": 1}\n".utf8).write(to: URL(fileURLWithPath: dir + "/runs.jsonl"))
        do {
            _ = try ValidationResults.load(directory: dir)
            Issue.record("a malformed line must fail")
        } catch { #expect("\(error)".contains("runs.jsonl")) }
    }

    @Test func withoutValidationResultsTheAgentAndDataAreStillAnalysed() throws {
        let output = try AnalysisPipeline.run(
            AnalysisInputs(agent: AnalysisFixture.studied, agentFloor: 0.02, trajectories: AnalysisFixture.trajectories, model: AnalysisFixture.model,
                           results: .none),
            config: AnalysisFixture.config)
        let rows = Dictionary(uniqueKeysWithValues: output.tables.map { ($0.file, $0.rows.count) })
        #expect(rows.keys.count == 10, "every CSV is still written")
        for empty in ["schedule.csv", "field_balance.csv", "source_efficiency.csv", "validation_results.csv", "paired_differences.csv", "surrogate_replay.csv"] {
            #expect(rows[empty] == 0, "\(empty) has its header only")
        }
        for full in ["sensitivity.csv", "rules.csv", "rules_simulation.csv", "domain_effects.csv"] { #expect((rows[full] ?? 0) > 0) }
        #expect(output.files.filter { $0.name.hasSuffix(".svg") }.map(\.name) == ["schedule-agent-surrogate.svg"])
        let report = String(decoding: try #require(output.files.first { $0.name == "report.html" }).contents, as: UTF8.self)
        #expect(report.contains("No validation results were given"))
    }

    @Test func writingPutsEveryFileInTheFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dma-analysis-out-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AnalysisPipeline.write(AnalysisFixture.output, to: dir)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(names == Set(AnalysisFixture.output.files.map(\.name)))
    }
}

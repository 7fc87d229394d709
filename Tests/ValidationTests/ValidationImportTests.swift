import Base
import DMATestSupport
import Environment
import Evaluation
import Foundation
import Testing
import Trajectories
@testable import Validation

/// `dma validate import`: runs of a foreign trainer (RunLogger's CSV and its runs.meta.csv) as a
/// validation folder.
@Suite struct ValidationImportTests {
    static let header = "trajectory,step,mixture:a,mixture:b,mixture:add-sub,mixture:compare-sort,feedback:bpb/a,feedback:bpb/b,feedback:bpb/add-sub,feedback:em/add-sub,feedback:bpb/compare-sort,feedback:em/compare-sort,tokens:a,tokens:b,tokens:add-sub,tokens:compare-sort,lr,train_loss,seconds"
    /// Two runs on seed 4 (agent, uniform) and one on seed 5 (agent).
    static let rows = [
        "7,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,,,,,,,",
        "7,1,0.25,0.25,0.25,0.25,2.5,3.0,2.0,0.5,5.0,0.1,100,100,100,100,0.001,1.5,2.0",
        "7,2,0.4,0.1,0.3,0.2,2.2,3.0,2.0,0.5,5.0,0.1,160,40,120,80,0.0005,1.4,3.0",
        "8,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,,,,,,,",
        "8,1,0.25,0.25,0.25,0.25,2.4,3.1,3.0,0.2,5.0,0.1,100,100,100,100,0.001,1.5,2.5",
        "8,2,0.25,0.25,0.25,0.25,2.3,3.1,2.9,0.3,4.9,0.1,100,100,100,100,0.0005,1.4,2.5",
        "9,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,,,,,,,",
        "9,1,0.5,0.0,0.5,0.0,2.1,3.2,2.5,0.4,5.0,0.1,200,0,200,0,0.001,1.5,2.0",
        "9,2,0.5,0.0,0.0,0.5,2.1,3.3,2.6,0.4,4.0,0.3,200,0,0,200,0.0005,1.4,2.0",
    ]
    static let meta = [
        "trajectory,seed,policy,spec,role,prior_runs",
        "7,4,agent,agent:my.policy.json,evaluation,40",
        "8,4,uniform,uniform,evaluation,0",
        "9,5,agent,agent:my.policy.json,evaluation,40",
    ]

    /// A folder with `runs.csv` and `runs.meta.csv`; returns the CSV's path.
    func folder(rows: [String] = Self.rows, meta: [String]? = Self.meta, header: String = Self.header) throws -> String {
        let dir = NSTemporaryDirectory() + "dma-vimport-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try (([header] + rows).joined(separator: "\n") + "\n").write(toFile: "\(dir)/runs.csv", atomically: true, encoding: .utf8)
        if let meta { try (meta.joined(separator: "\n") + "\n").write(toFile: "\(dir)/runs.meta.csv", atomically: true, encoding: .utf8) }
        return "\(dir)/runs.csv"
    }

    func model(_ env: EnvironmentConfig) throws -> TrajectoryImport.Model {
        try TrajectoryImport.Model(name: "my-gpt", description: "a test model", env: env)
    }

    @Test func importsScoresAndRoundTripsThroughTheFolder() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let csv = try folder()
        #expect(ValidationImport.metaPath(for: csv) == csv.replacingOccurrences(of: "runs.csv", with: "runs.meta.csv"))
        let runs = try ValidationImport.read(csvs: [csv], env: env, model: try model(env), baseID: "my-base", setting: "fixture@my-gpt")
        #expect(runs.map(\.id) == ["agent|evaluation|s4", "uniform|evaluation|s4", "agent|evaluation|s5"])
        let first = runs[0]
        #expect(first.setting == "fixture@my-gpt" && first.model == "my-gpt" && first.modelDescription == "a test model")
        #expect(first.baseCheckpoint == "my-base" && first.environmentHash == env.hash && first.priorRuns == 40)
        // Every round is scored with the environment's formula (round 1 as in ImportTests: retention 0.85, gain 0.25,
        // balanced 0.55), the final score from the last round's feedback against the base's.
        #expect(abs(first.rounds[0].balanced - 0.55) < 1e-12 && abs(first.rounds[0].retention - 0.85) < 1e-12)
        let names = first.feedbackNames
        let expected = try BalancedScore.compute(Feedback(names: names, values: [2.2, 3.0, 2.0, 0.5, 5.0, 0.1]),
                                                 base: Feedback(names: names, values: [2.0, 3.0, 4.0, 0.0, 5.0, 0.1]), env: env)
        #expect(first.final == expected && first.final.balanced != first.rounds[0].balanced)
        #expect(first.final.balanced == first.rounds.last!.balanced && first.finalFeedback == first.rounds.last!.feedback)
        // Tokens per field summed over rounds; seconds over rounds.
        #expect(first.sourceTokens == 400 && first.targetTokens == 400 && first.seconds == 5)
        #expect(runs[2].sourceTokens == 400 && runs[2].targetTokens == 400)

        let out = NSTemporaryDirectory() + "dma-vimport-out-\(UUID().uuidString)"
        let prior = ValidationInvocation(command: "python3 examples/pytorch_cpt.py …", started: Date(), newRuns: 3)
        let summary = try ValidationImport.write(runs, invocations: [prior], folder: out)
        #expect(try ValidationLog.read("\(out)/runs.jsonl").records == runs)
        #expect(try ValidationInvocation.read("\(out)/invocations.jsonl").map(\.command) == [prior.command])
        #expect(summary.policies.map(\.policy) == ["agent", "uniform"] && summary.seeds == [4, 5])
        // agent − uniform is paired on seed 4 only.
        #expect(summary.paired(against: "uniform")?.pairs == 1)
        #expect(FileManager.default.fileExists(atPath: "\(out)/results.csv") && FileManager.default.fileExists(atPath: "\(out)/summary.json"))
        #expect(runs.allSatisfy { $0.importedFrom == csv })
        // The report says whose runs these are.
        let setting = try ResultsReport.Setting(folder: out, notes: { _ in })
        #expect(setting.imported?.model == "my-gpt (a test model)" && setting.imported?.logs == 1)
        let page = ResultsReport.markdown([setting], main: nil)
        #expect(page.contains("except in `fixture@my-gpt`: real CPT runs of another trainer's model"))
        #expect(page.contains("Runs of the model my-gpt (a test model), made outside dma and imported from 1 run log with `dma validate import`"))
        // The trainer's invocations beside the CSV are carried over.
        try (String(data: try AppendLog<ValidationInvocation>.encodeLine(prior), encoding: .utf8)!)
            .write(toFile: (csv as NSString).deletingLastPathComponent + "/invocations.jsonl", atomically: true, encoding: .utf8)
        #expect(try ValidationImport.invocations(besides: [csv]) == [prior])
    }

    @Test func significantDigitsRoundTheMeasuresAndRescoreEachRound() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        #expect(ValidationImport.rounded(2.123456789, significantDigits: 3) == 2.12 && ValidationImport.rounded(0.000123456, significantDigits: 2) == 0.00012)
        let rows = Self.rows.map { $0.replacingOccurrences(of: "2.2,3.0,2.0", with: "2.2049,3.0,2.0") }
        let csv = try folder(rows: rows)
        let full = try ValidationImport.read(csvs: [csv], env: env, model: try model(env), baseID: "b", setting: "s")
        let short = try ValidationImport.read(csvs: [csv], env: env, model: try model(env), baseID: "b", setting: "s", significantDigits: 3)
        let logged22 = try ValidationImport.read(csvs: [try folder()], env: env, model: try model(env), baseID: "b", setting: "s")
        #expect(full[0].finalFeedback[0] == 2.2049 && short[0].finalFeedback[0] == 2.2)
        // Re-scored from the rounded values: the score of a log that said 2.2, not the 2.2049 one's.
        #expect(short[0].final == logged22[0].final && abs(full[0].final.balanced - short[0].final.balanced) > 1e-6)
        #expect(short[0].rounds.last!.balanced == short[0].final.balanced)
        #expect(short[0].rounds.map(\.mixture) == full[0].rounds.map(\.mixture) && short[0].rounds[0].lr == 0.001)
        // 17 digits keep every double as logged.
        #expect(try ValidationImport.read(csvs: [csv], env: env, model: try model(env), baseID: "b", setting: "s", significantDigits: 17) == full)
    }

    @Test func bestFixedShareIsTheGridShareWithTheBestMean() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let base = try ValidationImport.read(csvs: [try folder()], env: env, model: try model(env), baseID: "b", setting: "s")[0]
        func run(_ share: Double, seed: UInt64, balanced: Double) -> ValidationRun {
            var r = base
            (r.policy, r.role, r.seed, r.final.balanced) = (ValidationPlan.gridLabel(share), .selection, seed, balanced)
            r.id = ValidationRun.id(policy: r.policy, role: r.role, seed: seed)
            return r
        }
        #expect(try ValidationImport.bestFixedShare([base]) == nil)
        let grid = [run(0.3, seed: 1, balanced: 0.6), run(0.3, seed: 2, balanced: 0.7), run(0.7, seed: 1, balanced: 0.66), run(0.7, seed: 2, balanced: 0.66)]
        let best = try #require(try ValidationImport.bestFixedShare(grid + [base]))
        #expect(best.share == 0.7 && abs(best.mean - 0.66) < 1e-12 && best.runs == 2)
        // A share that ran on other seeds cannot be compared.
        #expect(throws: ValidationPlanError.self) { try ValidationImport.bestFixedShare(Array(grid.dropLast())) }
    }

    @Test func malformedInputsFailNamingFileAndLineAndWriteNothing() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        func with(_ k: Int, _ line: String) -> [String] { var m = Self.meta; m[k] = line; return m }
        let cases: [(csv: String, file: String, message: String)] = try [
            (folder(meta: nil), "runs.meta.csv", "file not found"),
            (folder(meta: with(0, "trajectory,seed,label,spec,role,prior_runs")), "runs.meta.csv:1:", "expected 'trajectory,seed,policy,spec,role,prior_runs'"),
            (folder(meta: with(2, "8,4,uniform,uniform,collection,0")), "runs.meta.csv:3:", "collection runs are training data"),
            (folder(meta: with(2, "8,x,uniform,uniform,evaluation,0")), "runs.meta.csv:3:", "seed 'x' is not an integer"),
            (folder(meta: with(2, "7,4,uniform,uniform,evaluation,0")), "runs.meta.csv:3:", "trajectory 7 has a row already"),
            (folder(meta: with(2, "8,4,agent,agent:my.policy.json,evaluation,40")), "runs.meta.csv:3:", "appears twice"),
            (folder(meta: with(2, "8,4,uniform,uniform,evaluation,-1")), "runs.meta.csv:3:", "prior_runs '-1'"),
            (folder(meta: Array(Self.meta.prefix(3))), "runs.meta.csv", "no row for trajectory 9"),
            (folder(meta: Self.meta + ["10,6,uniform,uniform,evaluation,0"]), "runs.meta.csv:5:", "trajectory 10 has no run"),
            (folder(rows: Self.rows.map { $0.replacingOccurrences(of: "2.4,3.1,3.0", with: "2.4,x,3.0") }), "runs.csv:6:", "not a finite number"),
            (folder(rows: Array(Self.rows.dropLast())), "runs.csv", "trajectory 9 has 1 rounds, trajectory 7 2: one setting's runs train the same rounds"),
        ]
        for c in cases {
            let out = NSTemporaryDirectory() + "dma-vimport-out-\(UUID().uuidString)"
            do {
                let runs = try ValidationImport.read(csvs: [c.csv], env: env, model: try model(env), baseID: "b", setting: "s")
                try ValidationImport.write(runs, invocations: [], folder: out)
                Issue.record("accepted: \(c.message)")
            } catch {
                #expect("\(error)".contains(c.file) && "\(error)".contains(c.message), "\(error)")
                #expect(!FileManager.default.fileExists(atPath: out))
            }
        }
        // Two inputs holding the same run: refused naming both.
        let a = try folder(), b = try folder()
        do { _ = try ValidationImport.read(csvs: [a, b], env: env, model: try model(env), baseID: "b", setting: "s"); Issue.record("accepted a run twice") } catch {
            #expect("\(error)".contains("is in \(ValidationImport.metaPath(for: a)) too"), "\(error)")
        }
    }
}

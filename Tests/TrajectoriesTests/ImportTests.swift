import Base
import Foundation
import Testing
import DMATestSupport
import Corpus
import Evaluation
import Transformer
@testable import Trajectories

@Suite struct ImportTests {
    let header = "trajectory,step,mixture:source/a,mixture:source/b,mixture:math/add-sub,mixture:math/compare-sort,feedback:bpb/source/a,feedback:bpb/source/b,feedback:bpb/math/add-sub,feedback:em/math/add-sub,feedback:bpb/math/compare-sort,feedback:em/math/compare-sort,lr"

    func write(_ rows: [String], header h: String? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).csv"
        try ([h ?? header] + rows).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func importsAndScoresWithTheEnvironmentWeights() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let path = try write([
            "7,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,0",
            "7,1,0.25,0.25,0.25,0.25,2.5,3.0,2.0,0.5,5.0,0.1,0.001",
            "7,2,0.4,0.1,0.3,0.2,2.2,3.0,2.0,0.5,5.0,0.1,0.0005",
        ])
        let ts = try TrajectoryImport.read(csv: path, env: env, model: try env.model("tiny"), baseID: "my-base")
        #expect(ts.count == 1 && ts[0].steps.count == 2 && ts[0].header.id == 7)
        // Same numbers as BalancedScoreTests: retention 0.85, gain 0.25, balanced 0.55.
        #expect(abs(ts[0].steps[0].balanced - 0.55) < 1e-12)
        #expect(abs(ts[0].baseBalanced - 0.5) < 1e-12)
        #expect(ts[0].steps[1].lr == 0.0005)
        // The imported trajectory passes the reader's validation.
        let log = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).jsonl"
        try AppendLog<Trajectory>(path: log).append(ts[0])
        #expect(try TrajectoryReader.read(log).trajectories == ts)
    }

    @Test func malformedRowsNameTheLine() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let cases: [([String], String?, String)] = [
            (["1,0,,,,,2,3,4,0,5,0.1,0", "1,1,0.5,0.5,0.5,0.5,2,3,4,0,5,0.1,0"], nil, ":3:"),
            (["1,0,,,,,2,3,4,0,5,0.1,0", "1,2,0.25,0.25,0.25,0.25,2,3,4,0,5,0.1,0"], nil, "without gaps"),
            (["1,0,,,,,2,3,4,0,5,0.1,0", "1,1,0.25,0.25,0.25,0.25,2,x,4,0,5,0.1,0"], nil, "not a finite number"),
            (["1,0,,,,,2,3,4,0,5,0.1,0"], header.replacingOccurrences(of: "mixture:source/b", with: "mixture:source/zz"), "not in environment"),
            (["1,0,,,,,2,3,4,0,5,0.1,0"], header + ",colour", "unknown column"),
        ]
        for (rows, h, message) in cases {
            let path = try write(rows.map { h?.hasSuffix("colour") == true ? $0 + ",red" : $0 }, header: h)
            do { _ = try TrajectoryImport.read(csv: path, env: env, model: try env.model("tiny"), baseID: "b"); Issue.record("accepted: \(message)") } catch {
                #expect("\(error)".contains(path) && "\(error)".contains(message), "\(error)")
            }
        }
    }

    /// The names `dma serve` takes (`a`, `add-sub`) name the same columns as the environment's.
    @Test func bareDomainNamesAsServeTakesThemAreAccepted() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let rows = ["7,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,0", "7,1,0.25,0.25,0.25,0.25,2.5,3.0,2.0,0.5,5.0,0.1,0.001"]
        let full = try TrajectoryImport.read(csv: try write(rows), env: env, model: try env.model("tiny"), baseID: "b")
        let bare = header.replacingOccurrences(of: "source/", with: "").replacingOccurrences(of: "math/", with: "")
        #expect(bare.contains("mixture:a,") && bare.contains("feedback:em/add-sub,"))
        let imported = try TrajectoryImport.read(csv: try write(rows, header: bare), env: env, model: try env.model("tiny"), baseID: "b")
        #expect(imported == full)
        #expect(imported[0].header.feedbackNames.contains("em/math/add-sub"))

        // A bare name two domains share is refused naming both; so is one domain given two columns.
        var twin = env
        twin.space.target[0] = "math/a"
        let ambiguous = try write(rows, header: header.replacingOccurrences(of: "mixture:source/a,", with: "mixture:a,").replacingOccurrences(of: "add-sub", with: "a"))
        let twice = try write(rows.map { $0 + ",0.5" }, header: header + ",mixture:b")
        for (path, environment, message) in [(ambiguous, twin, "column 'mixture:a': domain 'a' is ambiguous in environment 'fixture': it could be 'source/a' or 'math/a'"),
                                              (twice, env, "column 'mixture:b': domain 'source/b' already has a mixture column ('mixture:source/b')")] {
            do { _ = try TrajectoryImport.read(csv: path, env: environment, model: try env.model("tiny"), baseID: "b"); Issue.record("accepted \(message)") } catch {
                #expect("\(error)".contains(path) && "\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func quotedFieldsRoundTripThroughImportAndExport() throws {
        // A domain whose name holds a comma: every header naming it must be quoted.
        var env = try fixtureEnvironment(corpus: "unused")
        env.space.target[1] = "math/compare,sort"
        let fields = header.split(separator: ",").map { $0.replacingOccurrences(of: "compare-sort", with: "compare,sort") }
        let input = CSVTable(header: fields, rows: [
            ["3", "0", "", "", "", "", "2.0", "3.0", "4.0", "0.0", "5.0", "0.1", "0"],
            ["3", "1", "0.25", "0.25", "0.25", "0.25", "2.5", "3.0", "2.0", "0.5", "5.0", "0.1", "0.001"],
        ])
        let path = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).csv"
        try input.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"mixture:math/compare,sort\""))
        let ts = try TrajectoryImport.read(csv: path, env: env, model: try env.model("tiny"), baseID: "b")
        #expect(ts.count == 1 && ts[0].header.domains.contains("math/compare,sort"))
        let exported = NSTemporaryDirectory() + "dma-export-\(UUID().uuidString).csv"
        try AtomicFile.write(Data(try TransitionExport.csv(ts).utf8), to: exported)
        let back = try CSVTable.read(from: exported)
        #expect(back.header.contains("action:math/compare,sort") && back.header == TransitionExport.header(ts[0].header))
        #expect(back.rows == TransitionExport.rows(ts[0]))
    }

    @Test func raggedRowsAndMissingFilesAreDataErrorsNamingTheFile() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let path = try write(["1,0,,,,,2,3,4,0,5,0.1,0", "1,1,0.25,0.25"])
        for p in [path, "/nonexistent/runs.csv"] {
            do { _ = try TrajectoryImport.read(csv: p, env: env, model: try env.model("tiny"), baseID: "b"); Issue.record("accepted \(p)") } catch let e as DataError {
                #expect(e.isDataError && e.description.hasPrefix(p), "\(e)")
            }
        }
    }

    /// Runs of your own trainer keep its name and description: in the header (no preset config is
    /// claimed), through the log and its reader; a preset's name still records the preset's config.
    @Test func aForeignModelIsRecordedByNameAndDescription() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let rows = ["7,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,0", "7,1,0.25,0.25,0.25,0.25,2.5,3.0,2.0,0.5,5.0,0.1,0.001"]
        let model = try TrajectoryImport.Model(name: "byom", description: "PyTorch GPT, 391k params, 3 layers", env: env)
        #expect(model.config == nil)
        let ts = try TrajectoryImport.read(csv: try write(rows), env: env, model: model, baseID: "my-base")
        let h = ts[0].header
        #expect(h.model == nil && h.modelName == "byom" && h.modelDescription == "PyTorch GPT, 391k params, 3 layers")
        #expect(h.modelIdentity == ModelIdentity(name: "byom", description: "PyTorch GPT, 391k params, 3 layers") && h.declaredModel == h.modelIdentity)
        let log = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).jsonl"
        try AppendLog.write(ts, to: log)
        let line = try String(contentsOfFile: log, encoding: .utf8)
        #expect(line.contains("\"modelName\":\"byom\"") && !line.contains("\"model\":"))
        #expect(try TrajectoryReader.read(log).trajectories == ts)

        let preset = try TrajectoryImport.read(csv: try write(rows), env: env, model: try TrajectoryImport.Model(name: "tiny", description: nil, env: env), baseID: "b")
        #expect(preset[0].header.model == (try env.model("tiny")) && preset[0].header.modelName == nil && preset[0].header.declaredModel == nil)
        #expect(throws: TrajectoryImport.ImportModelError.emptyName) { try TrajectoryImport.Model(name: " ", description: nil, env: env) }
    }

    /// Runs of two models do not mix in one log, nor across logs read together; the message names both.
    @Test func runsOfDifferentModelsAreNotMixed() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let rows = ["7,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,0", "7,1,0.25,0.25,0.25,0.25,2.5,3.0,2.0,0.5,5.0,0.1,0.001"]
        let mine = try TrajectoryImport.read(csv: try write(rows), env: env, model: try TrajectoryImport.Model(name: "byom", description: nil, env: env), baseID: "b")
        var other = try TrajectoryImport.read(csv: try write(rows), env: env, model: try TrajectoryImport.Model(name: "tiny", description: nil, env: env), baseID: "b")
        other[0].header.id = 8
        let one = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).jsonl"
        try AppendLog.write(mine + other, to: one)
        #expect(throws: TrajectoryError.invalid(path: one, line: 2, reason: "model 'tiny' differs from the file's 'byom'; runs of different models cannot share a log")) {
            try TrajectoryReader.read(one)
        }
        let a = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).jsonl", b = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).jsonl"
        try AppendLog.write(mine, to: a)
        try AppendLog.write(other, to: b)
        do { _ = try TrajectoryMerge.merge([a, b]); Issue.record("mixed two models") } catch {
            #expect("\(error)".contains("model 'tiny' differs from \(a)'s 'byom'"), "\(error)")
        }
    }
}

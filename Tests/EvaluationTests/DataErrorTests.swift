import Base
import Corpus
import DMATestSupport
import Environment
import Evaluation
import Foundation
import Testing
import Transformer

/// Malformed input files of every kind come back as data errors: one line that starts with the
/// file's path (what `dma` prints before exiting 65, without usage text).
@Suite struct DataErrorTests {
    func file(_ contents: String, _ ext: String) throws -> String {
        let path = NSTemporaryDirectory() + "dma-bad-\(UUID().uuidString).\(ext)"
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func expectDataError(_ path: String, _ fragment: String, _ body: () throws -> Void) {
        do { try body(); Issue.record("accepted \(path) (\(fragment))") } catch let e as DataError {
            #expect(e.isDataError && e.description.hasPrefix(path) && e.description.contains(fragment) && !e.description.contains("\n"), "\(e)")
        } catch {
            Issue.record("\(path): \(error) is not a DataError")
        }
    }

    @Test func malformedEnvironmentsNameTheFile() throws {
        let truncated = try file(#"{"version": 1, "name": "x""#, "json")
        expectDataError(truncated, "not a valid environment") { _ = try EnvironmentConfig.load(from: truncated) }
        let good = try String(contentsOfFile: try fixtureEnvironmentFile(corpus: "unused"), encoding: .utf8)
        let future = try file(good.replacingOccurrences(of: #""version": 1"#, with: #""version": 9"#), "json")
        expectDataError(future, "version 9 is not supported") { _ = try EnvironmentConfig.load(from: future) }
        let noTarget = try file(good.replacingOccurrences(of: #""target": ["math/add-sub", "math/compare-sort"]"#, with: #""target": []"#), "json")
        expectDataError(noTarget, "at least one source and one target") { _ = try EnvironmentConfig.load(from: noTarget) }
        expectDataError("/nonexistent/env.json", "file not found") { _ = try EnvironmentConfig.load(from: "/nonexistent/env.json") }
    }

    @Test func malformedScoringInputsNameTheFile() throws {
        let prose = try file("hello world\nnot a problem\n\nQ: 1+1?\nA: 2\n", "txt")
        expectDataError(prose, "problem 1 is not a 'Q: …' line") { _ = try TextScoring.readProblems(from: prose) }
        let blank = try file("\n\n  \n", "txt")
        expectDataError(blank, "no problems found") { _ = try TextScoring.readProblems(from: blank) }
        let tiny = try file("x", "txt")
        expectDataError(tiny, "at least 2 bytes") { _ = try TextScoring.readText(from: tiny) }
        let qa = try file("Q: 1+1?\nA: 2\n\nQ: 2+2?\nA: 4\n", "txt")
        #expect(try TextScoring.readProblems(from: qa).map(\.answer) == ["2", "4"])
    }

    @Test func brokenCheckpointsAndCorporaNameTheFile() throws {
        let notCheckpoint = try file("hello world, not a checkpoint at all", "ckpt")
        expectDataError(notCheckpoint, "not a dma checkpoint") { _ = try Checkpoint.load(from: notCheckpoint) }
        let dir = NSTemporaryDirectory() + "dma-corpus-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try #"{"version": 1}"#.write(toFile: "\(dir)/\(CorpusManifest.fileName)", atomically: true, encoding: .utf8)
        expectDataError("\(dir)/\(CorpusManifest.fileName)", "rebuild with `dma data build`") { _ = try CorpusStore(directory: dir) }
    }
}

import Base
import DMATestSupport
import Environment
import Foundation
import Testing

/// Relative paths in an environment file resolve against the folder that holds its `envs/`
/// folder, and a command without `--env` finds `envs/<name>.json` beside its input: neither
/// depends on the working directory.
@Suite struct EnvironmentPathTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A new temporary folder.
    func folder() throws -> String {
        let dir = NSTemporaryDirectory() + "dma-envpath-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The bundled environment's text with its corpus replaced.
    func bundled(corpus: String) throws -> String {
        let text = try String(contentsOfFile: Self.root + "/envs/math-cpt.json", encoding: .utf8)
        #expect(text.contains(#""corpus": "datasets/build""#))
        return text.replacingOccurrences(of: #""corpus": "datasets/build""#, with: #""corpus": "\#(corpus)""#)
    }

    @Test func bundledCorpusPointsIntoTheCheckout() throws {
        let env = try EnvironmentConfig.load(from: Self.root + "/envs/math-cpt.json")
        #expect(env.corpus == "datasets/build")
        #expect(env.corpusDirectory == Self.root + "/datasets/build")
        #expect(env.hash == "b22bb7a6e739bd55")
    }

    @Test func relativeCorpusFollowsTheFileNotTheWorkingDirectory() throws {
        let checkout = try folder()
        try FileManager.default.createDirectory(atPath: checkout + "/envs", withIntermediateDirectories: true)
        try bundled(corpus: "datasets/build").write(toFile: checkout + "/envs/math-cpt.json", atomically: true, encoding: .utf8)
        let copy = try EnvironmentConfig.load(from: checkout + "/envs/math-cpt.json")
        #expect(copy.corpusDirectory == checkout + "/datasets/build")
        // Where the file lives is not part of its identity.
        #expect(copy.hash == "b22bb7a6e739bd55")
        try bundled(corpus: "../shared/corpus").write(toFile: checkout + "/envs/up.json", atomically: true, encoding: .utf8)
        let up = try EnvironmentConfig.load(from: checkout + "/envs/up.json")
        #expect(up.corpusDirectory == URL(fileURLWithPath: checkout).deletingLastPathComponent().path + "/shared/corpus")
    }

    @Test func absoluteCorpusStaysAsWritten() throws {
        let env = try fixtureEnvironment(corpus: "/somewhere/corpus")
        #expect(env.corpusDirectory == "/somewhere/corpus")
    }

    @Test func environmentBuiltInMemoryKeepsPathsAsWritten() throws {
        var env = try fixtureEnvironment(corpus: "datasets/build")
        env.baseDirectory = nil
        #expect(env.corpusDirectory == "datasets/build")
    }

    @Test func defaultEnvironmentIsFoundBesideTheInput() throws {
        let checkout = try folder(), elsewhere = try folder()
        try FileManager.default.createDirectory(atPath: checkout + "/envs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: checkout + "/datasets/trajectories", withIntermediateDirectories: true)
        try bundled(corpus: "datasets/build").write(toFile: checkout + "/envs/math-cpt.json", atomically: true, encoding: .utf8)
        let log = checkout + "/datasets/trajectories/log.jsonl"
        #expect(try EnvironmentConfig.locate("math-cpt", near: log, workingDirectory: elsewhere) == checkout + "/envs/math-cpt.json")
        // A relative input is relative to the working directory.
        #expect(try EnvironmentConfig.locate("math-cpt", near: "datasets/trajectories/log.jsonl", workingDirectory: checkout) == checkout + "/envs/math-cpt.json")
        // An input outside any checkout: the working directory's envs/ is the fallback.
        #expect(try EnvironmentConfig.locate("math-cpt", near: elsewhere + "/log.jsonl", workingDirectory: checkout) == checkout + "/envs/math-cpt.json")
    }

    @Test func missingDefaultEnvironmentNamesEveryPathTried() throws {
        let a = try folder(), b = try folder()
        do {
            _ = try EnvironmentConfig.locate("no-such-env-\(UUID().uuidString)", near: a + "/log.jsonl", workingDirectory: b)
            Issue.record("found an environment that does not exist")
        } catch let e as EnvironmentLookupError {
            #expect(e.tried.first!.hasPrefix(a + "/envs/"))
            #expect(e.tried.last!.hasPrefix(b + "/envs/"))
            #expect(e.tried.contains { $0.hasPrefix("/envs/") })
            #expect(e.description.contains(a + "/log.jsonl") && e.description.contains("--env"))
        }
    }
}

import Foundation
import Testing
import Numerics
@testable import Corpus

/// Builds a math-only corpus in a temporary directory (no Debian packages needed).
func buildMathCorpus(_ dir: String, train: Int = 200) throws -> CorpusManifest {
    let recipe = CorpusRecipe(
        version: 1, seed: 3, validFraction: 0.1, testFraction: 0.1,
        source: .init(capBytes: 1000, minBytes: 0, topic: [], format: [], groups: [:]),
        math: .init(modules: [.init(module: .addSub, difficulty: 2), .init(module: .units, difficulty: 1)],
                    trainExamples: train, validExamples: 30, testExamples: 40),
        code: .init(root: "/nonexistent", capBytes: 0, areas: []))
    return try CorpusBuilder(recipe: recipe, recipeHash: "test", outputDirectory: dir).build()
}

func temporaryDirectory() -> String {
    let dir = NSTemporaryDirectory() + "dma-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct CorpusBuildTests {
    @Test func splitsAreDisjointAndSized() throws {
        let dir = temporaryDirectory() + "/corpus"
        let manifest = try buildMathCorpus(dir)
        let store = try CorpusStore(directory: dir)
        for d in manifest.domains {
            let train = Set(try store.documents(d.name, .train).map { MathProblem(text: String(decoding: $0, as: UTF8.self))!.question })
            let test = Set(try store.documents(d.name, .test).map { MathProblem(text: String(decoding: $0, as: UTF8.self))!.question })
            let valid = Set(try store.documents(d.name, .valid).map { MathProblem(text: String(decoding: $0, as: UTF8.self))!.question })
            #expect(train.count == 200 && test.count == 40 && valid.count == 30)
            #expect(train.isDisjoint(with: test) && train.isDisjoint(with: valid) && valid.isDisjoint(with: test))
        }
        #expect(manifest.spaces["math"] == ["math/add-sub", "math/units"])
    }

    @Test func buildIsDeterministic() throws {
        let a = try buildMathCorpus(temporaryDirectory() + "/a")
        let b = try buildMathCorpus(temporaryDirectory() + "/b")
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.domains.map(\.hash) == b.domains.map(\.hash))
    }

    @Test func detectsCorruptionAndMissingCorpus() throws {
        let dir = temporaryDirectory() + "/corpus"
        _ = try buildMathCorpus(dir)
        let file = dir + "/domains/math.units.test.txt"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        data.removeLast(10)
        try data.write(to: URL(fileURLWithPath: file))
        let store = try CorpusStore(directory: dir)
        #expect(throws: CorpusError.self) { try store.documents("math/units", .test) }
        #expect(throws: CorpusError.self) { try store.documents("math/nope", .test) }
        #expect(throws: CorpusError.self) { try CorpusStore(directory: dir + "/missing") }
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/manifest.json"))
        do { _ = try CorpusStore(directory: dir); Issue.record("accepted a malformed manifest") } catch {
            #expect("\(error)".contains("manifest.json"))
        }
    }

    @Test func impossibleQuotaIsAClearError() throws {
        // Difficulty 1 units has a few thousand distinct problems: a huge quota must fail, not loop.
        #expect(throws: CorpusError.self) { try buildMathCorpus(temporaryDirectory() + "/c", train: 50_000) }
    }

    @Test func recipeValidation() throws {
        let dir = temporaryDirectory()
        let good = try String(contentsOfFile: "datasets/recipes/corpus.json", encoding: .utf8)
        let cases: [(String, String)] = [
            ("\"version\": 1", "\"version\": 7"),
            ("\"B\": [\"source/literature\"", "\"B\": [\"source/humor\""),
            ("\"B\": [\"source/literature\"", "\"B\": [\"source/unknown\""),
            ("{\"module\": \"units\", \"difficulty\": 1}", "{\"module\": \"units\", \"difficulty\": 9}"),
            ("\"seed\": 20261129", "\"seed\": \"x\""),
        ]
        #expect(throws: Never.self) { try CorpusRecipe.load(from: "datasets/recipes/corpus.json") }
        for (i, (from, to)) in cases.enumerated() {
            #expect(good.contains(from), "test case \(i) no longer matches the recipe")
            let path = "\(dir)/bad\(i).json"
            try good.replacingOccurrences(of: from, with: to).write(toFile: path, atomically: true, encoding: .utf8)
            do { _ = try CorpusRecipe.load(from: path); Issue.record("case \(i) accepted") } catch {
                #expect("\(error)".contains(path), "message should name the file: \(error)")
            }
        }
    }
}

@Suite struct ExtractorTests {
    @Test func dictdNumbers() {
        #expect(DictdReader.base64Number(Array("A".utf8)) == 0)
        #expect(DictdReader.base64Number(Array("BA".utf8)) == 64)
        #expect(DictdReader.base64Number(Array("/".utf8)) == 63)
        #expect(DictdReader.base64Number(Array("*".utf8)) == nil)
    }

    @Test func fortuneForms() {
        #expect(FortuneReader.classify("Short and sweet.") == .quip)
        #expect(FortuneReader.classify("A line\nanother\nand a third") == .passage)
        #expect(FortuneReader.classify("Wise words here.\n        -- Somebody") == .quotation)
    }

    @Test func dictionaryMarkup() {
        let s = TextCleaning.stripDictionaryMarkup("Coagulate \\Co*ag\"u*late\\, v. t. [L. coagulatus] To {curdle}.")
        #expect(TextCleaning.collapseWhitespace(s) == "Coagulate , v. t. To curdle.")
        #expect(DictionaryExtractor.subjectLabels(in: "a (Zool.) b (Law) c (not a label) (Bot.)") == ["Zool", "Law", "Bot"])
    }
}

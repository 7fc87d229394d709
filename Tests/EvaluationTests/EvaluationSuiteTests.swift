import Environment
import Foundation
import Testing
import DMATestSupport
@testable import Corpus
@testable import Evaluation

@Suite struct EvaluationSuiteTests {
    @Test func uniformModelScoresEightBitsAndNoAccuracy() throws {
        let dir = try makeFixtureCorpus()
        let env = try fixtureEnvironment(corpus: dir)
        let suite = try EvaluationSuite(env: env, store: try CorpusStore(directory: dir), sizes: env.benchmarks.full, contextLength: 32)
        let f = suite.evaluate(UniformModel(context: 32))
        #expect(f.names == ["bpb/source/a", "bpb/source/b", "cloze/acc", "definitions/acc",
                            "bpb/math/add-sub", "em/math/add-sub", "bpb/math/compare-sort", "em/math/compare-sort"])
        for name in f.names where name.hasPrefix("bpb/") { #expect(abs(f[name]! - 8) < 1e-4, "\(name) = \(f[name]!)") }
        for name in f.names where !name.hasPrefix("bpb/") { #expect(f[name]! == 0, "\(name) = \(f[name]!)") }
    }

    @Test func memorisingTheTestSetIsRewarded() throws {
        let dir = try makeFixtureCorpus()
        let env = try fixtureEnvironment(corpus: dir)
        let store = try CorpusStore(directory: dir)
        let suite = try EvaluationSuite(env: env, store: store, sizes: env.benchmarks.full, contextLength: 48)
        // Memorise the math test answers and source domain a's test text, not domain b's.
        var texts = try store.documents("math/add-sub", .test).map { $0 + Array("\n".utf8) }
        texts += [try store.stream("source/a", .test).bytes]
        let f = suite.evaluate(MemorisingModel(context: 48, order: 16, texts: texts))
        #expect(f["em/math/add-sub"]! > 0.9)
        #expect(f["em/math/compare-sort"]! == 0)
        #expect(f["bpb/math/add-sub"]! < 1)
        // Windows of 48: the first 16 positions have no memorised context (8 bits), the rest ≈ 0.15.
        #expect(f["bpb/source/a"]! < 3.5)
        #expect(abs(f["bpb/source/b"]! - 8) < 1e-3)
        #expect(f["cloze/acc"]! > 0.3)  // every cloze item from domain a is answered right
    }

    @Test func feedbackSubsetIsAPrefixOfTheFullSuite() throws {
        let dir = try makeFixtureCorpus()
        let env = try fixtureEnvironment(corpus: dir)
        let store = try CorpusStore(directory: dir)
        let full = try EvaluationSuite(env: env, store: store, sizes: env.benchmarks.full, contextLength: 32)
        let small = try EvaluationSuite(env: env, store: store, sizes: env.benchmarks.feedback, contextLength: 32)
        #expect(small.itemCount < full.itemCount)
        #expect(small.evaluate(UniformModel(context: 32)).names == full.evaluate(UniformModel(context: 32)).names)
    }

    @Test func unknownDomainIsAClearError() throws {
        let dir = try makeFixtureCorpus()
        var env = try fixtureEnvironment(corpus: dir)
        env.space.target.append("math/unknown")
        do {
            _ = try EvaluationSuite(env: env, store: try CorpusStore(directory: dir), sizes: env.benchmarks.full, contextLength: 32)
            Issue.record("accepted an unknown domain")
        } catch { #expect("\(error)".contains("math/unknown")) }
    }
}

@Suite struct BalancedScoreTests {
    @Test func formulaOnKnownValues() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let names = ["bpb/source/a", "bpb/source/b", "bpb/math/add-sub", "em/math/add-sub", "bpb/math/compare-sort", "em/math/compare-sort"]
        let base = Feedback(names: names, values: [2.0, 3.0, 4.0, 0.0, 5.0, 0.1])
        let now = Feedback(names: names, values: [2.5, 3.0, 2.0, 0.5, 5.0, 0.1])
        let s = try BalancedScore.compute(now, base: base, env: env)
        // retention: (3 · 2/2.5 + 1 · 3/3) / 4 = 0.85
        #expect(abs(s.retention - 0.85) < 1e-12)
        // gain: add-sub 0.5 · 0.5 + 0.5 · 0.5 = 0.5; compare-sort 0 → mean 0.25
        #expect(abs(s.gain - 0.25) < 1e-12)
        #expect(abs(s.balanced - 0.55) < 1e-12)
        let same = try BalancedScore.compute(base, base: base, env: env)
        #expect(abs(same.retention - 1) < 1e-12 && abs(same.gain) < 1e-12)
        #expect(throws: EnvironmentError.self) { try BalancedScore.compute(Feedback(names: ["x"], values: [1]), base: base, env: env) }
    }
}

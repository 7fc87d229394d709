@testable import Baselines
import Corpus
import Testing
import Trajectories

@Suite struct BaselineInputErrorTests {
    func error(_ spec: String, _ inputs: BaselineInputs) -> PolicySpecError? {
        do { _ = try NamedPolicy.make(try PolicySpec(parsing: spec), space: Fixture.space, rounds: 5, inputs: inputs); return nil } catch let e as PolicySpecError { return e } catch { return nil }
    }

    @Test func eachBaselineNamesItsMissingInput() {
        let full = Fixture.inputs()
        var noEnvironment = full; noEnvironment.environment = nil
        var noData = full; noData.trajectories = []
        var noModel = full; noModel.surrogate = nil
        let cases: [(String, BaselineInputs, String)] = [
            ("natural", noEnvironment, "natural needs the environment (--env)"),
            ("score-weighted:0.5", noEnvironment, "score-weighted needs the environment (--env)"),
            ("regmix", noData, "regmix needs logged trajectories of this setting (--data)"),
            ("doremi", noData, "doremi needs logged trajectories of this setting (--data)"),
            ("best-logged", noData, "best-logged needs logged trajectories of this setting (--data)"),
            ("surrogate-search", noModel, "surrogate-search needs a fitted surrogate model (--model)"),
        ]
        for (spec, inputs, message) in cases {
            let e = error(spec, inputs)
            #expect(e?.reason == message, "\(spec): \(String(describing: e))")
            #expect(e?.description.hasPrefix("--policy '\(spec)'") == true)
        }
    }

    @Test func malformedSpecsAreRejected() {
        for bad in ["score-weighted:abc", "score-weighted:1.5", "score-weighted:-0.1", "score-weighted:"] {
            let e = error(bad, Fixture.inputs())
            #expect(e?.reason.contains("score-weighted:R needs a source share 0 ≤ R ≤ 1") == true, "\(bad): \(String(describing: e))")
        }
        #expect(error("bandits", Fixture.inputs())?.reason.hasPrefix("unknown policy") == true)
    }

    @Test func inputsOverAnotherSpaceAreRejected() throws {
        let other = try DomainSpace(name: "o", domains: ["source/a", "source/b", "math/add-sub", "math/x"])
        #expect(throws: PolicySpecError.self) { try NamedPolicy.make(try PolicySpec(parsing: "best-logged"), space: other, rounds: 5, inputs: Fixture.inputs()) }
        #expect(throws: PolicySpecError.self) { try NamedPolicy.make(try PolicySpec(parsing: "surrogate-search"), space: other, rounds: 5, inputs: Fixture.inputs()) }
    }

    @Test func theOldEntryPointStillServesTheSimpleNames() throws {
        let space = Fixture.space
        let w = try NamedPolicy.make(try PolicySpec(parsing: "bandit"), space: space, rounds: 5, environment: nil, seed: 0)(0)
            .nextMixture(PolicyState(space: space, round: 0, rounds: 5, mixtures: [], feedback: [], scores: []))
        #expect(w.weights == [0.25, 0.25, 0.25, 0.25])
    }
}

@testable import Baselines
import Corpus
import DMATestSupport
import Environment
import Surrogate
import Testing
import Trajectories

@Suite struct StaticBaselinesTests {
    let space = Fixture.space

    func first(_ spec: String, _ inputs: BaselineInputs = Fixture.inputs()) throws -> [Double] {
        let policy = try NamedPolicy.make(try PolicySpec(parsing: spec), space: space, rounds: 5, inputs: inputs)(0)
        return try policy.nextMixture(Fixture.state([[2.5, 2.6, 6.0, 6.5]])).weights
    }

    @Test func naturalFollowsTheTrainingSizesInsideTheFloor() throws {
        let inputs = Fixture.inputs()
        #expect(inputs.floor == CollectionConfig.standard.floor)
        let bytes = try CorpusStore(directory: Fixture.environmentWithCorpus.corpusDirectory).trainingBytes(space.domains)
        let w = try first("natural")
        #expect(Fixture.isValid(w, floor: inputs.floor))
        let free = 1 - 4 * inputs.floor, total = bytes.reduce(0, +)
        for d in 0..<4 { #expect(abs(w[d] - (inputs.floor + free * bytes[d] / total)) < 1e-12) }
    }

    @Test func scoreWeightedSplitsTheSourceShareByRetentionWeights() throws {
        // The fixture weighs source/a 3 and leaves source/b unnamed (weight 1, as ScoreFormula does).
        let floor = Fixture.inputs().floor, free = 1 - 4 * floor
        let w = try first("score-weighted:0.8")
        #expect(Fixture.isValid(w, floor: floor))
        let expected = [0.8 * 0.75, 0.8 * 0.25, 0.1, 0.1].map { floor + free * $0 }
        for d in 0..<4 { #expect(abs(w[d] - expected[d]) < 1e-12) }
        // R = 1 leaves the target field at the floor, not at 0.
        let all = try first("score-weighted:1")
        #expect(abs(all[2] - floor) < 1e-12 && abs(all[3] - floor) < 1e-12)
    }

    @Test func bestLoggedReplaysTheBestLoggedSchedule() throws {
        let best = Fixture.trajectories.max { $0.finalBalanced! < $1.finalBalanced! }!
        let policy = try NamedPolicy.make(try PolicySpec(parsing: "best-logged"), space: space, rounds: 5, inputs: Fixture.inputs())(0)
        for (t, step) in best.steps.enumerated() {
            let state = PolicyState(space: space, round: t, rounds: 5, mixtures: [], feedback: [], scores: [])
            #expect(try policy.nextMixture(state).weights == step.mixture)
        }
        #expect(policy.name.contains("#\(best.header.id)"))
    }

    /// Every baseline's mixtures through a few simulated rounds: floored, summing to 1, and the same
    /// for the same seed.
    @Test func everyBaselineGivesValidReproducibleMixtures() throws {
        let floor = Fixture.inputs().floor
        // The surrogate search at its full size takes seconds in a debug build: a smaller one here
        // (SurrogateSearchTests runs the default).
        var inputs = Fixture.inputs(seed: 11)
        inputs.surrogateSearch.search.candidates = 1_000
        inputs.surrogateSearch.search.refinementRounds = 3
        for spec in ["natural", "score-weighted:0.6", "regmix", "doremi", "bandit", "surrogate-search"] {
            let make = try NamedPolicy.make(try PolicySpec(parsing: spec), space: space, rounds: Fixture.model.steps, inputs: inputs)
            let a = try PolicyRollout.run(Fixture.model, episodes: 3, seed: 2, makePolicy: make)
            for e in a { for w in e.mixtures { #expect(Fixture.isValid(w, floor: floor), "\(spec): \(w)") } }
            let again = try NamedPolicy.make(try PolicySpec(parsing: spec), space: space, rounds: Fixture.model.steps, inputs: inputs)
            let b = try PolicyRollout.run(Fixture.model, episodes: 3, seed: 2, makePolicy: again)
            #expect(a.map(\.mixtures) == b.map(\.mixtures), "\(spec) is not reproducible")
        }
    }
}

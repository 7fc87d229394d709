@testable import Baselines
import Corpus
import Surrogate
import Testing
import Trajectories

@Suite struct SurrogateSearchTests {
    @Test func beatsUniformAndEveryFieldRatioUnderTheSameSurrogate() throws {
        let model = Fixture.model, search = SurrogateSearch()
        let result = try search.run(model, floor: 0.005, seed: 4)
        let starts = search.startStates(model, seed: 4)
        let ratios = try (1...9).map { try Mixture.fieldRatio(Fixture.space, sourceShare: Double($0) / 10).weights }
        let others = try search.scores([Mixture.uniform(4).weights] + ratios, model: model, from: starts)
        #expect(result.predicted >= others.max()!, "search \(result.predicted) vs uniform/ratios \(others)")
        #expect(result.evaluated > 10_000)
        #expect((0...1).contains(result.outOfSupportShare))
        #expect(result.mixture.weights.allSatisfy { $0 >= 0.005 - 1e-12 })
        // The batched unchecked scoring agrees with the simulator's checked path.
        let policy = SchedulePolicy(name: "found", schedule: [result.mixture])
        let episodes = try PolicyRollout.episodes(policy, in: SurrogateEnvironment(model: model, count: starts.count), seed: 0, from: starts)
        let mean = episodes.reduce(0) { $0 + $1.finalBalanced } / Double(episodes.count)
        #expect(abs(mean - result.predicted) < 1e-9)
    }

    @Test func sameSeedSameResult() throws {
        var search = SurrogateSearch()
        search.search.candidates = 600
        search.search.refinementRounds = 2
        let a = try search.run(Fixture.model, floor: 0.005, seed: 8), b = try search.run(Fixture.model, floor: 0.005, seed: 8)
        #expect(a.mixture == b.mixture && a.predicted == b.predicted)
    }
}

import Corpus
import Evaluation
import Foundation
@testable import Surrogate
import Testing
import Trajectories

/// One policy object serving many simulated environments through `nextMixtures` gives each of them
/// the episode it would have had alone.
@Suite struct BatchedRolloutTests {
    /// A state-dependent policy: more source data the more the source field has been forgotten.
    final class Reactive: MixturePolicy {
        let name = "reactive"
        var batches: [Int] = []
        func nextMixture(_ state: PolicyState) throws -> Mixture {
            let base = state.feedback[0].values[0], now = state.feedback[state.round].values[0]
            let share = min(0.9, max(0.1, 0.5 + 5 * (now / base - 1)))
            return try Mixture.fieldRatio(state.space, sourceShare: share)
        }
        func nextMixtures(_ states: [PolicyState]) throws -> [Mixture] {
            batches.append(states.count)
            return try states.map(nextMixture)
        }
    }

    @Test func batchedEpisodesEqualSingleEpisodes() throws {
        let model = sharedModel
        // Start states that differ in how much of the source field is already forgotten.
        let starts = [1.0, 1.02, 1.05, 1.1].map { k in model.startStates[0].enumerated().map { $0.offset == 0 ? $0.element * k : $0.element } }
        let policy = Reactive()
        let batched = try PolicyRollout.episodes(policy, in: SurrogateEnvironment(model: model, count: starts.count), seed: 5, from: starts)
        #expect(policy.batches == [Int](repeating: starts.count, count: model.steps))
        let single = SurrogateEnvironment(model: model)
        for (e, start) in starts.enumerated() {
            try single.reset(from: [start], seed: 5)
            var state = PolicyState(space: try DomainSpace(name: "s", domains: model.domains), round: 0, rounds: model.steps, mixtures: [],
                                    feedback: [Feedback(names: model.feedbackNames, values: start)],
                                    scores: [model.score.components(start, base: start)])
            for t in 0..<model.steps {
                state.round = t
                let m = try policy.nextMixture(state)
                let r = try single.step(m.weights)
                state.record(m, feedback: Feedback(names: model.feedbackNames, values: r.observation.feedback),
                             score: model.score.components(r.observation.feedback, base: start))
                // Equal up to rounding: the batched simulator multiplies all rows in one matrix product.
                #expect(zip(batched[e].mixtures[t], m.weights).allSatisfy { abs($0 - $1) < 1e-9 })
                #expect(abs(batched[e].balanced[t] - r.observation.balanced) < 1e-9)
                #expect(abs(batched[e].rewards[t] - r.reward) < 1e-9)
            }
        }
        // The policy reacts: episodes from different starts chose different mixtures.
        #expect(batched[0].mixtures != batched[3].mixtures)
    }

    @Test func theSimulatorEncodesObservationsWithItsLayout() throws {
        let env = SurrogateEnvironment(model: sharedModel, count: 2)
        let obs = env.reset(seed: 3)
        #expect(obs[0].vector(env.layout).count == env.layout.width)
        #expect(obs[0].mixture == [Double](repeating: 0, count: sharedModel.domains.count))
        #expect(env.layout.scoreWeights != nil)
    }
}

@testable import Agent
import Corpus
import DMATestSupport
import Numerics
import Surrogate
import Testing
import Trajectories

/// Short penalised rollouts from logged states: the right rows, the right terminals, and penalties
/// that grow with uncertainty and for actions outside the data.
@Suite struct ModelRolloutsTests {
    static let trajectories = try! Synthetic.trajectories(30)
    static let model = try! Synthetic.fit(trajectories).0

    func layout() -> ObservationLayout {
        ObservationLayout(domains: Self.model.domains, feedbackNames: Self.model.feedbackNames, score: Self.model.score)
    }

    @Test func rolloutsStartAtLoggedStatesAndStopAtTheEnd() throws {
        var config = ModelRolloutConfig()
        config.rollouts = 60
        config.horizon = 3
        let space = try DomainSpace(name: "s", domains: Self.model.domains)
        let uniform = Mixture.uniform(space.count)
        var calls = 0
        let (data, summary) = try ModelRollouts.generate(model: Self.model, trajectories: Self.trajectories, layout: layout(), config: config,
                                                         firstEpisode: 1_000) { states in
            calls += 1
            return states.map { _ in uniform }
        }
        let T = Self.model.steps
        #expect(summary.rows == data.count && data.count > 60 && data.count <= 60 * 3)
        // Each rollout's rows: at most `horizon`, and terminal exactly when the run's last step is reached.
        let byEpisode = Dictionary(grouping: data.episode.indices, by: { data.episode[$0] })
        #expect(byEpisode.count == 60 && byEpisode.keys.allSatisfy { $0 >= 1_000 })
        for rows in byEpisode.values {
            #expect(rows.count <= 3)
            #expect(data.terminals[rows.last!] == 1 || rows.count == 3)
            #expect(rows.dropLast().allSatisfy { data.terminals[$0] == 0 })
        }
        #expect(calls <= T * 3)
        #expect(summary.meanPenalty >= 0 && summary.outOfSupportShare == 0)
        #expect(data.actions.allSatisfy { abs($0 - 0.25) < 1e-6 })
    }

    @Test func outOfSupportStepsArePenalisedHarder() throws {
        var config = ModelRolloutConfig()
        config.rollouts = 40
        config.horizon = 1
        config.uncertaintyPenalty = 0
        config.outOfSupportPenalty = 0.5
        let D = Self.model.domains.count
        let inside = Mixture.uniform(D), outside = try Mixture([1 - 1e-9 * Double(D - 1)] + [Double](repeating: 1e-9, count: D - 1))
        func rewards(_ m: Mixture) throws -> (Float, Double) {
            let (data, summary) = try ModelRollouts.generate(model: Self.model, trajectories: Self.trajectories, layout: layout(), config: config,
                                                             firstEpisode: 0) { $0.map { _ in m } }
            return (data.rewards.reduce(0, +) / Float(data.count), summary.outOfSupportShare)
        }
        let (rIn, shareIn) = try rewards(inside), (rOut, shareOut) = try rewards(outside)
        #expect(shareIn == 0 && shareOut == 1)
        #expect(rOut < rIn - 0.3)
    }
}

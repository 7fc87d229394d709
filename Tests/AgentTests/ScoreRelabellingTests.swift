import DMATestSupport
import Evaluation
import Foundation
@testable import Agent
import Testing
import Trajectories

/// Score-weight relabelling: recomputed scores and rewards, the score-weight token column, seeded
/// permutations, and a training run on relabelled copies.
@Suite struct ScoreRelabellingTests {
    static func setting() throws -> ([Trajectory], ScoreFormula, ObservationLayout) {
        let trajectories = try Synthetic.trajectories(8)
        let score = try ScoreFormula(env: try Synthetic.environment(), feedbackNames: Synthetic.names)
        return (trajectories, score, ObservationLayout(domains: Synthetic.domains, feedbackNames: Synthetic.names, score: score, window: 2))
    }

    /// The token column of `score_weight` for domain d of every row.
    static func scoreWeights(_ data: OfflineDataset, domain d: Int) -> [Float] {
        let W = data.tokenWidth, column = ObservationLayout.tokenColumns(window: 2).firstIndex(of: "score_weight")!
        return (0..<data.count).map { data.tokens[($0 * data.domainCount + d) * W + column] }
    }

    @Test func theIdentityPermutationReproducesTheLoggedScores() throws {
        let (trajectories, score, layout) = try Self.setting()
        let identity = ScoreRelabelling.weighting(score, permutation: [0, 1], layout: layout)
        for t in trajectories {
            let r = ScoreRelabelling.relabelled(t, score: identity.score, id: t.header.id + 100)
            #expect(r.header.id == t.header.id + 100 && r.steps.map(\.feedback) == t.steps.map(\.feedback))
            #expect(abs(r.baseBalanced - t.baseBalanced) <= 1e-9)
            for (a, b) in zip(r.steps, t.steps) {
                #expect(abs(a.balanced - b.balanced) <= 1e-9 && abs(a.retention - b.retention) <= 1e-9 && abs(a.gain - b.gain) <= 1e-9)
            }
        }
        #expect(identity.layout == layout)
    }

    @Test func aSwapOfTwoSourceWeightsChangesRewardsAsTheFormulaSaysAndSwapsTheirTokens() throws {
        let (trajectories, score, layout) = try Self.setting()
        #expect(score.retentionWeights == [3, 1])   // the fixture: source/a weighs 3, source/b 1
        let swap = ScoreRelabelling.weighting(score, permutation: [1, 0], layout: layout)
        #expect(swap.score.retentionWeights == [1, 3])
        let relabelled = trajectories.map { ScoreRelabelling.relabelled($0, score: swap.score, id: $0.header.id) }
        let logged = try OfflineDataset(trajectories: trajectories, layout: layout)
        let data = try OfflineDataset(trajectories: relabelled, layout: swap.layout)
        // The formula by hand: retention = (1·base_a/now_a + 3·base_b/now_b) / 4, gain as logged.
        var expected: [Float] = []
        for t in trajectories {
            var before = t.baseBalanced
            for s in t.steps {
                let retention = (1 * Synthetic.base[0] / s.feedback[0] + 3 * Synthetic.base[1] / s.feedback[1]) / 4
                let balanced = 0.5 * retention + 0.5 * s.gain
                expected.append(Float(balanced - before))
                before = balanced
            }
        }
        #expect(zip(data.rewards, expected).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(data.rewards != logged.rewards)
        #expect(data.actions == logged.actions)
        // score_weight: source/a and source/b trade 0.75 and 0.25; the target domains keep theirs.
        #expect(Self.scoreWeights(data, domain: 0) == Self.scoreWeights(logged, domain: 1))
        #expect(Self.scoreWeights(data, domain: 1) == Self.scoreWeights(logged, domain: 0))
        #expect(Self.scoreWeights(logged, domain: 0).allSatisfy { $0 == 0.75 })
        for d in 2..<4 { #expect(Self.scoreWeights(data, domain: d) == Self.scoreWeights(logged, domain: d)) }
    }

    @Test func permutationsAreSeeded() throws {
        let (trajectories, score, layout) = try Self.setting()
        let config = RelabelConfig(copies: 3, seed: 5)
        let a = ScoreRelabelling.copies(of: trajectories, score: score, layout: layout, config: config)
        let b = ScoreRelabelling.copies(of: trajectories, score: score, layout: layout, config: config)
        #expect(a.count == 3 && a.map(\.weighting.permutation) == b.map(\.weighting.permutation))
        #expect(a.map(\.trajectories) == b.map(\.trajectories))
        let da = try a.map { try OfflineDataset(trajectories: $0.trajectories, layout: $0.weighting.layout) }
        let db = try b.map { try OfflineDataset(trajectories: $0.trajectories, layout: $0.weighting.layout) }
        #expect(zip(da, db).allSatisfy { $0.tokens == $1.tokens && $0.globals == $1.globals && $0.rewards == $1.rewards && $0.episode == $1.episode })
        // Copy c's ids: id + (c + 1)·8, clear of the logged ids and of each other.
        #expect(Set(a.flatMap { $0.trajectories.map(\.header.id) }) == Set(8..<32))
        // Eight source domains, as in the real space: other seeds draw other permutations.
        let p1 = ScoreRelabelling.permutations(copies: 4, sources: 8, seed: 1)
        #expect(p1 == ScoreRelabelling.permutations(copies: 4, sources: 8, seed: 1))
        #expect(p1 != ScoreRelabelling.permutations(copies: 4, sources: 8, seed: 2))
        #expect(p1.allSatisfy { $0.sorted() == Array(0..<8) } && Set(p1).count > 1)
    }

    @Test func bestEpisodesAreTakenWithinEachGroup() {
        var data = OfflineDataset(domainCount: 1, tokenWidth: 1, globalWidth: 1)
        // Group 0 (episodes 0–3) scores far above group 1 (episodes 10–13).
        for (e, r) in [(0, 5), (1, 6), (2, 7), (3, 8), (10, -4), (11, -3), (12, -2), (13, -1)] as [(Int, Float)] {
            data.append(tokens: [0], globals: [0], isSource: [1], action: [1], reward: r, nextTokens: [0], nextGlobals: [0], terminal: true, episode: e)
        }
        #expect(BehaviourCloning.bestEpisodes(of: data, fraction: 0.25) == [3, 2])
        #expect(BehaviourCloning.bestEpisodes(of: data, fraction: 0.25) { $0 / 10 } == [3, 13])
    }

    @Test func trainingOnRelabelledCopiesWritesAValidPolicy() throws {
        let trajectories = try Synthetic.trajectories(12)
        let model = try Synthetic.fit(trajectories).0
        let env = try Synthetic.environment()
        var config = AgentTrainingConfig()
        config.network = NetworkConfig(tokenHidden: [8], globalHidden: 8, headHidden: [8])
        config.cql.critic = config.network
        (config.behaviourCloning.steps, config.cqlSteps, config.rollouts.rollouts, config.cql.batchSize) = (10, 5, 10, 16)
        config.relabel = RelabelConfig(copies: 2, seed: 1)
        config.cql.discount = 0.99
        let (file, summary) = try AgentTraining.train(trajectories: trajectories, environment: env, surrogate: (model, "synthetic"), config: config)
        #expect(summary.loggedRows == 3 * 12 * 5)
        #expect(summary.rolloutRows > 0 && summary.rollouts?.rows == summary.rolloutRows)
        let path = NSTemporaryDirectory() + "dma-relabel-\(UUID().uuidString).policy.json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try file.write(to: path)
        let agent = try AgentPolicy(path: path)
        #expect(agent.file.parameters.allSatisfy { $0.isFinite })
        #expect(agent.file.training["config"]?.contains("\"relabel\":{\"copies\":2,\"seed\":1}") == true)
        // Relabelling is part of the input key; without it the encoding is the one before relabelling existed.
        var off = config
        off.relabel = RelabelConfig()
        let provenance = AgentTraining.provenance(trajectories: trajectories, environment: env, surrogateFingerprint: "synthetic")
        let (inputOff, inputOn) = (try AgentTraining.inputKey(off, provenance), try AgentTraining.inputKey(config, provenance))
        let (resumeOff, resumeOn) = (try AgentTraining.resumeKey(off, provenance), try AgentTraining.resumeKey(config, provenance))
        #expect(inputOff != inputOn && resumeOff != resumeOn)
        let offText = try AgentTraining.describe(off)["config"]!
        #expect(!offText.contains("relabel"))
        let decoded = try JSONDecoder().decode(AgentTrainingConfig.self, from: Data(file.training["config"]!.utf8))
        #expect(decoded == config && decoded.relabel.copies == 2)
        #expect(try JSONDecoder().decode(AgentTrainingConfig.self, from: Data(offText.utf8)) == off)
    }

    /// `--discount` sets CQL's γ only; FQE keeps its own default.
    @Test func discountDefaults() {
        #expect(AgentTrainingConfig().cql.discount == 0.9 && FittedQEvaluationConfig().discount == 0.9)
        #expect(AgentTrainingConfig().relabel == RelabelConfig(copies: 3))
    }
}

import Foundation
import Testing
import DMATestSupport
import Corpus
@testable import Evaluation
import Numerics
import Transformer
@testable import Trajectories
import Surrogate

/// The whole pipeline built so far on a tiny configuration: corpus → pre-trained base → CPT runs
/// with policies in the loop → feedback and balanced scores → environment check report →
/// collected trajectories → fitted surrogate → a policy run through the simulator.
@Suite(.serialized) struct PipelineSmokeTests {
    @Test func tinyPipelineEndToEnd() throws {
        let (env, store) = try tinyCPT(rounds: 3, stepsPerRound: 4)
        let config = try env.model("tiny")

        // Base: a few steps on the source domains only.
        let trainer = Trainer(model: try GPT(config: config, seed: 1))
        let sampler = try MixtureSampler(streams: try env.space.source.map { try store.stream($0, .train) }, sequenceLength: config.context + 1)
        let uniform = Mixture.uniform(env.space.source.count)
        for step in 0..<30 {
            let s = try sampler.sample(uniform, sequences: 8, rng: RandomSource(seed: 1, stream: UInt64(step)))
            try trainer.step(TokenBatch(batchSize: 8, length: config.context + 1, tokens: s.tokens), lr: 3e-3)
        }
        let path = NSTemporaryDirectory() + "dma-smoke-\(UUID().uuidString).ckpt"
        try Checkpoint(model: trainer.model, trainer: trainer, metadata: ["env": env.name]).save(to: path)
        let base = try Checkpoint.load(from: path, expecting: config)

        // CPT with a fixed mixture: records are complete and consistent.
        let runner = try CPTRunner(env: env, base: base, store: store, fullEvaluation: true)
        let policy = SchedulePolicy(name: "half", schedule: [try Mixture.split(count: 4, first: [0, 1], second: [2, 3], share: 0.5)])
        let result = try runner.run(policy: policy, seed: 7)
        #expect(result.rounds.count == 3)
        for r in result.rounds {
            // 16 sequences a round, 4 per domain, each predicting `context` tokens.
            #expect(r.tokensPerDomain == [4, 4, 4, 4].map { $0 * config.context })
            #expect(r.feedback.count == runner.baseFeedback.names.count)
            #expect(r.balanced.isFinite && r.trainLoss?.isFinite == true && r.seconds != nil)
        }
        let lrs = result.rounds.compactMap(\.lr)
        #expect(lrs.count == 3 && lrs == lrs.sorted(by: >))
        // Same seed, same run.
        let again = try runner.run(policy: policy, seed: 7)
        #expect(again.rounds.map(\.feedback) == result.rounds.map(\.feedback))
        #expect(try runner.run(policy: policy, seed: 8).rounds.map(\.feedback) != result.rounds.map(\.feedback))

        // Environment check on a tiny plan: every criterion computed from real runs.
        var settings = EnvironmentCheck.Settings()
        settings.seeds = 2
        settings.randomSchedules = 2
        settings.ratios = [0, 0.5, 1]
        let check = try EnvironmentCheck(env: env, settings: settings, prior: [2, 2, 1, 1])
        var outcomes: [EnvironmentCheck.Outcome] = []
        for run in check.firstPhase() {
            outcomes.append(check.outcome(run, result: try runner.run(policy: try check.policy(for: run), seed: run.seed), baseFull: runner.baseFullFeedback!,
                                          baseCheckpoint: runner.baseHash))
        }
        let second = check.secondPhase(after: outcomes)
        #expect(second.count == 1 && second[0].seed == 2)
        for run in second {
            outcomes.append(check.outcome(run, result: try runner.run(policy: try check.policy(for: run), seed: run.seed), baseFull: runner.baseFullFeedback!,
                                          baseCheckpoint: runner.baseHash))
        }
        let report = check.report(outcomes)
        #expect(report.criteria.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(report.groups.first { $0.label.hasPrefix("best random") }?.n == 2)
        // Target-only CPT moves the source bits per byte; source-only barely moves math.
        let targetOnly = report.groups.first { $0.label == "fixed share 0.0" }!
        let sourceOnly = report.groups.first { $0.label == "fixed share 1.0" }!
        #expect(targetOnly.sourceBpbChange > sourceOnly.sourceBpbChange)
        #expect(targetOnly.gain > sourceOnly.gain)

        // Trajectories → surrogate → a policy through the simulator.
        let log = NSTemporaryDirectory() + "dma-smoke-\(UUID().uuidString).jsonl"
        let collector = try TrajectoryCollector(env: env, base: base, store: store, workers: 1, seed: 3)
        _ = try collector.collect(ids: Array(0..<16), log: log) { _, _, _ in }
        let trajectories = try TrajectoryReader.read(log).trajectories
        let (identity, score) = try SurrogateModel.identity(for: trajectories, env: env, path: log)
        var fitConfig = SurrogateConfig()
        fitConfig.folds = 3
        fitConfig.ensembleSize = 2
        fitConfig.centres = 8
        let model = try SurrogateFitter.fit(try TransitionSet(trajectories), identity: identity, score: score, config: fitConfig)
        let modelPath = NSTemporaryDirectory() + "dma-smoke-\(UUID().uuidString).json"
        try model.write(to: modelPath)
        let loaded = try SurrogateModel.load(from: modelPath, expecting: env)
        let episodes = try PolicyRollout.run(loaded, episodes: 2, seed: 1, transition: .sampled) { _ in policy }
        #expect(episodes.count == 2 && episodes.allSatisfy { $0.balanced.count == 3 && $0.finalBalanced.isFinite })
    }
}

/// Throws when asked for round `failAt`, once: an interruption in the middle of a run.
final class InterruptingPolicy: MixturePolicy {
    let inner: MixturePolicy
    var failAt: Int?
    init(_ inner: MixturePolicy, failAt: Int) { self.inner = inner; self.failAt = failAt }
    var name: String { inner.name }
    struct Interrupted: Error {}
    func nextMixture(_ state: PolicyState) throws -> Mixture {
        if state.round == failAt { failAt = nil; throw Interrupted() }
        return try inner.nextMixture(state)
    }
}

@Suite(.serialized) struct ResumeTests {
    @Test func interruptedRunResumesExactly() throws {
        let (env, store) = try tinyCPT(rounds: 4, stepsPerRound: 3)
        let base = Checkpoint(model: try GPT(config: try env.model("tiny"), seed: 1))
        let runner = try CPTRunner(env: env, base: base, store: store)
        func walk() -> MixturePolicy { DirichletWalk(prior: [2, 2, 1, 1], startConcentration: 8, kappa: 30, floor: 0.02, seed: 9) }
        let uninterrupted = try runner.run(policy: walk(), seed: 3)

        let snapshot = NSTemporaryDirectory() + "dma-resume-\(UUID().uuidString).ckpt"
        let interrupting = InterruptingPolicy(walk(), failAt: 2)
        #expect(throws: InterruptingPolicy.Interrupted.self) { try runner.run(policy: interrupting, seed: 3, snapshot: snapshot) }
        #expect(FileManager.default.fileExists(atPath: snapshot))
        var resumedRounds: [Int] = []
        let resumed = try runner.run(policy: walk(), seed: 3, snapshot: snapshot) { round, _ in resumedRounds.append(round) }
        #expect(resumedRounds == [2, 3])  // rounds 0 and 1 came from the snapshot
        #expect(resumed.rounds.map(\.mixture) == uninterrupted.rounds.map(\.mixture))
        #expect(resumed.rounds.map(\.feedback) == uninterrupted.rounds.map(\.feedback))
        #expect(resumed.rounds.map(\.lr) == uninterrupted.rounds.map(\.lr))
        #expect(!FileManager.default.fileExists(atPath: snapshot))
    }

    /// A snapshot of another schedule under the same policy name is refused, not silently continued.
    @Test func resumingAnotherScheduleIsADataError() throws {
        let (env, store) = try tinyCPT(rounds: 3, stepsPerRound: 2)
        let runner = try CPTRunner(env: env, base: Checkpoint(model: try GPT(config: try env.model("tiny"), seed: 1)), store: store)
        func walk(_ seed: UInt64) -> MixturePolicy { DirichletWalk(prior: [2, 2, 1, 1], startConcentration: 8, kappa: 30, floor: 0.02, seed: seed) }
        let snapshot = NSTemporaryDirectory() + "dma-resume-\(UUID().uuidString).ckpt"
        #expect(throws: InterruptingPolicy.Interrupted.self) { try runner.run(policy: InterruptingPolicy(walk(9), failAt: 2), seed: 3, snapshot: snapshot) }
        #expect(throws: CPTRunError.snapshotDiverged(snapshot: snapshot, policy: walk(10).name, round: 1)) { try runner.run(policy: walk(10), seed: 3, snapshot: snapshot) }
    }
}

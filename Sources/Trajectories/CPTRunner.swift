import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Transformer

/// A finished CPT run.
public struct CPTResult: Sendable {
    /// Every round, in order (with `lr`, `trainLoss` and `seconds`); rounds resumed from a snapshot included.
    public var rounds: [LoggedRound]
    /// Full-suite feedback and score after the last round, when requested.
    public var finalFeedback: Feedback?
    public var finalScore: BalancedScore?
    public var seconds: Double
}

/// Runs continual pre-training from a base checkpoint with a policy choosing each round's mixture.
///
/// Each round trains `cpt.stepsPerRound` optimizer steps of `cpt.batch` sequences sampled (stratified)
/// under the round's mixture, then evaluates the per-step feedback subset. The LR schedule (warm-up,
/// then the environment's `cpt.lrSchedule`, cosine by default) spans the whole run. Give each worker its own runner (`withWorkers`).
public final class CPTRunner {
    public let env: EnvironmentConfig
    public let space: DomainSpace
    public let base: Checkpoint
    public let baseFeedback: Feedback
    public let baseFullFeedback: Feedback?
    /// The base scored against itself: the reference of every run's first reward.
    public let baseScore: BalancedScore
    /// `base.parameterHash`, hashed once (it identifies runs and logs).
    public let baseHash: String
    let feedbackSuite: EvaluationSuite
    let fullSuite: EvaluationSuite?
    let sampler: MixtureSampler
    /// Data-parallel workers of each run's model (`GPT.workers`); 1 keeps the single-pass code.
    public let modelWorkers: Int

    public init(env: EnvironmentConfig, base: Checkpoint, store: CorpusStore, fullEvaluation: Bool = false, modelWorkers: Int = 1) throws {
        self.env = env
        self.modelWorkers = max(1, modelWorkers)
        self.base = base
        space = try env.domainSpace()
        try store.requireDomains(space.domains, context: "environment '\(env.name)'")
        sampler = try MixtureSampler(streams: try space.domains.map { try store.stream($0, .train) }, sequenceLength: base.config.context + 1)
        feedbackSuite = try EvaluationSuite(env: env, store: store, sizes: env.benchmarks.feedback, contextLength: base.config.context)
        fullSuite = fullEvaluation ? try EvaluationSuite(env: env, store: store, sizes: env.benchmarks.full, contextLength: base.config.context) : nil
        let model = try base.makeModel()
        model.workers = self.modelWorkers
        baseFeedback = feedbackSuite.evaluate(model)
        baseFullFeedback = fullSuite?.evaluate(model)
        baseScore = try BalancedScore.compute(baseFeedback, base: baseFeedback, env: env)
        baseHash = base.parameterHash
    }

    /// A runner for another parallel worker. The sampler and the suites are read-only once built
    /// and the base's feedback is deterministic, so the worker shares them instead of rebuilding
    /// and re-evaluating; each run still owns its model and optimizer.
    private init(sharing other: CPTRunner) {
        env = other.env
        base = other.base
        space = other.space
        sampler = other.sampler
        feedbackSuite = other.feedbackSuite
        fullSuite = other.fullSuite
        baseFeedback = other.baseFeedback
        baseFullFeedback = other.baseFullFeedback
        baseScore = other.baseScore
        baseHash = other.baseHash
        modelWorkers = other.modelWorkers
    }

    /// This runner and `count − 1` workers made from it.
    public func withWorkers(_ count: Int) -> [CPTRunner] {
        [self] + (1..<max(1, count)).map { _ in CPTRunner(sharing: self) }
    }

    /// The LR schedule of a run.
    public var schedule: LRSchedule { env.cpt.schedule }

    /// Runs T rounds, calling `progress` with each round's index and record as it finishes.
    /// With `snapshot`, the model, optimizer state and rounds are saved there
    /// (atomically) after every round, and a run that finds a snapshot resumes after its last round:
    /// the policy is replayed over the recorded history (it must choose the same mixtures again) and
    /// each round's data comes from its own seeded stream, so nothing is repeated or skipped.
    /// The snapshot is removed when the run completes.
    /// With `finalModel`, the trained model (weights only, no optimizer state) is saved there
    /// atomically when the run completes, so a user who ran CPT under a policy gets the model back.
    public func run(policy: MixturePolicy, seed: UInt64, snapshot: String? = nil, finalModel: String? = nil,
                    progress: (_ round: Int, _ record: LoggedRound) -> Void = { _, _ in }) throws -> CPTResult {
        let start = Date()
        let c = env.cpt
        var model = try base.makeModel()
        model.workers = modelWorkers
        var trainer = Trainer(model: model)
        let schedule = self.schedule
        var state = PolicyState(space: space, round: 0, rounds: c.rounds, mixtures: [], feedback: [baseFeedback],
                                scores: [baseScore])
        var records: [LoggedRound] = []
        let length = sampler.sequenceLength
        let runKey = "\(env.hash)|\(baseHash)|\(seed)|\(policy.name)"
        if let snapshot, let saved = try? Checkpoint.load(from: snapshot, expecting: base.config),
           // Snapshots from before rounds were `LoggedRound`s keep another shape under "records": they start over.
           saved.metadata["run"] == runKey, let json = saved.metadata["rounds"], let optimizer = saved.optimizer {
            let restored = try JSONDecoder().decode([LoggedRound].self, from: Data(json.utf8))
            model = try saved.makeModel()
            model.workers = modelWorkers
            trainer = Trainer(model: model, state: optimizer)
            for (round, r) in restored.enumerated() {
                state.round = round
                let replayed = try policy.nextMixture(state)
                guard replayed.weights == r.mixture else {
                    throw CPTRunError.snapshotDiverged(snapshot: snapshot, policy: policy.name, round: round + 1)
                }
                state.record(replayed, feedback: r.feedback(names: baseFeedback.names), score: r.score)
                records.append(r)
            }
        }
        for round in records.count..<c.rounds {
            let roundStart = Date()
            state.round = round
            let mixture = try policy.nextMixture(state)
            guard mixture.count == space.count else {
                throw CPTRunError.wrongMixtureSize(policy: policy.name, weights: mixture.count, domains: space.count)
            }
            // One stratified sample per round: its composition matches the mixture exactly.
            let rows = c.stepsPerRound * c.batch
            let sample = try sampler.sample(mixture, sequences: rows, rng: RandomSource(seed: seed, stream: UInt64(round) + 1))
            var lossSum = 0.0
            var lr = 0.0
            for s in 0..<c.stepsPerRound {
                let lo = s * c.batch * length
                let batch = TokenBatch(batchSize: c.batch, length: length, tokens: Array(sample.tokens[lo..<(lo + c.batch * length)]))
                lr = schedule.lr(at: trainer.step)
                lossSum += Double(try trainer.step(batch, lr: Float(lr)))
            }
            let feedback = feedbackSuite.evaluate(model)
            let score = try BalancedScore.compute(feedback, base: baseFeedback, env: env)
            // Tokens are predicted bytes: each sequence of `length` predicts `length − 1`.
            let record = LoggedRound(mixture: mixture.weights, tokensPerDomain: sample.rowsPerDomain.map { $0 * (length - 1) },
                                     feedback: feedback, score: score, lr: lr, trainLoss: lossSum / Double(c.stepsPerRound),
                                     seconds: Date().timeIntervalSince(roundStart))
            records.append(record)
            state.record(mixture, feedback: feedback, score: score)
            if let snapshot, round + 1 < c.rounds {
                let json = String(decoding: try JSONEncoder().encode(records), as: UTF8.self)
                try Checkpoint(model: model, trainer: trainer, metadata: ["run": runKey, "rounds": json]).save(to: snapshot)
            }
            progress(round, record)
        }
        if let finalModel {
            try Checkpoint(model: model, metadata: ["run": runKey, "environment": env.name, "policy": policy.name, "seed": "\(seed)"]).save(to: finalModel)
        }
        if let snapshot { try? FileManager.default.removeItem(atPath: snapshot) }
        var finalFeedback: Feedback?, finalScore: BalancedScore?
        if let fullSuite, let baseFullFeedback {
            let f = fullSuite.evaluate(model)
            finalFeedback = f
            finalScore = try BalancedScore.compute(f, base: baseFullFeedback, env: env)
        }
        return CPTResult(rounds: records, finalFeedback: finalFeedback, finalScore: finalScore, seconds: Date().timeIntervalSince(start))
    }
}

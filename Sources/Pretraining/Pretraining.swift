import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Transformer

/// Pre-training a base model, nanoGPT-style: config, data, model, optimizer, loop, validation,
/// checkpoint. Resumable: snapshots with optimizer state go to `OUT.partial`, and a run that finds
/// the snapshot of the same plan (same metadata) continues from it.
public struct Pretraining {
    /// Values that override the environment's (or the file defaults') pre-training settings.
    public struct Overrides: Sendable {
        public var steps: Int?
        public var batch: Int?
        public var peakLR: Double?
        public var seed: UInt64?
        public init(steps: Int? = nil, batch: Int? = nil, peakLR: Double? = nil, seed: UInt64? = nil) {
            (self.steps, self.batch, self.peakLR, self.seed) = (steps, batch, peakLR, seed)
        }
    }

    /// One report per optimizer step.
    public struct Progress: Sendable {
        public var step: Int
        /// Steps this process has run (a resumed run starts above 0).
        public var stepsRun: Int
        public var totalSteps: Int
        public var loss: Float
        /// Last validation loss measured so far (NaN before the first).
        public var validationLoss: Float
        public var tokensPerSecond: Double
        public var lr: Double
    }

    /// What a finished run reports.
    public struct Summary: Sendable {
        public var steps: Int
        /// Tokens trained by this process.
        public var tokens: Int
        public var trainLoss: Float
        public var validationLoss: Float
        public var seconds: Double
        public var resumedFrom: Int?
        public var validationBitsPerByte: Double { Double(validationLoss) / log(2) }
    }

    public let config: ModelConfig
    public let data: PretrainingData
    public let schedule: LRSchedule
    public let batch: Int
    public let seed: UInt64
    /// Recorded in the checkpoint; a snapshot resumes only a run with the same metadata.
    public let metadata: [String: String]

    /// Pre-training on an environment's pre-training space under its natural mixture.
    public init(env: EnvironmentConfig, path: String, preset: String, overrides: Overrides = Overrides()) throws {
        config = try env.model(preset)
        let p = env.pretrain
        let store = try CorpusStore(directory: env.corpusDirectory)
        guard let domains = store.manifest.spaces[p.space] else {
            throw PretrainingError.unknownSpace(path: path, space: p.space, known: store.manifest.spaces.keys.sorted())
        }
        data = try PretrainingData(store: store, domains: domains, length: config.context + 1)
        seed = overrides.seed ?? p.seed
        batch = overrides.batch ?? p.batch
        let total = overrides.steps ?? p.steps
        let peak = overrides.peakLR ?? p.peakLR
        schedule = LRSchedule(peak: peak, minimum: peak * p.minLR / p.peakLR, warmupSteps: min(p.warmupSteps, total / 10), totalSteps: total)
        metadata = Self.metadata(["command": "pretrain", "env": env.name, "envHash": env.hash, "data": store.manifest.fingerprint, "space": p.space],
                                 config: config, seed: seed, steps: total, batch: batch)
    }

    /// Pre-training on one text file (defaults: 2000 steps of 32 sequences, peak LR 3e-3, seed 1).
    public init(file: String, preset: String, overrides: Overrides = Overrides()) throws {
        config = try ModelConfig.named(preset)
        data = try PretrainingData(file: file, length: config.context + 1)
        seed = overrides.seed ?? 1
        batch = overrides.batch ?? 32
        let total = overrides.steps ?? 2000
        let peak = overrides.peakLR ?? 3e-3
        schedule = LRSchedule(peak: peak, minimum: peak / 10, warmupSteps: min(100, total / 10), totalSteps: total)
        metadata = Self.metadata(["command": "pretrain", "data": data.fingerprint], config: config, seed: seed, steps: total, batch: batch)
    }

    private static func metadata(_ base: [String: String], config: ModelConfig, seed: UInt64, steps: Int, batch: Int) -> [String: String] {
        base.merging(["preset": config.name, "seed": "\(seed)", "steps": "\(steps)", "batch": "\(batch)"]) { $1 }
    }

    /// Trains to the end of the schedule and saves the model (with its final validation bits per
    /// byte in the metadata) to `out`, atomically; the snapshot is removed afterwards. `workers`
    /// splits each step's batch across data-parallel threads (`GPT.workers`; 1 = the single-pass code).
    public func run(out: String, workers: Int = 1, progress: (Progress) -> Void = { _ in }) throws -> Summary {
        let partial = out + ".partial"
        let trainer: Trainer
        var resumedFrom: Int?
        if let snap = try? Checkpoint.load(from: partial, expecting: config), snap.metadata == metadata, let state = snap.optimizer {
            trainer = Trainer(model: try snap.makeModel(), state: state)
            resumedFrom = snap.header.step
        } else {
            trainer = Trainer(model: try GPT(config: config, seed: seed))
        }
        let model = trainer.model
        model.workers = workers
        let start = Date()
        var lastLoss: Float = 0
        var shownValidation: Float = .nan
        let validation = try data.validationBatches(rows: 16, maxBatches: 16)
        func validate() -> Float {
            let losses = validation.map { model.loss($0) }
            return losses.reduce(0, +) / Float(losses.count)
        }
        let initialStep = trainer.step
        let loop = TrainingLoop(schedule: schedule, validateEvery: max(50, schedule.totalSteps / 20), snapshotEvery: max(100, schedule.totalSteps / 10))
        let finalValidation = try loop.run(
            trainer: trainer,
            batch: { step in try data.batch(rows: batch, rng: RandomSource(seed: seed, stream: UInt64(step) + 1)) },
            validate: validate,
            snapshot: { _ in try Checkpoint(model: model, trainer: trainer, metadata: metadata).save(to: partial) },
            progress: { p in
                lastLoss = p.loss
                if let v = p.validationLoss { shownValidation = v }
                progress(Progress(step: p.step, stepsRun: p.step - initialStep, totalSteps: p.totalSteps, loss: p.loss, validationLoss: shownValidation,
                                  tokensPerSecond: Double(p.tokens) / max(Date().timeIntervalSince(start), 1e-9), lr: p.lr))
            })
        var final = metadata
        final["validationBitsPerByte"] = String(format: "%.4f", Double(finalValidation) / log(2))
        try Checkpoint(model: model, trainer: trainer, metadata: final).save(to: out)
        try? FileManager.default.removeItem(atPath: partial)
        return Summary(steps: schedule.totalSteps, tokens: (schedule.totalSteps - initialStep) * batch * config.context, trainLoss: lastLoss,
                       validationLoss: finalValidation, seconds: Date().timeIntervalSince(start), resumedFrom: resumedFrom)
    }
}

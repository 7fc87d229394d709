import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Numerics
import Transformer

struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pre-train a base model on the source field (or on any text file).",
        discussion: """
        With --env, trains on the environment's pre-training space (the natural, size-proportional \
        mixture of its source domains) and records the environment and data fingerprint in the \
        checkpoint. With --corpus, trains on one text file (last 5% held out for validation). \
        Snapshots with optimizer state are written to OUT.partial; re-running the same command resumes.
        """
    )

    @Option(help: "Environment file (envs/*.json).") var env: String?
    @Option(help: "A plain text file to train on instead of an environment's corpus.") var corpus: String?
    @Option(name: .customLong("model"), help: "Model preset: a name from the environment, or proxy/target.") var preset = "proxy"
    @Option(help: "Optimizer steps (default: the environment's pretrain.steps, or 2000).") var steps: Int?
    @Option(help: "Sequences per step (default: the environment's, or 32).") var batch: Int?
    @Option(help: "Peak learning rate (default: the environment's, or 3e-3).") var lr: Double?
    @Option(help: "Seed for initialisation and data order (default: the environment's, or 1).") var seed: UInt64?
    @Option(help: "Threads: each step's batch is split across this many data-parallel workers, each with single-threaded BLAS; 1 is the single-pass code.") var threads = 1
    @Option(help: "Output checkpoint.") var out: String

    func run() throws {
        NumericsRuntime.installErrorHandling()
        // Data parallelism uses the cores; OpenBLAS threads on top would only compete with it.
        NumericsRuntime.setThreads(1)
        guard (env == nil) != (corpus == nil) else { throw ValidationError("give exactly one of --env or --corpus") }
        let source: TrainingSource
        let config: ModelConfig
        var metadata: [String: String] = ["command": "pretrain"]
        var schedule: LRSchedule
        let seed: UInt64, batch: Int
        if let envPath = env {
            let environment = try EnvironmentConfig.load(from: envPath)
            config = try environment.model(preset)
            let p = environment.pretrain
            let store = try CorpusStore(directory: environment.corpus)
            guard let domains = store.manifest.spaces[p.space] else {
                throw ValidationError("\(envPath): pretrain.space '\(p.space)' is not a space of the corpus (spaces: \(store.manifest.spaces.keys.sorted().joined(separator: ", ")))")
            }
            source = try TrainingSource(store: store, domains: domains, length: config.context + 1)
            seed = self.seed ?? p.seed
            batch = self.batch ?? p.batch
            let total = steps ?? p.steps
            schedule = LRSchedule(peak: lr ?? p.peakLR, minimum: (lr ?? p.peakLR) * p.minLR / p.peakLR, warmupSteps: min(p.warmupSteps, total / 10), totalSteps: total)
            metadata["env"] = environment.name
            metadata["envHash"] = environment.hash
            metadata["data"] = store.manifest.fingerprint
            metadata["space"] = p.space
        } else {
            config = try ModelConfig.named(preset)
            source = try TrainingSource(file: corpus!, length: config.context + 1)
            seed = self.seed ?? 1
            batch = self.batch ?? 32
            let total = steps ?? 2000
            let peak = lr ?? 3e-3
            schedule = LRSchedule(peak: peak, minimum: peak / 10, warmupSteps: min(100, total / 10), totalSteps: total)
            metadata["data"] = source.fingerprint
        }
        metadata["preset"] = config.name
        metadata["seed"] = "\(seed)"
        metadata["steps"] = "\(schedule.totalSteps)"
        metadata["batch"] = "\(batch)"

        // Resume from a snapshot of the same run if one exists.
        let partial = out + ".partial"
        let trainer: Trainer
        if let snap = try? Checkpoint.load(from: partial, expecting: config), snap.metadata == metadata, let state = snap.optimizer {
            trainer = Trainer(model: try snap.makeModel(), state: state)
            ProgressLine.note("resuming \(out) from step \(snap.header.step)")
        } else {
            trainer = Trainer(model: try GPT(config: config, seed: seed))
        }
        let model = trainer.model
        model.workers = threads
        print("pretrain \(config) on \(source.description); \(schedule.totalSteps) steps × \(batch) × \(config.context) tokens")

        let bar = ProgressLine("pretrain", total: schedule.totalSteps, unit: "steps")
        let start = Date()
        var lastLoss: Float = 0
        var shownValidation: Float = .nan
        let validation = try source.validationBatches(rows: 16, maxBatches: 16)
        func validate() -> Float {
            let losses = validation.map { model.loss($0) }
            return losses.reduce(0, +) / Float(losses.count)
        }
        let initialStep = trainer.step
        let loop = TrainingLoop(schedule: schedule, validateEvery: max(50, schedule.totalSteps / 20), snapshotEvery: max(100, schedule.totalSteps / 10))
        let finalValidation = try loop.run(
            trainer: trainer,
            batch: { step in try source.batch(rows: batch, rng: RandomSource(seed: seed, stream: UInt64(step) + 1)) },
            validate: validate,
            snapshot: { _ in try Checkpoint(model: model, trainer: trainer, metadata: metadata).save(to: partial) },
            progress: { p in
                lastLoss = p.loss
                if let v = p.validationLoss { shownValidation = v }
                let tokPerSec = Double(p.tokens) / max(Date().timeIntervalSince(start), 1e-9)
                bar.update(p.step - initialStep, detail: "loss \(fmt(Double(p.loss))) val \(fmt(Double(shownValidation))) \(fmt(tokPerSec, 0)) tok/s lr \(String(format: "%.2e", p.lr))")
            })
        metadata["validationBitsPerByte"] = fmt(Double(finalValidation) / log(2), 4)
        try Checkpoint(model: model, trainer: trainer, metadata: metadata).save(to: out)
        try? FileManager.default.removeItem(atPath: partial)
        let seconds = Date().timeIntervalSince(start)
        let tokens = (schedule.totalSteps - initialStep) * batch * config.context
        var t = Table(["steps", "tokens", "train loss", "val loss", "val bits/byte", "seconds", "tokens/s"])
        t.add(["\(schedule.totalSteps)", "\(tokens)", fmt(Double(lastLoss)), fmt(Double(finalValidation)), fmt(Double(finalValidation) / log(2)),
               fmt(seconds, 1), fmt(Double(tokens) / max(seconds, 1e-9), 0)])
        print(t.render())
        print("saved \(out) (\(config.parameterCount) parameters)")
    }
}


/// Where pre-training bytes come from: domain streams under their natural mixture, or one file.
struct TrainingSource: CustomStringConvertible {
    let sampler: MixtureSampler
    let mixture: Mixture
    let validation: MixtureSampler
    let description: String
    let fingerprint: String

    init(store: CorpusStore, domains: [DomainName], length: Int) throws {
        let train = try domains.map { try store.stream($0, .train) }
        let valid = try domains.map { try store.stream($0, .valid) }
        sampler = try MixtureSampler(streams: train, sequenceLength: length)
        validation = try MixtureSampler(streams: valid, sequenceLength: length)
        // The natural mixture: each domain in proportion to its training bytes.
        mixture = try Mixture.normalized(store.trainingBytes(domains))
        description = "\(domains.count) domains (\(train.reduce(0) { $0 + $1.bytes.count } / 1000) KB, natural mixture)"
        fingerprint = store.manifest.fingerprint
    }

    init(file: String, length: Int) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("\(file): cannot read corpus file")
        }
        let bytes = [UInt8](data)
        let cut = bytes.count * 95 / 100
        guard cut > length, bytes.count - cut > length else {
            throw ValidationError("\(file): \(bytes.count) bytes is too small to train on (need more than \(length * 40))")
        }
        let name = DomainName("source/\((file as NSString).lastPathComponent)")
        sampler = try MixtureSampler(streams: [DomainStream(domain: name, split: .train, documents: [Array(bytes[..<cut])])], sequenceLength: length)
        validation = try MixtureSampler(streams: [DomainStream(domain: name, split: .valid, documents: [Array(bytes[cut...])])], sequenceLength: length)
        mixture = try Mixture([1])
        description = "\(file) (\(bytes.count / 1000) KB)"
        fingerprint = StableHash.hex(of: bytes)
    }

    func batch(rows: Int, rng: RandomSource) throws -> TokenBatch {
        let s = try sampler.sample(mixture, sequences: rows, rng: rng)
        return TokenBatch(batchSize: rows, length: sampler.sequenceLength, tokens: s.tokens)
    }

    /// Fixed validation batches (same every call).
    func validationBatches(rows: Int, maxBatches: Int) throws -> [TokenBatch] {
        try (0..<maxBatches).map { i in
            let s = try validation.sample(mixture, sequences: rows, rng: RandomSource(seed: 0xBA5E, stream: UInt64(i)))
            return TokenBatch(batchSize: rows, length: validation.sequenceLength, tokens: s.tokens)
        }
    }
}

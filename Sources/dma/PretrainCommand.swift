import ArgumentParser
import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Pretraining
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
        let overrides = Pretraining.Overrides(steps: steps, batch: batch, peakLR: lr, seed: seed)
        let plan = try env.map { try Pretraining(env: EnvironmentConfig.load(from: $0), path: $0, preset: preset, overrides: overrides) }
            ?? Pretraining(file: corpus!, preset: preset, overrides: overrides)
        let total = plan.schedule.totalSteps
        print("pretrain \(plan.config) on \(plan.data.description); \(total) steps × \(plan.batch) × \(plan.config.context) tokens")
        let bar = ProgressLine("pretrain", total: total, unit: "step")
        let summary = try plan.run(out: out, workers: threads) { p in
            if p.stepsRun == 1, p.step > 1 {
                ProgressLine.note("resumed \(out) from step \(p.step - 1)")
                bar.resumedFrom = p.step - 1
            }
            bar.update(p.step, detail: "loss \(fmt(Double(p.loss))) val \(fmt(Double(p.validationLoss))) \(fmt(p.tokensPerSecond, 0)) tok/s lr \(String(format: "%.2e", p.lr))")
        }
        var t = Table(["steps", "tokens", "train loss", "val loss", "val bits/byte", "seconds", "tokens/s"])
        t.add(["\(summary.steps)", "\(summary.tokens)", fmt(Double(summary.trainLoss)), fmt(Double(summary.validationLoss)), fmt(summary.validationBitsPerByte),
               fmt(summary.seconds, 1), fmt(Double(summary.tokens) / max(summary.seconds, 1e-9), 0)])
        print(t.render())
        print("saved \(out) (\(plan.config.parameterCount) parameters)")
    }
}

import ArgumentParser
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Transformer

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a checkpoint: the environment's benchmark suite, a text file, or a Q/A file.",
        discussion: """
        --env runs every benchmark of the environment on held-out test data and prints the feedback \
        vector (and the balanced score when --base is given). --text reports bits per byte of any file; \
        --qa reads our math format (`Q: …` line, `A: …` line, problems separated by blank lines) and \
        reports answer-only bits per byte and exact-match accuracy of greedy answers.
        """
    )

    @Option(help: "Checkpoint to evaluate.") var checkpoint: String
    @Option(help: "Environment file: run its benchmark suite.") var env: String?
    @Flag(help: "Use the environment's per-step feedback subset instead of the full suite.") var subset = false
    @Option(help: "Base checkpoint: also report retention, gain and the balanced score relative to it.") var base: String?
    @Option(help: "Report bits per byte of this text file.") var text: String?
    @Option(help: "Report answer bits per byte and exact match on this Q/A file.") var qa: String?
    @Option(help: "Write the results as JSON to this file ('-' for stdout).") var json: String?
    @Option(help: "BLAS threads.") var threads = 1
    @Option(help: "Seed of the benchmark items (which items, their order, the multiple-choice distractors) instead of the environment's: a score near chance can be checked over several draws.") var benchmarkSeed: UInt64?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(threads)
        let model = try Checkpoint.load(from: checkpoint).makeModel()
        guard env != nil || text != nil || qa != nil else { throw ValidationError("give --env, --text or --qa") }
        var results: [String: Double] = [:]
        var table = Table(["signal", "value"])
        if let envPath = env {
            var environment = try EnvironmentConfig.load(from: envPath)
            if let benchmarkSeed { environment.benchmarks.seed = benchmarkSeed }
            let store = try CorpusStore(directory: environment.corpusDirectory)
            let sizes = subset ? environment.benchmarks.feedback : environment.benchmarks.full
            let suite = try EvaluationSuite(env: environment, store: store, sizes: sizes, contextLength: model.config.context)
            let start = Date()
            let feedback = suite.evaluate(model)
            let seconds = Date().timeIntervalSince(start)
            for (n, v) in zip(feedback.names, feedback.values) { results[n] = v; table.add([n, fmt(v, 4)]) }
            if let base {
                let baseModel = try Checkpoint.load(from: base, expecting: model.config).makeModel()
                let score = try BalancedScore.compute(feedback, base: suite.evaluate(baseModel), env: environment)
                for (n, v) in [("retention", score.retention), ("gain", score.gain), ("balanced", score.balanced)] {
                    results[n] = v
                    table.add([n, fmt(v, 4)])
                }
            }
            results["seconds"] = seconds
            print(table.render())
            print("\(suite.itemCount) sequences, \(suite.tokenCount) bytes scored in \(fmt(seconds, 2)) s (\(subset ? "feedback subset" : "full suite"))")
        }
        if let text {
            let bpb = try Self.bitsPerByte(file: text, model: model)
            results["text/bpb"] = bpb
            print("\(text): \(fmt(bpb, 4)) bits per byte")
        }
        if let qa {
            let (bpb, em, n) = try Self.questionAnswer(file: qa, model: model)
            results["qa/bpb"] = bpb
            results["qa/em"] = em
            print("\(qa): \(n) problems, answer \(fmt(bpb, 4)) bits per byte, exact match \(fmt(em, 4))")
        }
        if let json { try writeJSON(results, to: json) }
    }

    static func bitsPerByte(file: String, model: GPT) throws -> Double {
        TextScoring.bitsPerByte(try TextScoring.readText(from: file), model: model)
    }

    static func questionAnswer(file: String, model: GPT) throws -> (Double, Double, Int) {
        let problems = try TextScoring.readProblems(from: file)
        let r = TextScoring.answers(problems, model: model)
        return (r.bitsPerByte, r.exactMatch, problems.count)
    }
}

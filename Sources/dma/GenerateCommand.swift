import ArgumentParser
import Foundation
import Numerics
import Transformer

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Sample text from a checkpoint.")

    @Option(help: "Checkpoint to sample from.") var checkpoint: String
    @Option(help: "Text the samples continue.") var prompt = "\n"
    @Option(help: "Bytes to generate per sample.") var tokens = 200
    @Option(help: "Sampling temperature; 0 is greedy.") var temperature: Float = 0.8
    @Option(help: "Number of samples.") var samples = 3
    @Option(help: "Seed for sampling.") var seed: UInt64 = 1

    func validate() throws {
        guard tokens > 0, samples > 0 else { throw ValidationError("--tokens and --samples must be positive") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be ≥ 0") }
    }

    func run() throws {
        NumericsRuntime.installErrorHandling()
        let model = try Checkpoint.load(from: checkpoint).makeModel()
        let prompts = [[UInt8]](repeating: Array(prompt.utf8), count: samples)
        let out = model.complete(prompts: prompts, maxNewTokens: tokens, temperature: temperature, rng: RandomSource(seed: seed))
        for (i, bytes) in out.enumerated() {
            print("--- sample \(i + 1) (temperature \(temperature), seed \(seed)) ---")
            print(prompt + String(decoding: bytes, as: UTF8.self))
        }
    }
}

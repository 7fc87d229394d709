import ArgumentParser
import Foundation
import Numerics
import Transformer

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Write a checkpoint's weights without its optimizer state.",
        discussion: "For bundling a base model: about a third of the size. The parameter hash, which every run records as its base, is unchanged; the copy serves dma eval, cpt, collect and validate, but not a pre-training resume. Written atomically.")

    @Option(help: "Checkpoint to read.") var checkpoint: String
    @Option(help: "Checkpoint to write (weights only).") var out: String

    func run() throws {
        NumericsRuntime.installErrorHandling()
        let full = try Checkpoint.load(from: checkpoint)
        let slim = full.withoutOptimizer()
        try slim.save(to: out)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        print("wrote \(out): \(slim.parameters.count) parameters, \(bytes) bytes, parameter hash \(slim.parameterHash) (as \(checkpoint))")
    }
}

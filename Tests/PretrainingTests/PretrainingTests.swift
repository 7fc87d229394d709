import Foundation
import Numerics
@testable import Pretraining
import Testing
import Transformer

/// Pre-training on a text file: deterministic for a seed, learns, and refuses unusable input by name.
@Suite struct PretrainingTests {
    func corpus(_ bytes: Int) throws -> String {
        let path = NSTemporaryDirectory() + "dma-pretrain-\(UUID().uuidString).txt"
        let rng = RandomSource(seed: 3)
        let words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far"]
        var text = ""
        while text.utf8.count < bytes { text += words[rng.int(below: words.count)] + (rng.int(below: 8) == 0 ? ".\n" : " ") }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func sameSeedSameModelAndTheLossFalls() throws {
        let file = try corpus(40_000)
        let plan = try Pretraining(file: file, preset: "proxy", overrides: .init(steps: 30, batch: 4, peakLR: 3e-3, seed: 7))
        let a = NSTemporaryDirectory() + "dma-pre-a-\(UUID().uuidString).ckpt", b = a + ".b"
        defer { for p in [file, a, b] { try? FileManager.default.removeItem(atPath: p) } }
        var first: Float?
        let summary = try plan.run(out: a) { p in if first == nil { first = p.loss } }
        _ = try plan.run(out: b)
        let ca = try Checkpoint.load(from: a, expecting: plan.config), cb = try Checkpoint.load(from: b, expecting: plan.config)
        #expect(ca.parameters == cb.parameters)
        let firstLoss = try #require(first)
        #expect(summary.validationLoss < firstLoss)
        #expect(ca.metadata["seed"] == "7" && ca.metadata["steps"] == "30" && ca.metadata["validationBitsPerByte"] != nil)
        #expect(!FileManager.default.fileExists(atPath: a + ".partial"))
    }

    @Test func unusableFilesAreNamed() throws {
        let tiny = try corpus(100)
        defer { try? FileManager.default.removeItem(atPath: tiny) }
        #expect(throws: PretrainingError.self) { try Pretraining(file: tiny, preset: "proxy") }
        do { _ = try Pretraining(file: "/nonexistent/x.txt", preset: "proxy") } catch {
            #expect("\(error)".hasPrefix("/nonexistent/x.txt:"))
        }
    }
}

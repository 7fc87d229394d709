import Foundation
import Testing
import Numerics
@testable import Transformer

@Suite struct CheckpointTests {
    func tempPath(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "dma-ckpt-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    func trainedCheckpoint() throws -> Checkpoint {
        let model = try GPT(config: tiny, seed: 3)
        let trainer = Trainer(model: model)
        for s in 0..<3 { try trainer.step(randomBatch(tiny, batch: 2, length: 7, seed: UInt64(s)), lr: 1e-3) }
        return Checkpoint(model: model, trainer: trainer, metadata: ["data": "abc", "seed": "3"])
    }

    @Test func roundTripIsBitExact() throws {
        let c = try trainedCheckpoint()
        let path = tempPath("a.ckpt")
        try c.save(to: path)
        let back = try Checkpoint.load(from: path, expecting: tiny)
        #expect(back.header == c.header)
        #expect(back.parameters.map(\.bitPattern) == c.parameters.map(\.bitPattern))
        #expect(back.optimizer == c.optimizer)
        #expect(back.parameterHash == c.parameterHash)
        // Resuming from the checkpoint continues exactly as the original trainer would.
        let m1 = try c.makeModel(), m2 = try back.makeModel()
        let t1 = Trainer(model: m1, state: c.optimizer), t2 = Trainer(model: m2, state: back.optimizer)
        let b = randomBatch(tiny, batch: 2, length: 7, seed: 99)
        #expect(try t1.step(b, lr: 1e-3) == t2.step(b, lr: 1e-3))
        #expect(m1.parameterValues == m2.parameterValues)
        #expect(!FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
    }

    /// Weights only: smaller, the same parameters and hash (what runs record as their base), no state.
    @Test func withoutOptimizerKeepsTheWeightsAndTheirHash() throws {
        let c = try trainedCheckpoint()
        let slim = c.withoutOptimizer()
        let full = tempPath("full.ckpt"), small = tempPath("slim.ckpt")
        try c.save(to: full)
        try slim.save(to: small)
        let back = try Checkpoint.load(from: small, expecting: tiny)
        #expect(back.optimizer == nil && !back.header.hasOptimizer && back.metadata == c.metadata && back.header.step == c.header.step)
        #expect(back.parameterHash == c.parameterHash && back.parameters.map(\.bitPattern) == c.parameters.map(\.bitPattern))
        let size = { (p: String) in try FileManager.default.attributesOfItem(atPath: p)[.size] as! Int }
        let (smallBytes, fullBytes) = (try size(small), try size(full))
        #expect(smallBytes < fullBytes / 2)
    }

    @Test func malformedFilesGiveTheirOwnErrors() throws {
        let c = try trainedCheckpoint()
        let good = try c.encoded()
        let path = tempPath("bad.ckpt")
        func load(_ data: Data) throws { try data.write(to: URL(fileURLWithPath: path)); _ = try Checkpoint.load(from: path, expecting: tiny) }

        #expect(throws: CheckpointError.missing(path: path + ".nope")) { _ = try Checkpoint.load(from: path + ".nope") }
        do { try load(good.prefix(good.count - 100)); Issue.record("truncated accepted") } catch let e as CheckpointError {
            guard case .truncated = e else { Issue.record("expected truncated, got \(e)"); return }
            #expect(e.description.contains(path))
        }
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        #expect(throws: CheckpointError.corrupted(path: path)) { try load(flipped) }
        var magic = good
        magic[0] = UInt8(ascii: "X")
        #expect(throws: CheckpointError.badMagic(path: path)) { try load(magic) }
        var version = good
        version[8] = 9
        #expect(throws: CheckpointError.wrongVersion(path: path, found: 9, expected: 1)) { try load(version) }
        try good.write(to: URL(fileURLWithPath: path))
        let other = ModelConfig(name: "other", dModel: 16, layers: 1, heads: 2, context: 8)
        #expect(throws: CheckpointError.configMismatch(path: path, found: tiny, expected: other)) {
            _ = try Checkpoint.load(from: path, expecting: other)
        }
        #expect(throws: CheckpointError.self) { try load(Data()) }
    }

    @Test func presetsHaveTheAdvertisedSizes() throws {
        let p = ModelConfig.proxy.parameterCount, t = ModelConfig.target.parameterCount
        #expect((100_000...300_000).contains(p), "proxy has \(p) parameters")
        #expect(t >= 8 * p, "target \(t) is not 8× proxy \(p)")
        #expect(throws: ModelConfigError.self) { try ModelConfig(name: "x", dModel: 10, layers: 1, heads: 3, context: 4).validate() }
        #expect(throws: ModelConfigError.self) { try ModelConfig.named("huge") }
    }
}

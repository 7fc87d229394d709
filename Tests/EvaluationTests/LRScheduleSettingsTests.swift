import Base
import DMATestSupport
import Environment
import Foundation
import Testing
import Transformer

/// `cpt.lrSchedule` in environment files: optional (old files keep their hash), round-trips, and a
/// bad kind or fraction is one error naming the file.
@Suite struct LRScheduleSettingsTests {
    /// Repository root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    func variant(_ cpt: String) throws -> String {
        let good = try String(contentsOfFile: try fixtureEnvironmentFile(corpus: "unused"), encoding: .utf8)
        let path = NSTemporaryDirectory() + "dma-lr-\(UUID().uuidString).json"
        let old = #""cpt": {"rounds": 2, "stepsPerRound": 2, "batch": 4, "peakLR": 0.001, "minLR": 0.0001, "warmupSteps": 1}"#
        #expect(good.contains(old))
        try good.replacingOccurrences(of: old, with: #""cpt": {"rounds": 2, "stepsPerRound": 2, "batch": 4, "peakLR": 0.001, "minLR": 0.0001, "warmupSteps": 1"# + cpt + "}")
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func expectRejected(_ cpt: String, _ fragment: String) throws {
        let path = try variant(cpt)
        do { _ = try EnvironmentConfig.load(from: path); Issue.record("accepted \(cpt)") } catch let e as DataError {
            #expect(e.description.hasPrefix(path) && e.description.contains(fragment) && !e.description.contains("\n"), "\(e)")
        }
    }

    /// The hash `math-cpt` had before `lrSchedule` existed (in every log written with it).
    @Test func defaultEnvironmentKeepsItsHash() throws {
        let env = try EnvironmentConfig.load(from: Self.root + "/envs/math-cpt.json")
        #expect(env.cpt.lrSchedule == nil)
        #expect(env.cpt.schedule.shape == .cosine)
        #expect(env.hash == "b22bb7a6e739bd55")
    }

    @Test func committedVariantsLoad() throws {
        let wsd = try EnvironmentConfig.load(from: Self.root + "/envs/math-cpt-wsd.json")
        #expect(wsd.cpt.schedule.shape == .warmupStableDecay(decayFraction: 0.2))
        #expect(wsd.cpt.schedule.decayStart == 320)
        let constant = try EnvironmentConfig.load(from: Self.root + "/envs/math-cpt-constant.json")
        #expect(constant.cpt.schedule.shape == .constant)
    }

    @Test func roundTrip() throws {
        for (cpt, shape) in [(#", "lrSchedule": {"kind": "cosine"}"#, LRSchedule.Shape.cosine),
                             (#", "lrSchedule": {"kind": "wsd"}"#, .warmupStableDecay(decayFraction: 0.2)),
                             (#", "lrSchedule": {"kind": "wsd", "decayFraction": 0.1}"#, .warmupStableDecay(decayFraction: 0.1)),
                             (#", "lrSchedule": {"kind": "constant"}"#, .constant),
                             (#", "lrSchedule": {"kind": "constant", "decayFraction": 0.15}"#, .warmupStableDecay(decayFraction: 0.15))] {
            let env = try EnvironmentConfig.load(from: try variant(cpt))
            #expect(env.cpt.schedule.shape == shape)
            let path = NSTemporaryDirectory() + "dma-lr-\(UUID().uuidString).json"
            try JSONEncoder().encode(env).write(to: URL(fileURLWithPath: path))
            let back = try EnvironmentConfig.load(from: path)
            #expect(back.cpt.lrSchedule == env.cpt.lrSchedule && back.hash == env.hash)
        }
        // Absent and explicit cosine train alike, but only absent keeps the old encoding.
        let absent = try EnvironmentConfig.load(from: try variant(""))
        #expect(!String(decoding: try JSONEncoder().encode(absent), as: UTF8.self).contains("lrSchedule"))
    }

    @Test func badSettingsNameTheFile() throws {
        try expectRejected(#", "lrSchedule": {"kind": "step"}"#, "unknown LR schedule kind 'step' (known: cosine, wsd, constant)")
        try expectRejected(#", "lrSchedule": {"kind": "wsd", "decayFraction": 0}"#, "decayFraction must be in (0, 1]")
        try expectRejected(#", "lrSchedule": {"kind": "wsd", "decayFraction": 1.5}"#, "decayFraction must be in (0, 1]")
        try expectRejected(#", "lrSchedule": {"kind": "cosine", "decayFraction": 0.2}"#, "does not apply to kind 'cosine'")
    }
}

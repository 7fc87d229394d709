import Base
import Corpus
import Foundation
import Numerics
import Transformer

/// An environment definition (`envs/*.json`): the domain space, model presets, pre-training and
/// CPT budgets, collection settings, benchmark sizes and the balanced-score weights. Every stage
/// from pre-training on reads it, so it has a module of its own below them.
public struct EnvironmentConfig: Codable, Sendable {
    public static let currentVersion = 1

    public var version: Int
    public var name: String
    public var description: String?
    /// Built corpus directory as the file writes it; read it through ``corpusDirectory``, which
    /// resolves a relative one (see ``resolve(_:)``).
    public var corpus: String
    public var space: SpaceConfig
    /// Model presets by name (`proxy`, `target`, or your own).
    public var models: [String: ModelConfig]
    public var pretrain: PretrainConfig
    public var cpt: CPTConfig
    public var benchmarks: BenchmarkConfig
    public var score: ScoreConfig
    /// How trajectory collection draws random schedules; the Trajectories stage interprets it
    /// (absent: its defaults).
    public var collection: CollectionSettings?
    /// The folder relative paths in the file are resolved against: the parent of the folder that
    /// holds the file (set by `load(from:)`); nil for an environment built in memory, whose
    /// relative paths stay relative to the working directory. Not part of the encoding, so the
    /// same file has the same ``hash`` wherever it lives.
    public var baseDirectory: String?

    // Spelled out only to leave `baseDirectory` out of the encoding (and so out of `hash`).
    private enum CodingKeys: String, CodingKey {
        case version, name, description, corpus, space, models, pretrain, cpt, benchmarks, score, collection
    }

    /// Schedule sampling for trajectory collection (see `Trajectories.CollectionConfig`).
    public struct CollectionSettings: Codable, Sendable, Equatable {
        public var families: [String: Double]
        public var kappa: Double
        public var floor: Double
        public var startConcentrations: [Double]

        public init(families: [String: Double], kappa: Double, floor: Double, startConcentrations: [Double]) {
            self.families = families
            self.kappa = kappa
            self.floor = floor
            self.startConcentrations = startConcentrations
        }
    }

    public struct SpaceConfig: Codable, Sendable {
        public var name: String
        /// Source-field domains the mixture ranges over (and whose retention is scored).
        public var source: [DomainName]
        /// Target-field domains.
        public var target: [DomainName]
    }

    /// Base-model pre-training on the source field.
    public struct PretrainConfig: Codable, Sendable {
        /// Corpus space the base model is trained on, under its natural (size-proportional) mixture.
        public var space: String
        public var steps: Int
        public var batch: Int
        public var peakLR: Double
        public var minLR: Double
        public var warmupSteps: Int
        public var seed: UInt64
    }

    /// Continual pre-training: `rounds` re-weighting steps of `stepsPerRound` optimizer steps each.
    public struct CPTConfig: Codable, Sendable {
        public var rounds: Int
        public var stepsPerRound: Int
        public var batch: Int
        public var peakLR: Double
        public var minLR: Double
        public var warmupSteps: Int
        /// The LR schedule's shape after the warm-up (absent: cosine). Optional, and so left out of
        /// the encoding when absent, so environments written before it keep their hash.
        public var lrSchedule: LRScheduleSettings?

        public init(rounds: Int, stepsPerRound: Int, batch: Int, peakLR: Double, minLR: Double, warmupSteps: Int,
                    lrSchedule: LRScheduleSettings? = nil) {
            (self.rounds, self.stepsPerRound, self.batch, self.peakLR, self.minLR, self.warmupSteps) = (rounds, stepsPerRound, batch, peakLR, minLR, warmupSteps)
            self.lrSchedule = lrSchedule
        }

        public var totalSteps: Int { rounds * stepsPerRound }

        /// The LR schedule of a whole CPT run (every round's steps on one schedule).
        public var schedule: LRSchedule {
            LRSchedule(peak: peakLR, minimum: minLR, warmupSteps: warmupSteps, totalSteps: totalSteps,
                       shape: (lrSchedule ?? LRScheduleSettings()).shape)
        }
    }

    /// `cpt.lrSchedule`: `{"kind": "cosine"}` (the default), `{"kind": "wsd", "decayFraction": 0.2}`
    /// (warm-up, stable at the peak, linear decay to `minLR` over the last fraction of the steps) or
    /// `{"kind": "constant"}` (warm-up, then the peak to the end; with `decayFraction`, a final
    /// linear decay over that fraction, i.e. the same shape as `wsd`).
    public struct LRScheduleSettings: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable, CaseIterable {
            case cosine, wsd, constant

            public init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                let text = try c.decode(String.self)
                guard let kind = Kind(rawValue: text) else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown LR schedule kind '\(text)' (known: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                self = kind
            }
        }

        /// WSD's decay fraction when the file gives none: the last 20% of the steps, the range the
        /// published WSD recipes cool down over (10–20%).
        public static let defaultDecayFraction = 0.2

        public var kind: Kind
        /// Share of the run's steps, at its end, over which the LR decays linearly to `minLR`;
        /// in (0, 1]. `wsd` only (default 0.2) and `constant` (default: no decay).
        public var decayFraction: Double?

        public init(kind: Kind = .cosine, decayFraction: Double? = nil) {
            (self.kind, self.decayFraction) = (kind, decayFraction)
        }

        /// The schedule shape these settings describe.
        public var shape: LRSchedule.Shape {
            switch kind {
            case .cosine: return .cosine
            case .wsd: return .warmupStableDecay(decayFraction: decayFraction ?? Self.defaultDecayFraction)
            case .constant: return decayFraction.map { .warmupStableDecay(decayFraction: $0) } ?? .constant
            }
        }

        /// Nil when usable, else what is wrong (for the environment's validation message).
        public var problem: String? {
            if let f = decayFraction {
                guard kind != .cosine else { return "cpt.lrSchedule.decayFraction does not apply to kind 'cosine' (it decays over the whole run)" }
                guard f.isFinite, f > 0, f <= 1 else { return "cpt.lrSchedule.decayFraction must be in (0, 1], got \(f)" }
            }
            return nil
        }
    }

    /// Benchmark sizes: `full` for `dma eval`, `feedback` for the cheap per-step subset during CPT.
    public struct BenchmarkConfig: Codable, Sendable {
        /// Seed for item selection (distractors, cut points): fixed so every checkpoint sees the same items.
        public var seed: UInt64
        public var full: BenchmarkSizes
        public var feedback: BenchmarkSizes
    }

    public struct BenchmarkSizes: Codable, Sendable, Equatable {
        /// Non-overlapping test windows per source / code domain for bits per byte (0 = all).
        public var windowsPerDomain: Int
        public var clozeItems: Int
        public var definitionItems: Int
        /// Held-out problems per math domain.
        public var mathItems: Int
        public var nextLineItems: Int
    }

    /// Balanced score = retentionWeight · retention + gainWeight · gain (see `BalancedScore`).
    public struct ScoreConfig: Codable, Sendable {
        public var retentionWeight: Double
        public var gainWeight: Double
        /// Share of a math domain's gain that comes from exact-match accuracy (the rest from answer bits per byte).
        public var exactMatchShare: Double
        /// Relative weight of each source domain in retention (missing domains weigh 1).
        public var sourceWeights: [String: Double]
    }

    /// The ordered domain space: source domains, then target domains.
    public func domainSpace() throws -> DomainSpace {
        try DomainSpace(name: space.name, domains: space.source + space.target, context: "environment '\(name)'")
    }

    /// The model preset `name`, or a clear error listing the available ones.
    public func model(_ preset: String) throws -> ModelConfig {
        guard let m = models[preset] else {
            throw EnvironmentError.invalid(path: "environment '\(name)'", reason: "no model preset '\(preset)' (available: \(models.keys.sorted().joined(separator: ", ")))")
        }
        return m
    }

    /// A content hash of the file's canonical encoding (recorded in trajectories and checkpoints).
    public var hash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return StableHash.hex(of: (try? encoder.encode(self)) ?? Data())
    }
}

/// Loaded with `EnvironmentConfig.load(from:)`. Relative paths in an environment file are relative
/// to the folder that holds its `envs/` folder, i.e. the parent of the file's folder (the checkout
/// root for `envs/math-cpt.json`), never to the working directory.
extension EnvironmentConfig: ValidatedJSON {
    public static let fileKind = "environment"

    /// Records the parent of the file's folder as ``baseDirectory``.
    public func located(at path: String) -> EnvironmentConfig {
        var located = self
        located.baseDirectory = URL(fileURLWithPath: path).standardizedFileURL
            .deletingLastPathComponent().deletingLastPathComponent().path
        return located
    }

    /// `path` from the file, resolved: absolute paths as they are, relative ones against
    /// ``baseDirectory`` (the working directory when there is none).
    public func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let base = baseDirectory else { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: base, isDirectory: true)).standardizedFileURL.path
    }

    /// The built corpus directory, resolved (``resolve(_:)``).
    public var corpusDirectory: String { resolve(corpus) }

    /// Checks the version, the domain space, score weights, budgets and model presets.
    public func validate() throws {
        func fail(_ reason: String) -> ContentProblem { ContentProblem(reason) }
        guard version == Self.currentVersion else { throw fail("version \(version) is not supported (expected \(Self.currentVersion))") }
        guard !space.source.isEmpty, !space.target.isEmpty else { throw fail("space needs at least one source and one target domain") }
        do { _ = try domainSpace() } catch { throw fail("\(error)") }
        for d in space.source where d.field != .source { throw fail("space.source lists '\(d)', which is not a source/ domain") }
        for d in space.target where d.field == .source || d.field == nil { throw fail("space.target lists '\(d)', which is not a target-field domain") }
        for (k, w) in score.sourceWeights {
            guard space.source.contains(DomainName(k)) else { throw fail("score.sourceWeights names '\(k)', which is not in space.source") }
            guard w.isFinite, w >= 0 else { throw fail("score.sourceWeights['\(k)'] must be a non-negative number") }
        }
        guard score.retentionWeight >= 0, score.gainWeight >= 0, score.retentionWeight + score.gainWeight > 0 else {
            throw fail("score weights must be non-negative and not both zero")
        }
        guard (0...1).contains(score.exactMatchShare) else { throw fail("score.exactMatchShare must be in [0, 1]") }
        guard cpt.rounds > 0, cpt.stepsPerRound > 0, cpt.batch > 0, cpt.peakLR > 0, cpt.minLR >= 0 else {
            throw fail("cpt needs positive rounds, stepsPerRound, batch and peakLR")
        }
        if let problem = cpt.lrSchedule?.problem { throw fail(problem) }
        guard cpt.warmupSteps < cpt.totalSteps else { throw fail("cpt.warmupSteps (\(cpt.warmupSteps)) must be fewer than rounds × stepsPerRound (\(cpt.totalSteps))") }
        guard pretrain.steps > 0, pretrain.batch > 0, pretrain.peakLR > 0 else { throw fail("pretrain needs positive steps, batch and peakLR") }
        guard !models.isEmpty else { throw fail("no model presets") }
        for (name, m) in models {
            do { try m.validate() } catch { throw fail("model preset '\(name)': \(error)") }
        }
    }
}

/// An environment that does not fit the data it is used with (feedback signals, logs, model presets).
public enum EnvironmentError: DataError {
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(path, reason): return "\(path): \(reason)"
        }
    }
}

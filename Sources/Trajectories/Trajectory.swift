import Base
import Corpus
import Evaluation
import Foundation
import Transformer

/// One logged CPT run: a versioned header, the base model's feedback, and one record per
/// re-weighting step. Stored as one JSON line (`datasets/README.md` documents the schema).
public struct Trajectory: Codable, Sendable, Equatable {
    public struct Header: Codable, Sendable, Equatable {
        public static let formatName = "dma-trajectory"
        public static let currentVersion = 1

        public var format: String
        public var version: Int
        /// Trajectory id within the collection (shards take disjoint id slices).
        public var id: Int
        public var environment: String
        public var environmentHash: String
        public var domains: [DomainName]
        public var feedbackNames: [String]
        /// The architecture when the runs trained an environment preset (collected runs, or imported
        /// ones naming a preset); nil for imported runs of a model dma has no config for (`modelName`).
        public var model: ModelConfig?
        /// `Checkpoint.parameterHash` of the base model every step started from.
        public var baseCheckpoint: String
        public var sampler: SampledSchedule
        public var dataSeed: UInt64
        public var scheduleSeed: UInt64
        public var codeVersion: String
        /// The policy spec that chose the mixtures, for a run converted from another log (a
        /// validation run); nil for a collection run, whose policy is the random schedule `sampler`.
        /// Omitted from the JSON when nil, so collection logs keep their bytes.
        public var policy: String? = nil
        /// Why a converted run was made; nil for a collection run.
        public var role: RunRole? = nil
        /// The name of an imported run's model that is no preset of the environment (`--model byom`);
        /// nil when `model` holds a preset. Omitted from the JSON when nil, like the fields below.
        public var modelName: String? = nil
        /// Free-form description of an imported run's model (`--model-description`).
        public var modelDescription: String? = nil

        /// The model's identity: the preset's or the imported name, and the description.
        public var modelIdentity: ModelIdentity {
            ModelIdentity(name: model?.name ?? modelName ?? "", description: modelDescription)
        }

        /// The identity surrogates and policies record: nil for a preset without a description
        /// (dma's own runs, which the environment and base checkpoint hashes already pin), so files
        /// made from them keep their bytes; the identity otherwise.
        public var declaredModel: ModelIdentity? {
            model != nil && modelDescription == nil ? nil : modelIdentity
        }

        public init(format: String, version: Int, id: Int, environment: String, environmentHash: String, domains: [DomainName],
                    feedbackNames: [String], model: ModelConfig?, baseCheckpoint: String, sampler: SampledSchedule, dataSeed: UInt64,
                    scheduleSeed: UInt64, codeVersion: String) {
            (self.format, self.version, self.id, self.environment, self.environmentHash, self.domains, self.feedbackNames) =
                (format, version, id, environment, environmentHash, domains, feedbackNames)
            (self.model, self.baseCheckpoint, self.sampler, self.dataSeed, self.scheduleSeed, self.codeVersion) =
                (model, baseCheckpoint, sampler, dataSeed, scheduleSeed, codeVersion)
        }
    }

    /// One re-weighting step: the round record every log shares.
    public typealias Step = LoggedRound

    public var header: Header
    public var baseFeedback: [Double]
    /// Balanced score of the base model (retention 1, gain 0): the reference for the first reward.
    public var baseBalanced: Double
    public var steps: [Step]

    public init(header: Header, baseFeedback: [Double], baseBalanced: Double, steps: [Step]) {
        (self.header, self.baseFeedback, self.baseBalanced, self.steps) = (header, baseFeedback, baseBalanced, steps)
    }

    /// Balanced score after the last step.
    public var finalBalanced: Double? { steps.last?.balanced }
}

/// A trajectory file that cannot be used, with the place that is wrong.
public enum TrajectoryError: DataError, Equatable {
    case invalid(path: String, line: Int, reason: String)
    case mismatch(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(path, line, reason): return "\(path):\(line): \(reason)"
        case let .mismatch(path, reason): return "\(path): \(reason)"
        }
    }
}

/// Reads and validates trajectory logs (JSON Lines).
public enum TrajectoryReader {
    public struct Result: Sendable {
        public var trajectories: [Trajectory]
        /// Lines skipped with `skipInvalid`, each with its reason.
        public var skipped: [String]
        /// How the file ended: a torn last line (an interrupted writer) was ignored; an unterminated
        /// complete one was read.
        public var tail: LogTail
        /// The file ended in a partially written line (an interrupted writer); it was ignored.
        public var tornTail: Bool { tail == .torn }
    }

    /// Every line must decode and agree with the first on version, environment, model, base checkpoint,
    /// domains and feedback names; mixtures must be probability vectors and feedback finite.
    public static func read(_ path: String, skipInvalid: Bool = false) throws -> Result {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrajectoryError.mismatch(path: path, reason: "file not found")
        }
        let (lines, tail) = AppendLog<Trajectory>.lines(of: data)
        let decoder = JSONDecoder()
        var out: [Trajectory] = []
        var skipped: [String] = []
        var first: Trajectory.Header?
        var seen = Set<Int>()
        for line in lines {
            do {
                let t: Trajectory
                do { t = try StrictJSON.decode(Trajectory.self, from: Data(line.text), decoder: decoder) } catch {
                    throw TrajectoryError.invalid(path: path, line: line.number, reason: "not a trajectory record: \(JSONErrorText.describe(error))")
                }
                try validate(t, against: first, path: path, line: line.number)
                guard seen.insert(t.header.id).inserted else {
                    throw TrajectoryError.invalid(path: path, line: line.number, reason: "trajectory id \(t.header.id) appears twice")
                }
                if first == nil { first = t.header }
                out.append(t)
            } catch let e as TrajectoryError {
                guard skipInvalid else { throw e }
                skipped.append(e.description)
            }
        }
        return Result(trajectories: out, skipped: skipped, tail: tail)
    }

    static func validate(_ t: Trajectory, against first: Trajectory.Header?, path: String, line: Int) throws {
        func fail(_ r: String) -> TrajectoryError { .invalid(path: path, line: line, reason: r) }
        let h = t.header
        guard h.format == Trajectory.Header.formatName else { throw fail("format '\(h.format)' is not '\(Trajectory.Header.formatName)'") }
        guard h.version == Trajectory.Header.currentVersion else {
            throw fail("trajectory format version \(h.version); this dma reads version \(Trajectory.Header.currentVersion)")
        }
        let known = Set(h.domains)
        guard known.count == h.domains.count, h.domains.allSatisfy({ $0.field != nil }) else {
            throw fail("domains must be distinct names with a field prefix (source/, math/, code/)")
        }
        guard (h.model == nil) != (h.modelName == nil) else {
            throw fail(h.model == nil ? "header names no model (neither 'model' nor 'modelName')" : "header has both 'model' and 'modelName'")
        }
        if let name = h.modelName, name.trimmingCharacters(in: .whitespaces).isEmpty { throw fail("model name is empty") }
        if let f = first {
            guard h.modelIdentity == f.modelIdentity else {
                throw fail("model \(h.modelIdentity.label) differs from the file's \(f.modelIdentity.label); runs of different models cannot share a log")
            }
            guard h.environment == f.environment, h.environmentHash == f.environmentHash else {
                throw fail("environment \(h.environment)@\(h.environmentHash) differs from the file's \(f.environment)@\(f.environmentHash)")
            }
            guard h.baseCheckpoint == f.baseCheckpoint else { throw fail("base checkpoint \(h.baseCheckpoint) differs from the file's \(f.baseCheckpoint)") }
            guard h.domains == f.domains else { throw fail("domain space differs from the file's first trajectory") }
            guard h.feedbackNames == f.feedbackNames else { throw fail("feedback names differ from the file's first trajectory") }
        }
        guard t.baseBalanced.isFinite else { throw fail("base balanced score is not finite") }
        guard t.baseFeedback.count == h.feedbackNames.count, t.baseFeedback.allSatisfy(\.isFinite) else {
            throw fail("base feedback must have \(h.feedbackNames.count) finite values")
        }
        guard !t.steps.isEmpty else { throw fail("trajectory has no steps") }
        for (k, s) in t.steps.enumerated() {
            guard s.mixture.count == h.domains.count else { throw fail("step \(k + 1): mixture has \(s.mixture.count) weights for \(h.domains.count) domains") }
            guard s.mixture.allSatisfy({ $0.isFinite && $0 >= 0 }), abs(s.mixture.reduce(0, +) - 1) <= 1e-6 else {
                throw fail("step \(k + 1): mixture is not a probability vector (sum \(s.mixture.reduce(0, +)))")
            }
            guard s.feedback.count == h.feedbackNames.count else { throw fail("step \(k + 1): feedback has \(s.feedback.count) values, expected \(h.feedbackNames.count)") }
            if let bad = s.feedback.firstIndex(where: { !$0.isFinite }) { throw fail("step \(k + 1): feedback '\(h.feedbackNames[bad])' is \(s.feedback[bad])") }
            guard [s.balanced, s.retention, s.gain].allSatisfy(\.isFinite) else { throw fail("step \(k + 1): score is not finite") }
            guard s.tokensPerDomain.count == h.domains.count, s.tokensPerDomain.allSatisfy({ $0 >= 0 }) else {
                throw fail("step \(k + 1): tokensPerDomain must have \(h.domains.count) non-negative counts")
            }
        }
    }
}

import Base
import Foundation
import Numerics
import Trajectories

/// A trained agent on disk (`datasets/policies/*.policy.json`): versioned, with its network config
/// and weights, the feature normalisation, the observation window and action floor, and the
/// fingerprints of the data and surrogate it learned from. Validated on load.
public struct PolicyFile: Codable, Sendable, ValidatedJSON {
    public static let formatName = "dma-agent-policy"
    public static let currentVersion = 1
    public static let fileKind = "agent policy"

    /// Where the policy came from.
    public struct Provenance: Codable, Sendable, Equatable {
        public var environment: String
        public var environmentHash: String
        /// StableHash of the training trajectories (their ids and final scores, in order).
        public var trajectories: String
        public var trajectoryCount: Int
        /// The surrogate model file's hash, when rollouts were used.
        public var surrogate: String?
        public var codeVersion: String
        /// The model of the imported runs it learned from (``Trajectory/Header/declaredModel``); nil
        /// for dma's own runs and in files trained before it was recorded. Omitted when nil, so those
        /// files keep their bytes.
        public var model: ModelIdentity? = nil

        /// What the policy says it was trained for (`environmentFingerprint` of a proposal): the
        /// environment's hash, joined with the model's fingerprint for imported runs of another
        /// trainer, so a policy of your runs never passes for one of dma's own on that environment.
        public var environmentFingerprint: String {
            model.map { "\(environmentHash)+\($0.fingerprint)" } ?? environmentHash
        }
    }

    public var format: String
    public var version: Int
    public var network: NetworkConfig
    public var tokenColumns: [String]
    public var globalColumns: [String]
    public var window: Int
    /// Every weight of a proposed mixture is at least this.
    public var floor: Double
    /// No weight of a proposed mixture exceeds this (the logged data's support, `SupportCap`);
    /// nil in files trained before the cap existed: no cap.
    public var supportCap: SupportCap? = nil
    public var normalizer: FeatureNormalizer
    public var parameters: [Float]
    public var provenance: Provenance
    /// Training settings and figures, for the record (not read back).
    public var training: [String: String]

    /// The format tag and version are checked before the rest, so another file (or a future
    /// version) gets a message about that rather than about a missing key.
    public static func decode(_ data: Data) throws -> PolicyFile {
        struct Tag: Decodable { var format: String?; var version: Int? }
        let tag = try JSONDecoder().decode(Tag.self, from: data)
        guard tag.format == formatName else { throw ContentProblem("not a dma agent policy (format '\(tag.format ?? "none")')") }
        guard tag.version == currentVersion else { throw ContentProblem("policy format version \(tag.version.map(String.init) ?? "none"), this dma reads version \(currentVersion)") }
        return try JSONDecoder().decode(PolicyFile.self, from: data)
    }

    /// Writes the file atomically (keys sorted, so equal policies give equal bytes).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: path)
    }

    /// Longest observation window a file may declare (trained agents use 2); the feature widths
    /// grow with it, so it is checked before anything is built from it.
    public static let maxWindow = 16
    /// Largest weight magnitude accepted. Trained weights stay far below it; a file beyond it is
    /// corrupt and would only overflow into an invalid mixture at proposal time.
    public static let maxParameterMagnitude: Float = 1e4

    /// Checks sizes before building anything from them (a corrupt width or window must fail here,
    /// not exhaust memory), then the features, the normaliser and the weights.
    public func validate() throws {
        guard format == Self.formatName else { throw ContentProblem("format '\(format)' is not \(Self.formatName)") }
        guard version == Self.currentVersion else { throw ContentProblem("version \(version) is not supported (expected \(Self.currentVersion))") }
        guard (1...Self.maxWindow).contains(window) else { throw ContentProblem("window \(window) is outside 1…\(Self.maxWindow)") }
        guard floor >= 0, floor < 0.05 else { throw ContentProblem("floor \(floor) must be in [0, 0.05)") }
        if let c = supportCap?.ceiling, !(c > floor && c <= 1) { throw ContentProblem("support cap \(c) must be in (floor, 1]") }
        if let problem = network.problem { throw ContentProblem("network: \(problem)") }
        guard tokenColumns == ObservationLayout.tokenColumns(window: window), globalColumns == ObservationLayout.globalColumns(window: window) else {
            throw ContentProblem("its features (\(tokenColumns.count) token, \(globalColumns.count) global columns) are not this version's")
        }
        guard normalizer.tokenMean.count == tokenColumns.count, normalizer.tokenScale.count == tokenColumns.count,
              normalizer.globalMean.count == globalColumns.count, normalizer.globalScale.count == globalColumns.count else {
            throw ContentProblem("the normaliser's widths do not match the features")
        }
        let all = normalizer.tokenMean + normalizer.tokenScale + normalizer.globalMean + normalizer.globalScale
        guard all.allSatisfy(\.isFinite), normalizer.tokenScale.allSatisfy({ $0 > 0 }), normalizer.globalScale.allSatisfy({ $0 > 0 }) else {
            throw ContentProblem("the normaliser holds a non-finite or non-positive value")
        }
        if let bad = parameters.firstIndex(where: { !$0.isFinite }) { throw ContentProblem("weight \(bad) is not finite") }
        if let bad = parameters.firstIndex(where: { abs($0) > Self.maxParameterMagnitude }) {
            throw ContentProblem("weight \(bad) is \(parameters[bad]), beyond ±\(Int(Self.maxParameterMagnitude))")
        }
        // Counts the weights against the config's layout before allocating the network.
        do { _ = try PolicyNetwork(config: network, tokenWidth: tokenColumns.count, globalWidth: globalColumns.count, parameters: parameters) } catch {
            throw ContentProblem("weights do not fit the network: \(error)")
        }
    }
}

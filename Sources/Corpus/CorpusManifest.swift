import Base
import Foundation
import Numerics

/// What `dma data build` wrote: every domain with its split sizes, the domain spaces and groups.
public struct CorpusManifest: Codable, Sendable {
    public static let currentVersion = 1
    public static let fileName = "manifest.json"

    public struct SplitInfo: Codable, Sendable, Equatable {
        public var bytes: Int
        public var documents: Int
    }

    public struct DomainInfo: Codable, Sendable {
        public var name: DomainName
        public var field: Field
        public var splits: [String: SplitInfo]
        /// Where the documents came from, e.g. `fortunes:cookie`, `gcide`, `python3.11:json`.
        public var origins: [String]
        /// FNV-1a of the domain's files, for fingerprints.
        public var hash: String

        public func split(_ s: Split) -> SplitInfo { splits[s.rawValue] ?? SplitInfo(bytes: 0, documents: 0) }
        public var totalBytes: Int { splits.values.reduce(0) { $0 + $1.bytes } }
    }

    public var version: Int
    public var recipeHash: String
    public var domains: [DomainInfo]
    /// Named partitions: `topic`, `format`, `math`, `code`.
    public var spaces: [String: [DomainName]]
    public var groups: [String: [DomainName]]
    /// Interpreter whose library became the code field.
    public var codeRoot: String

    /// A fingerprint of all built data (changes when any domain's text changes).
    public var fingerprint: String {
        var h = StableHash()
        h.combine(recipeHash)
        for d in domains { h.combine(d.name.rawValue); h.combine(d.hash) }
        return h.hex
    }

    public func domain(_ name: DomainName) -> DomainInfo? { domains.first { $0.name == name } }
}

extension CorpusManifest: ValidatedJSON {
    public static let fileKind = "corpus manifest"

    /// Only the version: the builder wrote the rest, and the store checks each domain file against it.
    public func validate() throws {
        guard version == Self.currentVersion else { throw ContentProblem("manifest version \(version), this dma reads \(Self.currentVersion)") }
    }
}

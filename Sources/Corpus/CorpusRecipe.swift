import Foundation

/// How `dma data build` turns installed packages into domains (`datasets/recipes/corpus.json`).
public struct CorpusRecipe: Codable, Sendable {
    public static let currentVersion = 1

    public var version: Int
    /// Salt for document hashing: which documents land in which split, and which are kept under a cap.
    public var seed: UInt64
    /// Split shares by document hash; train gets the rest.
    public var validFraction: Double
    public var testFraction: Double
    public var source: SourceRecipe
    public var math: MathRecipe
    public var code: CodeRecipe

    public struct SourceRecipe: Codable, Sendable {
        /// Largest domain size (all splits); larger domains keep a hashed sample of documents.
        public var capBytes: Int
        /// Smallest acceptable domain (all splits); a smaller one is an error, so recipes stay honest.
        public var minBytes: Int
        /// Topic partition: the main source domain space.
        public var topic: [TopicDomain]
        /// Second partition of the same documents, by form rather than topic.
        public var format: [FormatDomain]
        /// Disjoint groups of topic domains: A trains the agent, B is the held-out "unseen source field".
        public var groups: [String: [DomainName]]
    }

    /// A topic domain gathers fortune categories, GCIDE subject labels and/or whole glossaries.
    public struct TopicDomain: Codable, Sendable {
        public var domain: DomainName
        public var fortunes: [String]?
        public var gcideLabels: [String]?
        public var glossary: String?
    }

    public struct FormatDomain: Codable, Sendable {
        public var domain: DomainName
        public var kinds: [SourceDocument.Kind]
    }

    public struct MathRecipe: Codable, Sendable {
        public var modules: [MathModuleRecipe]
        public var trainExamples: Int
        public var validExamples: Int
        public var testExamples: Int
    }

    public struct MathModuleRecipe: Codable, Sendable {
        public var module: MathModule
        public var difficulty: Int
    }

    public struct CodeRecipe: Codable, Sendable {
        /// The Python standard library to read (Debian's, named explicitly: the python3 on PATH may be another install).
        public var root: String
        public var capBytes: Int
        /// Area domain → top-level module or package names.
        public var areas: [CodeArea]
    }

    public struct CodeArea: Codable, Sendable {
        public var domain: DomainName
        public var modules: [String]
    }

    /// Loads and validates a recipe file.
    public static func load(from path: String) throws -> CorpusRecipe {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError.unreadable(path: path, reason: "file not found")
        }
        let recipe: CorpusRecipe
        do { recipe = try JSONDecoder().decode(CorpusRecipe.self, from: data) } catch {
            throw CorpusError.malformed(path: path, reason: "not a valid corpus recipe: \(JSONErrorText.describe(error))")
        }
        try recipe.validate(path: path)
        return recipe
    }

    func validate(path: String) throws {
        guard version == Self.currentVersion else {
            throw CorpusError.malformed(path: path, reason: "recipe version \(version) is not supported (expected \(Self.currentVersion))")
        }
        guard validFraction > 0, testFraction > 0, validFraction + testFraction < 0.5 else {
            throw CorpusError.malformed(path: path, reason: "validFraction and testFraction must be positive and sum below 0.5")
        }
        var seen = Set<DomainName>()
        let all = source.topic.map(\.domain) + source.format.map(\.domain) + code.areas.map(\.domain) + math.modules.map(\.module.domain)
        for d in all {
            guard d.field != nil else { throw CorpusError.malformed(path: path, reason: "domain '\(d)' has no field prefix") }
            guard seen.insert(d).inserted else { throw CorpusError.duplicateDomain(name: d.rawValue, context: path) }
        }
        let topics = Set(source.topic.map(\.domain))
        var grouped = Set<DomainName>()
        for (group, members) in source.groups.sorted(by: { $0.key < $1.key }) {
            for m in members {
                guard topics.contains(m) else {
                    throw CorpusError.unknownDomain(name: m.rawValue, context: "\(path): group \(group)", known: topics.map(\.rawValue).sorted())
                }
                guard grouped.insert(m).inserted else {
                    throw CorpusError.malformed(path: path, reason: "domain '\(m)' is in more than one group; groups must be disjoint")
                }
            }
        }
        for m in math.modules where !(1...3).contains(m.difficulty) {
            throw CorpusError.malformed(path: path, reason: "math module \(m.module.rawValue): difficulty must be 1, 2 or 3")
        }
    }
}

/// Readable text for JSON decoding errors (the default descriptions bury the key path).
public enum JSONErrorText {
    public static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch e {
        case let .keyNotFound(key, c): return "missing key '\(key.stringValue)' at \(path(c))"
        case let .typeMismatch(_, c): return "wrong type at \(path(c)): \(c.debugDescription)"
        case let .valueNotFound(_, c): return "missing value at \(path(c))"
        case let .dataCorrupted(c): return "invalid data at \(path(c)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

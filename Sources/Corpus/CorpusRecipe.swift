import Base
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
}

extension CorpusRecipe: ValidatedJSON {
    public static let fileKind = "corpus recipe"

    /// Checks versions, split fractions, domain names, groups and math difficulties.
    public func validate() throws {
        func fail(_ reason: String) -> ContentProblem { ContentProblem(reason) }
        guard version == Self.currentVersion else {
            throw fail("recipe version \(version) is not supported (expected \(Self.currentVersion))")
        }
        guard validFraction > 0, testFraction > 0, validFraction + testFraction < 0.5 else {
            throw fail("validFraction and testFraction must be positive and sum below 0.5")
        }
        var seen = Set<DomainName>()
        let all = source.topic.map(\.domain) + source.format.map(\.domain) + code.areas.map(\.domain) + math.modules.map(\.module.domain)
        for d in all {
            guard d.field != nil else { throw fail("domain '\(d)' has no field prefix") }
            guard seen.insert(d).inserted else { throw fail("domain '\(d)' is listed twice") }
        }
        let topics = Set(source.topic.map(\.domain))
        var grouped = Set<DomainName>()
        for (group, members) in source.groups.sorted(by: { $0.key < $1.key }) {
            for m in members {
                guard topics.contains(m) else {
                    throw fail("group \(group): unknown domain '\(m)' (known: \(topics.map(\.rawValue).sorted().joined(separator: ", ")))")
                }
                guard grouped.insert(m).inserted else {
                    throw fail("domain '\(m)' is in more than one group; groups must be disjoint")
                }
            }
        }
        for m in math.modules where !(1...3).contains(m.difficulty) {
            throw fail("math module \(m.module.rawValue): difficulty must be 1, 2 or 3")
        }
    }
}

/// One document of the source field as extracted from an installed package, before partitioning.
public struct SourceDocument: Sendable {
    /// How the text is written; the second ("format") domain space partitions by this.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case quip            // a fortune of at most two lines
        case passage         // a longer fortune: anecdote, dialogue, verse
        case quotation       // a fortune attributed to someone ("-- Name")
        case dictionaryEntry // a GCIDE headword with its senses
        case glossaryEntry   // a Jargon File or FOLDOC entry
        case satiricalEntry  // a Devil's Dictionary entry
    }

    /// Cleaned text (ends without trailing whitespace).
    public let text: String
    /// Where it came from: `fortunes:cookie`, `gcide`, `jargon`, `foldoc`, `devil`.
    public let origin: String
    public let kind: Kind
    /// Topic labels the source carries (GCIDE subject labels such as `Zool`), possibly empty.
    public let labels: [String]
    /// For dictionary entries: the headword and its first definition (feeds the definition → term benchmark).
    public let term: String?
    public let definition: String?

    public init(text: String, origin: String, kind: Kind, labels: [String] = [], term: String? = nil, definition: String? = nil) {
        self.text = text
        self.origin = origin
        self.kind = kind
        self.labels = labels
        self.term = term
        self.definition = definition
    }
}

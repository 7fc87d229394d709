/// The ordered list of domains a mixture ranges over (source and target domains together).
public struct DomainSpace: Equatable, Codable, Sendable {
    /// A name for the partition (e.g. `topic-a+math`).
    public let name: String
    /// Domains in mixture order.
    public let domains: [DomainName]

    /// Validates: non-empty, no duplicates, every domain has a known field.
    public init(name: String, domains: [DomainName], context: String = "domain space") throws {
        guard !domains.isEmpty else { throw CorpusError.malformed(path: context, reason: "domain space '\(name)' lists no domains") }
        var seen = Set<DomainName>()
        for d in domains {
            guard d.field != nil else {
                throw CorpusError.malformed(path: context, reason: "domain '\(d)' must start with a field prefix (source/, math/ or code/)")
            }
            guard seen.insert(d).inserted else { throw CorpusError.duplicateDomain(name: d.rawValue, context: context) }
        }
        self.name = name
        self.domains = domains
    }

    public var count: Int { domains.count }

    /// Position of `domain`, or nil.
    public func index(of domain: DomainName) -> Int? { domains.firstIndex(of: domain) }

    /// Indices of the domains in `field`.
    public func indices(in field: Field) -> [Int] { domains.indices.filter { domains[$0].field == field } }

    /// The fields present, in order of first appearance.
    public var fields: [Field] {
        var out: [Field] = []
        for d in domains { if let f = d.field, !out.contains(f) { out.append(f) } }
        return out
    }
}

/// A body of data with one purpose: the source field the base model knows, or a target field.
public enum Field: String, Codable, Sendable, CaseIterable {
    case source, math, code
}

/// Train / validation / test. Test text never appears in training.
public enum Split: String, Codable, Sendable, CaseIterable {
    case train, valid, test
}

/// A named bucket of documents inside a field, e.g. `source/zoology`, `math/add-sub`.
///
/// The name's prefix before `/` is the field.
public struct DomainName: Hashable, Comparable, Codable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    /// The field prefix (`source`, `math`, `code`), or nil when the name has none we know.
    public var field: Field? {
        guard let slash = rawValue.firstIndex(of: "/") else { return nil }
        return Field(rawValue: String(rawValue[..<slash]))
    }

    /// The part after the field prefix.
    public var shortName: String {
        guard let slash = rawValue.firstIndex(of: "/") else { return rawValue }
        return String(rawValue[rawValue.index(after: slash)...])
    }

    /// A file-system-safe form (`source.zoology`).
    public var fileStem: String { rawValue.replacingOccurrences(of: "/", with: ".") }

    public var description: String { rawValue }
    public static func < (a: DomainName, b: DomainName) -> Bool { a.rawValue < b.rawValue }
}

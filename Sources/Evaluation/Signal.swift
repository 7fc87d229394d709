import Corpus

/// One named benchmark signal of a feedback vector: what it measures, on which domain or field,
/// and which direction is good. Its name (`bpb/source/jargon`, `em/math/units`, `cloze/acc`) is
/// printed by `name` and parsed by `init(_:)`, and nowhere else.
public struct Signal: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// Bits per byte of a source or code domain's test text, or answer-only bits per byte of a
        /// math domain's problems (`bpb/<domain>`).
        case bitsPerByte = "bpb"
        /// Exact match of greedy answers on a math domain (`em/<domain>`).
        case exactMatch = "em"
        /// Four-way cloze accuracy on source text (`cloze/acc`).
        case cloze
        /// Four-way definition → term accuracy (`definitions/acc`).
        case definitions
        /// Next-line exact match on held-out code (`next-line/acc`).
        case nextLine = "next-line"
        /// A signal this version does not know (imported runs may carry their own benchmarks).
        case other
    }

    public let kind: Kind
    /// The domain a per-domain signal (`bpb`, `em`) measures; nil for field-wide signals.
    public let domain: DomainName?
    /// The printed name, kept verbatim for `other` signals.
    public let name: String

    /// Bits per byte on `domain`.
    public static func bitsPerByte(_ domain: DomainName) -> Signal { Signal(kind: .bitsPerByte, domain: domain) }
    /// Exact match on `domain`'s problems.
    public static func exactMatch(_ domain: DomainName) -> Signal { Signal(kind: .exactMatch, domain: domain) }
    public static let cloze = Signal(kind: .cloze, domain: nil)
    public static let definitions = Signal(kind: .definitions, domain: nil)
    public static let nextLine = Signal(kind: .nextLine, domain: nil)

    private init(kind: Kind, domain: DomainName?) {
        self.kind = kind
        self.domain = domain
        name = domain.map { "\(kind.rawValue)/\($0.rawValue)" } ?? "\(kind.rawValue)/acc"
    }

    /// Parses a signal name. Names of no known form become `other` signals rather than errors:
    /// feedback of imported runs is free-form beyond what the balanced score needs.
    public init(_ name: String) {
        self.name = name
        guard let slash = name.firstIndex(of: "/"), let kind = Kind(rawValue: String(name[..<slash])), kind != .other else {
            (kind, domain) = (.other, nil)
            return
        }
        let rest = String(name[name.index(after: slash)...])
        let perDomain = kind == .bitsPerByte || kind == .exactMatch
        if perDomain ? !rest.isEmpty : rest == "acc" {
            (self.kind, domain) = (kind, perDomain ? DomainName(rest) : nil)
        } else {
            (self.kind, domain) = (.other, nil)
        }
    }

    /// The field the signal measures: its domain's, source for cloze and definitions, code for
    /// next-line accuracy; nil for unknown signals or domains without a field prefix.
    public var field: Field? {
        switch kind {
        case .bitsPerByte, .exactMatch: return domain?.field
        case .cloze, .definitions: return .source
        case .nextLine: return .code
        case .other: return nil
        }
    }

    /// Whether a larger value is better: bits per byte fall as a model improves, accuracies rise.
    /// Unknown signals are taken to be scores.
    public var higherIsBetter: Bool { kind != .bitsPerByte }

    /// Accuracies lie in [0, 1]; bits per byte are only bounded below.
    public var isAccuracy: Bool { kind != .bitsPerByte && kind != .other }

    public var description: String { name }
}

extension Feedback {
    /// The feedback's signals, parsed from its names.
    public var signals: [Signal] { names.map(Signal.init) }

    /// The value of `signal`, if measured.
    public subscript(signal: Signal) -> Double? { self[signal.name] }
}

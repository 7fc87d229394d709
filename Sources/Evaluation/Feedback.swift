/// What evaluation returns for one checkpoint: named benchmark signals in a fixed order.
///
/// Names: `bpb/<domain>` (bits per byte on a source or code domain's test text, or answer-only bits
/// per byte on a math domain), `em/<domain>` (exact-match accuracy of greedy answers),
/// `cloze/acc`, `definitions/acc`, `next-line/acc`.
public struct Feedback: Codable, Sendable, Equatable {
    public var names: [String]
    public var values: [Double]

    public init(names: [String] = [], values: [Double] = []) {
        precondition(names.count == values.count, "feedback names and values differ in length")
        self.names = names
        self.values = values
    }

    public subscript(name: String) -> Double? {
        guard let i = names.firstIndex(of: name) else { return nil }
        return values[i]
    }

    mutating func append(_ name: String, _ value: Double) {
        names.append(name)
        values.append(value)
    }
}

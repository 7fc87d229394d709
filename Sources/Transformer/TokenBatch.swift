/// A batch of byte sequences, row-major (batchSize, length). Row r's inputs are its first
/// `length − 1` bytes and its targets the same bytes shifted by one.
public struct TokenBatch: Sendable {
    public var batchSize: Int
    /// Bytes per row: T + 1.
    public var length: Int
    public var tokens: [UInt8]

    public init(batchSize: Int, length: Int, tokens: [UInt8]) {
        precondition(tokens.count == batchSize * length, "TokenBatch: \(tokens.count) bytes for \(batchSize) rows of \(length)")
        precondition(length >= 2, "TokenBatch: rows need at least 2 bytes (one input, one target)")
        self.batchSize = batchSize
        self.length = length
        self.tokens = tokens
    }

    /// Positions predicted per row (T).
    public var positions: Int { length - 1 }
}

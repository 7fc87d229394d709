import Numerics

/// Draws training sequences so that each re-weighting step matches its mixture exactly up to rounding.
///
/// Sampling is stratified: the step's sequence count is apportioned to domains by largest
/// remainder, then the rows are shuffled, so a step's composition never depends on luck.
public struct MixtureSampler: Sendable {
    /// One stream per domain of the space, in domain-space order.
    public let streams: [DomainStream]
    /// Bytes per sequence (context + 1: inputs and shifted targets).
    public let sequenceLength: Int

    public init(streams: [DomainStream], sequenceLength: Int) throws {
        for s in streams where s.bytes.count <= sequenceLength {
            throw CorpusError.emptyDomain(domain: s.domain.rawValue, detail: "\(s.split.rawValue) split has \(s.bytes.count) bytes, fewer than one sequence of \(sequenceLength)")
        }
        self.streams = streams
        self.sequenceLength = sequenceLength
    }

    /// A sample of `sequences` rows under `mixture`.
    public struct Sample: Sendable {
        /// Row-major (sequences, sequenceLength) bytes.
        public var tokens: [UInt8]
        /// The domain index of each row.
        public var rowDomains: [Int]
        /// Rows per domain (exactly `mixture.apportion(sequences)`).
        public var rowsPerDomain: [Int]
    }

    public func sample(_ mixture: Mixture, sequences: Int, rng: RandomSource) throws -> Sample {
        guard mixture.count == streams.count else {
            throw CorpusError.invalidMixture(reason: "has \(mixture.count) weights but the sampler has \(streams.count) domains")
        }
        let counts = mixture.apportion(sequences)
        var rows: [Int] = []
        rows.reserveCapacity(sequences)
        for (d, c) in counts.enumerated() { rows += [Int](repeating: d, count: c) }
        rng.shuffle(&rows)
        var tokens = [UInt8](repeating: 0, count: sequences * sequenceLength)
        tokens.withUnsafeMutableBufferPointer { out in
            for (r, d) in rows.enumerated() {
                let bytes = streams[d].bytes
                let start = rng.int(below: bytes.count - sequenceLength + 1)
                bytes.withUnsafeBufferPointer { src in
                    for j in 0..<sequenceLength { out[r * sequenceLength + j] = src[start + j] }
                }
            }
        }
        return Sample(tokens: tokens, rowDomains: rows, rowsPerDomain: counts)
    }
}

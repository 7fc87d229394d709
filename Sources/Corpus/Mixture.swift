/// A probability vector over a domain space: the share of training sequences each domain gets.
public struct Mixture: Equatable, Codable, Sendable {
    /// Tolerance on the sum of weights.
    public static let sumTolerance = 1e-6

    /// Weights in domain-space order; non-negative, finite, summing to 1.
    public let weights: [Double]

    /// Validates and stores `weights`; throws on negative, NaN/Inf, wrong length or a sum other than 1.
    public init(_ weights: [Double], count expected: Int? = nil) throws {
        if let expected, weights.count != expected {
            throw CorpusError.invalidMixture(reason: "has \(weights.count) weights but the domain space has \(expected) domains")
        }
        guard !weights.isEmpty else { throw CorpusError.invalidMixture(reason: "is empty") }
        for (i, w) in weights.enumerated() {
            guard w.isFinite else { throw CorpusError.invalidMixture(reason: "weight \(i) is \(w)") }
            guard w >= 0 else { throw CorpusError.invalidMixture(reason: "weight \(i) is negative (\(w))") }
        }
        let total = weights.reduce(0, +)
        guard abs(total - 1) <= Mixture.sumTolerance else {
            throw CorpusError.invalidMixture(reason: "weights sum to \(total), not 1 (within \(Mixture.sumTolerance)); rescale them: divide each weight by their sum")
        }
        self.weights = weights
    }

    /// Rescales non-negative finite weights to sum to 1 (opt-in normalisation).
    public static func normalized(_ raw: [Double]) throws -> Mixture {
        guard raw.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw CorpusError.invalidMixture(reason: "cannot normalise negative or non-finite weights \(raw)")
        }
        let total = raw.reduce(0, +)
        guard total > 0 else { throw CorpusError.invalidMixture(reason: "cannot normalise all-zero weights") }
        return try Mixture(raw.map { $0 / total })
    }

    /// Uniform over `count` domains.
    public static func uniform(_ count: Int) -> Mixture {
        try! Mixture([Double](repeating: 1 / Double(count), count: count))
    }

    /// `share` of the mass spread uniformly over `first`, the rest uniformly over `second`.
    public static func split(count: Int, first: [Int], second: [Int], share: Double) throws -> Mixture {
        var w = [Double](repeating: 0, count: count)
        for i in first { w[i] += share / Double(first.count) }
        for i in second { w[i] += (1 - share) / Double(second.count) }
        return try normalized(w)
    }

    /// `sourceShare` of the mass uniform over `space`'s source domains, the rest uniform over its
    /// target domains: a one-number field ratio.
    public static func fieldRatio(_ space: DomainSpace, sourceShare: Double) throws -> Mixture {
        let src = space.indices(in: .source)
        return try split(count: space.count, first: src, second: space.domains.indices.filter { !src.contains($0) }, share: sourceShare)
    }

    public var count: Int { weights.count }

    /// Total weight of the given domain indices.
    public func mass(of indices: [Int]) -> Double { indices.reduce(0) { $0 + weights[$1] } }

    /// Integer counts summing exactly to `total`, proportional to the weights (largest remainder).
    public func apportion(_ total: Int) -> [Int] {
        let exact = weights.map { $0 * Double(total) }
        var counts = exact.map { Int($0.rounded(.down)) }
        var remaining = total - counts.reduce(0, +)
        // Ties broken by index so the result is deterministic.
        let order = exact.indices.sorted { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }
        var k = 0
        while remaining > 0 {
            counts[order[k % order.count]] += 1
            remaining -= 1
            k += 1
        }
        return counts
    }
}

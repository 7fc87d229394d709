import Corpus
import Environment

/// The environment's balanced score (see `BalancedScore`) compiled to feedback indices: the one
/// implementation of the formula, which scores a feedback vector without name lookups and without
/// the environment file (the surrogate stores it in its model).
public struct ScoreFormula: Codable, Sendable, Equatable {
    /// Feedback index of each source domain's bits per byte, and its retention weight.
    public var retentionTerms: [Int]
    public var retentionWeights: [Double]
    /// Per target domain: index of its bits per byte, of its exact match (math only, else -1).
    public var gainBPB: [Int]
    public var gainEM: [Int]
    public var exactMatchShare: Double
    public var retentionWeight: Double
    public var gainWeight: Double

    /// `which` names the feedback in the error when a signal the score needs is missing.
    public init(env: EnvironmentConfig, feedbackNames: [String], which: String = "the") throws {
        try self.init(feedbackNames: feedbackNames, source: env.space.source.map { ($0, env.score.sourceWeights[$0.rawValue] ?? 1) },
                      target: env.space.target, exactMatchShare: env.score.exactMatchShare,
                      retentionWeight: env.score.retentionWeight, gainWeight: env.score.gainWeight, context: "environment '\(env.name)'", which: which)
    }

    /// The formula over `feedbackNames` for source domains with their retention weights and target
    /// domains (math domains score exact match too); `context` names the score's owner in errors.
    public init(feedbackNames: [String], source: [(domain: DomainName, weight: Double)], target: [DomainName], exactMatchShare: Double,
                retentionWeight: Double, gainWeight: Double, context: String, which: String = "the") throws {
        // A dictionary, not `firstIndex` per domain: a request may bring thousands of domains.
        let position = Dictionary(feedbackNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func index(_ signal: Signal) throws -> Int {
            guard let i = position[signal.name] else {
                throw EnvironmentError.invalid(path: context, reason: "\(which) feedback has no '\(signal)' signal; was it produced by this environment?")
            }
            return i
        }
        retentionTerms = try source.map { try index(.bitsPerByte($0.domain)) }
        retentionWeights = source.map(\.weight)
        gainBPB = try target.map { try index(.bitsPerByte($0)) }
        gainEM = try target.map { $0.field == .math ? try index(.exactMatch($0)) : -1 }
        self.exactMatchShare = exactMatchShare
        self.retentionWeight = retentionWeight
        self.gainWeight = gainWeight
    }

    /// Balanced score of `now` against `base` (both in feedback order); same formula as `BalancedScore`.
    @inline(__always)
    public func balanced(_ now: UnsafePointer<Double>, base: UnsafePointer<Double>) -> Double {
        components(now, base: base).balanced
    }

    /// Balanced score with its retention and gain parts.
    @inline(__always)
    public func components(_ now: UnsafePointer<Double>, base: UnsafePointer<Double>) -> BalancedScore {
        var weighted = 0.0, total = 0.0
        for (k, i) in retentionTerms.enumerated() {
            weighted += retentionWeights[k] * base[i] / max(now[i], 1e-9)
            total += retentionWeights[k]
        }
        let retention = total > 0 ? weighted / total : 1
        var gain = 0.0
        for k in gainBPB.indices {
            let i = gainBPB[k]
            let bpbGain = (base[i] - now[i]) / max(base[i], 1e-9)
            if gainEM[k] >= 0 {
                let e = gainEM[k]
                gain += (1 - exactMatchShare) * bpbGain + exactMatchShare * (now[e] - base[e])
            } else {
                gain += bpbGain
            }
        }
        gain /= Double(max(gainBPB.count, 1))
        return BalancedScore(balanced: retentionWeight * retention + gainWeight * gain, retention: retention, gain: gain)
    }

    public func balanced(_ now: [Double], base: [Double]) -> Double { components(now, base: base).balanced }

    public func components(_ now: [Double], base: [Double]) -> BalancedScore {
        now.withUnsafeBufferPointer { n in base.withUnsafeBufferPointer { b in components(n.baseAddress!, base: b.baseAddress!) } }
    }
}

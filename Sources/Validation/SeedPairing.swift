import Evaluation
import Numerics

/// A final full-suite score two policies are compared on.
public enum FinalMetric: String, CaseIterable, Sendable {
    case balanced, retention, gain

    /// This metric of `score`.
    public func value(of score: BalancedScore) -> Double {
        switch self {
        case .balanced: score.balanced
        case .retention: score.retention
        case .gain: score.gain
        }
    }
}

/// One policy's runs minus another's on the seeds both ran, paired by seed so the data-order noise
/// the two runs of a seed share cancels: the comparison `ValidationSummary` reports and the
/// analysis exports, computed here only.
public struct SeedPairedDifference: Sendable, Equatable {
    /// Seeds both ran.
    public var pairs: Int
    /// Mean and sample sd of the differences.
    public var mean: Double
    public var sd: Double
    /// Bounds of the t-interval at the requested level; nil for one pair.
    public var low: Double?
    public var high: Double?

    /// `mine` − `theirs` of `metric` on their common seeds, ascending (the first run of a seed counts
    /// should a log hold two); nil when they share no seed. `level` is the interval's coverage.
    public init?(_ mine: [ValidationRun], minus theirs: [ValidationRun], metric: FinalMetric = .balanced, level: Double = 0.95) {
        func firstBySeed(_ runs: [ValidationRun]) -> [UInt64: ValidationRun] {
            Dictionary(runs.map { ($0.seed, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let a = firstBySeed(mine), b = firstBySeed(theirs)
        let seeds = a.keys.filter { b[$0] != nil }.sorted()
        guard !seeds.isEmpty else { return nil }
        let d = Statistics.pairedDifference(seeds.map { metric.value(of: a[$0]!.final) }, seeds.map { metric.value(of: b[$0]!.final) }, level: level)
        (pairs, mean, sd) = (seeds.count, d.mean, d.sd)
        (low, high) = (d.halfWidth.map { d.mean - $0 }, d.halfWidth.map { d.mean + $0 })
    }
}

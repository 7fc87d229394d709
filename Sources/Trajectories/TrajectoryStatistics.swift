import Numerics

/// Summary of a trajectory dataset: counts, sampler families, the distribution of final balanced
/// scores and the tokens trained per domain (`dma trajectories stats`).
public struct TrajectoryStatistics: Codable, Sendable, Equatable {
    public var trajectories: Int
    public var steps: Int
    /// Invalid lines skipped while reading.
    public var skipped: Int
    public var environment: String
    public var families: [String: Int]
    /// `min`, `p25`, `median`, `p75`, `max` (GSL quantiles, interpolated), `mean`, `sd`.
    public var finalBalanced: [String: Double]
    public var tokensPerDomain: [String: Int]

    /// Keys of `finalBalanced` in reading order.
    public static let finalBalancedKeys = ["min", "p25", "median", "p75", "max", "mean", "sd"]

    /// Statistics of `trajectories` (non-empty, one domain space: read through `TrajectoryMerge`).
    public init(_ trajectories: [Trajectory], skipped: Int = 0) {
        precondition(!trajectories.isEmpty, "statistics of no trajectories")
        let first = trajectories[0]
        var families: [String: Int] = [:]
        var tokens = [Int](repeating: 0, count: first.header.domains.count)
        for t in trajectories {
            families[t.header.sampler.family, default: 0] += 1
            for s in t.steps { for (i, n) in s.tokensPerDomain.enumerated() where i < tokens.count { tokens[i] += n } }
        }
        let finals = trajectories.compactMap(\.finalBalanced)
        let (mean, sd) = Statistics.meanAndSD(finals)
        self.trajectories = trajectories.count
        steps = trajectories.reduce(0) { $0 + $1.steps.count }
        self.skipped = skipped
        environment = first.header.environment
        self.families = families
        finalBalanced = finals.isEmpty ? [:] : [
            "min": Statistics.quantile(finals, 0), "p25": Statistics.quantile(finals, 0.25), "median": Statistics.quantile(finals, 0.5),
            "p75": Statistics.quantile(finals, 0.75), "max": Statistics.quantile(finals, 1), "mean": mean, "sd": sd,
        ]
        tokensPerDomain = Dictionary(uniqueKeysWithValues: zip(first.header.domains.map(\.rawValue), tokens))
    }
}

import Validation

/// The agent against each baseline on the same seeds: the mean paired difference of a final score
/// with a t-interval (paired by seed, so data-order noise shared by both runs cancels).
public struct PairedDifference: Sendable, Equatable {
    /// Labels of the two policies and their setting.
    public var agent: String
    public var baseline: String
    public var setting: String
    /// `balanced`, `retention` or `gain` (final full suite).
    public var metric: String
    /// Seeds both policies ran on.
    public var pairs: Int
    /// Mean and sample sd of agent − baseline over the pairs.
    public var meanDifference: Double
    public var sdDifference: Double
    /// Bounds of the interval at `level`; nil for fewer than two pairs.
    public var low: Double?
    public var high: Double?

    /// Differences agent − baseline of each metric on their common seeds, for every agent group and
    /// every other policy of its setting; `level` is the interval's coverage (0.95).
    public static func all(_ results: ValidationResults, level: Double = 0.95) -> [PairedDifference] {
        var out: [PairedDifference] = []
        for agent in results.agents {
            for other in results.policies where other.setting == agent.setting && other.label != agent.label {
                for metric in FinalMetric.allCases {
                    guard let d = SeedPairedDifference(agent.runs, minus: other.runs, metric: metric, level: level) else { continue }
                    out.append(PairedDifference(agent: agent.label, baseline: other.label, setting: agent.setting, metric: metric.rawValue,
                                                pairs: d.pairs, meanDifference: d.mean, sdDifference: d.sd, low: d.low, high: d.high))
                }
            }
        }
        return out
    }

    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("agent", "the agent's policy label"),
        .init("baseline", "the policy compared against"),
        .init("setting", "the setting both ran in"),
        .init("metric", "final full-suite score compared: balanced, retention or gain"),
        .init("pairs", "seeds both policies have an evaluation run on"),
        .init("mean_difference", "mean of agent − baseline over the paired seeds (positive: the agent scores higher)"),
        .init("sd_difference", "sample sd of the paired differences"),
        .init("ci95_low", "lower bound of the 95% t-interval of the mean difference (t quantile with pairs − 1 degrees of freedom, GSL gsl_cdf_tdist_Pinv); empty for one pair"),
        .init("ci95_high", "upper bound of that interval"),
    ]

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ differences: [PairedDifference]) -> AnalysisTable {
        AnalysisTable(file: "paired_differences.csv",
                      summary: "The agent's paired difference to every other policy of its setting, by seed, with a 95% t-interval.",
                      columns: columns,
                      rows: differences.map {
                          [$0.agent, $0.baseline, $0.setting, $0.metric, "\($0.pairs)", CSVNumber.text($0.meanDifference),
                           CSVNumber.text($0.sdDifference), CSVNumber.text($0.low), CSVNumber.text($0.high)]
                      })
    }
}

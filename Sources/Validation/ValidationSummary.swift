import Base
import Baselines
import Foundation
import Numerics

/// The comparison a validation is for: each policy's final scores over the evaluation seeds, and
/// the agent's paired difference to each baseline (paired by data seed) with a 95% t-interval.
public struct ValidationSummary: Codable, Sendable {
    public struct PolicyRow: Codable, Sendable {
        public var policy: String
        public var spec: String
        public var runs: Int
        public var balanced: Double
        public var balancedSD: Double
        public var retention: Double
        public var gain: Double
        public var sourceTokens: Double
        public var targetTokens: Double
        /// Real CPT runs of the setting the method consumed before its evaluation runs.
        public var priorRuns: Int
        public var seconds: Double
    }

    /// agent − baseline over the seeds both ran.
    public struct PairedRow: Codable, Sendable {
        public var baseline: String
        public var pairs: Int
        public var mean: Double
        public var sd: Double
        /// 95% interval (nil with fewer than 2 pairs).
        public var low: Double?
        public var high: Double?
        /// Whether the 95% interval contains 0 (nil without an interval).
        public var containsZero: Bool? { low.flatMap { l in high.map { l <= 0 && $0 >= 0 } } }
    }

    public var setting: String
    public var policies: [PolicyRow]
    public var paired: [PairedRow]
    /// The evaluation seeds that appear in the records.
    public var seeds: [UInt64]
    /// Best-fixed's share (from the selection runs' specs), when it ran.
    public var bestFixedShare: Double?

    /// Summarises the evaluation runs of `records` (selection runs are ignored); `agent` names the
    /// policy whose differences are taken.
    public init(_ records: [ValidationRun], agent: String = PolicyChoice.agentLabel) {
        let evaluation = records.filter { $0.role == .evaluation }
        setting = evaluation.first?.setting ?? records.first?.setting ?? "?"
        seeds = Array(Set(evaluation.map(\.seed))).sorted()
        var order: [String] = []
        for r in evaluation where !order.contains(r.policy) { order.append(r.policy) }
        let byPolicy = Dictionary(grouping: evaluation, by: \.policy)
        policies = order.map { name in
            let runs = byPolicy[name]!
            func mean(_ f: (ValidationRun) -> Double) -> Double { Statistics.meanAndSD(runs.map(f)).mean }
            let (b, sd) = Statistics.meanAndSD(runs.map(\.final.balanced))
            return PolicyRow(policy: name, spec: runs[0].spec, runs: runs.count, balanced: b, balancedSD: sd, retention: mean(\.final.retention),
                             gain: mean(\.final.gain), sourceTokens: mean { Double($0.sourceTokens) }, targetTokens: mean { Double($0.targetTokens) },
                             priorRuns: runs[0].priorRuns, seconds: mean(\.seconds))
        }
        bestFixedShare = byPolicy["best-fixed"]?.first.flatMap { try? PolicySpec(parsing: $0.spec) }?.ratioShare
        guard let mine = byPolicy[agent] else { paired = []; return }
        paired = order.filter { $0 != agent }.compactMap { name in
            SeedPairedDifference(mine, minus: byPolicy[name]!).map {
                PairedRow(baseline: name, pairs: $0.pairs, mean: $0.mean, sd: $0.sd, low: $0.low, high: $0.high)
            }
        }
    }

    /// The agent's row and the best baseline's (nil without either).
    public var agentAndBest: (agent: PolicyRow, best: PolicyRow)? {
        guard let agent = policies.first(where: { $0.policy == "agent" }), let best = bestBaseline() else { return nil }
        return (agent, best)
    }

    /// The agent's paired difference to `baseline` (nil when they share no seed).
    public func paired(against baseline: String) -> PairedRow? { paired.first { $0.baseline == baseline } }

    /// The best baseline by mean final balanced score (nil without baselines). Earlier versions of
    /// the agent kept beside it (`agent-v1`, …) are not baselines.
    public func bestBaseline(agent: String = "agent") -> PolicyRow? {
        policies.filter { $0.policy != agent && !$0.policy.hasPrefix(agent + "-") }.max { $0.balanced < $1.balanced }
    }
}

/// `results.csv`: one row per run (evaluation and selection), every final full-suite signal.
public enum ResultsCSV {
    public static let leadingColumns = ["setting", "policy", "spec", "role", "seed"]
    public static let trailingColumns = ["retention", "gain", "balanced", "source_tokens", "target_tokens", "seconds", "prior_runs"]

    /// The table of `records`, whose final signals must share one name list (one setting per file).
    public static func table(_ records: [ValidationRun]) throws -> CSVTable {
        let names = records.first?.finalFeedbackNames ?? []
        if let other = records.first(where: { $0.finalFeedbackNames != names }) {
            throw ValidationPlanError("run \(other.id) has other final signals than \(records[0].id): one setting per results.csv")
        }
        var table = CSVTable(header: leadingColumns + names + trailingColumns)
        for r in records {
            table.rows.append([r.setting, r.policy, r.spec, r.role.rawValue, "\(r.seed)"] + r.finalFeedback.map { "\($0)" }
                + ["\(r.final.retention)", "\(r.final.gain)", "\(r.final.balanced)", "\(r.sourceTokens)", "\(r.targetTokens)",
                   String(format: "%.2f", r.seconds), "\(r.priorRuns)"])
        }
        return table
    }
}

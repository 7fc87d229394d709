import Corpus
import Numerics

/// `schedule.csv`: what each policy trained at every re-weighting step, averaged over its
/// evaluation runs (long format: one row per policy, step and domain).
public enum ScheduleTable {
    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("policy", "policy label of the validation runs"),
        .init("setting", "the runs' setting (environment, with @model for a model other than the proxy)"),
        .init("step", "re-weighting step, 1 … T"),
        .init("domain", "domain name"),
        .init("field", "the domain's field (source, math, code)"),
        .init("mean_weight", "mean mixture weight of the domain at this step over the policy's evaluation runs (fraction of the step's tokens)"),
        .init("sd_weight", "sample standard deviation of that weight over the runs (0 for one run)"),
        .init("runs", "evaluation runs averaged"),
    ]

    /// Mean and sd of `policy`'s weight of domain `d` at step `t` (0-based) over its runs.
    public static func weight(_ policy: PolicyRuns, step t: Int, domain d: Int) -> (mean: Double, sd: Double) {
        Statistics.meanAndSD(policy.runs.map { $0.rounds[t].mixture[d] })
    }

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ results: ValidationResults) -> AnalysisTable {
        var rows: [[String]] = []
        for p in results.policies {
            for t in 0..<p.steps {
                for (d, domain) in p.domains.enumerated() {
                    let (mean, sd) = weight(p, step: t, domain: d)
                    rows.append([p.policy, p.setting, "\(t + 1)", domain.rawValue, domain.field?.rawValue ?? "", CSVNumber.text(mean),
                                 CSVNumber.text(sd), "\(p.runs.count)"])
                }
            }
        }
        return AnalysisTable(file: "schedule.csv",
                             summary: "Each policy's mixture per re-weighting step and domain: mean and sd over its evaluation runs (runs.jsonl).",
                             columns: columns, rows: rows)
    }
}

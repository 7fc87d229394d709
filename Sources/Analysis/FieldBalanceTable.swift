import Numerics

/// `field_balance.csv`: per policy and step, how the budget was split between the fields and what
/// the per-step feedback subset measured after the step (retention, gain, balanced).
public enum FieldBalanceTable {
    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("policy", "policy label"),
        .init("setting", "the runs' setting"),
        .init("step", "re-weighting step, 1 … T"),
        .init("source_share", "mean share of the step's mixture on source-field domains (0–1)"),
        .init("target_share", "mean share on target-field domains (1 − source_share)"),
        .init("retention_mean", "mean retention (source score; 1 = no forgetting) after the step, per-step feedback subset"),
        .init("retention_sd", "its sample sd over runs"),
        .init("gain_mean", "mean gain (target score; 0 = the base model) after the step"),
        .init("gain_sd", "its sample sd over runs"),
        .init("balanced_mean", "mean balanced score after the step (the environment's weights of retention and gain)"),
        .init("balanced_sd", "its sample sd over runs"),
        .init("runs", "evaluation runs averaged"),
    ]

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ results: ValidationResults) -> AnalysisTable {
        var rows: [[String]] = []
        for p in results.policies {
            let source = p.sourceIndices
            for t in 0..<p.steps {
                let share = Statistics.meanAndSD(p.runs.map { r in source.reduce(0) { $0 + r.rounds[t].mixture[$1] } }).mean
                let ret = Statistics.meanAndSD(p.runs.map { $0.rounds[t].retention })
                let gain = Statistics.meanAndSD(p.runs.map { $0.rounds[t].gain })
                let bal = Statistics.meanAndSD(p.runs.map { $0.rounds[t].balanced })
                rows.append([p.policy, p.setting, "\(t + 1)", CSVNumber.text(share), CSVNumber.text(1 - share),
                             CSVNumber.text(ret.mean), CSVNumber.text(ret.sd), CSVNumber.text(gain.mean), CSVNumber.text(gain.sd),
                             CSVNumber.text(bal.mean), CSVNumber.text(bal.sd), "\(p.runs.count)"])
            }
        }
        return AnalysisTable(file: "field_balance.csv",
                             summary: "Per policy and step: the source/target split of the mixture and the scores measured after the step (means and sd over evaluation runs).",
                             columns: columns, rows: rows)
    }
}

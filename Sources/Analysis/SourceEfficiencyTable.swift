import Numerics

/// `source_efficiency.csv`: how many source-field tokens each policy spent against what it kept
/// (retention) and won (gain) at the end, from the final full-suite evaluation.
public enum SourceEfficiencyTable {
    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("policy", "policy label"),
        .init("setting", "the runs' setting"),
        .init("runs", "evaluation runs"),
        .init("source_tokens_mean", "mean source-field tokens trained over the whole run"),
        .init("source_tokens_sd", "their sample sd over runs"),
        .init("source_token_share_mean", "mean source tokens / (source + target tokens)"),
        .init("retention_mean", "mean final retention (full suite; 1 = no forgetting)"),
        .init("retention_sd", "its sample sd"),
        .init("gain_mean", "mean final gain (full suite; 0 = the base model)"),
        .init("gain_sd", "its sample sd"),
        .init("balanced_mean", "mean final balanced score (full suite)"),
        .init("balanced_sd", "its sample sd"),
        .init("forgetting_per_million_source_tokens", "(1 − retention_mean) divided by source_tokens_mean / 10⁶: forgetting left per million source tokens spent (empty without source tokens)"),
    ]

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ results: ValidationResults) -> AnalysisTable {
        let rows = results.policies.map { p -> [String] in
            let src = Statistics.meanAndSD(p.runs.map { Double($0.sourceTokens) })
            let share = Statistics.meanAndSD(p.runs.map { Double($0.sourceTokens) / Double(max($0.sourceTokens + $0.targetTokens, 1)) }).mean
            let ret = Statistics.meanAndSD(p.runs.map(\.final.retention))
            let gain = Statistics.meanAndSD(p.runs.map(\.final.gain))
            let bal = Statistics.meanAndSD(p.runs.map(\.final.balanced))
            let perMillion: Double? = src.mean > 0 ? (1 - ret.mean) / (src.mean / 1e6) : nil
            return [p.policy, p.setting, "\(p.runs.count)", CSVNumber.text(src.mean), CSVNumber.text(src.sd), CSVNumber.text(share),
                    CSVNumber.text(ret.mean), CSVNumber.text(ret.sd), CSVNumber.text(gain.mean), CSVNumber.text(gain.sd),
                    CSVNumber.text(bal.mean), CSVNumber.text(bal.sd), CSVNumber.text(perMillion)]
        }
        return AnalysisTable(file: "source_efficiency.csv",
                             summary: "Per policy: source tokens spent against final retention, gain and balanced score (means and sd over evaluation runs).",
                             columns: columns, rows: rows)
    }
}

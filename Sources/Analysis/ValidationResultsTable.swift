/// `validation_results.csv`: the evaluation runs flattened, one row per run.
public enum ValidationResultsTable {
    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("id", "run id (<policy>|<role>|s<seed>)"),
        .init("setting", "the run's setting"),
        .init("policy", "policy label"),
        .init("spec", "what ran (agent:FILE, ratio:R, mixture:…, …)"),
        .init("role", "evaluation (selection runs are not listed)"),
        .init("seed", "the run's seed (data order); runs of different policies with one seed are paired"),
        .init("prior_runs", "real CPT runs the method consumed before its evaluation runs"),
        .init("steps", "re-weighting steps trained"),
        .init("final_balanced", "balanced score of the final full-suite evaluation"),
        .init("final_retention", "retention of the final full-suite evaluation (1 = no forgetting)"),
        .init("final_gain", "gain of the final full-suite evaluation (0 = the base model)"),
        .init("last_step_balanced", "balanced score of the per-step feedback subset after the last step"),
        .init("source_tokens", "source-field tokens trained"),
        .init("target_tokens", "target-field tokens trained"),
        .init("seconds", "wall time of the run (s)"),
    ]

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ results: ValidationResults) -> AnalysisTable {
        let rows = results.policies.flatMap(\.runs).map { r -> [String] in
            [r.id, r.setting, r.policy, r.spec, r.role.rawValue, "\(r.seed)", "\(r.priorRuns)", "\(r.rounds.count)",
             CSVNumber.text(r.final.balanced), CSVNumber.text(r.final.retention), CSVNumber.text(r.final.gain),
             CSVNumber.text(r.rounds.last?.balanced), "\(r.sourceTokens)", "\(r.targetTokens)", CSVNumber.text(r.seconds)]
        }
        return AnalysisTable(file: "validation_results.csv", summary: "The evaluation runs of runs.jsonl, one row per run.",
                             columns: columns, rows: rows)
    }
}

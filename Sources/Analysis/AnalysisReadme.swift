/// The analysis folder's `README.md`, generated from the tables' own column descriptions.
public enum AnalysisReadme {
    /// The plots every analysis folder holds (names with `<policy>` have one file per policy).
    public static let plotFiles: [(name: String, meaning: String)] = [
        ("schedule-<policy>.svg", "heat map of the policy's schedule: re-weighting steps across, domains down, colour = mean mixture weight over its evaluation runs (one colour scale for all maps; a cell's tooltip gives the value)"),
        ("schedule-agent-surrogate.svg", "the same for the agent in the surrogate (mean transitions, the episodes of rules_simulation.csv)"),
        ("scores.svg", "retention (source score) and gain (target score) after every step, mean per policy (one colour and marker each, the analysed agent drawn on top); step 0 is the base model"),
        ("tradeoff.svg", "final retention against final gain per policy, ± 1 sd over seeds, each policy keyed in the legend by its colour and marker (the analysed agent: red, outlined, largest; earlier agents outlined), with the fixed-mixture Pareto front (dashed) through the non-dominated static mixtures (ratio:R, fixed:R, mixture:…, best-fixed, uniform); beside it a close-up of the policies near the agent when far-off ones squeeze them together"),
        ("surrogate_fidelity.svg", "the surrogate's predicted against the real final balanced score per policy (surrogate_replay.csv), with y = x"),
        ("surrogate_rollouts.svg", "(only with `--fidelity-json`) the surrogate's open-loop T-step rollouts against the real final balanced score of the fidelity report's held-out trajectories, by schedule family, with y = x"),
    ]

    /// Columns of `dma surrogate report --csv` (Surrogate's `FidelityReport.signalTable`).
    static let fidelityColumns: [(String, String)] = [
        ("signal", "benchmark signal"),
        ("family", "signal family (source bits per byte, math answer bits per byte, exact match, accuracy, …)"),
        ("change_sd", "sd of the signal's one-step change over the dataset"),
        ("noise_sd", "sd of its seed noise, from seed repeats (empty without repeats)"),
        ("ceiling_r2", "best R² the noise allows: 1 − noise variance / change variance"),
        ("qualifies", "1 if the signal changes and its change sd is ≥ 2 × its noise sd (or there is no noise estimate), else 0"),
        ("r2_change", "out-of-fold R² of the predicted one-step change, all steps"),
        ("ceiling_r2_later_steps", "the noise ceiling over steps 2…T"),
        ("r2_change_later_steps", "out-of-fold change R² over steps 2…T (without the large first step)"),
        ("r2_change_persistence", "change R² of persistence (no change): ≤ 0 by construction"),
        ("r2_level", "R² of the predicted next level"),
        ("r2_level_persistence", "level R² of persistence: the bar the level R² must clear"),
        ("coverage90", "share of held-out next values inside the 90% predictive interval"),
    ]

    /// The README of a folder holding `tables` (every CSV the analysis writes, rows or not).
    public static func markdown(tables: [AnalysisTable]) -> String {
        var s = """
        # Analysis

        Written by `dma analyze` (see `report.html` for the page that shows all of it). CSV files follow
        RFC 4180 with a header row; numbers have six significant digits; an empty field is a value that
        does not exist (an sd or interval from one run). "Runs" are the evaluation runs of the
        validation results (`runs.jsonl`); selection runs are not compared.


        """
        for t in tables {
            s += "## `\(t.file)`\n\n\(t.summary)\n\n| column | meaning |\n|---|---|\n"
            for c in t.columns { s += "| `\(c.name)` | \(c.meaning.replacingOccurrences(of: "|", with: "\\|")) |\n" }
            s += "\n"
        }
        s += "## `surrogate_fidelity.csv`\n\n(With `--fidelity`.) A copy of `dma surrogate report --csv`: the surrogate's fidelity on held-out trajectories, one row per benchmark signal.\n\n| column | meaning |\n|---|---|\n"
        for (name, meaning) in fidelityColumns { s += "| `\(name)` | \(meaning) |\n" }
        s += "\n"
        s += "## Plots (SVG, written by our own code)\n\n| file | what it shows |\n|---|---|\n"
        for p in plotFiles { s += "| `\(p.name)` | \(p.meaning) |\n" }
        s += "| `report.html` | one self-contained page: the plots, the results per policy with the agent's paired differences, the distilled rules, the commands |\n"
        return s
    }
}

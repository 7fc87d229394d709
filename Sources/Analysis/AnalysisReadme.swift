/// The analysis folder's `README.md`, generated from the tables' own column descriptions.
public enum AnalysisReadme {
    public static func markdown(tables: [AnalysisTable], plots: [AnalysisPlot], fidelity: Bool) -> String {
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
        if fidelity {
            s += "## `surrogate_fidelity.csv`\n\nA copy of `dma surrogate report --csv`: one row per signal; its columns are documented in `docs/surrogate.md`.\n\n"
        }
        s += "## Plots (SVG)\n\n| file | what it shows |\n|---|---|\n"
        for p in plots { s += "| `\(p.name)` | \(p.caption) |\n" }
        s += "| `report.html` | one self-contained page: the plots, the results per policy with the agent's paired differences, the distilled rules, the commands |\n"
        return s
    }
}

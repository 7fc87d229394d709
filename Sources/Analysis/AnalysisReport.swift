import Foundation
import Numerics

/// `report.html`: one self-contained page, with the plots inlined as SVG, the CSS inline and no
/// script, link or image reference, so it opens the same offline, in a mail or in a CI artefact.
public enum AnalysisReport {
    static func esc(_ s: String) -> String { SVGDocument.escape(s) }
    static func f(_ x: Double?, _ digits: Int = 4) -> String {
        guard let x, x.isFinite else { return "–" }
        return String(format: "%.\(digits)f", x)
    }

    /// Inline form of a standalone SVG: HTML needs no namespace declaration, and dropping it keeps
    /// the page free of any URL.
    static func inline(_ svg: String) -> String {
        svg.replacingOccurrences(of: " xmlns=\"http://www.w3.org/2000/svg\"", with: "")
    }

    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        var s = "<table><thead><tr>" + header.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for r in rows {
            s += "<tr>" + r.enumerated().map { k, v in numeric.contains(k) ? "<td class=\"n\">\(esc(v))</td>" : "<td>\(esc(v))</td>" }.joined() + "</tr>\n"
        }
        return s + "</tbody></table>\n"
    }

    /// The page: summary, results per policy with paired differences against `references` (the
    /// analysed agent, one per setting), plots, rules, sensitivity and domain-effect highlights, the
    /// file list and the commands.
    public static func html(inputs: AnalysisInputs, tables: [AnalysisTable], plots: [AnalysisPlot], rule: DistilledRule,
                            simulations: [RuleDistillation.Simulation], differences: [PairedDifference], references: [PolicyRuns], effects: [Sensitivity.Effect],
                            domainEffects: [DomainEffects.Effect]) -> String {
        let results = inputs.results
        var body = "<h1>dma analysis</h1>\n"
        body += "<p>\(results.policies.count) policies, \(results.policies.reduce(0) { $0 + $1.runs.count }) evaluation runs\(results.path.isEmpty ? "" : " (\(esc(results.path)))"); agent \(esc(inputs.agent.name)); \(inputs.trajectories.count) logged trajectories; surrogate of \(esc(inputs.model.identity.description)).</p>\n"

        if results.policies.isEmpty {
            body += "<h2>Results per policy</h2>\n<p>No validation results were given (<code>--results</code>): the agent and the logged data are analysed, the results tables hold their header only.</p>\n"
        } else {
        let named = references.map { "<code>\(esc($0.label))</code> (<code>\(esc($0.spec))</code>)" }.joined(separator: ", ")
        let reference = references.isEmpty
            ? "The results hold no evaluation runs of the analysed agent (<code>\(esc(inputs.agentFile ?? "agent"))</code>), so there are no differences."
            : "Δ balanced: the agent, \(named), minus the policy, paired by seed, with a 95% t-interval; earlier agents are compared like any other policy."
        body += "<h2>Results per policy</h2>\n<p>Final full-suite scores, mean ± sd over evaluation runs (seeds). \(reference)</p>\n"
        // Only the reference's differences: the CSV also holds every earlier agent's, whose rows
        // share the baselines' labels.
        let referenceLabels = Set(references.map(\.label))
        let balancedDiff = Dictionary(differences.filter { $0.metric == "balanced" && referenceLabels.contains($0.agent) }.map { ($0.baseline, $0) },
                                      uniquingKeysWith: { a, _ in a })
        let rows = results.policies.map { p -> [String] in
            func ms(_ x: [Double]) -> String { let (m, s) = Statistics.meanAndSD(x); return "\(f(m)) ± \(f(s))" }
            let d = balancedDiff[p.label]
            let diff = referenceLabels.contains(p.label) ? "(reference)" : d.map { "\(f($0.meanDifference)) [\(f($0.low)), \(f($0.high))] (n = \($0.pairs))" } ?? "–"
            return [p.label, p.spec, "\(p.runs.count)", ms(p.runs.map(\.final.balanced)), ms(p.runs.map(\.final.retention)), ms(p.runs.map(\.final.gain)),
                    String(format: "%.0f", Statistics.meanAndSD(p.runs.map { Double($0.sourceTokens) }).mean), diff]
        }
        body += table(["policy", "spec", "runs", "balanced", "retention", "gain", "source tokens", "Δ balanced, agent − policy [95% CI]"], rows,
                      numeric: [2, 3, 4, 5, 6, 7])
        }

        func figure(_ p: AnalysisPlot) -> String {
            "<figure id=\"\(esc(p.name))\">\(inline(p.svg))<figcaption>\(esc(p.caption)) (<code>\(esc(p.name))</code>)</figcaption></figure>\n"
        }
        // The comparisons first, then the schedules side by side (one heat map per policy).
        let schedules = plots.filter { $0.name.hasPrefix("schedule-") }
        body += "<h2>Scores and trade-off</h2>\n"
        for p in plots where !p.name.hasPrefix("schedule-") { body += figure(p) }
        if plots.count == schedules.count { body += "<p>(No validation results: no comparisons.)</p>\n" }
        body += "<h2>Schedules</h2>\n<div class=\"grid\">\n"
        for p in schedules { body += figure(p) }
        body += "</div>\n"

        body += "<h2>The agent, distilled</h2>\n<p>One linear formula per domain weight, at most \(rule.formulas.map(\.terms.count).max() ?? 0) features each (forward stepwise, GSL least squares), fitted to the agent's mixtures on logged states and on its own simulated states; as a policy the predictions are clipped at 0 and normalised with the floor \(f(rule.floor, 4)).</p>\n"
        body += table(["domain weight", "formula", "R²"], rule.formulas.map { [$0.output, $0.text, f($0.r2, 3)] }, numeric: [2])
        body += table(["policy (surrogate, mean transition)", "episodes", "final balanced", "sd", "steps out of support"],
                      simulations.map { [$0.policy, "\($0.episodes)", f($0.meanFinalBalanced), f($0.sdFinalBalanced), String(format: "%.1f%%", 100 * $0.outOfSupportShare)] },
                      numeric: [1, 2, 3, 4])

        body += "<h2>What the agent responds to</h2>\n<p>Finite differences around logged states (sensitivity.csv). Probes: forgetting and target feedback = a domain's bits per byte 1% of base higher now; last change = the same rise reached in the last step; progress = +0.1 of t/T; score weight = a tenth of the field's score weight moved onto the domain. Per group, the largest mean change of the probed domain's own weight and of the source share:</p>\n"
        body += table(["group", "features", "largest own-weight change", "feature", "largest source-share change", "feature"],
                      Sensitivity.summary(effects).map {
                          [$0.group, "\($0.features)", f($0.largestOwnWeightChange, 5), $0.largestOwnWeightFeature, f($0.largestSourceShareChange, 5),
                           $0.largestSourceShareFeature]
                      }, numeric: [1, 2, 4])
        body += "<p>The probes with the largest effects per group:</p>\n"
        var sens: [[String]] = []
        for group in ["score_weight", "forgetting", "target_feedback", "last_change", "progress"] {
            let own = effects.filter { $0.group == group && ($0.output == "source_share" || $0.output == $0.domain) }
            for e in own.sorted(by: { abs($0.meanChange) > abs($1.meanChange) }).prefix(4) {
                sens.append([group, e.change, e.output, f(e.meanChange, 5), f(e.sdChange, 5), "\(e.states)"])
            }
        }
        body += table(["group", "change", "output", "mean change", "sd", "states"], sens, numeric: [3, 4, 5])

        body += "<h2>Which data helps which ability</h2>\n<p>From the logged trajectories (domain_effects.csv): domains whose weight moves a signal beyond the average domain, 95% intervals excluding 0.</p>\n"
        let clear = domainEffects.filter { $0.reading != "unclear" }.sorted { abs($0.contrast) > abs($1.contrast) }.prefix(24)
        body += table(["signal", "domain", "reading", "effect vs mean domain [95% CI]"],
                      clear.map { [$0.signal, $0.domain, $0.reading, "\(f($0.contrast, 5)) [\(f($0.contrastLow, 5)), \(f($0.contrastHigh, 5))]"] }, numeric: [3])

        body += "<h2>Files</h2>\n"
        body += table(["file", "what it holds"], tables.map { [$0.file, $0.summary] })
        body += "<h2>Commands</h2>\n<pre>\(esc(inputs.commands.joined(separator: "\n")))</pre>\n"

        let style = """
        body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
        h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;margin:1em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
        th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        figure{margin:1.5em 0}.grid{display:flex;flex-wrap:wrap;gap:0 1.5em}.grid figure{flex:1 1 480px;margin:1em 0}figcaption{font-size:.85em;color:#555}svg{max-width:100%;height:auto}pre{background:#f6f6f6;padding:.8em;overflow-x:auto}
        """
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>dma analysis</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n\(body)</body>\n</html>\n"
    }
}

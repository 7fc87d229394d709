import Numerics

/// One SVG plot of the analysis folder.
public struct AnalysisPlot: Sendable {
    /// File name (`tradeoff.svg`).
    public var name: String
    /// The SVG document.
    public var svg: String
    /// One line saying what the plot shows (report and README).
    public var caption: String
    /// The series drawn (one `<g data-series>` each), for checks.
    public var series: [String]
}

/// Builds every plot from the validation results and the surrogate replay.
public enum AnalysisPlots {
    /// `schedule-<policy>.svg` per policy (and `schedule-agent-surrogate.svg` for `simulatedAgent`,
    /// the agent's mean schedule in the simulator), `scores.svg`, `tradeoff.svg`, `surrogate_fidelity.svg`.
    /// `references` (the analysed agent per setting) come first and in the reserved colour.
    public static func make(_ results: ValidationResults, references: [PolicyRuns], replay: [SurrogateReplay.PolicyFit],
                            simulatedAgent: (label: String, domains: [String], weights: [[Double]])? = nil) -> [AnalysisPlot] {
        let styles = Palette.assign(results.policies, references: references)
        let referenceLabels = Set(references.map(\.label))
        var plots: [AnalysisPlot] = []
        // One colour scale for every heat map, so a darker cell means more weight in any of them.
        var means: [String: [[Double]]] = [:]
        for p in results.policies {
            means[p.label] = (0..<p.steps).map { t in p.domains.indices.map { ScheduleTable.weight(p, step: t, domain: $0).mean } }
        }
        let scale = (means.values.flatMap { $0.flatMap { $0 } } + (simulatedAgent?.weights.flatMap { $0 } ?? [])).max() ?? 1
        if let sim = simulatedAgent {
            plots.append(AnalysisPlot(name: "schedule-agent-surrogate.svg",
                                      svg: ScheduleHeatMap.svg(title: "\(sim.label): mean mixture weight per step", series: sim.label, domains: sim.domains,
                                                               weights: sim.weights, scale: scale),
                                      caption: "Schedule of the agent in the surrogate (mean transitions): steps × domains, mean weight over the episodes",
                                      series: [sim.label]))
        }
        // The analysed agent first, then its earlier versions, then the baselines.
        let isReference = { (p: PolicyRuns) in referenceLabels.contains(p.label) }
        let ordered = results.policies.filter(isReference) + results.policies.filter { $0.isAgent && !isReference($0) }
            + results.policies.filter { !$0.isAgent }
        for p in ordered {
            plots.append(AnalysisPlot(name: "schedule-\(slug(p.label)).svg",
                                      svg: ScheduleHeatMap.svg(title: "\(p.label): mean mixture weight per step (\(p.runs.count) runs)", series: p.label,
                                                               domains: p.domains.map(\.rawValue), weights: means[p.label]!, scale: scale),
                                      caption: "Schedule of \(p.label): steps × domains, mean weight over its evaluation runs", series: [p.label]))
        }
        let curves = ordered.map { p in
            ScoreCurvesPlot.Curve(label: p.label, style: styles[p.label]!,
                                  retention: (0..<p.steps).map { t in Statistics.meanAndSD(p.runs.map { $0.rounds[t].retention }).mean },
                                  gain: (0..<p.steps).map { t in Statistics.meanAndSD(p.runs.map { $0.rounds[t].gain }).mean })
        }
        // Without validation results there is nothing to compare (the simulated agent's map stays).
        guard !ordered.isEmpty else { return plots }
        plots.append(AnalysisPlot(name: "scores.svg", svg: ScoreCurvesPlot.svg(curves),
                                  caption: "Source (retention) and target (gain) scores after every step, mean per policy", series: curves.map(\.label)))
        let points = ordered.map { p in
            TradeOffPlot.Point(label: p.label, style: styles[p.label]!, retention: Statistics.meanAndSD(p.runs.map(\.final.retention)),
                               gain: Statistics.meanAndSD(p.runs.map(\.final.gain)), fixedMixture: p.isFixedMixture,
                               isReference: isReference(p), isAgent: p.isAgent)
        }
        plots.append(AnalysisPlot(name: "tradeoff.svg", svg: TradeOffPlot.svg(points),
                                  caption: "Final retention against final gain per policy (± 1 sd over seeds), with the fixed-mixture Pareto front",
                                  series: points.map(\.label)))
        if !replay.isEmpty {
            plots.append(AnalysisPlot(name: "surrogate_fidelity.svg", svg: FidelityPlot.svg(replay, styles: styles),
                                      caption: "The surrogate's predicted against the real final balanced score per policy (its runs' schedules replayed)",
                                      series: replay.map(\.policy)))
        }
        return plots
    }

    /// A file-name-safe form of a label (`best-fixed`, `ratio-0.7`).
    static func slug(_ label: String) -> String {
        let mapped = label.lowercased().map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "-" }
        return String(mapped).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
    }
}

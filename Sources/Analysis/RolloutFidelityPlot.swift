import Base
import Foundation
import Surrogate

/// The surrogate's open-loop T-step rollouts against the real final balanced score of held-out
/// logged trajectories (from `dma surrogate report --json`): one point per trajectory, one series
/// per schedule family, the y = x line, Spearman and MAE in the title.
public enum RolloutFidelityPlot {
    /// The standalone SVG document.
    public static func svg(_ rollouts: FidelityReport.Rollouts) -> String {
        let left = 80.0, top = 40.0, side = 340.0
        var svg = SVGDocument(width: left + side + 200, height: top + side + 60)
        let values = rollouts.finals.flatMap { [$0.predicted, $0.actual] }
        let range = PlotAxes.padded(values.min() ?? 0, values.max() ?? 1, margin: 0.04)
        let axes = PlotAxes(x: range, y: range, left: left, top: top, width: side, height: side)
        axes.draw(on: &svg, xTitle: "real final balanced score (held-out trajectory)", yTitle: "surrogate rollout prediction",
                  title: String(format: "Surrogate rollouts: Spearman %.3f, MAE %.4f", rollouts.spearman, rollouts.finalBalancedMAE))
        svg.beginGroup(series: "y = x", kind: "reference")
        svg.line(axes.px(range.lowerBound), axes.py(range.lowerBound), axes.px(range.upperBound), axes.py(range.upperBound), stroke: "#888", dash: "4 4")
        svg.endGroup()
        var families: [String] = []
        for f in rollouts.finals where !families.contains(f.family) { families.append(f.family) }
        for (k, family) in families.enumerated() {
            svg.beginGroup(series: family, kind: "series")
            for f in rollouts.finals where f.family == family {
                svg.circle(axes.px(f.actual), axes.py(f.predicted), r: 2.5, fill: Palette.colour(k + 1),
                           title: "trajectory \(f.id) (\(family)): real \(PlotAxes.label(f.actual)), predicted \(PlotAxes.label(f.predicted))")
            }
            svg.endGroup()
        }
        PlotLegend.draw(on: &svg, entries: families.enumerated().map { ($1, Palette.colour($0 + 1)) } + [("y = x (dashed)", "#888")],
                        x: left + side + 20, y: top + 10)
        return svg.rendered(title: "Surrogate rollouts: predicted vs real final scores")
    }

    /// The rollouts section of a fidelity report written by `dma surrogate report --json`.
    public static func load(from path: String) throws -> FidelityReport.Rollouts {
        struct Report: Decodable { var rollouts: FidelityReport.Rollouts }
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "file not found") }
        do { return try JSONDecoder().decode(Report.self, from: data).rollouts } catch {
            throw DataFileError(path: path, problem: "not a fidelity report of dma surrogate report --json (\(error))")
        }
    }
}

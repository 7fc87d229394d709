/// The surrogate's predicted final balanced score against the real one, per validated policy
/// (mean ± 1 sd over its runs), with the y = x line a perfect simulator would sit on.
public enum FidelityPlot {
    /// The standalone SVG document.
    public static func svg(_ fits: [SurrogateReplay.PolicyFit], colours: [String: String]) -> String {
        let left = 80.0, top = 40.0, side = 340.0
        var svg = SVGDocument(width: left + side + 230, height: top + side + 60)
        let values = fits.flatMap { [$0.realMean - $0.realSD, $0.realMean + $0.realSD, $0.predictedMean - $0.predictedSD, $0.predictedMean + $0.predictedSD] }
        let range = PlotAxes.padded(values.min() ?? 0, values.max() ?? 1)
        let axes = PlotAxes(x: range, y: range, left: left, top: top, width: side, height: side)
        axes.draw(on: &svg, xTitle: "real final balanced score (per-step subset)", yTitle: "surrogate prediction (replayed schedule)",
                  title: "Surrogate: predicted vs real final score")
        svg.beginGroup(series: "y = x", kind: "reference")
        svg.line(axes.px(range.lowerBound), axes.py(range.lowerBound), axes.px(range.upperBound), axes.py(range.upperBound), stroke: "#888", dash: "4 4")
        svg.endGroup()
        for (k, f) in fits.enumerated() {
            let colour = colours[f.policy] ?? Palette.colour(k)
            svg.beginGroup(series: f.policy, kind: "series")
            let (x, y) = (axes.px(f.realMean), axes.py(f.predictedMean))
            svg.line(axes.px(f.realMean - f.realSD), y, axes.px(f.realMean + f.realSD), y, stroke: colour, width: 1.5)
            svg.line(x, axes.py(f.predictedMean - f.predictedSD), x, axes.py(f.predictedMean + f.predictedSD), stroke: colour, width: 1.5)
            svg.circle(x, y, r: 4.5, fill: colour, title: "\(f.policy): real \(PlotAxes.label(f.realMean)), predicted \(PlotAxes.label(f.predictedMean))")
            svg.endGroup()
        }
        PlotLegend.draw(on: &svg, entries: fits.enumerated().map { ($1.policy, colours[$1.policy] ?? Palette.colour($0)) } + [("y = x (dashed)", "#888")],
                        x: left + side + 20, y: top + 10)
        return svg.rendered(title: "Surrogate predicted vs real final scores")
    }
}

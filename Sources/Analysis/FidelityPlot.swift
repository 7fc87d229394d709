/// The surrogate's predicted final balanced score against the real one, per validated policy
/// (mean ± 1 sd over its runs), with the y = x line a perfect simulator would sit on.
public enum FidelityPlot {
    /// The standalone SVG document.
    /// `styles` by policy label; a policy without one draws in the palette's colour of its position.
    public static func svg(_ fits: [SurrogateReplay.PolicyFit], styles: [String: SeriesStyle]) -> String {
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
        func style(_ k: Int, _ policy: String) -> SeriesStyle { styles[policy] ?? SeriesStyle(colour: Palette.colour(k), marker: .circle) }
        for (k, f) in fits.enumerated() {
            let st = style(k, f.policy)
            svg.beginGroup(series: f.policy, kind: "series")
            let (x, y) = (axes.px(f.realMean), axes.py(f.predictedMean))
            svg.line(axes.px(f.realMean - f.realSD), y, axes.px(f.realMean + f.realSD), y, stroke: st.colour, width: 1.5)
            svg.line(x, axes.py(f.predictedMean - f.predictedSD), x, axes.py(f.predictedMean + f.predictedSD), stroke: st.colour, width: 1.5)
            svg.marker(st.marker, x, y, r: 4.5, fill: st.colour, title: "\(f.policy): real \(PlotAxes.label(f.realMean)), predicted \(PlotAxes.label(f.predictedMean))")
            svg.endGroup()
        }
        PlotLegend.draw(on: &svg, entries: fits.enumerated().map { k, f in
                            let st = style(k, f.policy)
                            return PlotLegend.Entry(label: f.policy, colour: st.colour, marker: st.marker)
                        } + [PlotLegend.Entry(label: "y = x", colour: "#888", dash: "4 4")],
                        x: left + side + 20, y: top + 10)
        return svg.rendered(title: "Surrogate predicted vs real final scores")
    }
}

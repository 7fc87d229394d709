/// The source/target trade-off: every policy's final retention (x) against its final gain (y),
/// mean with ± 1 sd bars over seeds; the fixed-mixture Pareto front (the non-dominated static
/// mixtures) as a dashed line. One `<g data-series>` per policy. Points carry no labels: policies
/// with similar scores sit on top of each other, so each is keyed in the legend by its colour and
/// marker shape.
public enum TradeOffPlot {
    /// One policy's final retention and gain (mean, sd over seeds).
    public struct Point {
        public var label: String
        public var style: SeriesStyle
        public var retention: (mean: Double, sd: Double)
        public var gain: (mean: Double, sd: Double)
        /// A static mixture: a candidate for the Pareto front.
        public var fixedMixture: Bool
        /// The analysed agent: drawn larger, outlined.
        public var isReference: Bool
        /// Any agent (the reference or an earlier version): outlined.
        public var isAgent: Bool
        public init(label: String, style: SeriesStyle, retention: (mean: Double, sd: Double), gain: (mean: Double, sd: Double), fixedMixture: Bool,
                    isReference: Bool = false, isAgent: Bool = false) {
            (self.label, self.style, self.retention, self.gain, self.fixedMixture) = (label, style, retention, gain, fixedMixture)
            (self.isReference, self.isAgent) = (isReference, isAgent || isReference)
        }
    }

    /// The fixed-mixture points no other fixed mixture beats on both scores, by retention.
    public static func paretoFront(_ points: [Point]) -> [Point] {
        let fixed = points.filter(\.fixedMixture)
        return fixed.filter { p in
            !fixed.contains { q in
                q.retention.mean >= p.retention.mean && q.gain.mean >= p.gain.mean && (q.retention.mean > p.retention.mean || q.gain.mean > p.gain.mean)
            }
        }.sorted { $0.retention.mean < $1.retention.mean }
    }

    /// The standalone SVG document.
    public static func svg(_ points: [Point]) -> String {
        let left = 80.0, top = 40.0, w = 460.0, h = 340.0
        var svg = SVGDocument(width: left + w + 230, height: top + h + 60)
        let xs = points.flatMap { [$0.retention.mean - $0.retention.sd, $0.retention.mean + $0.retention.sd] }
        let ys = points.flatMap { [$0.gain.mean - $0.gain.sd, $0.gain.mean + $0.gain.sd] }
        let axes = PlotAxes(x: PlotAxes.padded(xs.min() ?? 0, xs.max() ?? 1), y: PlotAxes.padded(ys.min() ?? 0, ys.max() ?? 1),
                            left: left, top: top, width: w, height: h)
        axes.draw(on: &svg, xTitle: "final retention (source score; 1 = no forgetting)", yTitle: "final gain (target score; 0 = base)",
                  title: "Source/target trade-off (mean ± 1 sd over seeds)")
        let front = paretoFront(points)
        if front.count > 1 {
            svg.beginGroup(series: "fixed-mixture Pareto front", kind: "front")
            svg.path(front.map { (axes.px($0.retention.mean), axes.py($0.gain.mean)) }, stroke: "#555", width: 1.5, dash: "6 4")
            svg.endGroup()
        }
        for p in points {
            svg.beginGroup(series: p.label, kind: "series")
            let (x, y) = (axes.px(p.retention.mean), axes.py(p.gain.mean))
            let colour = p.style.colour
            svg.line(axes.px(p.retention.mean - p.retention.sd), y, axes.px(p.retention.mean + p.retention.sd), y, stroke: colour, width: 1.5)
            svg.line(x, axes.py(p.gain.mean - p.gain.sd), x, axes.py(p.gain.mean + p.gain.sd), stroke: colour, width: 1.5)
            svg.marker(p.style.marker, x, y, r: p.isReference ? 6 : 4.5, fill: colour, stroke: p.isAgent ? "#000" : "none",
                       title: "\(p.label): retention \(PlotAxes.label(p.retention.mean)) ± \(PlotAxes.label(p.retention.sd)), gain \(PlotAxes.label(p.gain.mean)) ± \(PlotAxes.label(p.gain.sd))")
            svg.endGroup()
        }
        var legend = points.map { PlotLegend.Entry(label: $0.label, colour: $0.style.colour, marker: $0.style.marker, stroke: $0.isAgent ? "#000" : "none") }
        if front.count > 1 { legend.append(PlotLegend.Entry(label: "fixed-mixture Pareto front (dashed)", colour: "#555")) }
        PlotLegend.draw(on: &svg, entries: legend, x: left + w + 20, y: top + 10)
        return svg.rendered(title: "Source/target trade-off")
    }
}

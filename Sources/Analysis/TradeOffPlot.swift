/// The source/target trade-off: every policy's final retention (x) against its final gain (y),
/// mean with ± 1 sd bars over seeds; the fixed-mixture Pareto front (the non-dominated static
/// mixtures) as a dashed line. One `<g data-series>` per policy.
public enum TradeOffPlot {
    /// One policy's final retention and gain (mean, sd over seeds).
    public struct Point {
        public var label: String
        public var colour: String
        public var retention: (mean: Double, sd: Double)
        public var gain: (mean: Double, sd: Double)
        /// A static mixture: a candidate for the Pareto front.
        public var fixedMixture: Bool
        public var isAgent: Bool
        public init(label: String, colour: String, retention: (mean: Double, sd: Double), gain: (mean: Double, sd: Double), fixedMixture: Bool, isAgent: Bool) {
            (self.label, self.colour, self.retention, self.gain, self.fixedMixture, self.isAgent) = (label, colour, retention, gain, fixedMixture, isAgent)
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
            svg.line(axes.px(p.retention.mean - p.retention.sd), y, axes.px(p.retention.mean + p.retention.sd), y, stroke: p.colour, width: 1.5)
            svg.line(x, axes.py(p.gain.mean - p.gain.sd), x, axes.py(p.gain.mean + p.gain.sd), stroke: p.colour, width: 1.5)
            svg.circle(x, y, r: p.isAgent ? 6 : 4, fill: p.colour, stroke: p.isAgent ? "#000" : "none",
                       title: "\(p.label): retention \(PlotAxes.label(p.retention.mean)) ± \(PlotAxes.label(p.retention.sd)), gain \(PlotAxes.label(p.gain.mean)) ± \(PlotAxes.label(p.gain.sd))")
            svg.text(p.label, x: x + 7, y: y - 6, size: 10, fill: p.colour)
            svg.endGroup()
        }
        var legend = points.map { ($0.label, $0.colour) }
        if front.count > 1 { legend.append(("fixed-mixture Pareto front (dashed)", "#555")) }
        PlotLegend.draw(on: &svg, entries: legend, x: left + w + 20, y: top + 10)
        return svg.rendered(title: "Source/target trade-off")
    }
}

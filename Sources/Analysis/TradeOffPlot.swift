/// The source/target trade-off: every policy's final retention (x) against its final gain (y),
/// mean with ± 1 sd bars over seeds; the fixed-mixture Pareto front (the non-dominated static
/// mixtures) as a dashed line. One `<g class="series" data-series>` per policy (a close-up panel
/// draws its points again in `class="closeup"` groups). Points carry no labels: policies with
/// similar scores sit on top of each other, so each is keyed in the legend by its colour and marker.
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

    /// The points a close-up panel shows: those within `share` of the plot's span from the centre
    /// (the reference agent, else the median point) on both axes. Nil when that leaves out no point
    /// or keeps fewer than two: a close-up only helps when a few far-off policies (source-only,
    /// target-only) squeeze the others into one corner.
    public static func closeUp(_ points: [Point], share: Double = 0.25) -> [Point]? {
        guard points.count > 2 else { return nil }
        let xs = points.map(\.retention.mean), ys = points.map(\.gain.mean)
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return (s[(s.count - 1) / 2] + s[s.count / 2]) / 2 }
        let centre = points.first(where: \.isReference).map { ($0.retention.mean, $0.gain.mean) } ?? (median(xs), median(ys))
        let (spanX, spanY) = (xs.max()! - xs.min()!, ys.max()! - ys.min()!)
        let near = points.filter { abs($0.retention.mean - centre.0) <= share * spanX && abs($0.gain.mean - centre.1) <= share * spanY }
        return near.count < points.count && near.count >= 2 ? near : nil
    }

    /// The standalone SVG document: the whole trade-off, and beside it a close-up of the policies
    /// near the agent when far-off ones squeeze them together (`closeUp`).
    public static func svg(_ points: [Point]) -> String {
        let left = 80.0, top = 40.0, w = 460.0, h = 340.0, gap = 100.0
        let near = closeUp(points)
        let legendX = left + w + (near == nil ? 0 : gap + w) + 20
        var svg = SVGDocument(width: legendX + 270, height: top + h + 60)
        let front = paretoFront(points)
        panel(&svg, points, front: front, kind: "series", title: "Source/target trade-off (mean ± 1 sd over seeds)", left: left, top: top, width: w, height: h)
        if let near {
            panel(&svg, near, front: front, kind: "closeup", title: "Close-up: the \(near.count) policies nearest the agent", left: left + w + gap, top: top,
                  width: w, height: h)
        }
        var legend = points.map { PlotLegend.Entry(label: $0.label, colour: $0.style.colour, marker: $0.style.marker, stroke: $0.isAgent ? "#000" : "none") }
        if front.count > 1 { legend.append(PlotLegend.Entry(label: "fixed-mixture Pareto front", colour: "#555", dash: "6 4")) }
        PlotLegend.draw(on: &svg, entries: legend, x: legendX, y: top + 10)
        return svg.rendered(title: "Source/target trade-off")
    }

    /// One panel: axes over `points` (± sd), the front clipped to it, one group of `kind` per point.
    static func panel(_ svg: inout SVGDocument, _ points: [Point], front: [Point], kind: String, title: String,
                      left: Double, top: Double, width: Double, height: Double) {
        let xs = points.flatMap { [$0.retention.mean - $0.retention.sd, $0.retention.mean + $0.retention.sd] }
        let ys = points.flatMap { [$0.gain.mean - $0.gain.sd, $0.gain.mean + $0.gain.sd] }
        let axes = PlotAxes(x: PlotAxes.padded(xs.min() ?? 0, xs.max() ?? 1), y: PlotAxes.padded(ys.min() ?? 0, ys.max() ?? 1),
                            left: left, top: top, width: width, height: height)
        axes.draw(on: &svg, xTitle: "final retention (source score; 1 = no forgetting)", yTitle: "final gain (target score; 0 = base)", title: title)
        if front.count > 1 {
            svg.beginGroup(series: "fixed-mixture Pareto front", kind: "front")
            // Segment by segment, cut to the panel: the front runs on to mixtures outside a close-up.
            for (a, b) in zip(front, front.dropFirst()) {
                if let (p, q) = axes.clip((a.retention.mean, a.gain.mean), (b.retention.mean, b.gain.mean)) {
                    svg.line(axes.px(p.0), axes.py(p.1), axes.px(q.0), axes.py(q.1), stroke: "#555", width: 1.5, dash: "6 4")
                }
            }
            svg.endGroup()
        }
        // The reference agent last, so no baseline hides it.
        for p in points.filter({ !$0.isReference }) + points.filter(\.isReference) {
            svg.beginGroup(series: p.label, kind: kind)
            let (x, y) = (axes.px(p.retention.mean), axes.py(p.gain.mean))
            let colour = p.style.colour
            svg.line(axes.px(p.retention.mean - p.retention.sd), y, axes.px(p.retention.mean + p.retention.sd), y, stroke: colour, width: 1.5)
            svg.line(x, axes.py(p.gain.mean - p.gain.sd), x, axes.py(p.gain.mean + p.gain.sd), stroke: colour, width: 1.5)
            svg.marker(p.style.marker, x, y, r: p.isReference ? 6 : 4.5, fill: colour, stroke: p.isAgent ? "#000" : "none",
                       title: "\(p.label): retention \(PlotAxes.label(p.retention.mean)) ± \(PlotAxes.label(p.retention.sd)), gain \(PlotAxes.label(p.gain.mean)) ± \(PlotAxes.label(p.gain.sd))")
            svg.endGroup()
        }
    }
}

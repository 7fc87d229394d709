/// Per-policy curves of the source score (retention) and the target score (gain) after every
/// re-weighting step: two panels side by side, one path per policy in each (a `<g data-series>`
/// per policy holding both), mean over its evaluation runs. The first curve is drawn last, on top.
public enum ScoreCurvesPlot {
    /// One policy's mean retention and gain after steps 1 … T.
    public struct Curve {
        public var label: String
        public var style: SeriesStyle
        public var retention: [Double]
        public var gain: [Double]
        public init(label: String, style: SeriesStyle, retention: [Double], gain: [Double]) {
            (self.label, self.style, self.retention, self.gain) = (label, style, retention, gain)
        }
    }

    /// The standalone SVG document.
    public static func svg(_ curves: [Curve]) -> String {
        let panelW = 320.0, panelH = 240.0, top = 40.0
        let leftA = 70.0, leftB = leftA + panelW + 80
        let legendX = leftB + panelW + 20
        var svg = SVGDocument(width: legendX + 200, height: top + panelH + 60)
        let steps = curves.map { max($0.retention.count, $0.gain.count) }.max() ?? 1
        let xRange = 0.0...Double(max(steps, 1))
        func range(_ values: [Double]) -> ClosedRange<Double> { PlotAxes.padded(values.min() ?? 0, values.max() ?? 1) }
        let retentionAxes = PlotAxes(x: xRange, y: range(curves.flatMap(\.retention) + [1]), left: leftA, top: top, width: panelW, height: panelH)
        let gainAxes = PlotAxes(x: xRange, y: range(curves.flatMap(\.gain) + [0]), left: leftB, top: top, width: panelW, height: panelH)
        let xTicks = PlotAxes.ticks(xRange, count: min(steps, 10)).filter { $0 == $0.rounded() }
        retentionAxes.draw(on: &svg, xTitle: "re-weighting step (0 = base)", yTitle: "retention (1 = no forgetting)", title: "source score", xTicks: xTicks)
        gainAxes.draw(on: &svg, xTitle: "re-weighting step (0 = base)", yTitle: "gain (0 = base model)", title: "target score", xTicks: xTicks)
        // The first curve (the analysed agent) last, on top of the baselines' lines.
        for c in curves.dropFirst() + curves.prefix(1) {
            svg.beginGroup(series: c.label, kind: "series")
            // Step 0 is the base model: retention 1, gain 0.
            let r = ([1.0] + c.retention).enumerated().map { (retentionAxes.px(Double($0)), retentionAxes.py($1)) }
            let g = ([0.0] + c.gain).enumerated().map { (gainAxes.px(Double($0)), gainAxes.py($1)) }
            svg.path(r, stroke: c.style.colour)
            svg.path(g, stroke: c.style.colour)
            // Markers on the measured steps (not the base) tell lines of similar colour apart.
            for (x, y) in r.dropFirst() + g.dropFirst() { svg.marker(c.style.marker, x, y, r: 3, fill: c.style.colour) }
            svg.endGroup()
        }
        PlotLegend.draw(on: &svg, entries: curves.map { PlotLegend.Entry(label: $0.label, colour: $0.style.colour, marker: $0.style.marker, line: true) },
                        x: legendX, y: top + 10)
        return svg.rendered(title: "Source and target scores per re-weighting step")
    }
}

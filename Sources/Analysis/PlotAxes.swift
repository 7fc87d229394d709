import Foundation

/// A linear map from data to pixels with "nice" tick values (1, 2 or 5 × 10ᵏ steps), and the
/// axes, grid and labels of a plot panel drawn with it.
struct PlotAxes {
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>
    /// The panel's pixel box.
    var left: Double, top: Double, width: Double, height: Double

    func px(_ v: Double) -> Double { left + (v - x.lowerBound) / max(x.upperBound - x.lowerBound, 1e-12) * width }
    func py(_ v: Double) -> Double { top + height - (v - y.lowerBound) / max(y.upperBound - y.lowerBound, 1e-12) * height }

    /// Ticks covering `range` with about `count` steps.
    static func ticks(_ range: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var out: [Double] = []
        var v = ceil(range.lowerBound / step - 1e-9) * step
        while v <= range.upperBound + step * 1e-9 { out.append(abs(v) < step * 1e-9 ? 0 : v); v += step }
        return out
    }

    /// `range` widened by `margin` of its span on each side (a point span gets ± 0.5% of its value, or ± 0.01).
    static func padded(_ lo: Double, _ hi: Double, margin: Double = 0.08) -> ClosedRange<Double> {
        guard lo.isFinite, hi.isFinite else { return 0...1 }
        let span = hi - lo
        if span <= 1e-12 { let pad = max(abs(lo) * 0.005, 0.01); return (lo - pad)...(hi + pad) }
        return (lo - margin * span)...(hi + margin * span)
    }

    static func label(_ v: Double) -> String {
        let s = String(format: "%.4g", v)
        return s == "-0" ? "0" : s
    }

    /// The part of the segment a–b (data units) inside the panel's ranges, nil if none
    /// (Liang–Barsky): SVG clip paths would need a url() reference, which the report keeps out.
    func clip(_ a: (Double, Double), _ b: (Double, Double)) -> ((Double, Double), (Double, Double))? {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1)
        var (t0, t1) = (0.0, 1.0)
        for (p, q) in [(-dx, a.0 - x.lowerBound), (dx, x.upperBound - a.0), (-dy, a.1 - y.lowerBound), (dy, y.upperBound - a.1)] {
            if p == 0 {
                if q < 0 { return nil }
            } else if p < 0 {
                t0 = max(t0, q / p)
            } else {
                t1 = min(t1, q / p)
            }
        }
        guard t0 <= t1 else { return nil }
        return ((a.0 + t0 * dx, a.1 + t0 * dy), (a.0 + t1 * dx, a.1 + t1 * dy))
    }

    /// Frame, grid lines, tick labels and axis titles (with units) of the panel.
    func draw(on svg: inout SVGDocument, xTitle: String, yTitle: String, title: String? = nil, xTicks: [Double]? = nil) {
        svg.beginGroup(kind: "axes")
        for v in xTicks ?? Self.ticks(x) where x.contains(v) {
            svg.line(px(v), top, px(v), top + height, stroke: "#e4e4e4")
            svg.text(Self.label(v), x: px(v), y: top + height + 15, size: 11, anchor: .middle)
        }
        for v in Self.ticks(y) where y.contains(v) {
            svg.line(left, py(v), left + width, py(v), stroke: "#e4e4e4")
            svg.text(Self.label(v), x: left - 6, y: py(v) + 4, size: 11, anchor: .end)
        }
        svg.rect(x: left, y: top, width: width, height: height, fill: "none", stroke: "#333")
        svg.text(xTitle, x: left + width / 2, y: top + height + 34, size: 12, anchor: .middle)
        svg.text(yTitle, x: left - 48, y: top + height / 2, size: 12, anchor: .middle, rotate: -90)
        if let title { svg.text(title, x: left + width / 2, y: top - 10, size: 13, anchor: .middle, weight: "bold") }
        svg.endGroup()
    }
}

/// A legend box: one swatch and label per series; a series with a marker is keyed by its marker
/// (colour and shape), optionally on a short line, so points can go without labels in the plot.
enum PlotLegend {
    struct Entry {
        var label: String
        var colour: String
        var marker: MarkerShape? = nil
        /// Draw the marker on a short line (line plots).
        var line = false
        /// Outline of the marker, as the plot draws it.
        var stroke = "none"
        /// Without a marker: a line swatch with this dash array (a dashed reference line) instead of a box.
        var dash: String? = nil
    }

    static func draw(on svg: inout SVGDocument, entries: [(label: String, colour: String)], x: Double, y: Double) {
        draw(on: &svg, entries: entries.map { Entry(label: $0.label, colour: $0.colour) }, x: x, y: y)
    }

    static func draw(on svg: inout SVGDocument, entries: [Entry], x: Double, y: Double) {
        svg.beginGroup(kind: "legend")
        for (k, e) in entries.enumerated() {
            let row = y + Double(k) * 18
            if let marker = e.marker {
                if e.line { svg.line(x, row - 4, x + 14, row - 4, stroke: e.colour, width: 2) }
                svg.marker(marker, x + 7, row - 4, r: 4, fill: e.colour, stroke: e.stroke)
            } else if let dash = e.dash {
                svg.line(x, row - 4, x + 14, row - 4, stroke: e.colour, width: 1.5, dash: dash)
            } else {
                svg.rect(x: x, y: row - 9, width: 14, height: 10, fill: e.colour)
            }
            svg.text(e.label, x: x + 20, y: row, size: 11)
        }
        svg.endGroup()
    }
}

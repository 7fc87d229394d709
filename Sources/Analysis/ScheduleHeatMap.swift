import Foundation

/// A policy's schedule as a heat map: re-weighting steps across, domains down, each cell's colour
/// the mean mixture weight (white = 0, dark blue = the largest weight of any policy, so maps of
/// different policies compare), with a colour bar and the value in each cell's tooltip. Shades
/// follow √(w / scale): most weights of a 16-domain mixture are small, and a linear ramp would
/// leave them all near-white.
public enum ScheduleHeatMap {
    /// One cell's colour on the white → dark-blue ramp, `v` in 0…1.
    static func colour(_ v: Double) -> String {
        let t = min(max(v, 0), 1)
        let (r, g, b) = (255 - t * (255 - 8), 255 - t * (255 - 48), 255 - t * (255 - 107))
        return String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }

    /// Position of weight `w` on the ramp.
    static func shade(_ w: Double, _ scale: Double) -> Double { (max(w, 0) / max(scale, 1e-12)).squareRoot() }

    /// The heat map of `weights` (steps × domains, mean weight per cell); `scale` is the weight
    /// drawn darkest.
    public static func svg(title: String, series: String, domains: [String], weights: [[Double]], scale: Double) -> String {
        let steps = weights.count, D = domains.count
        let cellW = 40.0, cellH = 18.0
        let labelWidth = Double(domains.map(\.count).max() ?? 8) * 6.6 + 20
        let left = labelWidth + 10, top = 40.0
        let width = left + Double(steps) * cellW + 120, height = top + Double(D) * cellH + 60
        var svg = SVGDocument(width: width, height: height)
        svg.text(title, x: left + Double(steps) * cellW / 2, y: 22, size: 13, anchor: .middle, weight: "bold")
        svg.beginGroup(series: series, kind: "heatmap")
        for t in 0..<steps {
            for d in 0..<D {
                let w = weights[t][d]
                svg.rect(x: left + Double(t) * cellW, y: top + Double(d) * cellH, width: cellW, height: cellH, fill: colour(shade(w, scale)),
                         stroke: "#ffffff", title: "\(domains[d]), step \(t + 1): weight \(String(format: "%.3f", w))")
            }
        }
        svg.endGroup()
        svg.beginGroup(kind: "axes")
        for d in 0..<D { svg.text(domains[d], x: left - 6, y: top + Double(d) * cellH + 13, size: 11, anchor: .end) }
        for t in 0..<steps { svg.text("\(t + 1)", x: left + (Double(t) + 0.5) * cellW, y: top + Double(D) * cellH + 15, size: 11, anchor: .middle) }
        svg.text("re-weighting step", x: left + Double(steps) * cellW / 2, y: top + Double(D) * cellH + 34, size: 12, anchor: .middle)
        svg.endGroup()
        // Colour bar: the weight each shade stands for.
        let barX = left + Double(steps) * cellW + 30, barH = Double(D) * cellH
        svg.beginGroup(kind: "legend")
        for k in 0..<50 {
            let v = 1 - Double(k) / 49
            svg.rect(x: barX, y: top + Double(k) * barH / 50, width: 14, height: barH / 50 + 0.5, fill: colour(v))
        }
        svg.rect(x: barX, y: top, width: 14, height: barH, fill: "none", stroke: "#333")
        for v in PlotAxes.ticks(0...scale, count: 4) where v <= scale {
            svg.text(PlotAxes.label(v), x: barX + 20, y: top + barH - shade(v, scale) * barH + 4, size: 10)
        }
        svg.text("mixture weight (share of the step's tokens; √ scale)", x: barX - 8, y: top + barH / 2, size: 11, anchor: .middle, rotate: -90)
        svg.endGroup()
        return svg.rendered(title: title)
    }
}

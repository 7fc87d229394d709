import Foundation

/// A minimal SVG writer: our plots are a few hundred rectangles, lines and labels, so a string
/// builder with XML escaping is all the "plotting runtime" they need. Coordinates are in pixels
/// from the top left.
public struct SVGDocument {
    /// Size in pixels.
    public let width: Double
    public let height: Double
    private var body: [String] = []

    /// An empty white canvas.
    public init(width: Double, height: Double) { (self.width, self.height) = (width, height) }

    /// `text` safe inside XML character data and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    static func n(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Appends an element written by the caller (escaped already).
    public mutating func raw(_ element: String) { body.append(element) }

    /// A rectangle; `title` becomes its tooltip.
    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil, title: String? = nil) {
        let s = stroke.map { " stroke=\"\($0)\" stroke-width=\"0.5\"" } ?? ""
        let t = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"\(fill)\"\(s)>\(t)</rect>")
    }

    /// A straight line, optionally dashed (`dash` is an SVG dash array).
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#333", width: Double = 1, dash: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(d)/>")
    }

    /// A polyline through `points`.
    public mutating func path(_ points: [(Double, Double)], stroke: String, width: Double = 2, dash: String? = nil) {
        guard let first = points.first else { return }
        let d = points.dropFirst().reduce("M\(Self.n(first.0)),\(Self.n(first.1))") { $0 + " L\(Self.n($1.0)),\(Self.n($1.1))" }
        let dashing = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        body.append("<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(dashing)/>")
    }

    /// A circle (a scatter point); `title` becomes its tooltip.
    public mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, stroke: String = "none", title: String? = nil) {
        let t = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" fill=\"\(fill)\" stroke=\"\(stroke)\">\(t)</circle>")
    }

    /// Horizontal text alignment at the anchor point.
    public enum Anchor: String { case start, middle, end }

    /// A label, escaped; optionally rotated (degrees) about its anchor point.
    public mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start, rotate: Double? = nil,
                              weight: String? = nil, fill: String = "#222") {
        let r = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
        let w = weight.map { " font-weight=\"\($0)\"" } ?? ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\"\(w)\(r)>\(Self.escape(s))</text>")
    }

    /// Opens a group; `series` names the data series it draws (`data-series`), so readers and tests
    /// can find one group per policy.
    public mutating func beginGroup(series: String? = nil, kind: String) {
        let s = series.map { " data-series=\"\(Self.escape($0))\"" } ?? ""
        body.append("<g class=\"\(kind)\"\(s)>")
    }

    /// Closes the innermost group.
    public mutating func endGroup() { body.append("</g>") }

    /// The complete SVG file (standalone, UTF-8, sans-serif text).
    public func rendered(title: String) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.n(width))" height="\(Self.n(height))" viewBox="0 0 \(Self.n(width)) \(Self.n(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" role="img">
        <title>\(Self.escape(title))</title>
        <rect x="0" y="0" width="\(Self.n(width))" height="\(Self.n(height))" fill="#ffffff"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}

/// Series colours: distinguishable, colour-blind-aware hues; the agent always draws in the first.
enum Palette {
    static let colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                          "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"]

    /// Colour of series k of a plot.
    static func colour(_ k: Int) -> String { colours[k % colours.count] }

    /// Colours for `policies`: the agent's is the first colour and no other policy gets it (the
    /// others cycle through the rest), so the agent stands out however many baselines there are.
    static func assign(_ policies: [PolicyRuns]) -> [String: String] {
        var out: [String: String] = [:]
        for p in policies where p.isAgent { out[p.label] = colours[0] }
        for (k, p) in policies.filter({ !$0.isAgent }).enumerated() { out[p.label] = colours[1 + k % (colours.count - 1)] }
        return out
    }
}

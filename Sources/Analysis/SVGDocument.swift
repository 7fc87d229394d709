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

/// The shape a series' points are drawn with, so series stay apart where colours are hard to tell.
public enum MarkerShape: String, CaseIterable, Sendable {
    case circle, square, triangle, diamond, invertedTriangle = "triangle-down"
}

/// How one series is drawn: its colour and marker shape. No two policies of a plot share both.
public struct SeriesStyle: Sendable, Equatable, Hashable {
    public var colour: String
    public var marker: MarkerShape
    public init(colour: String, marker: MarkerShape) { (self.colour, self.marker) = (colour, marker) }
}

extension SVGDocument {
    /// A point marker of `shape` centred on (x, y), `r` its half size; `title` becomes its tooltip.
    /// Each is one element carrying `data-marker`, so readers and tests can tell the shapes apart.
    public mutating func marker(_ shape: MarkerShape, _ x: Double, _ y: Double, r: Double, fill: String, stroke: String = "none",
                                title: String? = nil) {
        let t = title.map { "<title>\(Self.escape($0))</title>" } ?? ""
        let common = "fill=\"\(fill)\" stroke=\"\(stroke)\" data-marker=\"\(shape.rawValue)\""
        func polygon(_ points: [(Double, Double)]) -> String {
            "<polygon points=\"\(points.map { "\(Self.n(x + $0.0 * r)),\(Self.n(y + $0.1 * r))" }.joined(separator: " "))\" \(common)>\(t)</polygon>"
        }
        switch shape {
        case .circle: raw("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" \(common)>\(t)</circle>")
        case .square:
            let side = r * 1.7
            raw("<rect x=\"\(Self.n(x - side / 2))\" y=\"\(Self.n(y - side / 2))\" width=\"\(Self.n(side))\" height=\"\(Self.n(side))\" \(common)>\(t)</rect>")
        // The triangles and the diamond reach a little further than r so they look as large as the circle.
        case .triangle: raw(polygon([(0, -1.3), (1.15, 0.85), (-1.15, 0.85)]))
        case .invertedTriangle: raw(polygon([(0, 1.3), (1.15, -0.85), (-1.15, -0.85)]))
        case .diamond: raw(polygon([(0, -1.35), (1.35, 0), (0, 1.35), (-1.35, 0)]))
        }
    }
}

/// Series colours: distinguishable, colour-blind-aware hues; the reference agent always draws in the first.
enum Palette {
    static let colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
                          "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"]

    /// Colour of series k of a plot.
    static func colour(_ k: Int) -> String { colours[k % colours.count] }

    /// Styles for `policies`: the reference agents (one per setting) get the first colour, a circle
    /// for the first setting's and other shapes for the rest, and no other policy gets that colour,
    /// so the analysed agent stands out however many baselines there are.
    /// The others, earlier agents included, cycle through the remaining colours and the other
    /// shapes at once: a (colour, shape) pair comes back only after lcm(14, 4) = 28 policies, and
    /// the legend keys every policy by its pair.
    static func assign(_ policies: [PolicyRuns], references: [PolicyRuns]) -> [String: SeriesStyle] {
        let referenceLabels = Set(references.map(\.label))
        let shapes = MarkerShape.allCases.filter { $0 != .circle }
        var out: [String: SeriesStyle] = [:]
        for (k, p) in policies.filter({ referenceLabels.contains($0.label) }).enumerated() {
            out[p.label] = SeriesStyle(colour: colours[0], marker: MarkerShape.allCases[k % MarkerShape.allCases.count])
        }
        for (k, p) in policies.filter({ !referenceLabels.contains($0.label) }).enumerated() {
            out[p.label] = SeriesStyle(colour: colours[1 + k % (colours.count - 1)], marker: shapes[k % shapes.count])
        }
        return out
    }
}

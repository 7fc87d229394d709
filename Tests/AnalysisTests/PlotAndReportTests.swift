import Analysis
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Collects the `data-series` of every `<g>` and whether the document parsed.
final class SeriesCollector: NSObject, XMLParserDelegate {
    var series: [(kind: String, name: String)] = []
    var root: String?
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "g", let s = attributes["data-series"] { series.append((attributes["class"] ?? "", s)) }
    }
}

@Suite struct PlotAndReportTests {
    func parse(_ text: String) -> (ok: Bool, collector: SeriesCollector) {
        let parser = XMLParser(data: Data(text.utf8))
        let collector = SeriesCollector()
        parser.delegate = collector
        return (parser.parse(), collector)
    }

    @Test func everyPlotIsWellFormedSVGWithOneSeriesPerPolicy() throws {
        let output = AnalysisFixture.output
        let policies = AnalysisFixture.results.policies.map(\.label)
        let svgs = output.files.filter { $0.name.hasSuffix(".svg") }
        // 5 heat maps and the agent's simulated one, scores, trade-off, surrogate fidelity.
        #expect(svgs.count == policies.count + 4)
        for file in svgs {
            let (ok, c) = parse(String(decoding: file.contents, as: UTF8.self))
            #expect(ok, "\(file.name) is well-formed XML")
            #expect(c.root == "svg")
            let drawn = c.series.filter { ["series", "heatmap"].contains($0.kind) }.map(\.name)
            if file.name.hasPrefix("schedule-") {
                #expect(drawn.count == 1)
            } else {
                #expect(drawn.sorted() == policies.sorted(), "\(file.name): one series per policy")
            }
        }
        let tradeoff = try #require(svgs.first { $0.name == "tradeoff.svg" })
        let (_, c) = parse(String(decoding: tradeoff.contents, as: UTF8.self))
        #expect(c.series.contains { $0.kind == "front" }, "the fixed-mixture front is drawn")
        #expect(svgs.contains { $0.name == "schedule-agent.svg" })
        #expect(svgs.contains { $0.name == "schedule-agent-surrogate.svg" })
    }

    @Test func rolloutFidelityLoadsTheReportJSONAndPlotsOneSeriesPerFamily() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dma-fidelity-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = """
        {"signals": [], "rollouts": {"trajectories": 3, "finalBalancedMAE": 0.01, "spearman": 0.9, "pearson": 0.9, "actualSD": 0.02, "coverage90": 0.9,
         "finals": [{"id": 1, "family": "constant", "predicted": 0.61, "actual": 0.6}, {"id": 2, "family": "field-ratio", "predicted": 0.5, "actual": 0.52},
                    {"id": 3, "family": "constant", "predicted": 0.66, "actual": 0.65}]}}
        """
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let rollouts = try RolloutFidelityPlot.load(from: path)
        let (ok, c) = parse(RolloutFidelityPlot.svg(rollouts))
        #expect(ok)
        #expect(c.series.filter { $0.kind == "series" }.map(\.name) == ["constant", "field-ratio"])
        try Data("{\"rollouts\": 3}".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RolloutFidelityPlot.load(from: path)
            Issue.record("a malformed report must fail")
        } catch { #expect("\(error)".contains(path)) }
    }

    @Test func paretoFrontKeepsOnlyUndominatedFixedMixtures() {
        func p(_ r: Double, _ g: Double, fixed: Bool = true) -> TradeOffPlot.Point {
            TradeOffPlot.Point(label: "\(r)", style: SeriesStyle(colour: "#000", marker: .circle), retention: (r, 0), gain: (g, 0), fixedMixture: fixed)
        }
        let front = TradeOffPlot.paretoFront([p(0.9, 0.1), p(0.8, 0.3), p(0.7, 0.2), p(0.6, 0.4), p(0.95, 0.9, fixed: false)])
        #expect(front.map(\.retention.mean) == [0.6, 0.8, 0.9])
    }

    @Test func theReportIsSelfContained() throws {
        let output = AnalysisFixture.output
        let report = String(decoding: try #require(output.files.first { $0.name == "report.html" }).contents, as: UTF8.self)
        for banned in ["http", "src=", "<link", "<script", "url(", "@import"] {
            #expect(!report.lowercased().contains(banned), "the report must not contain \(banned)")
        }
        let plots = output.files.filter { $0.name.hasSuffix(".svg") }
        #expect(report.components(separatedBy: "<svg").count - 1 == plots.count)
        for plot in plots { #expect(report.contains("<figure id=\"\(plot.name)\">")) }
        #expect(report.contains("Δ balanced"))
        #expect(report.contains("dma analyze"))
        #expect(report.contains("[progress]"), "the distilled rules are shown")
    }
}

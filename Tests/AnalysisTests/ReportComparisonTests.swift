import Analysis
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import Validation

/// Per `data-series` group of an SVG: the colours it draws in and the marker shapes of its points;
/// and every `<text>` outside a rotation, with its position, size and content.
final class StyleCollector: NSObject, XMLParserDelegate {
    struct Label { var x, y, size: Double; var anchor: String; var text: String }
    var colours: [String: Set<String>] = [:]
    var markers: [String: Set<String>] = [:]
    var labels: [Label] = []
    private var series: [String?] = []
    private var openText: Label?

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == "g" { series.append(attributes["class"] == "series" ? attributes["data-series"] : nil) }
        if let current = series.last ?? nil {
            for key in ["fill", "stroke"] {
                if let c = attributes[key], c != "none", c != "#000" { colours[current, default: []].insert(c) }
            }
            if let m = attributes["data-marker"] { markers[current, default: []].insert(m) }
            // Before the fix points were bare circles: a circle is a shape too.
            if name == "circle", attributes["data-marker"] == nil { markers[current, default: []].insert("circle") }
        }
        if name == "text", attributes["transform"] == nil {
            openText = Label(x: Double(attributes["x"] ?? "") ?? 0, y: Double(attributes["y"] ?? "") ?? 0,
                             size: Double(attributes["font-size"] ?? "") ?? 12, anchor: attributes["text-anchor"] ?? "start", text: "")
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { openText?.text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "g" { series.removeLast() }
        if name == "text", let t = openText { labels.append(t); openText = nil }
    }

    /// A generous box around a label: 0.62 em per character (DejaVu Sans averages below that), from
    /// the baseline up one em.
    static func box(_ l: Label) -> (x0: Double, x1: Double, y0: Double, y1: Double) {
        let w = 0.62 * l.size * Double(l.text.count)
        let x0 = l.anchor == "middle" ? l.x - w / 2 : l.anchor == "end" ? l.x - w : l.x
        return (x0, x0 + w, l.y - l.size, l.y)
    }
}

@Suite struct ReportComparisonTests {
    func collect(_ file: AnalysisFile) -> StyleCollector {
        let parser = XMLParser(data: file.contents)
        let collector = StyleCollector()
        parser.delegate = collector
        #expect(parser.parse(), "\(file.name) parses")
        return collector
    }

    /// The report's Δ cell of each policy: its first number.
    func reportDeltas(_ output: AnalysisPipeline.Output) throws -> [String: String] {
        let html = String(decoding: try #require(output.files.first { $0.name == "report.html" }).contents, as: UTF8.self)
        var out: [String: String] = [:]
        for row in html.components(separatedBy: "<tr>").dropFirst() where row.hasPrefix("<td>") {
            let cells = row.components(separatedBy: "</td>").dropLast().map { $0.components(separatedBy: ">").last ?? "" }
            if cells.count == 8 { out[cells[0]] = cells[7] }
        }
        return out
    }

    @Test func theReportsDifferencesAreTheValidationSummarysAgainstTheAgent() throws {
        let summary = ValidationSummary(AnalysisFixture.runsWithEarlierAgents())
        let deltas = try reportDeltas(AnalysisFixture.outputWithEarlierAgents)
        // Every other policy, the earlier agents included, against the runs labelled `agent`.
        #expect(Set(summary.paired.map(\.baseline)) == Set(AnalysisFixture.resultsWithEarlierAgents.policies.map(\.label)).subtracting(["agent"]))
        // The fixture must tell the agents apart, or the check below could not fail.
        let v1 = ValidationSummary(AnalysisFixture.runsWithEarlierAgents(), agent: "agent-v1")
        let uniform = try #require(summary.paired(against: "uniform")), uniformV1 = try #require(v1.paired(against: "uniform"))
        #expect(abs(uniform.mean - uniformV1.mean) > 1e-3)
        for row in summary.paired {
            let cell = try #require(deltas[row.baseline], "a row for \(row.baseline)")
            guard let shown = Double(cell.split(separator: " ")[0]) else { Issue.record("\(row.baseline): Δ cell \(cell) holds no number"); continue }
            #expect(abs(shown - row.mean) <= 0.5e-4 + 1e-12, "\(row.baseline): report \(cell), summary \(row.mean)")
            #expect(cell.hasSuffix("(n = \(row.pairs))"))
        }
        #expect(deltas["agent"] == "(reference)")
    }

    @Test func theReferenceIsTheNamedAgentNotTheFirst() throws {
        let results = AnalysisFixture.resultsWithEarlierAgents
        #expect(results.policies.first?.label == "agent-v1", "the fixture puts an earlier agent first")
        #expect(results.agents.map(\.label) == ["agent-v1", "agent", "agent-v2"])
        #expect(results.referenceAgents(policyFile: "known.policy.json").map(\.label) == ["agent"])
        #expect(results.referenceAgents(policyFile: "./sub/../known-v2.policy.json").map(\.label) == ["agent-v2"])
        // A file without runs falls back to the runs labelled exactly `agent`, never to a prefix match.
        #expect(results.referenceAgents(policyFile: "other.policy.json").map(\.label) == ["agent"])
        let withoutPlainAgent = try ValidationResults(runs: AnalysisFixture.runsWithEarlierAgents().filter { $0.policy != "agent" }, path: "x")
        #expect(withoutPlainAgent.referenceAgents(policyFile: "other.policy.json").isEmpty)

        // A baseline whose label merely starts with "agent" is not an agent.
        let lookalike = AnalysisFixture.run(label: "agentless", spec: "ratio:0.6", seed: 1, role: .evaluation, steps: 5) { _ in [0.2, 0.2, 0.3, 0.3] }
        let mixed = try ValidationResults(runs: AnalysisFixture.runs() + [lookalike], path: "x")
        #expect(mixed.agents.map(\.label) == ["agent"])

        // Naming an earlier version makes it the reference of the report.
        let output = try AnalysisPipeline.run(
            AnalysisInputs(agent: AnalysisFixture.studied, agentFile: "known-v1.policy.json", agentFloor: 0.02, trajectories: AnalysisFixture.trajectories,
                           model: AnalysisFixture.model, results: results),
            config: AnalysisFixture.config)
        #expect(output.references.map(\.label) == ["agent-v1"])
        let html = String(decoding: try #require(output.files.first { $0.name == "report.html" }).contents, as: UTF8.self)
        #expect(html.contains("the agent, <code>agent-v1</code> (<code>agent:known-v1.policy.json</code>), minus the policy"))
        let deltas = try reportDeltas(output)
        #expect(deltas["agent-v1"] == "(reference)")
        let summary = ValidationSummary(AnalysisFixture.runsWithEarlierAgents(), agent: "agent-v1")
        let againstAgent = try #require(summary.paired(against: "agent"))
        let shown = try #require(deltas["agent"].flatMap { Double($0.split(separator: " ")[0]) })
        #expect(abs(shown - againstAgent.mean) <= 0.5e-4 + 1e-12)
    }

    @Test func everyPolicyHasItsOwnColourAndMarkerAndNoLabelsOverlap() throws {
        let output = AnalysisFixture.outputWithEarlierAgents
        let policies = AnalysisFixture.resultsWithEarlierAgents.policies.map(\.label)
        for name in ["tradeoff.svg", "scores.svg", "surrogate_fidelity.svg"] {
            let c = collect(try #require(output.files.first { $0.name == name }))
            #expect(Set(c.colours.keys) == Set(policies), "\(name): every policy drawn")
            let styles = policies.map { "\(c.colours[$0]?.sorted() ?? [])|\(c.markers[$0]?.sorted() ?? [])" }
            #expect(Set(styles).count == policies.count, "\(name): distinct colour and marker per policy: \(zip(policies, styles).map { "\($0) \($1)" })")
            let agentColours = c.colours["agent"] ?? []
            for p in policies where p != "agent" {
                #expect(c.colours[p, default: []].isDisjoint(with: agentColours), "\(name): \(p) shares the agent's colour")
            }
            for p in policies { #expect(c.labels.contains { $0.text == p }, "\(name): \(p) is in the legend") }
            let boxes = c.labels.map(StyleCollector.box)
            for i in boxes.indices {
                for j in boxes.indices where j > i {
                    let (a, b) = (boxes[i], boxes[j])
                    let overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
                    #expect(!overlap, "\(name): labels \"\(c.labels[i].text)\" and \"\(c.labels[j].text)\" overlap")
                }
            }
        }
    }

    @Test func farOffPoliciesGetACloseUpOfTheRestInsideItsPanel() throws {
        func p(_ label: String, _ r: Double, _ g: Double, reference: Bool = false, fixed: Bool = true) -> TradeOffPlot.Point {
            TradeOffPlot.Point(label: label, style: SeriesStyle(colour: "#123456", marker: .square), retention: (r, 0.004), gain: (g, 0.002),
                               fixedMixture: fixed, isReference: reference)
        }
        let cluster = [p("agent", 1.02, 0.343, reference: true, fixed: false), p("a", 0.97, 0.35), p("b", 1.0, 0.34), p("c", 0.95, 0.355)]
        let outliers = [p("target-only", 0.32, 0.36), p("source-only", 1.0, 0.0)]
        #expect(TradeOffPlot.closeUp(cluster) == nil, "nothing squeezes these together")
        #expect(TradeOffPlot.closeUp(cluster + outliers)?.map(\.label) == cluster.map(\.label))

        let svg = TradeOffPlot.svg(cluster + outliers)
        let frames = svg.components(separatedBy: "\n").filter { $0.hasPrefix("<rect") && $0.contains("fill=\"none\" stroke=\"#333\"") }
        #expect(frames.count == 2, "two panels")
        // Everything drawn after the close-up's frame (its front, its points) stays inside it.
        let closeUp = try #require(svg.range(of: frames[1]))
        func number(_ line: Substring, _ key: String) -> Double? {
            guard let r = line.range(of: " \(key)=\"") else { return nil }
            return Double(line[r.upperBound...].prefix { $0 != "\"" })
        }
        let frame = frames[1][...]
        let (x0, y0) = (try #require(number(frame, "x")), try #require(number(frame, "y")))
        let (x1, y1) = (x0 + (try #require(number(frame, "width"))), y0 + (try #require(number(frame, "height"))))
        let after = svg[closeUp.upperBound...].components(separatedBy: "<g class=\"legend\"")[0]
        let drawn = after.split(separator: "\n").filter { $0.hasPrefix("<line") || $0.hasPrefix("<rect") || $0.hasPrefix("<polygon") }
        #expect(drawn.count > cluster.count * 3, "the close-up draws its points and the front")
        for line in drawn {
            for key in ["x1", "x2", "x", "cx"] { if let v = number(line, key) { #expect(v >= x0 - 0.1 && v <= x1 + 0.1, "\(line)") } }
            for key in ["y1", "y2", "y", "cy"] { if let v = number(line, key) { #expect(v >= y0 - 0.1 && v <= y1 + 0.1, "\(line)") } }
        }
    }
}

import Corpus
@testable import Evaluation
import Testing

/// Signal names are parsed and printed in one place and round-trip.
@Suite struct SignalTests {
    @Test func everyNameTheSuiteProducesRoundTrips() {
        let names = ["bpb/source/jargon", "em/math/units", "bpb/math/units", "bpb/code/json", "cloze/acc", "definitions/acc", "next-line/acc"]
        for name in names {
            let s = Signal(name)
            #expect(s.kind != .other, "\(name) should parse")
            #expect(s.name == name)
        }
        #expect(Signal.bitsPerByte("source/jargon") == Signal("bpb/source/jargon"))
        #expect(Signal.exactMatch("math/units").name == "em/math/units")
        #expect(Signal.cloze == Signal("cloze/acc"))
    }

    @Test func kindFieldAndDirection() {
        let bpb = Signal("bpb/source/jargon")
        #expect(bpb.kind == .bitsPerByte && bpb.domain == "source/jargon" && bpb.field == .source)
        #expect(!bpb.higherIsBetter && !bpb.isAccuracy)
        let em = Signal("em/math/units")
        #expect(em.kind == .exactMatch && em.field == .math && em.higherIsBetter && em.isAccuracy)
        #expect(Signal("cloze/acc").field == .source && Signal("definitions/acc").domain == nil)
        #expect(Signal("next-line/acc").field == .code)
    }

    @Test func unknownNamesStayVerbatim() {
        for name in ["mmlu/acc", "bpb/", "cloze/top5", "plain", "other/x"] {
            let s = Signal(name)
            #expect(s.kind == .other && s.name == name && s.field == nil && s.domain == nil)
        }
    }

    @Test func feedbackIsIndexedBySignal() {
        let f = Feedback(names: ["bpb/source/a", "cloze/acc"], values: [2.5, 0.6])
        #expect(f[Signal.bitsPerByte("source/a")] == 2.5)
        #expect(f[Signal.cloze] == 0.6)
        #expect(f.signals.map(\.kind) == [.bitsPerByte, .cloze])
    }
}

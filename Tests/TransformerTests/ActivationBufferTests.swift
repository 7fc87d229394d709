import Testing
@testable import Transformer

@Suite struct ActivationBufferTests {
    /// Every named view, with the size its case declares, must own its floats: two views that
    /// overlap would silently alias activations.
    @Test func viewsNeverOverlap() {
        let config = ModelConfig(name: "t", dModel: 16, layers: 3, heads: 2, context: 8)
        for training in [true, false] {
            var acts = ActivationBuffer()
            defer { acts.release() }
            let B = 3, T = 8
            acts.reserve(config, B: B, T: T, training: training)
            var spans: [(String, UnsafeMutablePointer<Float>, Int)] = ActivationBuffer.Global.allCases.map {
                ("\($0)", acts.ptr($0), $0.size(config, B: B, T: T, training: training))
            }
            // Inference reuses two layer sets; training keeps one per layer.
            for l in 0..<(training ? config.layers : 2) {
                let v = acts.layer(l)
                let named: [(ActivationBuffer.Layer, UnsafeMutablePointer<Float>)] = [
                    (.ln1, v.ln1), (.ln1Mean, v.ln1Mean), (.ln1Rstd, v.ln1Rstd), (.qkv, v.qkv), (.atty, v.atty),
                    (.att, v.att), (.attproj, v.attproj), (.res2, v.res2), (.ln2, v.ln2), (.ln2Mean, v.ln2Mean),
                    (.ln2Rstd, v.ln2Rstd), (.fch, v.fch), (.fchGelu, v.fchGelu), (.fcproj, v.fcproj), (.res3, v.res3),
                ]
                #expect(named.count == ActivationBuffer.Layer.allCases.count)
                spans += named.map { ("h\(l).\($0.0)", $0.1, $0.0.size(config, B: B, T: T, training: training)) }
            }
            let live = spans.filter { $0.2 > 0 }.sorted { $0.1 < $1.1 }
            for (a, b) in zip(live, live.dropFirst()) {
                #expect(a.1 + a.2 <= b.1, "\(a.0) overlaps \(b.0) (training: \(training))")
            }
        }
    }
}

import Testing
@testable import Kernels

@Suite struct ParameterBufferTests {
    @Test func tensorsTileTheBufferInOrderAndAreFoundByName() {
        var b = ParameterLayoutBuilder()
        let w = b.add("fc1.w", shape: [4, 3], decays: true)
        let bias = b.add("fc1.b", count: 4, decays: false)
        let v = b.add("head.w", shape: [1, 4], decays: true)
        let layout = b.build()
        #expect(layout.count == 12 + 4 + 4)
        #expect([w.offset, bias.offset, v.offset] == [0, 12, 16])
        #expect(layout["fc1.b"] == bias && layout["head.w"]?.shape == [1, 4] && layout["missing"] == nil)
        #expect(layout.decayMask == Array(repeating: true, count: 12) + Array(repeating: false, count: 4) + Array(repeating: true, count: 4))
        let buffer = ParameterBuffer(layout: layout)
        #expect(buffer.parameters("fc1.b") == buffer.params + 12 && buffer.gradients("head.w") == buffer.grads + 16)
        #expect((0..<layout.count).allSatisfy { buffer.params[$0] == 0 && buffer.grads[$0] == 0 })
    }
}

@Suite struct AdamWOptimizerTests {
    @Test func plainAdamHasNoDecayAndClipsOnlyWhenAsked() {
        let c = AdamWConfig.adam()
        #expect(c.weightDecay == 0 && c.gradClip == 0 && c.beta2 == 0.999)
        // With decay 0 a decaying tensor moves exactly like a non-decaying one.
        var p: [Float] = [2, 2], g: [Float] = [0.5, 0.5]
        var opt = AdamW(count: 2, decayMask: [true, false], config: c)
        for _ in 0..<3 { opt.step(params: &p, grads: &g, lr: 0.1) }
        #expect(p[0] == p[1] && p[0] < 2)
    }

    @Test func stepClipsToTheGlobalNormAndReportsItBeforeClipping() {
        var cfg = AdamWConfig()
        cfg.gradClip = 1
        var p: [Float] = [0, 0], g: [Float] = [3, 4]
        var opt = AdamW(count: 2, decayMask: [false, false], config: cfg)
        let norm = opt.step(params: &p, grads: &g, lr: 0.01)
        #expect(norm == 5)
        #expect(abs(g[0] - 0.6) < 1e-6 && abs(g[1] - 0.8) < 1e-6)
        #expect(opt.state.step == 1)
    }

    @Test func nonFiniteGradientsLeaveEverythingUntouched() {
        var p: [Float] = [1, 1], g: [Float] = [.nan, 1]
        var opt = AdamW(count: 2, decayMask: [true, true])
        #expect(!opt.step(params: &p, grads: &g, lr: 0.1).isFinite)
        #expect(p == [1, 1] && opt.state.step == 0 && opt.state.m == [0, 0])
    }

    @Test func slicedStepMatchesTheSerialOne() {
        // Without clipping the update is elementwise, so slicing it across threads changes nothing.
        let n = 1001
        let grads = gaussians(n, seed: 20), start = gaussians(n, seed: 21)
        let mask = (0..<n).map { $0 % 3 == 0 }
        var cfg = AdamWConfig()
        cfg.gradClip = 0
        func run(_ threads: Int, _ cfg: AdamWConfig) -> ([Float], Float) {
            var p = start, g = grads, norm: Float = 0
            var opt = AdamW(count: n, decayMask: mask, config: cfg)
            for _ in 0..<3 { g = grads; norm = opt.step(params: &p, grads: &g, lr: 0.01, threads: threads) }
            return (p, norm)
        }
        #expect(run(1, cfg).0 == run(3, cfg).0)
        // With clipping, only the norm's summation order differs: float noise at most.
        cfg.gradClip = 1
        let (p1, n1) = run(1, cfg), (p3, n3) = run(3, cfg)
        #expect(abs(n1 - n3) <= n1 * 1e-6)
        #expect(zip(p1, p3).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(run(3, cfg).0 == p3)
    }
}

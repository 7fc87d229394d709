import Foundation
import Testing
import Kernels
@testable import Transformer

@Suite struct OptimizerTests {
    @Test func adamWReachesQuadraticOptimum() {
        // f(x) = Σ a_i (x_i − c_i)²: minimum at c without weight decay.
        let a: [Float] = [1, 10, 0.1, 3], c: [Float] = [2, -1, 0.5, 4]
        var x: [Float] = [0, 0, 0, 0]
        var state = AdamWState(count: 4)
        var cfg = AdamWConfig()
        cfg.weightDecay = 0
        for step in 0..<3000 {
            let g = (0..<4).map { 2 * a[$0] * (x[$0] - c[$0]) }
            let lr = Float(LRSchedule(peak: 0.05, minimum: 0.0005, warmupSteps: 10, totalSteps: 3000).lr(at: step))
            x.withUnsafeMutableBufferPointer { p in
                g.withUnsafeBufferPointer { gp in
                    AdamW.update(params: p.baseAddress!, grads: gp.baseAddress!, count: 4, state: &state, decayMask: [false, false, false, false], lr: lr, config: cfg)
                }
            }
        }
        for i in 0..<4 { #expect(abs(x[i] - c[i]) < 1e-2, "x[\(i)] = \(x[i]), optimum \(c[i])") }
    }

    @Test func weightDecayShrinksOnlyMaskedParameters() {
        var x: [Float] = [1, 1]
        var state = AdamWState(count: 2)
        var cfg = AdamWConfig()
        cfg.weightDecay = 0.5
        let zero: [Float] = [0, 0]
        x.withUnsafeMutableBufferPointer { p in
            zero.withUnsafeBufferPointer { g in
                AdamW.update(params: p.baseAddress!, grads: g.baseAddress!, count: 2, state: &state, decayMask: [true, false], lr: 0.1, config: cfg)
            }
        }
        #expect(abs(x[0] - 0.95) < 1e-6)
        #expect(x[1] == 1)
    }

    @Test func scheduleShape() {
        let s = LRSchedule(peak: 1, minimum: 0.1, warmupSteps: 10, totalSteps: 110)
        #expect(abs(s.lr(at: 0) - 0.1) < 1e-12)
        #expect(abs(s.lr(at: 4) - 0.5) < 1e-12)
        #expect(abs(s.lr(at: 10) - 1) < 1e-12)
        #expect(abs(s.lr(at: 60) - 0.55) < 1e-12)
        #expect(abs(s.lr(at: 110) - 0.1) < 1e-12)
        #expect(abs(s.lr(at: 500) - 0.1) < 1e-12)
        for t in 10..<110 { #expect(s.lr(at: t + 1) <= s.lr(at: t)) }
    }
}

/// The three CPT LR shapes at their key steps: warm-up end, stable, decay start, last step.
@Suite struct LRShapeTests {
    // 400 steps, 20 warm-up: the proxy environment's CPT budget.
    func schedule(_ shape: LRSchedule.Shape) -> LRSchedule {
        LRSchedule(peak: 0.002, minimum: 0.0002, warmupSteps: 20, totalSteps: 400, shape: shape)
    }

    @Test func cosineIsUnchanged() {
        let s = schedule(.cosine), old = LRSchedule(peak: 0.002, minimum: 0.0002, warmupSteps: 20, totalSteps: 400)
        for t in 0..<420 { #expect(s.lr(at: t) == old.lr(at: t)) }
        #expect(abs(s.lr(at: 19) - 0.002) < 1e-15)
        #expect(abs(s.lr(at: 210) - 0.0011) < 1e-12)
        #expect(s.lr(at: 399) > 0.0002 && s.lr(at: 399) < 0.00021)
    }

    @Test func warmupStableDecay() {
        let s = schedule(.warmupStableDecay(decayFraction: 0.2))
        #expect(s.decayStart == 320)
        #expect(abs(s.lr(at: 0) - 0.0001) < 1e-15)
        #expect(abs(s.lr(at: 19) - 0.002) < 1e-15)
        #expect(s.lr(at: 20) == 0.002 && s.lr(at: 200) == 0.002 && s.lr(at: 319) == 0.002)
        #expect(s.lr(at: 320) == 0.002)
        // Linear: half-way through the decay, half-way down; the minimum one step after the last.
        #expect(abs(s.lr(at: 360) - 0.0011) < 1e-12)
        #expect(abs(s.lr(at: 399) - (0.0002 + 0.0018 / 80)) < 1e-12)
        #expect(abs(s.lr(at: 400) - 0.0002) < 1e-15 && abs(s.lr(at: 1000) - 0.0002) < 1e-15)
        for t in 320..<400 { #expect(s.lr(at: t + 1) < s.lr(at: t)) }
    }

    @Test func decayNeverEatsTheWarmup() {
        let s = schedule(.warmupStableDecay(decayFraction: 1))
        #expect(s.decayStart == 20)
        #expect(abs(s.lr(at: 19) - 0.002) < 1e-15)
        #expect(abs(s.lr(at: 210) - 0.0011) < 1e-12)
    }

    @Test func constant() {
        let s = schedule(.constant)
        #expect(s.decayStart == nil)
        #expect(abs(s.lr(at: 9) - 0.001) < 1e-15)
        #expect(s.lr(at: 19) == 0.002 && s.lr(at: 200) == 0.002 && s.lr(at: 399) == 0.002 && s.lr(at: 1000) == 0.002)
    }
}

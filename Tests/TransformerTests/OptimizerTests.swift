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

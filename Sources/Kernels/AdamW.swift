import Foundation
import Numerics

/// AdamW hyper-parameters (Loshchilov & Hutter; betas as in GPT-3-style training of small models).
public struct AdamWConfig: Codable, Equatable, Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var eps: Float = 1e-8
    /// Decoupled weight decay, applied only where the layout's decay mask says so (`ParameterTensor.decays`).
    public var weightDecay: Float = 0.1
    /// Global gradient-norm clip (0 = off).
    public var gradClip: Float = 1.0

    public init() {}

    /// Plain Adam (Kingma & Ba): no weight decay, the paper's betas, no clipping unless asked.
    public static func adam(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, gradClip: Float = 0) -> AdamWConfig {
        var c = AdamWConfig()
        c.beta1 = beta1
        c.beta2 = beta2
        c.eps = eps
        c.weightDecay = 0
        c.gradClip = gradClip
        return c
    }
}

/// AdamW state over a flat parameter buffer: first and second moments and the step count.
public struct AdamWState: Codable, Equatable, Sendable {
    public var m: [Float]
    public var v: [Float]
    /// Steps taken (bias correction uses it).
    public var step: Int

    public init(count: Int) {
        m = [Float](repeating: 0, count: count)
        v = [Float](repeating: 0, count: count)
        step = 0
    }
}

/// AdamW over any flat parameter buffer: global-norm clipping, a weight-decay mask, bias correction.
public struct AdamW: Sendable {
    /// Hyper-parameters; may change between steps (e.g. to switch decay off).
    public var config: AdamWConfig
    /// Moments and step count (checkpointed to resume a run).
    public var state: AdamWState
    /// Per parameter: does weight decay apply?
    public let decayMask: [Bool]

    /// An optimizer for `count` parameters; `state` resumes a run (e.g. from a checkpoint).
    public init(count: Int, decayMask: [Bool], config: AdamWConfig = AdamWConfig(), state: AdamWState? = nil) {
        precondition(decayMask.count == count, "AdamW: decay mask of \(decayMask.count) for \(count) parameters")
        self.config = config
        self.state = state ?? AdamWState(count: count)
        self.decayMask = decayMask
    }

    /// An optimizer for the buffer `layout` describes, decaying the tensors marked `decays`.
    public init(layout: ParameterBufferLayout, config: AdamWConfig = AdamWConfig(), state: AdamWState? = nil) {
        self.init(count: layout.count, decayMask: layout.decayMask, config: config, state: state)
    }

    /// Parameters stepped.
    public var count: Int { decayMask.count }

    /// ‖grads‖₂ over `count` elements, accumulated in Double in index order.
    public static func globalNorm(_ grads: UnsafePointer<Float>, count: Int) -> Float {
        var sq: Double = 0
        for i in 0..<count { sq += Double(grads[i]) * Double(grads[i]) }
        return Float(sq.squareRoot())
    }

    /// One optimizer step: clips `grads` in place to `config.gradClip` (global norm) and updates
    /// `params`. Returns the gradient norm before clipping; when it is not finite, neither buffer
    /// nor the state changes, so the caller can stop with the last good parameters.
    ///
    /// With `threads` > 1 the buffer is cut into that many slices processed concurrently: clipping
    /// and the update are elementwise, so only the norm's Double partial sums (combined in slice
    /// order) differ from the 1-thread pass — deterministically, for a given thread count.
    @discardableResult
    public mutating func step(params: UnsafeMutablePointer<Float>, grads: UnsafeMutablePointer<Float>, lr: Float,
                              threads: Int = 1) -> Float {
        let n = count
        let k = max(1, min(threads, n))
        guard k > 1 else {
            let norm = AdamW.globalNorm(grads, count: n)
            guard norm.isFinite else { return norm }
            if config.gradClip > 0, norm > config.gradClip {
                let s = config.gradClip / norm
                for i in 0..<n { grads[i] *= s }
            }
            AdamW.update(params: params, grads: grads, count: n, state: &state, decayMask: decayMask, lr: lr, config: config)
            return norm
        }
        func slice(_ w: Int) -> Range<Int> { (w * n / k)..<((w + 1) * n / k) }
        let sq = withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { partials in
            let partials = partials.baseAddress!
            Parallel.workers(k) { w in
                var sq: Double = 0
                for i in slice(w) { sq += Double(grads[i]) * Double(grads[i]) }
                partials[w] = sq
            }
            var sq: Double = 0
            for w in 0..<k { sq += partials[w] }
            return sq
        }
        let norm = Float(sq.squareRoot())
        guard norm.isFinite else { return norm }
        let scale: Float? = config.gradClip > 0 && norm > config.gradClip ? config.gradClip / norm : nil
        state.step += 1
        let step = state.step, config = self.config
        state.m.withUnsafeMutableBufferPointer { m in
            state.v.withUnsafeMutableBufferPointer { v in
                decayMask.withUnsafeBufferPointer { mask in
                    let m = m.baseAddress!, v = v.baseAddress!, mask = mask.baseAddress!
                    Parallel.workers(k) { w in
                        let r = slice(w)
                        if let scale { for i in r { grads[i] *= scale } }
                        AdamW.update(params + r.lowerBound, grads + r.lowerBound, m + r.lowerBound, v + r.lowerBound,
                                     mask + r.lowerBound, count: r.count, step: step, lr: lr, config: config)
                    }
                }
            }
        }
        return norm
    }

    /// One update of `params` from `grads` at learning rate `lr`, without clipping; `decayMask[i]`
    /// says whether parameter i takes weight decay.
    public static func update(params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>, count: Int,
                              state: inout AdamWState, decayMask: [Bool], lr: Float, config: AdamWConfig) {
        state.step += 1
        let step = state.step
        state.m.withUnsafeMutableBufferPointer { m in
            state.v.withUnsafeMutableBufferPointer { v in
                decayMask.withUnsafeBufferPointer { mask in
                    update(params, grads, m.baseAddress!, v.baseAddress!, mask.baseAddress!, count: count, step: step, lr: lr, config: config)
                }
            }
        }
    }

    /// The elementwise update of `count` parameters at bias-correction step `step` (≥ 1).
    private static func update(_ params: UnsafeMutablePointer<Float>, _ grads: UnsafePointer<Float>,
                               _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ mask: UnsafePointer<Bool>,
                               count: Int, step: Int, lr: Float, config: AdamWConfig) {
        let b1 = config.beta1, b2 = config.beta2
        let c1 = 1 - powf(b1, Float(step)), c2 = 1 - powf(b2, Float(step))
        let wd = config.weightDecay, eps = config.eps
        for i in 0..<count {
            let g = grads[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            let mhat = m[i] / c1, vhat = v[i] / c2
            var p = params[i]
            if mask[i] { p -= lr * wd * p }
            p -= lr * mhat / (vhat.squareRoot() + eps)
            params[i] = p
        }
    }
}

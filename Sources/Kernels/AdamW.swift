import Foundation

/// AdamW hyper-parameters (Loshchilov & Hutter; betas as in GPT-3-style training of small models).
public struct AdamWConfig: Codable, Equatable, Sendable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.95
    public var eps: Float = 1e-8
    /// Decoupled weight decay, applied to matrices and embeddings only (see `ParameterLayout.Tensor.decays`).
    public var weightDecay: Float = 0.1
    /// Global gradient-norm clip (0 = off).
    public var gradClip: Float = 1.0

    public init() {}
}

/// AdamW state over a flat parameter buffer: first and second moments and the step count.
public struct AdamWState: Equatable, Sendable {
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

public enum AdamW {
    /// One update of `params` from `grads` at learning rate `lr`; `decayMask[i]` says whether
    /// parameter i takes weight decay.
    public static func update(params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>, count: Int,
                              state: inout AdamWState, decayMask: [Bool], lr: Float, config: AdamWConfig) {
        state.step += 1
        let b1 = config.beta1, b2 = config.beta2
        let c1 = 1 - powf(b1, Float(state.step)), c2 = 1 - powf(b2, Float(state.step))
        let wd = config.weightDecay, eps = config.eps
        state.m.withUnsafeMutableBufferPointer { m in
            state.v.withUnsafeMutableBufferPointer { v in
                decayMask.withUnsafeBufferPointer { mask in
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
        }
    }
}

import Foundation

/// Training stopped because a loss or gradient became NaN or infinite.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case nonFinite(step: Int, what: String)

    public var description: String {
        switch self {
        case let .nonFinite(step, what):
            return "training diverged at step \(step): \(what) is not finite; lower the learning rate or check the data"
        }
    }
}

/// A model with its AdamW state: one call, one optimizer step.
public final class Trainer {
    public let model: GPT
    public var optimizer: AdamWConfig
    public var state: AdamWState
    private let decayMask: [Bool]
    /// Gradient norm of the last step (before clipping).
    public private(set) var lastGradNorm: Float = 0

    public init(model: GPT, optimizer: AdamWConfig = AdamWConfig(), state: AdamWState? = nil) {
        self.model = model
        self.optimizer = optimizer
        self.state = state ?? AdamWState(count: model.parameterCount)
        var mask = [Bool](repeating: false, count: model.parameterCount)
        for t in model.layout.tensors where t.decays { for i in t.offset..<(t.offset + t.count) { mask[i] = true } }
        decayMask = mask
    }

    /// Steps taken so far.
    public var step: Int { state.step }

    /// Forward, backward, clip, AdamW update. Throws (and leaves parameters untouched) on NaN/Inf.
    @discardableResult
    public func step(_ batch: TokenBatch, lr: Float) throws -> Float {
        let loss = model.forwardBackward(batch)
        guard loss.isFinite else { throw TrainingError.nonFinite(step: state.step, what: "loss (\(loss))") }
        let n = model.parameterCount
        let g = model.grads
        var sq: Double = 0
        for i in 0..<n { sq += Double(g[i]) * Double(g[i]) }
        let norm = Float(sq.squareRoot())
        lastGradNorm = norm
        guard norm.isFinite else { throw TrainingError.nonFinite(step: state.step, what: "gradient norm") }
        if optimizer.gradClip > 0, norm > optimizer.gradClip {
            let s = optimizer.gradClip / norm
            for i in 0..<n { g[i] *= s }
        }
        AdamW.update(params: model.params, grads: g, count: n, state: &state, decayMask: decayMask, lr: lr, config: optimizer)
        return loss
    }
}

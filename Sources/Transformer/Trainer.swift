import Foundation
import Kernels

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

/// A model with its AdamW optimizer: one call, one optimizer step.
public final class Trainer {
    public let model: GPT
    private var adamW: AdamW

    public var optimizer: AdamWConfig {
        get { adamW.config }
        set { adamW.config = newValue }
    }
    public var state: AdamWState {
        get { adamW.state }
        set { adamW.state = newValue }
    }
    /// Gradient norm of the last step (before clipping).
    public private(set) var lastGradNorm: Float = 0

    public init(model: GPT, optimizer: AdamWConfig = AdamWConfig(), state: AdamWState? = nil) {
        self.model = model
        adamW = AdamW(layout: model.layout.buffer, config: optimizer, state: state)
    }

    /// Steps taken so far.
    public var step: Int { adamW.state.step }

    /// Forward, backward, clip, AdamW update. Throws (and leaves parameters untouched) on NaN/Inf.
    @discardableResult
    public func step(_ batch: TokenBatch, lr: Float) throws -> Float {
        let loss = model.forwardBackward(batch)
        guard loss.isFinite else { throw TrainingError.nonFinite(step: step, what: "loss (\(loss))") }
        lastGradNorm = adamW.step(params: model.params, grads: model.grads, lr: lr, threads: model.workers)
        guard lastGradNorm.isFinite else { throw TrainingError.nonFinite(step: step, what: "gradient norm") }
        return loss
    }
}

import Foundation

/// Learning rate per optimizer step: linear warm-up to `peak`, then one of three shapes, reaching
/// `minimum` at `totalSteps` (flat after).
public struct LRSchedule: Codable, Equatable, Sendable {
    /// What follows the warm-up.
    public enum Shape: Codable, Equatable, Sendable {
        /// Cosine decay from `peak` to `minimum` over every step after the warm-up.
        case cosine
        /// Stable at `peak`, then linear decay to `minimum` over the last `decayFraction` of the steps
        /// (warm-up–stable–decay). Linear rather than cosine: it is what the WSD recipes decay with
        /// (cosine-shaped cooldowns do no better there), and it lowers the LR evenly across the decay
        /// rounds instead of keeping the first of them near the peak.
        case warmupStableDecay(decayFraction: Double)
        /// Flat at `peak` to the end.
        case constant
    }

    public var peak: Double
    public var minimum: Double
    public var warmupSteps: Int
    public var totalSteps: Int
    public var shape: Shape

    public init(peak: Double, minimum: Double, warmupSteps: Int, totalSteps: Int, shape: Shape = .cosine) {
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.shape = shape
    }

    /// First step of the final decay (`.warmupStableDecay`): the decay covers
    /// `round(decayFraction · totalSteps)` steps, and never eats into the warm-up.
    public var decayStart: Int? {
        guard case .warmupStableDecay(let fraction) = shape else { return nil }
        let decaySteps = Int((fraction * Double(totalSteps)).rounded())
        return max(warmupSteps, totalSteps - max(1, decaySteps))
    }

    /// Learning rate for 0-based `step`.
    public func lr(at step: Int) -> Double {
        if step < warmupSteps { return peak * Double(step + 1) / Double(warmupSteps) }
        switch shape {
        case .cosine:
            let span = max(1, totalSteps - warmupSteps)
            let progress = min(1, Double(step - warmupSteps) / Double(span))
            return minimum + 0.5 * (peak - minimum) * (1 + cos(Double.pi * progress))
        case .warmupStableDecay:
            let start = decayStart!
            if step < start { return peak }
            let progress = min(1, Double(step - start) / Double(max(1, totalSteps - start)))
            return peak - (peak - minimum) * progress
        case .constant:
            return peak
        }
    }
}

/// Mean squared error between predictions and targets, e.g. a critic's TD regression.
public enum MeanSquaredError {
    /// Returns (1/N) Σ (pred − target)² over N values, summed in Double so large N stays accurate.
    ///
    /// - Parameters:
    ///   - pred: (N) predictions.
    ///   - target: (N) targets.
    public static func forward(_ pred: ConstFloatPtr, _ target: ConstFloatPtr, N: Int) -> Float {
        var sum: Double = 0
        for i in 0..<N {
            let d = Double(pred[i] - target[i])
            sum += d * d
        }
        return Float(sum / Double(N))
    }

    /// dpred (N) += gradScale · 2 (pred − target) / N: the gradient of `gradScale` × the loss.
    ///
    /// - Parameters:
    ///   - dpred: (N) prediction gradient, accumulated.
    ///   - pred, target: (N) as in `forward`.
    ///   - gradScale: upstream gradient of the loss (1 when the loss is the objective).
    public static func backward(_ dpred: FloatPtr, _ pred: ConstFloatPtr, _ target: ConstFloatPtr,
                                gradScale: Float = 1, N: Int) {
        let s = 2 * gradScale / Float(N)
        for i in 0..<N { dpred[i] += s * (pred[i] - target[i]) }
    }
}

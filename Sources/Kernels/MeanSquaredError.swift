/// Mean squared error of Float predictions against Double targets: a critic's TD regression onto
/// targets y computed in Double (CQL).
public enum MeanSquaredError {
    /// Returns (1/N) Σ (pred − target)², in Double, each square scaled by 1/N as it is added.
    ///
    /// - Parameters:
    ///   - pred: (N) predictions.
    ///   - target: (N) targets.
    public static func forward(_ pred: ConstFloatPtr, _ target: UnsafePointer<Double>, N: Int) -> Double {
        let invN = 1 / Double(N)
        var sum = 0.0
        for i in 0..<N {
            let d = Double(pred[i]) - target[i]
            sum += d * d * invN
        }
        return sum
    }

    /// dpred (N) += gradScale · 2 (pred − target) / N: the gradient of `gradScale` × the loss.
    ///
    /// - Parameters:
    ///   - dpred: (N) prediction gradient, accumulated (in Double).
    ///   - pred, target: (N) as in `forward`.
    ///   - gradScale: upstream gradient of the loss (1 when the loss is the objective).
    public static func backward(_ dpred: UnsafeMutablePointer<Double>, _ pred: ConstFloatPtr, _ target: UnsafePointer<Double>,
                                gradScale: Double = 1, N: Int) {
        let s = 2 * gradScale / Double(N)
        for i in 0..<N { dpred[i] += s * (Double(pred[i]) - target[i]) }
    }
}

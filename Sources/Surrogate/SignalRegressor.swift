import Numerics

/// Which regression family predicts a signal's change, with its hyper-parameters.
public struct RegressorChoice: Codable, Sendable, Equatable {
    public enum Family: String, Codable, Sendable { case ridge, ridgeRBF = "ridge+rbf" }
    public var family: Family
    /// GSL's ridge λ (penalty λ²‖c‖² on standardised features).
    public var lambda: Double
    /// Kernel ridge λ of the RBF correction (only for `ridge+rbf`, fitted to the ridge residuals;
    /// the basis and its width are the model's `KernelBasis`).
    public var kernelLambda: Double?
}

/// One fitted predictor of one signal's change: a linear part in raw feature space and, for the
/// `ridge+rbf` family, weights on the model's shared RBF basis (`KernelBasis`) fitted to the ridge
/// residuals.
public struct SignalRegressor: Codable, Sendable, Equatable {
    public var intercept: Double
    /// Raw-space weights over the full feature row (generic then specific).
    public var weights: [Double]
    /// RBF weights α, one per basis centre (nil for plain ridge).
    public var alpha: [Double]?

    /// Fits `y` on the raw `design` (`rows × columns`, row-major) with the given choice. For
    /// `ridge+rbf`, `kernel` holds the basis evaluated at the same rows (`rows × m`) and
    /// `centreKernel` the basis between its centres (`m × m`).
    public static func fit(design: [Double], rows: Int, columns p: Int, y: [Double], choice: RegressorChoice,
                           kernel: [Double]? = nil, centreKernel: [Double]? = nil) throws -> SignalRegressor {
        let s = Standardisation(design: design, rows: rows, columns: p)
        let z = s.apply(design, rows: rows)
        let mean = y.reduce(0, +) / Double(rows)
        let yc = y.map { $0 - mean }
        let w = try z.withUnsafeBufferPointer { try RidgeRegression(design: $0.baseAddress!, rows: rows, columns: p) }.solve(yc, lambda: choice.lambda)
        var raw = [Double](repeating: 0, count: p)
        var intercept = mean
        for c in 0..<p {
            raw[c] = w[c] / s.scale[c]
            intercept -= w[c] * s.mean[c] / s.scale[c]
        }
        var out = SignalRegressor(intercept: intercept, weights: raw, alpha: nil)
        if choice.family == .ridgeRBF, let kl = choice.kernelLambda, let kernel, let centreKernel {
            let residual = (0..<rows).map { r in yc[r] - (0..<p).reduce(0.0) { $0 + z[r * p + $1] * w[$1] } }
            out.alpha = try KernelRidge(knm: kernel, rows: rows, kmm: centreKernel).solve(residual, lambda: kl)
        }
        return out
    }

    /// Whether every stored number is finite and the shapes agree with `columns` features and `centres` basis functions.
    func isWellFormed(columns p: Int, centres: Int) -> Bool {
        guard intercept.isFinite, weights.count == p, weights.allSatisfy(\.isFinite) else { return false }
        guard let alpha else { return true }
        return alpha.count == centres && alpha.allSatisfy(\.isFinite)
    }
}

/// Column means and standard deviations of a design (constant columns keep scale 1).
struct Standardisation {
    var mean: [Double]
    var scale: [Double]

    init(design: [Double], rows: Int, columns p: Int) {
        mean = [Double](repeating: 0, count: p)
        scale = [Double](repeating: 0, count: p)
        for r in 0..<rows { for c in 0..<p { mean[c] += design[r * p + c] } }
        for c in 0..<p { mean[c] /= Double(rows) }
        for r in 0..<rows { for c in 0..<p { let d = design[r * p + c] - mean[c]; scale[c] += d * d } }
        for c in 0..<p {
            let sd = (scale[c] / Double(max(rows - 1, 1))).squareRoot()
            scale[c] = sd > 1e-12 ? sd : 1
        }
    }

    func apply(_ design: [Double], rows: Int) -> [Double] {
        let p = mean.count
        var z = design
        for r in 0..<rows { for c in 0..<p { z[r * p + c] = (design[r * p + c] - mean[c]) / scale[c] } }
        return z
    }

    /// `count` distinct rows (or all, if fewer) chosen with `seed`.
    static func pickRows(_ z: [Double], rows: Int, columns p: Int, count: Int, seed: UInt64) -> [Double] {
        var order = Array(0..<rows)
        RandomSource(seed: seed, stream: .regressorFolds).shuffle(&order)
        return order.prefix(min(count, rows)).flatMap { r in z[(r * p)..<((r + 1) * p)] }
    }
}

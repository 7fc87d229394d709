import Corpus
import Evaluation
import Numerics
import Trajectories

/// Which data helps or protects which ability, from the logged trajectories: for every benchmark
/// signal, its change over one re-weighting step regressed (GSL least squares, with standard
/// errors) on the step's domain weights, controlling for the signal's level above base before the
/// step (changes slow as a signal moves) and for the first step (which moves everything most):
///
///   Δy_t = Σ_d β_d · w_{t,d} + γ · (y_{t−1} − y_base) + δ · [t = 1] + ε
///
/// The weights sum to 1, so there is no separate intercept: β_d is the expected change of a step
/// trained on domain d alone, and β_d − mean(β) what moving weight onto d does relative to the
/// average domain. Intervals are 95% t-intervals with n − p degrees of freedom.
public enum DomainEffects {
    /// One domain's effect on one signal.
    public struct Effect: Sendable, Equatable {
        public var signal: String
        public var higherIsBetter: Bool
        public var domain: String
        public var field: String
        /// β_d, its standard error and 95% interval.
        public var effect: Double
        public var standardError: Double
        public var low: Double
        public var high: Double
        /// β_d − mean(β) and its interval (from the coefficients' covariance).
        public var contrast: Double
        public var contrastLow: Double
        public var contrastHigh: Double
        /// Logged steps regressed on, and the regression's R².
        public var steps: Int
        public var r2: Double?

        /// helps / hurts / unclear: the contrast's interval excludes 0 in the good / bad direction.
        public var reading: String {
            let good = higherIsBetter ? contrastLow > 0 : contrastHigh < 0
            let bad = higherIsBetter ? contrastHigh < 0 : contrastLow > 0
            return good ? "helps" : bad ? "hurts" : "unclear"
        }
    }

    /// Effects of every domain on every signal that changes in the data (constant signals, such as
    /// an exact match that never leaves 0, are skipped).
    public static func estimate(_ trajectories: [Trajectory], level: Double = 0.95) throws -> [Effect] {
        guard let header = trajectories.first?.header else { return [] }
        let domains = header.domains, names = header.feedbackNames
        let D = domains.count, p = D + 2
        var out: [Effect] = []
        for (s, name) in names.enumerated() {
            var design: [Double] = [], y: [Double] = []
            for t in trajectories where t.header.feedbackNames == names && t.header.domains == domains {
                var before = t.baseFeedback[s]
                for (k, step) in t.steps.enumerated() {
                    design += step.mixture + [before - t.baseFeedback[s], k == 0 ? 1 : 0]
                    y.append(step.feedback[s] - before)
                    before = step.feedback[s]
                }
            }
            let n = y.count
            guard n > p, let first = y.first, y.contains(where: { abs($0 - first) > 1e-12 }) else { continue }
            let fit = try LeastSquares(design: design, rows: n, columns: p, y: y, context: "domain effects on \(name)")
            let t = Statistics.studentTQuantile((1 + level) / 2, dof: Double(fit.degreesOfFreedom))
            let se = fit.standardErrors, beta = fit.coefficients
            let mean = beta.prefix(D).reduce(0, +) / Double(D)
            let signal = Signal(name)
            let r2 = fit.rSquared(y)
            for d in 0..<D {
                // Var(β_d − mean β) = aᵀ Σ a with a = e_d − 1/D on the domain coefficients.
                var variance = 0.0
                for i in 0..<D {
                    for j in 0..<D {
                        let ai = (i == d ? 1 : 0) - 1 / Double(D), aj = (j == d ? 1 : 0) - 1 / Double(D)
                        variance += ai * aj * fit.covariance[i * p + j]
                    }
                }
                let contrast = beta[d] - mean, cse = max(variance, 0).squareRoot()
                out.append(Effect(signal: name, higherIsBetter: signal.higherIsBetter, domain: domains[d].rawValue,
                                  field: domains[d].field?.rawValue ?? "", effect: beta[d], standardError: se[d],
                                  low: beta[d] - t * se[d], high: beta[d] + t * se[d], contrast: contrast,
                                  contrastLow: contrast - t * cse, contrastHigh: contrast + t * cse, steps: n, r2: r2))
            }
        }
        return out
    }

    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("signal", "benchmark signal (bpb/<domain> bits per byte, em/<domain> exact match, cloze/acc, definitions/acc, …)"),
        .init("better_when", "which direction is good for the signal: lower (bits per byte) or higher (accuracies)"),
        .init("domain", "training domain"),
        .init("field", "the domain's field"),
        .init("effect", "β_d: expected change of the signal over one re-weighting step trained on this domain alone (signal units per step), at the base level, after the first step"),
        .init("se", "standard error of β_d (GSL gsl_multifit_linear covariance)"),
        .init("ci95_low", "lower bound of β_d's 95% t-interval"),
        .init("ci95_high", "upper bound"),
        .init("effect_vs_mean", "β_d − mean over domains of β: what moving weight onto this domain does relative to the average domain"),
        .init("effect_vs_mean_ci95_low", "lower bound of its 95% t-interval"),
        .init("effect_vs_mean_ci95_high", "upper bound"),
        .init("reading", "helps / hurts when effect_vs_mean's interval excludes 0 in the good / bad direction, else unclear"),
        .init("steps", "logged re-weighting steps in the regression"),
        .init("r2", "R² of the signal's regression (all domains and controls)"),
    ]

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ effects: [Effect]) -> AnalysisTable {
        AnalysisTable(file: "domain_effects.csv",
                      summary: "Each domain's effect of its weight on each benchmark's per-step change, from the logged trajectories (regression Δy = Σ β_d w_d + γ·(level above base) + δ·[first step]).",
                      columns: columns,
                      rows: effects.map {
                          [$0.signal, $0.higherIsBetter ? "higher" : "lower", $0.domain, $0.field, CSVNumber.text($0.effect),
                           CSVNumber.text($0.standardError), CSVNumber.text($0.low), CSVNumber.text($0.high), CSVNumber.text($0.contrast),
                           CSVNumber.text($0.contrastLow), CSVNumber.text($0.contrastHigh), $0.reading, "\($0.steps)", CSVNumber.text($0.r2)]
                      })
    }
}

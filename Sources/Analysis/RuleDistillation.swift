import Numerics
import Surrogate
import Trajectories
import Validation

/// Distils a policy into a `DistilledRule`: its mixtures on a set of states are the targets, and
/// each domain's weight gets a linear formula of at most `maxTerms` features chosen by forward
/// stepwise selection (at each step the feature whose addition lowers the residual sum of squares
/// most, by GSL least squares with an intercept), stopping early when R² rises by less than
/// `minGain`.
public enum RuleDistillation {
    /// How many features a formula may use, and when to stop adding them.
    public struct Config: Sendable {
        /// Features per domain's formula: three keeps a formula readable in one line.
        public var maxTerms = 3
        /// Smallest R² improvement worth another term.
        public var minGain = 0.005
        /// The defaults documented on each field.
        public init() {}
    }

    /// Fits the rule on `states` (with `policy`'s mixtures on them as targets); `floor` is the
    /// rule's minimum weight (the agent's floor, so the rule stays where the agent's data is).
    public static func fit(_ policy: MixturePolicy, features: RuleFeatures, states: [PolicyState], floor: Double,
                           config: Config = Config(), name: String = "distilled rule") throws -> DistilledRule {
        // Least squares with an intercept and maxTerms features needs more rows than columns.
        guard states.count > config.maxTerms + 1 else {
            throw RuleDistillationError(states: states.count, needed: config.maxTerms + 2)
        }
        let targets = try policy.nextMixtures(states).map(\.weights)
        let X = states.map(features.values)
        let n = states.count, m = features.names.count
        // Constant features (a fixed score weight, the unused lag of the first state) cannot explain anything.
        let usable = (0..<m).filter { j in
            let first = X[0][j]
            return X.contains { abs($0[j] - first) > 1e-12 }
        }
        var formulas: [DistilledRule.Formula] = []
        for (d, domain) in features.layout.domains.enumerated() {
            let y = targets.map { $0[d] }
            var chosen: [Int] = []
            var best = try fitColumns(X, chosen, y, n: n)
            var bestR2 = best.rSquared(y) ?? 1
            while chosen.count < config.maxTerms, best.rSquared(y) != nil {
                var candidate: (Int, LeastSquares)?
                for j in usable where !chosen.contains(j) {
                    let fit = try fitColumns(X, chosen + [j], y, n: n)
                    if candidate == nil || fit.residualSumOfSquares < candidate!.1.residualSumOfSquares { candidate = (j, fit) }
                }
                guard let (j, fit) = candidate, let r2 = fit.rSquared(y), r2 - bestR2 >= config.minGain else { break }
                chosen.append(j)
                (best, bestR2) = (fit, r2)
            }
            let c = best.coefficients
            formulas.append(DistilledRule.Formula(output: domain.rawValue, intercept: c[0],
                                                  terms: chosen.enumerated().map { (features.names[$1], c[$0 + 1]) },
                                                  r2: best.rSquared(y)))
        }
        return DistilledRule(name: name, features: features, formulas: formulas, floor: floor)
    }

    /// Least squares of `y` on an intercept and the feature columns `columns` of `X`.
    private static func fitColumns(_ X: [[Double]], _ columns: [Int], _ y: [Double], n: Int) throws -> LeastSquares {
        let p = columns.count + 1
        var design = [Double](repeating: 1, count: n * p)
        for i in 0..<n { for (k, j) in columns.enumerated() { design[i * p + k + 1] = X[i][j] } }
        return try LeastSquares(design: design, rows: n, columns: p, y: y, context: "distilled rule fit on \(columns.count) features")
    }

    /// The final balanced score through the surrogate of the agent and of its rule: `episodes`
    /// episodes each, with the mean transition (no sampled noise) so the two differ only by policy.
    public struct Simulation: Sendable {
        public var policy: String
        public var episodes: Int
        public var transition: String
        public var meanFinalBalanced: Double
        public var sdFinalBalanced: Double
        /// Share of steps whose mixture left the surrogate's data support.
        public var outOfSupportShare: Double
    }

    /// `episodes` surrogate episodes (mean transitions, episode e seeded `seed + e`) of each labelled policy.
    public static func simulate(_ policies: [(String, MixturePolicy)], model: SurrogateModel, episodes: Int, seed: UInt64) throws -> [Simulation] {
        let candidates = policies.map { label, policy in PolicyEvaluation.Candidate(label: label) { _ in policy } }
        return try PolicyEvaluation(episodes: episodes, seed: seed, transition: .mean).run(candidates, model: model).map {
            Simulation(policy: $0.label, episodes: $0.episodes, transition: $0.transition.rawValue, meanFinalBalanced: $0.mean, sdFinalBalanced: $0.sd,
                       outOfSupportShare: $0.outOfSupportShare)
        }
    }

    /// Columns of `rules.csv`.
    public static let ruleColumns: [AnalysisTable.Column] = [
        .init("output", "the domain whose mixture weight the formula predicts (before clipping at 0 and normalising with the floor)"),
        .init("term", "intercept, or a state feature: a global column (progress, source_share, retention@0 …; @l = l steps ago) or '<domain> <token column>' (weight_x_domains@l = weight·D, feedback_bpb@l = base/now for source and (base − now)/base for target bits per byte, feedback_em@l, score_weight, …_change = last step's change)"),
        .init("coefficient", "the term's coefficient (weight units per feature unit)"),
        .init("order", "step of the forward selection that added the term (0 = intercept)"),
        .init("r2", "R² of the output's whole formula on the states it was fitted on (the agent's mixtures on logged states and on its own simulated states)"),
        .init("formula", "the output's whole formula in one line"),
    ]

    /// `rules.csv`: the intercept and each term of every formula, one row each.
    public static func ruleTable(_ rule: DistilledRule) -> AnalysisTable {
        var rows: [[String]] = []
        for f in rule.formulas {
            let r2 = CSVNumber.text(f.r2)
            rows.append([f.output, "intercept", CSVNumber.text(f.intercept), "0", r2, f.text])
            for (k, t) in f.terms.enumerated() { rows.append([f.output, t.feature, CSVNumber.text(t.coefficient), "\(k + 1)", r2, f.text]) }
        }
        return AnalysisTable(file: "rules.csv",
                             summary: "The policy distilled into one sparse linear formula per domain weight (forward stepwise, ≤ 3 features, GSL least squares); as a policy its predictions are clipped at 0 and normalised with the agent's floor. Its simulated score next to the agent's is in rules_simulation.csv.",
                             columns: ruleColumns, rows: rows)
    }

    /// Columns of `rules_simulation.csv`.
    public static let simulationColumns: [AnalysisTable.Column] = [
        .init("policy", "agent, or the distilled rule run as a policy"),
        .init("episodes", "simulated episodes through the surrogate (episode e resets with seed + e)"),
        .init("transition", "surrogate transition: mean (the ensemble's mean prediction, no sampled noise)"),
        .init("final_balanced_mean", "mean predicted final balanced score (per-step feedback subset)"),
        .init("final_balanced_sd", "its sd over episodes (start states differ)"),
        .init("out_of_support_share", "share of steps whose mixture had a weight below the surrogate's data support"),
    ]

    /// `rules_simulation.csv`: one row per simulated policy.
    public static func simulationTable(_ rows: [Simulation]) -> AnalysisTable {
        AnalysisTable(file: "rules_simulation.csv",
                      summary: "The agent and its distilled rule run through the surrogate: what the readable rule keeps of the agent's score.",
                      columns: simulationColumns,
                      rows: rows.map {
                          [$0.policy, "\($0.episodes)", $0.transition, CSVNumber.text($0.meanFinalBalanced), CSVNumber.text($0.sdFinalBalanced),
                           CSVNumber.text($0.outOfSupportShare)]
                      })
    }
}

/// Too few states to fit a rule of the configured size.
public struct RuleDistillationError: Error, CustomStringConvertible, Equatable {
    public var states: Int
    public var needed: Int
    public var description: String { "distilling a policy needs at least \(needed) states, got \(states) (give more trajectories or episodes)" }
}

import Corpus
import Trajectories

/// A readable stand-in for a policy: each domain's weight is a short linear formula of a few named
/// state features (`RuleFeatures`), and the predictions become a valid mixture by clipping at 0,
/// normalising and mixing with the floor: wᵢ = floor + (1 − D·floor)·pᵢ/Σp (uniform if every
/// prediction is ≤ 0). So every weight is ≥ floor and they sum to 1.
public final class DistilledRule: MixturePolicy, Sendable {
    /// One output's formula: intercept + Σ coefficient·feature.
    public struct Formula: Sendable, Equatable {
        /// The domain whose weight it predicts.
        public var output: String
        public var intercept: Double
        /// The selected features (names of `RuleFeatures`) in selection order, with coefficients.
        public var terms: [(feature: String, coefficient: Double)]
        /// R² of the formula on the states it was fitted on (nil for a constant target).
        public var r2: Double?

        /// A formula of `terms`.
        public init(output: String, intercept: Double, terms: [(feature: String, coefficient: Double)], r2: Double?) {
            (self.output, self.intercept, self.terms, self.r2) = (output, intercept, terms, r2)
        }

        public static func == (a: Formula, b: Formula) -> Bool {
            a.output == b.output && a.intercept == b.intercept && a.r2 == b.r2
                && a.terms.map(\.feature) == b.terms.map(\.feature) && a.terms.map(\.coefficient) == b.terms.map(\.coefficient)
        }

        /// `intercept + c·feature …` with four significant digits.
        public var text: String {
            terms.reduce(String(format: "%.4g", intercept)) { s, t in
                s + (t.coefficient < 0 ? " − " : " + ") + String(format: "%.4g", abs(t.coefficient)) + "·[\(t.feature)]"
            }
        }
    }

    public let name: String
    /// How the features are read from a state.
    public let features: RuleFeatures
    /// One formula per domain, in domain order.
    public let formulas: [Formula]
    /// Minimum weight of every domain.
    public let floor: Double
    private let index: [[Int]]

    /// A rule of one formula per domain of `features.layout`; `floor` < 1/D.
    public init(name: String, features: RuleFeatures, formulas: [Formula], floor: Double) {
        let D = features.layout.domainCount
        precondition(formulas.count == D, "a distilled rule needs one formula per domain")
        precondition(floor >= 0 && Double(D) * floor < 1, "the floor must leave mass to choose (D·floor < 1)")
        (self.name, self.features, self.formulas, self.floor) = (name, features, formulas, floor)
        let position = Dictionary(uniqueKeysWithValues: features.names.enumerated().map { ($1, $0) })
        index = formulas.map { f in f.terms.map { position[$0.feature]! } }
    }

    /// The raw predictions (before clipping and normalising) for `state`.
    public func predictions(_ state: PolicyState) -> [Double] {
        let x = features.values(state)
        return formulas.enumerated().map { d, f in zip(index[d], f.terms).reduce(f.intercept) { $0 + $1.1.coefficient * x[$1.0] } }
    }

    /// The predictions clipped at 0, normalised and mixed with the floor.
    public func nextMixture(_ state: PolicyState) throws -> Mixture {
        let D = formulas.count
        let p = predictions(state).map { $0.isFinite ? max($0, 0) : 0 }
        let total = p.reduce(0, +)
        let free = 1 - Double(D) * floor
        let w = p.map { floor + free * (total > 0 ? $0 / total : 1 / Double(D)) }
        // Rounding can leave the sum a few ulps from 1; fold the residue into the largest weight.
        let residue = 1 - w.reduce(0, +)
        var out = w
        if let k = out.indices.max(by: { out[$0] < out[$1] }) { out[k] += residue }
        return try Mixture(out, count: D)
    }
}

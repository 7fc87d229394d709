import Corpus
import Evaluation
import Foundation
import Trajectories

/// DoReMi-style online re-weighting (after Xie et al., 2023, "DoReMi"), adapted to a
/// source-retention objective: exponentiated-gradient ascent on each domain's excess loss over a
/// reference, so the domains furthest behind their reference get more data.
///
/// - Excess of domain i after the last round, relative to its reference (so the source and target
///   scales compare): source domains, reference = the base model's bits per byte (the excess is
///   forgetting), λ_i = max(0, bpb_now − bpb_base) / bpb_base; target domains, reference = the
///   lowest final answer bits per byte that domain reached in the setting's logged trajectories
///   (what target-heavy training reaches), λ_i = max(0, bpb_now − ref) / ref.
/// - Update as in the paper: α_t ∝ α_{t−1}·exp(η·λ_t), then α_t ← (1 − c)·α_t + c·uniform, with
///   η = 1 and c = 1e-3; α_0 uniform. DoReMi takes its reference from a separately trained
///   reference model and its excess from per-token losses of a small proxy; here both come from
///   the feedback the CPT run already measures.
/// - The mixture each round is α_t mapped into the collection's floored simplex.
///
/// The weights are recomputed from the state's feedback history on every call, so one object
/// serves a whole batch of runs and gives the same answer for the same history.
public final class DoReMiPolicy: MixturePolicy {
    public static let stepSize = 1.0
    public static let smoothing = 1e-3

    public let name = "doremi"
    public let space: DomainSpace
    /// Target domains' reference bits per byte (nil for source domains: their base is the reference).
    public let targetReferences: [Double?]
    public let simplex: FlooredSimplex

    public init(space: DomainSpace, targetReferences: [Double?], floor: Double) {
        precondition(targetReferences.count == space.count, "one reference slot per domain")
        self.space = space
        self.targetReferences = targetReferences
        simplex = FlooredSimplex(dimension: space.count, floor: floor)
    }

    /// Per-domain relative excess loss of `now` (`base` is the run's base feedback).
    public func excess(_ now: Feedback, base: Feedback) throws -> [Double] {
        let n = try DomainLosses.bitsPerByte(now, space: space, policy: name)
        let b = try DomainLosses.bitsPerByte(base, space: space, policy: name)
        return n.indices.map { i in
            let reference = targetReferences[i] ?? b[i]
            return max(0, n[i] - reference) / reference
        }
    }

    /// α_t for the state's round (before smoothing into the floor).
    public func weights(_ state: PolicyState) throws -> [Double] {
        let D = space.count
        var alpha = [Double](repeating: 1 / Double(D), count: D)
        guard let base = state.feedback.first else { return alpha }
        // Feedback k (k ≥ 1) was measured after round k − 1: one update per trained round.
        for k in state.feedback.indices.dropFirst().prefix(state.round) {
            let lambda = try excess(state.feedback[k], base: base)
            // Subtracting the largest exponent keeps exp in range; the normalisation cancels it.
            let top = lambda.max() ?? 0
            var a = alpha.indices.map { alpha[$0] * exp(Self.stepSize * (lambda[$0] - top)) }
            let total = a.reduce(0, +)
            a = a.map { (1 - Self.smoothing) * $0 / total + Self.smoothing / Double(D) }
            alpha = a
        }
        return alpha
    }

    public func nextMixture(_ state: PolicyState) throws -> Mixture { try simplex.mixture(try weights(state)) }
}

import Numerics
import Trajectories

/// The agent's hard support constraint: no domain's weight above `ceiling`, the largest weight one
/// domain had in the logged runs the agent learned from (or a high quantile of them).
///
/// Why: the surrogate and the critics only know mixtures like the logged ones, and no logged walk
/// put more than 0.76 on any domain (99.9% of weights are below 0.56). Left free, the agent piled
/// 0.92 onto the heaviest-weighted source domain, a corner the surrogate over-predicted by 0.078 and
/// real runs punished (the target field starved). A soft penalty in the rollouts (MOPO's λ up to 3,
/// an out-of-support penalty up to 0.02 per step) did not move it. The cap is domain-agnostic (one
/// number), so it travels with the policy to spaces it never saw, like the floor.
public struct SupportCap: Codable, Sendable, Equatable {
    /// Largest weight of any domain in a proposed mixture.
    public var ceiling: Double

    public init(ceiling: Double) {
        precondition(ceiling > 0 && ceiling <= 1, "a support cap lies in (0, 1]")
        self.ceiling = ceiling
    }

    /// The `quantile` (0…1; 1 = the largest) of every weight of every logged step of `trajectories`.
    public static func fitted(to trajectories: [Trajectory], quantile: Double) -> SupportCap {
        let weights = trajectories.flatMap { $0.steps.flatMap(\.mixture) }
        precondition(!weights.isEmpty, "a support cap needs logged mixtures")
        return SupportCap(ceiling: Statistics.quantile(weights, quantile))
    }

    /// The nearest point (Euclidean) to `w` with every weight in [floor, ceiling] and sum 1:
    /// w_i − τ clipped to the box, with the shift τ found by bisection (the clipped sum falls as τ
    /// grows). A mixture already inside is returned unchanged. When D·ceiling < 1 no mixture fits
    /// under the cap; the uniform one, the least concentrated, is returned.
    public func project(_ w: [Double], floor: Double) -> [Double] {
        let D = Double(w.count), top = max(ceiling, floor)
        guard D * top > 1 else { return [Double](repeating: 1 / D, count: w.count) }
        guard w.contains(where: { $0 > top }) else { return w }
        func clippedSum(_ tau: Double) -> Double { w.reduce(0) { $0 + min(max($1 - tau, floor), top) } }
        var low = w.min()! - top, high = w.max()! - floor  // sum(low) = D·top ≥ 1 ≥ D·floor = sum(high)
        var halvings = 0
        while high - low > 1e-15 && halvings < 200 {
            let mid = (low + high) / 2
            if clippedSum(mid) > 1 { low = mid } else { high = mid }
            halvings += 1
        }
        let tau = (low + high) / 2
        let out = w.map { min(max($0 - tau, floor), top) }
        let sum = out.reduce(0, +)
        return out.map { $0 / sum }
    }
}

import Corpus
import Evaluation
import Foundation
import Numerics
import Trajectories

/// ODM-style online mixing (after Albalak et al., 2023, "Efficient Online Data Mixing"): EXP3
/// (Auer et al., 2002) with one arm per domain, the mixture each round being EXP3's sampling
/// distribution p_i = (1 − γ)·w_i/Σw + γ/K.
///
/// - Reward of arm i after a round: its relative loss improvement over the round before. Source
///   domains: the reduction of forgetting, (bpb_prev − bpb_now) / bpb_base; target domains: the drop
///   in answer bits per byte, (bpb_prev − bpb_now) / bpb_prev. Rewards are scaled into [0, 1] by
///   min–max across the arms of that round (all equal: 0.5 each), so the best-improving domain earns 1.
/// - A round counts as K pulls: the round's batches are drawn from p, and every domain's loss is
///   measured after it. Each pull draws an arm from the current p (seeded, stream `banditArms`) and
///   updates it with the importance-weighted reward, w_i ← w_i·exp(γ·(x_i / p_i) / K), as EXP3 does
///   (ODM likewise updates after each minibatch from the domain it came from).
/// - γ = min(1, √(K·ln K / ((e − 1)·n))), the EXP3 paper's choice (Corollary 3.2, gain bound g = n)
///   for K arms over n = T·K pulls. Counting one pull per round instead (n = T) gives γ = 1, i.e. the
///   uniform mixture, for any K ≥ 4 over T = 10 rounds: the bound's way of saying that ten single
///   pulls cannot be exploited.
/// - The mixture is p mapped into the collection's floored simplex.
///
/// The weights are replayed from the state's feedback history and the seed on every call, so the
/// policy is deterministic given the seed and the history.
public final class BanditPolicy: MixturePolicy {
    public let name = "bandit"
    public let space: DomainSpace
    public let gamma: Double
    public let seed: UInt64
    public let simplex: FlooredSimplex

    public init(space: DomainSpace, rounds: Int, floor: Double, seed: UInt64) {
        self.space = space
        gamma = Self.exploration(arms: space.count, rounds: rounds)
        self.seed = seed
        simplex = FlooredSimplex(dimension: space.count, floor: floor)
    }

    /// EXP3's γ for K arms over T rounds of K pulls each.
    public static func exploration(arms K: Int, rounds T: Int) -> Double {
        guard K > 1 else { return 1 }
        let pulls = Double(max(T, 1) * K)
        return min(1, (Double(K) * log(Double(K)) / ((exp(1.0) - 1) * pulls)).squareRoot())
    }

    /// Rewards in [0, 1] of the round that moved the losses from `previous` to `now`.
    public func rewards(previous: Feedback, now: Feedback, base: Feedback) throws -> [Double] {
        let p = try DomainLosses.bitsPerByte(previous, space: space, policy: name)
        let n = try DomainLosses.bitsPerByte(now, space: space, policy: name)
        let b = try DomainLosses.bitsPerByte(base, space: space, policy: name)
        let source = Set(space.indices(in: .source))
        let raw = p.indices.map { i in (p[i] - n[i]) / (source.contains(i) ? b[i] : p[i]) }
        let lo = raw.min()!, hi = raw.max()!
        return raw.map { hi > lo ? ($0 - lo) / (hi - lo) : 0.5 }
    }

    /// EXP3's sampling distribution before the state's round.
    public func distribution(_ state: PolicyState) throws -> [Double] {
        let K = space.count
        var logWeights = [Double](repeating: 0, count: K)
        func probabilities() -> [Double] {
            let top = logWeights.max()!
            let w = logWeights.map { exp($0 - top) }
            let total = w.reduce(0, +)
            return w.map { (1 - gamma) * $0 / total + gamma / Double(K) }
        }
        let rng = RandomSource(seed: seed, stream: .banditArms)
        let rounds = min(state.round, state.feedback.count - 1)
        for k in stride(from: 1, through: rounds, by: 1) {
            let x = try rewards(previous: state.feedback[k - 1], now: state.feedback[k], base: state.feedback[0])
            for _ in 0..<K {
                let p = probabilities()
                let arm = rng.categorical(p)
                logWeights[arm] += gamma * (x[arm] / p[arm]) / Double(K)
            }
        }
        return probabilities()
    }

    public func nextMixture(_ state: PolicyState) throws -> Mixture { try simplex.mixture(try distribution(state)) }
}

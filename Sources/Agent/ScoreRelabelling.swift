import Corpus
import Evaluation
import Numerics
import Trajectories

/// Score-weight relabelling (hindsight relabelling of the reward, as in HER, Andrychowicz et al.
/// 2017, with the benchmark weighting as the goal). The logged runs all share one weighting of the
/// source domains, so on its own the data teaches "this domain is good"; each relabelled copy
/// permutes the source domains' score weights, recomputes every logged step's balanced score
/// (retention, gain) from the logged feedback with the permuted weights, and encodes the copy with
/// those weights in the domain tokens. The dynamics (feedback) are the logged ones; only the
/// rewards and the `score_weight` column change, so the rule to learn is "weight the domains the
/// score rests on". Target domains keep the environment's weighting.
public struct RelabelConfig: Codable, Sendable, Equatable {
    /// Relabelled copies of the logged data, each with its own random permutation of the source
    /// score weights (0: off, the logged weighting only).
    public var copies = 0
    /// Seed of the permutations (stream `agentScoreRelabelling`).
    public var seed: UInt64 = 0
    public init(copies: Int = 0, seed: UInt64 = 0) { (self.copies, self.seed) = (copies, seed) }
}

public enum ScoreRelabelling {
    /// One relabelled weighting: `permutation[k]` is the source term whose logged weight the k-th
    /// source term takes; `score` and `layout` carry the permuted weights.
    public struct Weighting: Sendable {
        public var permutation: [Int]
        public var score: ScoreFormula
        public var layout: ObservationLayout
    }

    /// `copies` uniformly random permutations of `sources` indices, drawn from `seed` (a copy may
    /// draw the identity; with few source domains that is likely).
    public static func permutations(copies: Int, sources: Int, seed: UInt64) -> [[Int]] {
        let rng = RandomSource(seed: seed, stream: .agentScoreRelabelling)
        return (0..<max(copies, 0)).map { _ in
            var p = Array(0..<sources)
            rng.shuffle(&p)
            return p
        }
    }

    /// `score` with its source (retention) weights permuted: term k takes the weight of term `permutation[k]`.
    public static func formula(_ score: ScoreFormula, permutation: [Int]) -> ScoreFormula {
        precondition(permutation.sorted() == Array(score.retentionWeights.indices), "a permutation of the source terms")
        var out = score
        out.retentionWeights = permutation.map { score.retentionWeights[$0] }
        return out
    }

    /// The weighting of `permutation` over `layout`'s domains and window.
    public static func weighting(_ score: ScoreFormula, permutation: [Int], layout: ObservationLayout) -> Weighting {
        let permuted = formula(score, permutation: permutation)
        return Weighting(permutation: permutation, score: permuted,
                         layout: ObservationLayout(domains: layout.domains, feedbackNames: layout.feedbackNames, score: permuted, window: layout.window))
    }

    /// `t` with every step's balanced score, retention and gain (and the base's score) recomputed
    /// from its logged feedback by `score`, under id `id`; mixtures and feedback are unchanged.
    public static func relabelled(_ t: Trajectory, score: ScoreFormula, id: Int) -> Trajectory {
        var out = t
        out.header.id = id
        out.baseBalanced = score.balanced(t.baseFeedback, base: t.baseFeedback)
        for k in out.steps.indices {
            let s = score.components(t.steps[k].feedback, base: t.baseFeedback)
            (out.steps[k].balanced, out.steps[k].retention, out.steps[k].gain) = (s.balanced, s.retention, s.gain)
        }
        return out
    }

    /// The relabelled copies of `trajectories` (copy c's ids are id + (c + 1)·stride, stride = the
    /// largest id + 1, so they never meet the logged ids), each with its weighting.
    public static func copies(of trajectories: [Trajectory], score: ScoreFormula, layout: ObservationLayout,
                              config: RelabelConfig) -> [(weighting: Weighting, trajectories: [Trajectory])] {
        let stride = (trajectories.map(\.header.id).max() ?? 0) + 1
        return permutations(copies: config.copies, sources: score.retentionWeights.count, seed: config.seed).enumerated().map { c, p in
            let w = weighting(score, permutation: p, layout: layout)
            return (w, trajectories.map { relabelled($0, score: w.score, id: $0.header.id + (c + 1) * stride) })
        }
    }
}

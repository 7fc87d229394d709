import Base
import Corpus
import Environment
import Foundation
import Evaluation
import Numerics
import Surrogate
import Trajectories
import Transformer

/// Trajectories with known dynamics on the fixture environment's space (source/a, source/b,
/// math/add-sub, math/compare-sort):
///   Δ bpb/source/a = 0.30 − 0.80·w_a − 0.20·r          (linear in the features)
///   Δ bpb/source/b = 0.25 − 0.70·w_b
///   Δ cloze/acc    = 0.05·exp(−40·(w_a − 0.35)²)        (a bump the linear features cannot express)
///   Δ bpb/math/d   = −0.60·√w_d − 0.10·r
///   em/math/*      constant 0
/// plus Gaussian noise of sd `noise` on every non-constant signal.
public enum Synthetic {
    public static let names = ["bpb/source/a", "bpb/source/b", "cloze/acc", "bpb/math/add-sub", "em/math/add-sub", "bpb/math/compare-sort", "em/math/compare-sort"]
    public static let domains: [DomainName] = ["source/a", "source/b", "math/add-sub", "math/compare-sort"]
    public static let base = [2.5, 2.6, 0.5, 6.0, 0, 6.5, 0]

    public static func environment() throws -> EnvironmentConfig { try fixtureEnvironment(corpus: "unused") }

    public static func change(_ f: [Double], _ a: [Double], noise: Double, rng: RandomSource) -> [Double] {
        let r = zip(f, base).map { $0 - $1 }
        func n() -> Double { noise > 0 ? rng.gaussian(sigma: noise) : 0 }
        return [0.30 - 0.80 * a[0] - 0.20 * r[0] + n(),
                0.25 - 0.70 * a[1] + n(),
                0.05 * exp(-40 * (a[0] - 0.35) * (a[0] - 0.35)) + n() * 0.1,
                -0.60 * a[2].squareRoot() - 0.10 * r[3] + n(),
                0,
                -0.60 * a[3].squareRoot() - 0.10 * r[5] + n(),
                0]
    }

    public static func trajectories(_ count: Int, steps: Int = 5, noise: Double = 0.01, seed: UInt64 = 1,
                             schedule: ((Int, Int) -> [Double])? = nil, scheduleSeedOf: (Int) -> UInt64 = { UInt64($0) }) throws -> [Trajectory] {
        let env = try environment()
        let score = try ScoreFormula(env: env, feedbackNames: names)
        let rng = RandomSource(seed: seed)
        return (0..<count).map { id in
            let header = Trajectory.Header(format: Trajectory.Header.formatName, version: Trajectory.Header.currentVersion, id: id,
                                           environment: env.name, environmentHash: env.hash, domains: domains, feedbackNames: names,
                                           model: ModelConfig.proxy, baseCheckpoint: "synthetic",
                                           sampler: SampledSchedule(family: "dirichlet-walk", parameters: [:]),
                                           dataSeed: UInt64(id), scheduleSeed: scheduleSeedOf(id), codeVersion: DMAVersion.string)
            let mixRNG = RandomSource(seed: scheduleSeedOf(id), stream: 77)
            var f = base
            var out: [Trajectory.Step] = []
            for t in 0..<steps {
                let a = schedule?(id, t) ?? mixRNG.dirichlet([1, 1, 1, 1])
                let d = change(f, a, noise: noise, rng: rng)
                f = zip(f, d).map { $0 + $1 }
                let s = score.components(f, base: base)
                out.append(Trajectory.Step(mixture: a, tokensPerDomain: a.map { Int($0 * 1000) }, feedback: f, balanced: s.balanced,
                                           retention: s.retention, gain: s.gain, lr: 1e-3, trainLoss: 1, seconds: 0))
            }
            return Trajectory(header: header, baseFeedback: base, baseBalanced: score.balanced(base, base: base), steps: out)
        }
    }

    /// `trajectories` as runs of your own trainer imported under `model` (no preset config).
    public static func foreign(_ trajectories: [Trajectory], model: ModelIdentity) -> [Trajectory] {
        trajectories.map { t in
            var t = t
            (t.header.model, t.header.modelName, t.header.modelDescription) = (nil, model.name, model.description)
            return t
        }
    }

    public static func fit(_ trajectories: [Trajectory], config: SurrogateConfig = .small) throws -> (SurrogateModel, TransitionSet) {
        let env = try environment()
        let (identity, score) = try SurrogateModel.identity(for: trajectories, env: env, path: "synthetic")
        let data = try TransitionSet(trajectories)
        return (try SurrogateFitter.fit(data, identity: identity, score: score, config: config), data)
    }
}

extension SurrogateConfig {
    /// Quick settings for tests.
    public static var small: SurrogateConfig {
        var c = SurrogateConfig()
        c.folds = 4
        c.ensembleSize = 3
        c.centres = 40
        c.workers = 1
        return c
    }
}

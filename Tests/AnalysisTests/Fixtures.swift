import Analysis
import Base
import Corpus
import DMATestSupport
import Evaluation
import Foundation
import Numerics
import Surrogate
import Trajectories
import Validation

/// A policy with known responses, for checking that the probes recover them:
///   w_a = 0.25 + 0.2·(bpb_a now / base − 1) + 0.5·(score weight of a − its default)
///   w_b = 0.25 − (the same)
///   w_add-sub = 0.25 + 0.1·t/T,  w_compare-sort = 0.25 − 0.1·t/T
/// so +1% of source/a's bits per byte moves 0.002 from b to a, +0.1 of t/T moves 0.01 between the
/// math domains, and moving a tenth of the source score weight onto a moves 0.05·(1 − w_a⁰).
final class KnownPolicy: MixturePolicy {
    let layout: ObservationLayout
    let defaultWeightA: Double
    var name: String { "known" }

    init(layout: ObservationLayout, defaultWeightA: Double) { (self.layout, self.defaultWeightA) = (layout, defaultWeightA) }

    func nextMixture(_ state: PolicyState) throws -> Mixture {
        let now = state.feedback[state.round].values, base = state.feedback[0].values
        let x = 0.2 * (now[0] / base[0] - 1) + 0.5 * (layout.scoreWeights![0] - defaultWeightA)
        let y = 0.1 * state.progress
        return try Mixture([0.25 + x, 0.25 - x, 0.25 + y, 0.25 - y])
    }
}

/// Shared inputs: synthetic trajectories of the fixture space, a surrogate fitted on them, the
/// known policy as the studied "agent", and validation runs of five policies on three seeds.
enum AnalysisFixture {
    static let trajectories: [Trajectory] = try! Synthetic.trajectories(40, steps: 5, noise: 0.01, seed: 3)
    static let model: SurrogateModel = try! Synthetic.fit(trajectories).0
    static let score: ScoreFormula = try! ScoreFormula(env: Synthetic.environment(), feedbackNames: Synthetic.names)
    static let layout = ObservationLayout(domains: Synthetic.domains, feedbackNames: Synthetic.names, score: score, window: 2)

    static var studied: StudiedPolicy {
        let a0 = layout.scoreWeights![0]
        return StudiedPolicy(name: "known", layout: layout, score: score) { KnownPolicy(layout: $0, defaultWeightA: a0) }
    }

    /// Evaluation runs of `policies` (label, spec, schedule per step) on seeds 1…3 under the
    /// synthetic dynamics, plus one selection run.
    static func runs(steps: Int = 5) -> [ValidationRun] {
        let schedules: [(String, String, (Int) -> [Double])] = [
            ("agent", "agent:known.policy.json", { t in [0.3 - 0.02 * Double(t), 0.1, 0.3, 0.3 + 0.02 * Double(t)] }),
            ("uniform", "uniform", { _ in [0.25, 0.25, 0.25, 0.25] }),
            ("ratio:0.3", "ratio:0.3", { _ in [0.15, 0.15, 0.35, 0.35] }),
            ("ratio:0.7", "ratio:0.7", { _ in [0.35, 0.35, 0.15, 0.15] }),
            ("best-fixed", "ratio:0.5", { _ in [0.25, 0.25, 0.25, 0.25] }),
        ]
        var out: [ValidationRun] = []
        for (label, spec, schedule) in schedules {
            for seed in UInt64(1)...3 {
                out.append(run(label: label, spec: spec, seed: seed, role: .evaluation, steps: steps, schedule: schedule))
            }
        }
        out.append(run(label: "best-fixed", spec: "ratio:0.1", seed: 9, role: .selection, steps: steps) { _ in [0.05, 0.05, 0.45, 0.45] })
        return out
    }

    static func run(label: String, spec: String, seed: UInt64, role: ValidationRun.Role, steps: Int, schedule: (Int) -> [Double]) -> ValidationRun {
        let rng = RandomSource(seed: seed, stream: 5)
        var f = Synthetic.base
        var rounds: [ValidationRun.Round] = []
        for t in 0..<steps {
            let a = schedule(t)
            f = zip(f, Synthetic.change(f, a, noise: 0.01, rng: rng)).map { $0 + $1 }
            let s = score.components(f, base: Synthetic.base)
            rounds.append(.init(mixture: a, tokensPerDomain: a.map { Int($0 * 1000) }, feedback: f, balanced: s.balanced, retention: s.retention,
                                gain: s.gain, seconds: 1))
        }
        let last = rounds.last!
        let source = rounds.reduce(0) { $0 + $1.tokensPerDomain[0] + $1.tokensPerDomain[1] }
        let target = rounds.reduce(0) { $0 + $1.tokensPerDomain[2] + $1.tokensPerDomain[3] }
        return ValidationRun(id: ValidationRun.id(policy: label, role: role, seed: seed), setting: "fixture", environment: "fixture",
                             environmentHash: "h", baseCheckpoint: "synthetic", model: "proxy", policy: label, spec: spec, role: role, seed: seed,
                             priorRuns: 0, domains: Synthetic.domains.map(\.rawValue), feedbackNames: Synthetic.names, baseFeedback: Synthetic.base,
                             rounds: rounds, finalFeedbackNames: Synthetic.names, finalFeedback: last.feedback,
                             final: BalancedScore(balanced: last.balanced, retention: last.retention, gain: last.gain),
                             sourceTokens: source, targetTokens: target, seconds: Double(steps))
    }

    static var results: ValidationResults { try! ValidationResults(runs: runs(), path: "synthetic/runs.jsonl") }

    /// `runs()` with two earlier versions of the agent, as the bundled results keep them: `agent-v1`
    /// first in the log, so "the first agent" is the wrong reference, and `agent-v2` last.
    static func runsWithEarlierAgents(steps: Int = 5) -> [ValidationRun] {
        func agent(_ label: String, _ file: String, _ schedule: @escaping (Int) -> [Double]) -> [ValidationRun] {
            (UInt64(1)...3).map { run(label: label, spec: "agent:\(file)", seed: $0, role: .evaluation, steps: steps, schedule: schedule) }
        }
        return agent("agent-v1", "known-v1.policy.json") { _ in [0.1, 0.1, 0.4, 0.4] } + runs(steps: steps)
            + agent("agent-v2", "known-v2.policy.json") { t in [0.2 + 0.02 * Double(t), 0.3, 0.2, 0.3 - 0.02 * Double(t)] }
    }

    static var resultsWithEarlierAgents: ValidationResults { try! ValidationResults(runs: runsWithEarlierAgents(), path: "synthetic/runs.jsonl") }

    /// The pipeline on `resultsWithEarlierAgents` (nil `agentFile`: the runs labelled `agent` are the reference).
    static let outputWithEarlierAgents: AnalysisPipeline.Output = try! AnalysisPipeline.run(
        AnalysisInputs(agent: studied, agentFloor: 0.02, trajectories: trajectories, model: model, results: resultsWithEarlierAgents),
        config: config)

    static var config: AnalysisConfig {
        var c = AnalysisConfig()
        c.sampledTrajectories = 12
        c.episodes = 20
        return c
    }

    /// The whole pipeline on the synthetic inputs, once.
    static let output: AnalysisPipeline.Output = try! AnalysisPipeline.run(
        AnalysisInputs(agent: studied, agentFloor: 0.02, trajectories: trajectories, model: model, results: results,
                       commands: ["dma analyze --policy known --results synthetic --data synthetic --surrogate synthetic --out /tmp/x"]),
        config: config)
}

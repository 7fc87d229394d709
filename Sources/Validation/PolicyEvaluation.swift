import Agent
import Baselines
import Corpus
import Environment
import Numerics
import Surrogate
import Trajectories

/// Policies run through the surrogate and summarised: the counterpart of `AgentTraining.train`
/// for judging a policy before real runs (`dma surrogate simulate`, `dma agent evaluate`, the
/// distilled rule of the analysis).
public struct PolicyEvaluation {
    /// Episodes per policy; episode e resets with `seed + e`.
    public var episodes: Int
    public var seed: UInt64
    /// Mean (deterministic) or sampled (member per episode + residual noise) transitions.
    public var transition: SurrogateEnvironment.Transition

    public init(episodes: Int, seed: UInt64, transition: SurrogateEnvironment.Transition) {
        (self.episodes, self.seed, self.transition) = (episodes, seed, transition)
    }

    /// A policy to evaluate: a label and `make(e)`, episode e's policy object.
    public struct Candidate {
        public var label: String
        /// The spec it was resolved from, if any (a distilled rule has none).
        public var spec: PolicySpec?
        public var make: (Int) throws -> MixturePolicy
        public init(label: String, spec: PolicySpec? = nil, make: @escaping (Int) throws -> MixturePolicy) {
            (self.label, self.spec, self.make) = (label, spec, make)
        }
    }

    /// One policy's simulated episodes, summarised.
    public struct Summary: Sendable {
        public var label: String
        public var spec: PolicySpec?
        public var episodes: Int
        public var transition: SurrogateEnvironment.Transition
        /// Mean and sd over episodes of the final balanced score.
        public var mean: Double
        public var sd: Double
        /// The ensemble's reward sd, averaged over every step of every episode.
        public var meanRewardSD: Double
        /// Share of steps whose mixture gave some domain less weight than any logged run did.
        public var outOfSupportShare: Double
        /// The field ratio a selecting baseline chose, the logged trajectory a replay replays.
        public var chosenShare: Double?
        public var replayedTrajectory: Int?
    }

    /// Every candidate's episodes through `model`, in order.
    public func run(_ candidates: [Candidate], model: SurrogateModel) throws -> [Summary] {
        try candidates.map { c in try summary(c, model: model) }
    }

    /// `specs` resolved by `catalog` and run through `model`; `labels` names them in the report
    /// (the spec as written by default). `best-fixed-under-surrogate` chooses its share under this
    /// evaluation's transition, episodes and seed.
    public func run(_ specs: [PolicySpec], catalog: PolicyCatalog, model: SurrogateModel, labels: [String]? = nil,
                    progress: (Int) -> Void = { _ in }) throws -> [Summary] {
        var out: [Summary] = []
        for (i, spec) in specs.enumerated() {
            let resolved = try spec == .bestFixedUnderSurrogate ? bestFixed(catalog, model: model) : catalog.resolve(spec)
            var s = try summary(Candidate(label: labels?[i] ?? spec.description, spec: spec, make: resolved.make), model: model)
            (s.chosenShare, s.replayedTrajectory) = (resolved.chosenShare, resolved.replayedTrajectory)
            out.append(s)
            progress(i + 1)
        }
        return out
    }

    /// The surrogate's best field ratio compared under this evaluation's settings.
    private func bestFixed(_ catalog: PolicyCatalog, model: SurrogateModel) throws -> PolicyCatalog.Resolved {
        var inputs = catalog.inputs
        inputs.surrogateGrid.episodes = episodes
        inputs.surrogateGrid.transition = transition
        inputs.seed = seed
        let here = PolicyCatalog(space: catalog.space, rounds: catalog.rounds, feedbackNames: catalog.feedbackNames, inputs: inputs)
        return try here.resolve(.bestFixedUnderSurrogate)
    }

    private func summary(_ c: Candidate, model: SurrogateModel) throws -> Summary {
        let eps = try PolicyRollout.run(model, episodes: episodes, seed: seed, transition: transition, makePolicy: c.make)
        let (mean, sd) = Statistics.meanAndSD(eps.map(\.finalBalanced))
        let steps = Double(max(eps.count * model.steps, 1))
        let rewardSD = eps.flatMap(\.rewardSD).reduce(0, +) / steps
        let outside = Double(eps.reduce(0) { $0 + $1.outOfSupportSteps }) / steps
        return Summary(label: c.label, spec: c.spec, episodes: episodes, transition: transition, mean: mean, sd: sd,
                       meanRewardSD: rewardSD, outOfSupportShare: outside)
    }
}

extension PolicyEvaluation {
    /// Fitted Q evaluation on logged transitions: each spec's discounted return (γ of `config`)
    /// from the start, in score units. An agent spec is evaluated through `agent`'s network (the
    /// dataset is normalised as it was trained); a fixed-mixture spec as its constant mixture.
    public static func fittedQ(_ specs: [PolicySpec], agent: AgentPolicy, catalog: PolicyCatalog, trajectories: [Trajectory],
                               config: FittedQEvaluationConfig, seed: UInt64) throws -> [PolicySpec: Double] {
        let scale = AgentTrainingConfig().rewardScale
        let layout = try agent.bound(to: try requireEnvironment(catalog), domains: catalog.space.domains, feedbackNames: catalog.feedbackNames).layout
        let data = try OfflineDataset(trajectories: trajectories, layout: layout).prepared(by: agent.file.normalizer, rewardScale: scale)
        let fqe = FittedQEvaluation(config: config)
        var values: [PolicySpec: Double] = [:]
        for spec in specs {
            if spec.isAgent {
                let floor = Float(agent.effectiveFloor(layout.domainCount))
                values[spec] = fqe.evaluate(policy: agent.network, dataset: data, floor: floor, seed: seed).meanInitialValue / Double(scale)
            } else if let m = try NamedPolicy.fixedMixture(spec, space: catalog.space) {
                values[spec] = fqe.evaluate(constant: m.weights, dataset: data, seed: seed).meanInitialValue / Double(scale)
            } else {
                throw PolicySpecError(spec: spec.description, reason: "fitted Q evaluation takes an agent or a fixed mixture")
            }
        }
        return values
    }

    private static func requireEnvironment(_ catalog: PolicyCatalog) throws -> EnvironmentConfig {
        guard let e = catalog.inputs.environment else { throw PolicySpecError(spec: "agent", reason: "agent needs the environment (--env) for its score weights") }
        return e
    }
}

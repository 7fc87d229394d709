import Agent
import Baselines
import Corpus
import Environment
import Surrogate
import Trajectories

/// Turns specs into policies for one setting: a trained agent loaded once and bound to the
/// setting's space and score weights, or a baseline with its inputs. The one place an `agent:FILE`
/// becomes a policy; the commands, the validation and the evaluation all ask it.
public final class PolicyCatalog {
    /// The setting's domain space.
    public let space: DomainSpace
    /// Re-weighting steps of a run.
    public let rounds: Int
    /// Feedback signals of a state, in order (the agent reads them with the environment's score weights).
    public let feedbackNames: [String]
    /// What the baselines are given: environment, logged runs, a fitted surrogate, the seed.
    public let inputs: BaselineInputs
    private var resolved: [PolicySpec: Resolved] = [:]

    /// A spec made into a maker: `make(e)` gives run (or episode) e's policy.
    public struct Resolved {
        public var spec: PolicySpec
        public var make: (Int) throws -> MixturePolicy
        /// An agent's policy file content hash: a resumed run must have been made with the same file.
        public var fingerprint: String?
        /// The field ratio a selecting baseline chose (`best-fixed-under-surrogate`).
        public var chosenShare: Double?
        /// The logged trajectory `best-logged` replays.
        public var replayedTrajectory: Int?
    }

    public init(space: DomainSpace, rounds: Int, feedbackNames: [String], inputs: BaselineInputs) {
        (self.space, self.rounds, self.feedbackNames, self.inputs) = (space, rounds, feedbackNames, inputs)
    }

    /// The catalog of a surrogate's setting: its domains, steps and feedback, and `inputs`
    /// (which should carry the environment the model was fitted under).
    public convenience init(model: SurrogateModel, inputs: BaselineInputs) throws {
        let space = try DomainSpace(name: model.identity.environment, domains: model.domains, context: "surrogate model")
        self.init(space: space, rounds: model.steps, feedbackNames: model.feedbackNames, inputs: inputs)
    }

    /// `spec` for this setting, resolved once: an agent is loaded and bound once, a search runs once.
    public func resolve(_ spec: PolicySpec) throws -> Resolved {
        if let known = resolved[spec] { return known }
        let made: Resolved
        if let path = spec.agentPath {
            guard let environment = inputs.environment else {
                throw PolicySpecError(spec: spec.description, reason: "agent needs the environment (--env) for its score weights")
            }
            // The agent reads states with the environment's score weights; it keeps no per-run state.
            let bound = try AgentFile.bound(path: path, environment: environment, domains: space.domains, feedbackNames: feedbackNames)
            made = Resolved(spec: spec, make: { _ in bound }, fingerprint: bound.policyFingerprint)
        } else {
            let baseline = try NamedPolicy.resolve(spec, space: space, rounds: rounds, inputs: inputs)
            made = Resolved(spec: spec, make: baseline.make, chosenShare: baseline.chosenShare, replayedTrajectory: baseline.replayedTrajectory)
        }
        resolved[spec] = made
        return made
    }

    /// A maker of `spec`'s policy: `make(e)` gives run e a fresh policy object.
    public func maker(_ spec: PolicySpec) throws -> (Int) throws -> MixturePolicy { try resolve(spec).make }

    /// Run `seed`'s policy for `spec`.
    public func policy(_ spec: PolicySpec, seed: UInt64) throws -> MixturePolicy { try resolve(spec).make(Int(seed)) }

    /// What answers proposals for `spec` from other training loops (`dma propose`, `dma serve`):
    /// an agent file, or a baseline built for each domain space it is asked about.
    public static func provider(for spec: PolicySpec, environment: EnvironmentConfig? = nil) throws -> PolicyProvider {
        if let path = spec.agentPath { return try AgentFile.provider(path: path) }
        return try NamedPolicyProvider(spec: spec, environment: environment)
    }
}

extension PolicyCatalog {
    /// The catalog of a validation setting: real CPT runs of `environment` over `space`, the
    /// baselines given the setting's logged runs and a fitted surrogate (seed 0).
    public convenience init(environment: EnvironmentConfig, space: DomainSpace, feedbackNames: [String], trajectories: [Trajectory] = [],
                            surrogate: SurrogateModel? = nil) {
        self.init(space: space, rounds: environment.cpt.rounds, feedbackNames: feedbackNames,
                  inputs: BaselineInputs(environment: environment, trajectories: trajectories, surrogate: surrogate, seed: 0))
    }

    /// Builds every policy of `plan` now, so a typo or a missing input fails before hours of runs.
    public func check(_ plan: ValidationPlan) throws {
        for entry in plan.evaluation(bestShare: 0.5) { _ = try policy(entry.spec, seed: entry.seed) }
    }
}

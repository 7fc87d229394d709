import Agent
import Baselines
import Corpus
import Environment
import Surrogate
import Trajectories

/// Resolves the specs a validation runs into policies for one setting: a trained agent bound to
/// the setting's space and score weights, or a baseline by name. Online baselines keep per-run
/// state, so every run gets a fresh object; the agent keeps none and is loaded once.
public final class ValidationPolicies {
    public let environment: EnvironmentConfig
    public let space: DomainSpace
    public let feedbackNames: [String]
    /// What the data-fitting baselines are given: the setting's logged runs, a fitted surrogate.
    public let inputs: BaselineInputs
    private var agents: [String: BoundAgent] = [:]
    /// Static baselines found by a search (regmix, surrogate-search) are searched once per setting.
    private var statics: [String: MixturePolicy] = [:]

    public init(environment: EnvironmentConfig, space: DomainSpace, feedbackNames: [String], trajectories: [Trajectory] = [],
                surrogate: SurrogateModel? = nil) {
        (self.environment, self.space, self.feedbackNames) = (environment, space, feedbackNames)
        inputs = BaselineInputs(environment: environment, trajectories: trajectories, surrogate: surrogate, seed: 0)
    }

    /// Run `seed`'s policy for `spec`.
    public func make(_ spec: String, seed: UInt64) throws -> MixturePolicy {
        if spec.hasPrefix("agent:") {
            if let known = agents[spec] { return known }
            let bound = try AgentPolicy(path: String(spec.dropFirst(6))).bound(to: environment, domains: space.domains, feedbackNames: feedbackNames)
            agents[spec] = bound
            return bound
        }
        if let known = statics[spec] { return known }
        let policy = try NamedPolicy.make(spec, space: space, rounds: environment.cpt.rounds, inputs: inputs)(Int(seed))
        if ["regmix", "surrogate-search"].contains(spec) { statics[spec] = policy }
        return policy
    }

    /// Checks every named policy of `plan` now, so a typo fails before hours of runs.
    public func check(_ plan: ValidationPlan) throws {
        for entry in plan.evaluation(bestShare: 0.5) { _ = try make(entry.spec, seed: entry.seed) }
    }
}

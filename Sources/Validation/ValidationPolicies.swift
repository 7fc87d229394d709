import Agent
import Baselines
import Corpus
import Environment
import Trajectories

/// Resolves the specs a validation runs into policies for one setting: a trained agent bound to
/// the setting's space and score weights, or a baseline by name. Online baselines keep per-run
/// state, so every run gets a fresh object; the agent keeps none and is loaded once.
public final class ValidationPolicies {
    public let environment: EnvironmentConfig
    public let space: DomainSpace
    public let feedbackNames: [String]
    private var agents: [String: BoundAgent] = [:]

    public init(environment: EnvironmentConfig, space: DomainSpace, feedbackNames: [String]) {
        (self.environment, self.space, self.feedbackNames) = (environment, space, feedbackNames)
    }

    /// Run `seed`'s policy for `spec`.
    public func make(_ spec: String, seed: UInt64) throws -> MixturePolicy {
        if spec.hasPrefix("agent:") {
            if let known = agents[spec] { return known }
            let bound = try AgentPolicy(path: String(spec.dropFirst(6))).bound(to: environment, domains: space.domains, feedbackNames: feedbackNames)
            agents[spec] = bound
            return bound
        }
        return try NamedPolicy.make(spec, space: space, rounds: environment.cpt.rounds, environment: environment, seed: seed)(Int(seed))
    }

    /// Checks every named policy of `plan` now, so a typo fails before hours of runs.
    public func check(_ plan: ValidationPlan) throws {
        for entry in plan.evaluation(bestShare: 0.5) { _ = try make(entry.spec, seed: entry.seed) }
    }
}

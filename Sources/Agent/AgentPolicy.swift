import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Trajectories

/// The trained agent as a policy: reads each state through `ObservationLayout` (domain tokens and
/// globals, normalised as in training), runs the domain-agnostic network on every state of a batch
/// in one pass, and returns its mean mixture (deterministic) with every weight ≥ the floor and, when
/// the file has a `SupportCap`, ≤ its ceiling.
///
/// It serves any domain space: bind it to a layout (`bound(to:)`) that carries the space's fields and
/// score weights. As a `PolicyProvider` it answers proposals from other training loops.
public final class AgentPolicy: PolicyProvider {
    public let file: PolicyFile
    public let network: PolicyNetwork
    public let name: String
    public let policyFingerprint: String
    public var environmentFingerprint: String? { file.provenance.environmentFingerprint }

    public init(file: PolicyFile, name: String, fingerprint: String) throws {
        self.file = file
        network = try PolicyNetwork(config: file.network, tokenWidth: file.tokenColumns.count, globalWidth: file.globalColumns.count,
                                    parameters: file.parameters)
        self.name = name
        policyFingerprint = fingerprint
    }

    /// Loads and validates a policy file; the policy is named `agent:<path>`.
    public convenience init(path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "file not found") }
        try self.init(path: path, bytes: bytes)
    }

    /// The policy file at `path` whose `bytes` were read already: decoded, validated and hashed from them.
    public convenience init(path: String, bytes: Data) throws {
        try self.init(file: try PolicyFile.load(from: path, data: bytes), name: "agent:\((path as NSString).lastPathComponent)",
                      fingerprint: StableHash.hex(of: bytes))
    }

    /// The layout the policy reads states of `domains` with (its window, `scoreWeights` per domain).
    public func layout(domains: [DomainName], feedbackNames: [String], scoreWeights: [Double]) -> ObservationLayout {
        ObservationLayout(domains: domains, feedbackNames: feedbackNames, scoreWeights: scoreWeights, window: file.window)
    }

    /// The agent for a proposal's layout, re-read over the agent's own window.
    public func policy(for layout: ObservationLayout, rounds: Int) throws -> MixturePolicy { try bound(to: layout.with(window: file.window)) }

    /// The agent reading states with `layout`.
    public func bound(to layout: ObservationLayout) throws -> BoundAgent {
        guard layout.window == file.window, layout.scoreWeights != nil else {
            throw AgentError.data("policy \(name) reads a window of \(file.window) steps with score weights; the layout has window \(layout.window)\(layout.scoreWeights == nil ? " and no score weights" : "")")
        }
        return BoundAgent(agent: self, layout: layout)
    }

    /// The agent in a real CPT run of `environment`: it reads states with the environment's score
    /// weights over its own window (it keeps no per-run state, so one object serves every run).
    public func bound(to environment: EnvironmentConfig, domains: [DomainName], feedbackNames: [String]) throws -> BoundAgent {
        let score = try ScoreFormula(env: environment, feedbackNames: feedbackNames)
        return try bound(to: ObservationLayout(domains: domains, feedbackNames: feedbackNames, score: score, window: file.window))
    }

    /// Mean mixtures of the agent for `states` (one network pass), each summing to 1.
    func mixtures(_ states: [PolicyState], layout: ObservationLayout) throws -> [Mixture] {
        let input = AgentEncoding.input(states, layout: layout, normalizer: file.normalizer)
        let floor = effectiveFloor(layout.domainCount)
        let raw = network.act(input, floor: Float(floor), deterministic: true, rng: nil)
        return try AgentEncoding.mixtures(raw, batch: states.count, domains: layout.domainCount, policy: name, cap: file.supportCap, floor: floor)
    }

    /// The floor, lowered when the space is so large that D·floor would leave little mass to choose.
    public func effectiveFloor(_ D: Int) -> Double { min(file.floor, 0.5 / Double(D)) }
}

/// The agent bound to one layout: a `MixturePolicy` for real CPT runs, the simulator and proposals.
public final class BoundAgent: FingerprintedPolicy {
    public let agent: AgentPolicy
    public let layout: ObservationLayout
    public var name: String { agent.name }
    public var policyFingerprint: String { agent.policyFingerprint }

    init(agent: AgentPolicy, layout: ObservationLayout) { (self.agent, self.layout) = (agent, layout) }

    public func nextMixture(_ state: PolicyState) throws -> Mixture { try nextMixtures([state])[0] }

    public func nextMixtures(_ states: [PolicyState]) throws -> [Mixture] {
        guard states.allSatisfy({ $0.space.domains == layout.domains }) else {
            throw AgentError.data("policy \(name) was bound to \(layout.domainCount) domains; a state has another space")
        }
        return try agent.mixtures(states, layout: layout)
    }
}

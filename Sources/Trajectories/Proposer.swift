import Corpus
import Foundation
import Numerics

/// A source of policies for whatever domain space a request brings: a rule built for the space,
/// or a domain-agnostic agent that serves every space with one object.
public protocol PolicyProvider: AnyObject {
    var name: String { get }
    /// Identifies the policy: its file's hash, or its name's for rules.
    var policyFingerprint: String { get }
    /// The environment the policy was trained on (nil for rules that were not trained).
    var environmentFingerprint: String? { get }
    /// The policy for runs of `rounds` steps over `layout`'s domains (which carries their fields
    /// and score weights); throws if it cannot serve that space.
    func policy(for layout: ObservationLayout, rounds: Int) throws -> MixturePolicy
}

/// Answers proposal requests with one provider, one request at a time (policies keep scratch
/// buffers, so calls are serialised), and checks every answer before it leaves: one weight per
/// domain, each non-negative and finite, summing to 1 within 1e-9.
public final class Proposer: @unchecked Sendable {
    public let provider: PolicyProvider
    private let lock = NSLock()

    public init(provider: PolicyProvider) { self.provider = provider }

    public func propose(_ request: ProposalRequest.Resolved) throws -> ProposalResponse {
        lock.lock()
        defer { lock.unlock() }
        let state = request.state
        let mixture: [Double]
        do {
            mixture = try provider.policy(for: request.layout, rounds: state.rounds).nextMixture(state).weights
        } catch let e as ProposalError { throw e } catch {
            throw PolicyFault(policy: provider.name, reason: "\(error)")
        }
        let sum = mixture.reduce(0, +)
        // `Mixture` guarantees finite non-negative weights; the answer promises one per domain and a tighter sum.
        guard mixture.count == state.space.count, abs(sum - 1) <= 1e-9 else {
            throw PolicyFault(policy: provider.name, reason: "proposed \(mixture.count) weights summing to \(sum) for \(state.space.count) domains")
        }
        return ProposalResponse(policy: provider.name, policyFingerprint: provider.policyFingerprint,
                                environmentFingerprint: provider.environmentFingerprint, round: state.round,
                                domains: request.senderNames, mixture: mixture, score: request.score)
    }
}

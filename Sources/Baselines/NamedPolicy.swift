import Corpus
import Environment
import Evaluation
import Numerics
import Trajectories

/// Policies selectable by name wherever a policy is taken (`--policy`): the simple rules, a static
/// mixture, and the collection's random schedule sampler.
public enum NamedPolicy {
    public static let help = "uniform | ratio:R (source share R, uniform within each field) | source-only | target-only | mixture:w1/w2/…/wD (a static mixture, normalised) | random (the collection's schedule sampler)"

    /// A maker of policy `spec` over `space` for runs of `rounds` steps: `make(e)` gives run e's
    /// policy (random schedules draw run e's from `seed` and e). `environment` is needed by
    /// `random` only (its collection settings and corpus prior).
    public static func make(_ spec: String, space: DomainSpace, rounds: Int, environment: EnvironmentConfig?,
                            seed: UInt64) throws -> (Int) throws -> MixturePolicy {
        func fixed(_ share: Double) throws -> (Int) throws -> MixturePolicy {
            guard (0...1).contains(share) else { throw PolicySpecError(spec: spec, reason: "ratio:R needs 0 ≤ R ≤ 1") }
            let m = try Mixture.fieldRatio(space, sourceShare: share)
            return { _ in SchedulePolicy(name: spec, schedule: [m]) }
        }
        switch spec {
        case "uniform": return { _ in SchedulePolicy(name: "uniform", schedule: [Mixture.uniform(space.count)]) }
        case "source-only": return try fixed(1)
        case "target-only": return try fixed(0)
        case "random":
            guard let environment else { throw PolicySpecError(spec: spec, reason: "random needs the environment (--env)") }
            let collection = environment.collection ?? .standard
            let prior = try CorpusStore(directory: environment.corpus).trainingBytes(space.domains)
            return { e in RandomSchedulePolicy(config: collection, prior: prior, rounds: rounds, seed: RandomSource.mix(seed, UInt64(e))) }
        default:
            if spec.hasPrefix("ratio:"), let r = Double(spec.dropFirst(6)) { return try fixed(r) }
            if spec.hasPrefix("mixture:") {
                let parts = spec.dropFirst(8).split(separator: "/")
                let weights = parts.compactMap { Double($0) }
                guard weights.count == parts.count, weights.count == space.count else {
                    throw PolicySpecError(spec: spec, reason: "mixture: needs \(space.count) numbers separated by '/', got '\(spec.dropFirst(8))'")
                }
                let m = try Mixture.normalized(weights)
                return { _ in SchedulePolicy(name: spec, schedule: [m]) }
            }
            throw PolicySpecError(spec: spec, reason: "unknown policy (known: \(help))")
        }
    }
}

/// A policy name that does not name a policy.
public struct PolicySpecError: Error, CustomStringConvertible, Equatable {
    public var spec: String
    public var reason: String
    public var description: String { "--policy '\(spec)': \(reason)" }
}

/// A policy given by name, built for each domain space it is asked about (`dma propose`, `dma serve`).
public final class NamedPolicyProvider: PolicyProvider {
    public let name: String
    public let policyFingerprint: String
    public let environmentFingerprint: String? = nil
    private let environment: EnvironmentConfig?

    /// Checks `spec` now (on a two-domain space), so a bad name fails before any request.
    public init(spec: String, environment: EnvironmentConfig? = nil) throws {
        name = spec
        policyFingerprint = StableHash.hex(of: Array(spec.utf8))
        self.environment = environment
        let probe = try DomainSpace(name: "probe", domains: ["source/a", "math/b"])
        if !spec.hasPrefix("mixture:") { _ = try NamedPolicy.make(spec, space: probe, rounds: 1, environment: environment, seed: 0) }
    }

    public func policy(for layout: ObservationLayout, rounds: Int) throws -> MixturePolicy {
        let space = try DomainSpace(name: "proposal", domains: layout.domains)
        return try NamedPolicy.make(name, space: space, rounds: rounds, environment: environment, seed: 0)(0)
    }
}

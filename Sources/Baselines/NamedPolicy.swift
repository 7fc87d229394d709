import Corpus
import Environment
import Evaluation
import Numerics
import Surrogate
import Trajectories

/// The baselines by spec: the simple rules, a static mixture, the collection's random schedule
/// sampler and the validation baselines. Agents are resolved by `PolicyCatalog` (Validation),
/// which sees both this module and the agent's.
public enum NamedPolicy {
    /// What `--policy` accepts (see ``PolicySpec/help``).
    public static var help: String { PolicySpec.help }

    /// A baseline resolved for one setting: its maker and what its search or selection chose.
    public struct Resolved {
        /// `make(e)` gives run (or episode) e a fresh policy object.
        public var make: (Int) throws -> MixturePolicy
        /// The field ratio a selecting baseline chose (`best-fixed-under-surrogate`).
        public var chosenShare: Double?
        /// The logged trajectory a replaying baseline replays (`best-logged`).
        public var replayedTrajectory: Int?
    }

    /// A maker of policy `spec` over `space` for runs of `rounds` steps: `make(e)` gives run e's
    /// policy (random schedules draw run e's from `seed` and e). `environment` is needed by
    /// `random` only (its collection settings and corpus prior).
    public static func make(_ spec: PolicySpec, space: DomainSpace, rounds: Int, environment: EnvironmentConfig?,
                            seed: UInt64) throws -> (Int) throws -> MixturePolicy {
        try make(spec, space: space, rounds: rounds, inputs: BaselineInputs(environment: environment, seed: seed))
    }

    /// A maker of baseline `spec` over `space` for runs of `rounds` steps, with the inputs the
    /// baselines need (environment, logged trajectories, fitted surrogate, seed).
    public static func make(_ spec: PolicySpec, space: DomainSpace, rounds: Int, inputs: BaselineInputs) throws -> (Int) throws -> MixturePolicy {
        try resolve(spec, space: space, rounds: rounds, inputs: inputs).make
    }

    /// Baseline `spec` for `space` and runs of `rounds` steps. Static searches (`regmix`,
    /// `surrogate-search`, `best-fixed-under-surrogate`) run once here; online baselines draw run
    /// e's randomness from the seed and e. Throws `PolicySpecError` for an agent (not a baseline),
    /// a malformed mixture, or missing inputs.
    public static func resolve(_ spec: PolicySpec, space: DomainSpace, rounds: Int, inputs: BaselineInputs) throws -> Resolved {
        let name = spec.description
        func constant(_ m: Mixture) -> Resolved { Resolved(make: { _ in SchedulePolicy(name: name, schedule: [m]) }) }
        func checked(_ domains: [DomainName], _ what: String) throws {
            guard domains == space.domains else {
                throw PolicySpecError(spec: name, reason: "\(what) is over domains \(domains.map(\.rawValue)), not the policy's \(space.domains.map(\.rawValue))")
            }
        }
        switch spec {
        case .uniform, .ratio, .sourceOnly, .targetOnly, .mixture:
            return constant(try fixedMixture(spec, space: space)!)
        case .random:
            guard let environment = inputs.environment else { throw PolicySpecError(spec: name, reason: "random needs the environment (--env)") }
            let collection = environment.collection ?? .standard
            let prior = try CorpusStore(directory: environment.corpusDirectory).trainingBytes(space.domains)
            let seed = inputs.seed
            return Resolved(make: { e in RandomSchedulePolicy(config: collection, prior: prior, rounds: rounds, seed: RandomSource.mix(seed, UInt64(e))) })
        case .natural:
            return constant(try EnvironmentMixtures.natural(space, environment: try inputs.requireEnvironment(spec), floor: inputs.floor))
        case .scoreWeighted(let share):
            return constant(try EnvironmentMixtures.scoreWeighted(space, environment: try inputs.requireEnvironment(spec), sourceShare: share, floor: inputs.floor))
        case .regmix:
            let logged = try inputs.requireTrajectories(spec)
            for t in logged { try checked(t.header.domains, "logged trajectory \(t.header.id)") }
            return constant(try inputs.regMix.run(logged, floor: inputs.floor, seed: inputs.seed).mixture)
        case .surrogateSearch:
            let model = try inputs.requireSurrogate(spec)
            try checked(model.domains, "the surrogate model")
            return constant(try inputs.surrogateSearch.run(model, floor: inputs.floor, seed: inputs.seed).mixture)
        case .bestFixedUnderSurrogate:
            let model = try inputs.requireSurrogate(spec)
            try checked(model.domains, "the surrogate model")
            let share = try inputs.surrogateGrid.bestShare(model, space: space, seed: inputs.seed)
            var resolved = constant(try Mixture.fieldRatio(space, sourceShare: share))
            resolved.chosenShare = share
            return resolved
        case .doremi:
            let references = try DomainLosses.bestLoggedTargets(space, trajectories: try inputs.requireTrajectories(spec), policy: name)
            return Resolved(make: { _ in DoReMiPolicy(space: space, targetReferences: references, floor: inputs.floor) })
        case .bandit:
            return Resolved(make: { e in BanditPolicy(space: space, rounds: rounds, floor: inputs.floor, seed: RandomSource.mix(inputs.seed, UInt64(e))) })
        case .bestLogged:
            let logged = try inputs.requireTrajectories(spec)
            let best = logged.filter { !$0.steps.isEmpty }.max { ($0.finalBalanced ?? -.infinity) < ($1.finalBalanced ?? -.infinity) }
            guard let best else { throw PolicySpecError(spec: name, reason: "best-logged needs a logged trajectory with at least one step (--data)") }
            try checked(best.header.domains, "logged trajectory \(best.header.id)")
            let schedule = try best.steps.map { try Mixture($0.mixture) }
            // The logged schedule replayed open-loop, exactly as it was trained (no floor re-applied).
            return Resolved(make: { _ in SchedulePolicy(name: "best-logged (#\(best.header.id))", schedule: schedule) }, replayedTrajectory: best.header.id)
        case .agent:
            throw PolicySpecError(spec: name, reason: "an agent is resolved by the policy catalog, not as a baseline")
        }
    }

    /// The one mixture of a fixed-mixture spec (`uniform`, `ratio:R`, `source-only`, `target-only`,
    /// `mixture:…`) over `space`, else nil.
    public static func fixedMixture(_ spec: PolicySpec, space: DomainSpace) throws -> Mixture? {
        func ratio(_ share: Double) throws -> Mixture {
            guard (0...1).contains(share) else { throw PolicySpecError(spec: spec.description, reason: "ratio:R needs 0 ≤ R ≤ 1") }
            return try Mixture.fieldRatio(space, sourceShare: share)
        }
        switch spec {
        case .uniform: return Mixture.uniform(space.count)
        case .ratio(let r): return try ratio(r)
        case .sourceOnly: return try ratio(1)
        case .targetOnly: return try ratio(0)
        case .mixture(let weights):
            guard weights.count == space.count else {
                throw PolicySpecError(spec: spec.description, reason: "mixture: needs \(space.count) numbers separated by '/', got '\(spec.description.dropFirst(8))'")
            }
            return try Mixture.normalized(weights)
        default: return nil
        }
    }
}

/// A policy given by name, built for each domain space it is asked about (`dma propose`, `dma serve`).
public final class NamedPolicyProvider: PolicyProvider {
    public let name: String
    public let policyFingerprint: String
    public let environmentFingerprint: String? = nil
    private let spec: PolicySpec
    private let environment: EnvironmentConfig?

    /// Checks `spec` now (on a two-domain space), so a bad name fails before any request.
    public init(spec: PolicySpec, environment: EnvironmentConfig? = nil) throws {
        name = spec.description
        policyFingerprint = StableHash.hex(of: Array(name.utf8))
        (self.spec, self.environment) = (spec, environment)
        let probe = try DomainSpace(name: "probe", domains: ["source/a", "math/b"])
        if case .mixture = spec {} else { _ = try NamedPolicy.make(spec, space: probe, rounds: 1, environment: environment, seed: 0) }
    }

    public func policy(for layout: ObservationLayout, rounds: Int) throws -> MixturePolicy {
        let space = try DomainSpace(name: "proposal", domains: layout.domains)
        return try NamedPolicy.make(spec, space: space, rounds: rounds, environment: environment, seed: 0)(0)
    }
}

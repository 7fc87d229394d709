import Corpus
import Environment
import Evaluation
import Numerics
import Trajectories

/// Policies selectable by name wherever a policy is taken (`--policy`): the simple rules, a static
/// mixture, and the collection's random schedule sampler.
public enum NamedPolicy {
    public static let help = "uniform | ratio:R (source share R, uniform within each field) | source-only | target-only | mixture:w1/w2/…/wD (a static mixture, normalised) | random (the collection's schedule sampler) | natural (training sizes) | score-weighted:R (source share R split by the score's retention weights) | regmix (regression on logged runs, needs --data) | surrogate-search (best static mixture under the surrogate, needs --model) | doremi (excess-loss re-weighting, needs --data) | bandit (EXP3 over domains) | best-logged (the best logged schedule, needs --data)"

    /// A maker of policy `spec` over `space` for runs of `rounds` steps: `make(e)` gives run e's
    /// policy (random schedules draw run e's from `seed` and e). `environment` is needed by
    /// `random` only (its collection settings and corpus prior).
    public static func make(_ spec: String, space: DomainSpace, rounds: Int, environment: EnvironmentConfig?,
                            seed: UInt64) throws -> (Int) throws -> MixturePolicy {
        try make(spec, space: space, rounds: rounds, inputs: BaselineInputs(environment: environment, seed: seed))
    }

    /// A maker of policy `spec` over `space` for runs of `rounds` steps, with the inputs the
    /// baselines need (environment, logged trajectories, fitted surrogate, seed). Static searches
    /// (`regmix`, `surrogate-search`) run once here; `make(e)` gives run e a fresh policy object
    /// (online baselines draw run e's randomness from the seed and e). Throws `PolicySpecError`
    /// for an unknown or malformed name, or one whose inputs are missing.
    public static func make(_ spec: String, space: DomainSpace, rounds: Int, inputs: BaselineInputs) throws -> (Int) throws -> MixturePolicy {
        let environment = inputs.environment, seed = inputs.seed
        if let baseline = try validationBaseline(spec, space: space, rounds: rounds, inputs: inputs) { return baseline }
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

extension NamedPolicy {
    /// Names taken as they are (the parameterised ones are `ratio:R`, `mixture:…`, `score-weighted:R`).
    public static let plainNames: Set<String> = ["uniform", "source-only", "target-only", "random", "natural", "regmix",
                                                  "surrogate-search", "doremi", "bandit", "best-logged"]

    /// Throws ``PolicySpecError`` when `spec` names no policy, without loading or building anything,
    /// so a command can reject a typo before it creates output. Whether the named policy's inputs
    /// are there (--data, --model) is checked when it is built.
    public static func checkName(_ spec: String) throws {
        if plainNames.contains(spec) || spec.hasPrefix("mixture:") { return }
        for prefix in ["ratio:", "score-weighted:"] where spec.hasPrefix(prefix) {
            guard let r = Double(spec.dropFirst(prefix.count)), (0...1).contains(r) else {
                throw PolicySpecError(spec: spec, reason: "\(prefix)R needs a source share 0 ≤ R ≤ 1, got '\(spec.dropFirst(prefix.count))'")
            }
            return
        }
        throw PolicySpecError(spec: spec, reason: "unknown policy (known: \(help))")
    }

    /// The baselines of the validation stage, or nil if `spec` names none of them.
    static func validationBaseline(_ spec: String, space: DomainSpace, rounds: Int, inputs: BaselineInputs) throws -> ((Int) throws -> MixturePolicy)? {
        func constant(_ m: Mixture) -> (Int) throws -> MixturePolicy { { _ in SchedulePolicy(name: spec, schedule: [m]) } }
        func checked(_ domains: [DomainName], _ what: String) throws {
            guard domains == space.domains else {
                throw PolicySpecError(spec: spec, reason: "\(what) is over domains \(domains.map(\.rawValue)), not the policy's \(space.domains.map(\.rawValue))")
            }
        }
        switch spec {
        case "natural":
            let m = try EnvironmentMixtures.natural(space, environment: try inputs.requireEnvironment(spec), floor: inputs.floor)
            return constant(m)
        case "regmix":
            let logged = try inputs.requireTrajectories(spec)
            for t in logged { try checked(t.header.domains, "logged trajectory \(t.header.id)") }
            return constant(try inputs.regMix.run(logged, floor: inputs.floor, seed: inputs.seed).mixture)
        case "surrogate-search":
            let model = try inputs.requireSurrogate(spec)
            try checked(model.domains, "the surrogate model")
            return constant(try inputs.surrogateSearch.run(model, floor: inputs.floor, seed: inputs.seed).mixture)
        case "doremi":
            let references = try DomainLosses.bestLoggedTargets(space, trajectories: try inputs.requireTrajectories(spec), policy: spec)
            return { _ in DoReMiPolicy(space: space, targetReferences: references, floor: inputs.floor) }
        case "bandit":
            return { e in BanditPolicy(space: space, rounds: rounds, floor: inputs.floor, seed: RandomSource.mix(inputs.seed, UInt64(e))) }
        case "best-logged":
            let logged = try inputs.requireTrajectories(spec)
            let best = logged.filter { !$0.steps.isEmpty }.max { ($0.finalBalanced ?? -.infinity) < ($1.finalBalanced ?? -.infinity) }
            guard let best else { throw PolicySpecError(spec: spec, reason: "best-logged needs a logged trajectory with at least one step (--data)") }
            try checked(best.header.domains, "logged trajectory \(best.header.id)")
            let schedule = try best.steps.map { try Mixture($0.mixture) }
            // The logged schedule replayed open-loop, exactly as it was trained (no floor re-applied).
            return { _ in SchedulePolicy(name: "best-logged (#\(best.header.id))", schedule: schedule) }
        default:
            guard spec.hasPrefix("score-weighted:") else { return nil }
            guard let share = Double(spec.dropFirst(15)), (0...1).contains(share) else {
                throw PolicySpecError(spec: spec, reason: "score-weighted:R needs a source share 0 ≤ R ≤ 1, got '\(spec.dropFirst(15))'")
            }
            return constant(try EnvironmentMixtures.scoreWeighted(space, environment: try inputs.requireEnvironment(spec), sourceShare: share, floor: inputs.floor))
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

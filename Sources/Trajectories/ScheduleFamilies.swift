import Corpus
import Environment
import Evaluation
import Numerics

/// How random schedules are drawn for trajectory collection (the `collection` section of an
/// environment file). Families give coverage beyond random walks: constant mixtures, linear ramps
/// and two-phase switches, all starting RegMix-style around the natural token prior.
public typealias CollectionConfig = EnvironmentConfig.CollectionSettings

extension EnvironmentConfig.CollectionSettings {
    /// `field-ratio` (appended last so older family draws stay reproducible) sweeps the source:target
    /// share over the whole [0, 1] range, which the prior-centred families never reach: a linear ramp
    /// between two uniform shares, with one Dirichlet composition inside each field.
    public static let knownFamilies = ["dirichlet-walk", "constant", "linear-ramp", "two-phase", "field-ratio"]

    /// Defaults when an environment file has no `collection` section.
    public static let standard = CollectionConfig(
        families: ["dirichlet-walk": 0.55, "constant": 0.15, "linear-ramp": 0.15, "two-phase": 0.15],
        kappa: 40, floor: 0.005, startConcentrations: [4, 16, 64, 256])

    /// Throws ``CollectionConfigError`` naming `context` unless families, kappa, floor and concentrations are usable.
    public func validate(context: String) throws {
        for (f, w) in families {
            guard Self.knownFamilies.contains(f) else {
                throw CollectionConfigError.invalid(context: context, reason: "collection.families names unknown family '\(f)' (known: \(Self.knownFamilies.joined(separator: ", ")))")
            }
            guard w.isFinite, w >= 0 else { throw CollectionConfigError.invalid(context: context, reason: "collection.families['\(f)'] must be ≥ 0") }
        }
        guard families.values.reduce(0, +) > 0 else { throw CollectionConfigError.invalid(context: context, reason: "collection.families are all zero") }
        guard kappa > 0, floor >= 0, floor < 0.5, !startConcentrations.isEmpty, startConcentrations.allSatisfy({ $0 > 0 }) else {
            throw CollectionConfigError.invalid(context: context, reason: "collection needs kappa > 0, 0 ≤ floor < 0.5 and positive startConcentrations")
        }
    }
}

/// Which family and parameters a trajectory id gets, drawn from the id's own seed.
public struct SampledSchedule: Codable, Sendable, Equatable {
    public var family: String
    public var parameters: [String: Double]
    public init(family: String, parameters: [String: Double]) { (self.family, self.parameters) = (family, parameters) }
}

/// Random schedules of one trajectory, per `CollectionConfig`. Deterministic in (seed, id).
public final class RandomSchedulePolicy: MixturePolicy {
    public let name: String
    public let sampled: SampledSchedule
    private let config: CollectionConfig
    private let prior: [Double]
    private let rng: RandomSource
    private var anchors: [Mixture] = []

    public init(config: CollectionConfig, prior: [Double], rounds: Int, seed: UInt64) {
        self.config = config
        self.prior = prior
        rng = RandomSource(seed: seed, stream: .scheduleFamilies)
        let names = CollectionConfig.knownFamilies.filter { (config.families[$0] ?? 0) > 0 }
        let family = names[rng.categorical(names.map { config.families[$0]! })]
        let concentration = config.startConcentrations[rng.int(below: config.startConcentrations.count)]
        var parameters = ["startConcentration": concentration]
        switch family {
        case "dirichlet-walk": parameters["kappa"] = config.kappa
        case "two-phase": parameters["switchRound"] = Double(1 + rng.int(below: max(1, rounds - 1)))
        case "field-ratio":
            parameters["startShare"] = rng.uniform()
            parameters["endShare"] = rng.uniform()
        default: break
        }
        parameters["floor"] = config.floor
        sampled = SampledSchedule(family: family, parameters: parameters)
        name = family
    }

    private func draw(concentration: Double) throws -> Mixture {
        try floored(rng.dirichlet(DirichletWalk.startAlpha(prior: prior, concentration: concentration)))
    }

    private func floored(_ w: [Double]) throws -> Mixture {
        try Mixture.normalized(w.map { max($0, config.floor) })
    }

    public func nextMixture(_ state: PolicyState) throws -> Mixture {
        let c = sampled.parameters["startConcentration"]!
        if anchors.isEmpty {
            anchors.append(try draw(concentration: c))
            if sampled.family == "linear-ramp" || sampled.family == "two-phase" { anchors.append(try draw(concentration: c)) }
        }
        let t = state.round, T = max(state.rounds, 2)
        switch sampled.family {
        case "field-ratio":
            if anchors.count == 1 {
                // Replace the prior-centred draw by one composition per field, uniform-centred.
                let src = state.space.indices(in: .source)
                let tgt = state.space.domains.indices.filter { !src.contains($0) }
                var w = [Double](repeating: 0, count: state.space.count)
                for field in [src, tgt] where !field.isEmpty {
                    let part = rng.dirichlet([Double](repeating: c / Double(field.count), count: field.count))
                    for (k, i) in field.enumerated() { w[i] = part[k] }
                }
                anchors = [Mixture.uniform(1), try Mixture.normalized(w)]
            }
            let u = Double(t) / Double(T - 1)
            let share = (1 - u) * sampled.parameters["startShare"]! + u * sampled.parameters["endShare"]!
            let src = Set(state.space.indices(in: .source))
            return try floored(anchors[1].weights.enumerated().map { src.contains($0.offset) ? share * $0.element : (1 - share) * $0.element })
        case "constant":
            return anchors[0]
        case "linear-ramp":
            let u = Double(t) / Double(T - 1)
            return try Mixture.normalized(zip(anchors[0].weights, anchors[1].weights).map { (1 - u) * $0 + u * $1 })
        case "two-phase":
            return t < Int(sampled.parameters["switchRound"]!) ? anchors[0] : anchors[1]
        default:
            guard let current = state.mixtures.last else { return anchors[0] }
            return try floored(rng.dirichlet(DirichletWalk.stepAlpha(from: current, kappa: config.kappa, floor: config.floor)))
        }
    }
}

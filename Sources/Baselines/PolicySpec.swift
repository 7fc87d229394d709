/// A policy as named on the command line, in validation plans and in run logs: parsed once here
/// and printed back exactly as it was written (`ratio:0.7`, `agent:FILE`, `mixture:0.2/0.8`), so
/// logs and committed files keep their strings. `PolicyCatalog` turns a spec into policies.
public enum PolicySpec: Sendable, Hashable, CustomStringConvertible {
    case uniform
    /// Source share R, uniform within each field.
    case ratio(Double)
    case sourceOnly
    case targetOnly
    /// A static mixture in domain-space order (normalised when it is built).
    case mixture([Double])
    /// The collection's random schedule sampler.
    case random
    /// Training sizes.
    case natural
    /// Source share R split by the score's retention weights.
    case scoreWeighted(Double)
    case regmix
    case surrogateSearch
    case doremi
    case bandit
    case bestLogged
    /// The best field ratio of a grid under the surrogate (its mean episodes, argmax).
    case bestFixedUnderSurrogate
    /// A trained agent's policy file.
    case agent(path: String)

    /// The names taken as they are, with their specs.
    static let plain: [(String, PolicySpec)] = [
        ("uniform", .uniform), ("source-only", .sourceOnly), ("target-only", .targetOnly), ("random", .random), ("natural", .natural),
        ("regmix", .regmix), ("surrogate-search", .surrogateSearch), ("doremi", .doremi), ("bandit", .bandit),
        ("best-logged", .bestLogged), ("best-fixed-under-surrogate", .bestFixedUnderSurrogate),
    ]

    /// What `--policy` accepts, for help texts and the unknown-policy message.
    public static let help = "uniform | ratio:R (source share R, uniform within each field) | source-only | target-only | mixture:w1/w2/…/wD (a static mixture, normalised) | random (the collection's schedule sampler) | natural (training sizes) | score-weighted:R (source share R split by the score's retention weights) | regmix (regression on logged runs, needs --data) | surrogate-search (best static mixture under the surrogate, needs --model) | doremi (excess-loss re-weighting, needs --data) | bandit (EXP3 over domains) | best-logged (the best logged schedule, needs --data) | best-fixed-under-surrogate (the best source share of 0.1…0.9 under the surrogate, needs --model) | agent:FILE (a trained policy file)"

    /// Parses `text`; throws ``PolicySpecError`` naming it when it is no policy or a malformed one.
    /// Nothing is loaded: whether an agent file or a baseline's inputs are there is checked when
    /// the policy is built.
    public init(parsing text: String) throws {
        if let known = Self.plain.first(where: { $0.0 == text }) { self = known.1; return }
        if text.hasPrefix("agent:") { self = .agent(path: String(text.dropFirst(6))); return }
        if text.hasPrefix("mixture:") {
            let body = text.dropFirst(8), parts = body.split(separator: "/")
            let weights = parts.compactMap { Double($0) }
            guard !weights.isEmpty, weights.count == parts.count else {
                throw PolicySpecError(spec: text, reason: "mixture: needs numbers separated by '/', got '\(body)'")
            }
            self = .mixture(weights)
            return
        }
        for (prefix, make) in [("ratio:", PolicySpec.ratio), ("score-weighted:", PolicySpec.scoreWeighted)] where text.hasPrefix(prefix) {
            guard let r = Double(text.dropFirst(prefix.count)), (0...1).contains(r) else {
                throw PolicySpecError(spec: text, reason: "\(prefix)R needs a source share 0 ≤ R ≤ 1, got '\(text.dropFirst(prefix.count))'")
            }
            self = make(r)
            return
        }
        throw PolicySpecError(spec: text, reason: "unknown policy (known: \(Self.help))")
    }

    /// The spec as written in logs and tables; `PolicySpec(parsing: s.description) == s`.
    public var description: String {
        switch self {
        case .ratio(let r): return "ratio:\(r)"
        case .scoreWeighted(let r): return "score-weighted:\(r)"
        case .mixture(let w): return "mixture:" + w.map { "\($0)" }.joined(separator: "/")
        case .agent(let path): return "agent:\(path)"
        default: return Self.plain.first { $0.1 == self }!.0
        }
    }

    /// The policy's name without its parameter (`ratio`, `score-weighted`, `mixture`, `agent`, or the plain name).
    public var name: String {
        switch self {
        case .ratio: return "ratio"
        case .scoreWeighted: return "score-weighted"
        case .mixture: return "mixture"
        case .agent: return "agent"
        default: return description
        }
    }

    /// Whether this is a trained agent's policy file.
    public var isAgent: Bool {
        if case .agent = self { return true }
        return false
    }

    /// The agent's policy file, if this is one.
    public var agentPath: String? {
        if case .agent(let path) = self { return path }
        return nil
    }

    /// The source share of a field ratio (`ratio:R`), else nil.
    public var ratioShare: Double? {
        if case .ratio(let r) = self { return r }
        return nil
    }

    /// Whether it trains one mixture given up front, the same in every setting (a field ratio, an
    /// explicit mixture, uniform): the points the fixed-mixture Pareto front is drawn through.
    public var isFixedMixture: Bool {
        switch self {
        case .uniform, .ratio, .sourceOnly, .targetOnly, .mixture: return true
        default: return false
        }
    }

    /// Baselines fitted on logged runs of the setting itself (its `--data` or a surrogate fitted on it).
    public var usesLoggedRuns: Bool {
        switch self {
        case .regmix, .surrogateSearch, .bestLogged, .doremi: return true
        default: return false
        }
    }

    /// Whether its search runs once per setting and then holds one static mixture for every run.
    public var isSearchedOnce: Bool {
        switch self {
        case .regmix, .surrogateSearch, .bestFixedUnderSurrogate: return true
        default: return false
        }
    }
}

/// A policy name that does not name a policy, or whose policy cannot be built from the inputs given.
public struct PolicySpecError: Error, CustomStringConvertible, Equatable {
    public var spec: String
    public var reason: String
    public init(spec: String, reason: String) { (self.spec, self.reason) = (spec, reason) }
    public var description: String { "--policy '\(spec)': \(reason)" }
}

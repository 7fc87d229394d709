import Corpus
import Environment
import Surrogate
import Trajectories

/// What a baseline may need beyond its name: the environment, the setting's logged trajectories,
/// a fitted surrogate and a seed. Each baseline checks for the inputs it needs and throws a
/// `PolicySpecError` naming the missing one (and the CLI option that supplies it).
public struct BaselineInputs {
    /// The environment (`--env`): score weights, corpus sizes, collection floor.
    public var environment: EnvironmentConfig?
    /// Logged trajectories of this setting (`--data`): RegMix's rows, DoReMi's target references,
    /// the best logged schedule.
    public var trajectories: [Trajectory]
    /// A fitted surrogate (`--model`) for the surrogate search.
    public var surrogate: SurrogateModel?
    /// Seeds every random choice (searches, bandit draws); run e of an online baseline mixes in e.
    public var seed: UInt64
    /// Settings of the two searching baselines (defaults as documented on each type).
    public var regMix = RegMix()
    public var surrogateSearch = SurrogateSearch()
    /// The field-ratio grid `best-fixed-under-surrogate` rolls out through the surrogate.
    public var surrogateGrid = SurrogateGrid()

    public init(environment: EnvironmentConfig? = nil, trajectories: [Trajectory] = [], surrogate: SurrogateModel? = nil, seed: UInt64 = 0) {
        self.environment = environment
        self.trajectories = trajectories
        self.surrogate = surrogate
        self.seed = seed
    }

    /// The least weight any domain gets: the collection floor of the environment (its `collection`
    /// section, or the defaults collection uses without one), 0 without an environment. Baselines
    /// stay inside the floor the logged data was collected under.
    public var floor: Double {
        guard let environment else { return 0 }
        return (environment.collection ?? .standard).floor
    }

    func need(_ what: String, for spec: PolicySpec) -> PolicySpecError {
        PolicySpecError(spec: spec.description, reason: "\(spec.name) needs \(what)")
    }

    func requireEnvironment(_ spec: PolicySpec) throws -> EnvironmentConfig {
        guard let environment else { throw need("the environment (--env)", for: spec) }
        return environment
    }

    func requireTrajectories(_ spec: PolicySpec) throws -> [Trajectory] {
        guard !trajectories.isEmpty else { throw need("logged trajectories of this setting (--data)", for: spec) }
        return trajectories
    }

    func requireSurrogate(_ spec: PolicySpec) throws -> SurrogateModel {
        guard let surrogate else { throw need("a fitted surrogate model (--model)", for: spec) }
        return surrogate
    }
}

import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Surrogate
import Trajectories

/// Everything `dma agent train` sets, with its defaults.
public struct AgentTrainingConfig: Codable, Sendable, Equatable {
    public var network = NetworkConfig()
    /// Steps of history in the state (the window of `ObservationLayout`).
    public var window = 2
    /// Least weight of any domain in a proposed mixture (nil: the environment's collection floor).
    public var floor: Double?
    public var behaviourCloning = BehaviourCloningConfig()
    public var rollouts = ModelRolloutConfig()
    /// CQL's settings. Three depart from d3rlpy's defaults, for a 16-domain simplex on 2 cores:
    /// batch 64 and N = 4 samples per source (each update scores B·(1 + 3N)·D critic tokens, so
    /// d3rlpy's 256 and 10 cost 10× more), a hard backup without the entropy term (CORL's default:
    /// log-densities on a 15-dimensional simplex are in the hundreds and swamp the rewards), and a
    /// small initial temperature (1e-3) for the same reason.
    public var cql: CQLConfig = {
        var c = CQLConfig()
        c.batchSize = 64
        c.actionSamples = 4
        c.softQBackup = false
        c.initialTemperature = 1e-3
        c.temperatureLearningRate = 3e-4
        return c
    }()
    /// CQL updates after the warm start.
    public var cqlSteps = 3_000
    /// CQL updates between resumable snapshots.
    public var snapshotEvery = 250
    /// Rewards (changes of the balanced score, ~0.001–0.05 per step) are multiplied by this for the
    /// critics, so Q values are of order 1–10; the optimal policy does not change.
    public var rewardScale: Float = 100
    public var seed: UInt64 = 0
    /// Score-weight relabelling of the logged data (and of the rollouts, one set per weighting):
    /// `copies` extra copies, each with a random permutation of the source score weights. Default 3:
    /// chosen on real runs of the selection seeds 1 and 2 (0.6721 against 0.6641 without; docs/agent.md).
    /// See `ScoreRelabelling`.
    public var relabel: RelabelConfig {
        get { relabelSetting ?? RelabelConfig() }
        set { relabelSetting = newValue == RelabelConfig() ? nil : newValue }
    }
    /// Stored only when relabelling is on, so the encoding (and with it the resume and input keys)
    /// of a run without it is the one it had before relabelling existed; settings files without the
    /// key decode as "off", as they were trained.
    private var relabelSetting: RelabelConfig? = RelabelConfig(copies: 3)
    /// The support cap's quantile of the logged weights (`SupportCap`; 1 = the largest weight any
    /// domain had), applied to the rollouts' actions and to every proposal; nil = no cap. Default
    /// 0.999 (a cap of 0.558 on the bundled data): chosen on real runs of the selection seeds 1 and 2
    /// against 1 (0.76): 0.6834 against 0.6814, and 0.6721 without a cap (docs/agent.md). Settings
    /// files without the key decode as nil, as they were trained.
    public var supportQuantile: Double? = 0.999
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case network, window, floor, behaviourCloning, rollouts, cql, cqlSteps, snapshotEvery, rewardScale, seed
        case relabelSetting = "relabel"
        case supportQuantile
    }
}

/// The training pipeline: logged trajectories → features (normalised) → behaviour cloning of the
/// best quarter → penalised surrogate rollouts of the cloned policy from logged states → CQL on logged
/// plus rolled-out transitions → a policy file.
public enum AgentTraining {
    public enum Stage: String, Sendable { case behaviourCloning = "bc", rollouts, cql }

    /// One progress report: the stage, its step and total, and the named loss terms.
    public struct Progress: Sendable {
        public var stage: Stage
        public var step: Int
        public var total: Int
        public var terms: [String: Double]
    }

    /// What training did, for the summary and the policy file.
    public struct Summary: Sendable {
        public var loggedRows: Int
        public var rolloutRows: Int
        public var rollouts: ModelRollouts.Summary?
        public var finalTerms: [String: Double]
        public var seconds: [Stage: Double]
    }

    /// Trains on `trajectories` of `environment` (one domain space), with rollouts through `surrogate`
    /// when given (its file's fingerprint recorded).
    /// With `snapshot`, the cloned policy and then CQL's whole state are saved there (atomically)
    /// every `snapshotEvery` updates, and a run that finds a snapshot of the same data and settings
    /// continues from it and ends with the same policy, bit for bit, as an uninterrupted run. The
    /// snapshot is removed at the end. `progress` may throw to stop training (the snapshot stays).
    public static func train(trajectories: [Trajectory], environment: EnvironmentConfig, surrogate: (model: SurrogateModel, fingerprint: String)?,
                             config: AgentTrainingConfig, snapshot: String? = nil,
                             progress: (Progress) throws -> Void = { _ in }) throws -> (PolicyFile, Summary) {
        guard let first = trajectories.first else { throw AgentError.data("no trajectories to train on") }
        if let other = trajectories.first(where: { $0.header.modelIdentity != first.header.modelIdentity }) {
            throw AgentError.data("trajectory \(other.header.id) is of model \(other.header.modelIdentity.label), trajectory \(first.header.id) of model \(first.header.modelIdentity.label); train one policy per model")
        }
        // Rollouts through a surrogate of another model would teach this model's policy another's dynamics.
        if let surrogate, surrogate.model.identity.model != first.header.declaredModel {
            func runs(_ m: ModelIdentity?) -> String { m.map { "runs of model \($0.label)" } ?? "dma's own runs" }
            throw AgentError.data("the surrogate was fitted on \(runs(surrogate.model.identity.model)), the trajectories are \(runs(first.header.declaredModel)); fit the surrogate on these trajectories")
        }
        let score = try ScoreFormula(env: environment, feedbackNames: first.header.feedbackNames)
        let layout = ObservationLayout(domains: first.header.domains, feedbackNames: first.header.feedbackNames, score: score, window: config.window)
        let floor = config.floor ?? (environment.collection ?? .standard).floor
        let cap = config.supportQuantile.map { SupportCap.fitted(to: trajectories, quantile: $0) }
        // The logged weighting, then each relabelled copy's (ids id + c·stride for copy c ≥ 1).
        let stride = (trajectories.map(\.header.id).max() ?? 0) + 1
        let copies = ScoreRelabelling.copies(of: trajectories, score: score, layout: layout, config: config.relabel)
        var logged = try OfflineDataset(trajectories: trajectories, layout: layout)
        for copy in copies { logged.append(contentsOf: try OfflineDataset(trajectories: copy.trajectories, layout: copy.weighting.layout)) }
        let normalizer = FeatureNormalizer(fitting: logged)
        let data = logged.prepared(by: normalizer, rewardScale: config.rewardScale)
        var seconds: [Stage: Double] = [:]

        let provenance = Self.provenance(trajectories: trajectories, environment: environment, surrogateFingerprint: surrogate?.fingerprint)
        let key = try resumeKey(config, provenance)
        var saved = snapshot.flatMap { try? JSONDecoder().decode(TrainingSnapshot.self, from: FileManager.default.contents(atPath: $0) ?? Data()) }
        if saved?.key != key { saved = nil }
        func save(_ s: TrainingSnapshot) throws {
            if let snapshot { try AtomicFile.write(try JSONEncoder().encode(s), to: snapshot) }
        }

        var clock = Date()
        let policy = PolicyNetwork(config: config.network, tokenWidth: data.tokenWidth, globalWidth: data.globalWidth, seed: config.seed)
        var terms: [String: Double] = [:]
        if let cloned = saved?.clonedPolicy {
            policy.parameters = cloned
        } else {
            // The best quarter of each weighting's copy, ranked by its own (relabelled) final score.
            let best = BehaviourCloning.bestEpisodes(of: data, fraction: config.behaviourCloning.topFraction) { $0 / stride }
            let bc = BehaviourCloning(config: config.behaviourCloning, policy: policy, dataset: data, episodes: best, floor: Float(floor), seed: config.seed)
            for s in 0..<config.behaviourCloning.steps {
                terms = bc.update()
                if (s + 1) % 100 == 0 || s + 1 == config.behaviourCloning.steps { try progress(Progress(stage: .behaviourCloning, step: s + 1, total: config.behaviourCloning.steps, terms: terms)) }
            }
            try save(TrainingSnapshot(key: key, clonedPolicy: policy.parameters, cql: nil))
        }
        let clonedPolicy = policy.parameters
        seconds[.behaviourCloning] = Date().timeIntervalSince(clock)

        var training = data
        var rolloutSummary: ModelRollouts.Summary?
        if let surrogate {
            clock = Date()
            // One set of rollouts per weighting: the relabelled copies' through the surrogate scoring
            // with their permuted weights, from their own (relabelled) logged states.
            let sets = [(score: score, layout: layout, trajectories: trajectories)]
                + copies.map { (score: $0.weighting.score, layout: $0.weighting.layout, trajectories: $0.trajectories) }
            var firstEpisode = stride * sets.count
            var penalty = 0.0, outside = 0.0, rows = 0
            for (c, set) in sets.enumerated() {
                var model = surrogate.model
                if c > 0 { model.score = set.score }
                var rolloutConfig = config.rollouts
                if c > 0 { rolloutConfig.seed = RandomSource.mix(config.rollouts.seed, UInt64(c)) }
                let bound = BoundNetwork(policy: policy, normalizer: normalizer, layout: set.layout, floor: floor, cap: cap)
                let rng = RandomSource(seed: c == 0 ? config.seed : RandomSource.mix(config.seed, UInt64(c)), stream: .agentRolloutNoise)
                var rolled = try ModelRollouts.generate(model: model, trajectories: set.trajectories, layout: set.layout, config: rolloutConfig,
                                                        firstEpisode: firstEpisode) { states in
                    try bound.mixtures(states, rng: rng)
                }
                firstEpisode = (rolled.data.episode.max() ?? firstEpisode - 1) + 1
                let n = Double(rolled.summary.rows)
                (penalty, outside, rows) = (penalty + n * rolled.summary.meanPenalty, outside + n * rolled.summary.outOfSupportShare, rows + rolled.summary.rows)
                rolled.data = rolled.data.prepared(by: normalizer, rewardScale: config.rewardScale)
                training.append(contentsOf: rolled.data)
            }
            let summary = ModelRollouts.Summary(rows: rows, meanPenalty: penalty / Double(max(rows, 1)), outOfSupportShare: outside / Double(max(rows, 1)))
            rolloutSummary = summary
            seconds[.rollouts] = Date().timeIntervalSince(clock)
            try progress(Progress(stage: .rollouts, step: summary.rows, total: summary.rows,
                              terms: ["mean_penalty": summary.meanPenalty, "out_of_support": summary.outOfSupportShare]))
        }

        clock = Date()
        let cql = CQL(config: config.cql, policy: policy, dataset: training, floor: Float(floor), seed: config.seed)
        if let state = saved?.cql { try cql.restore(state) }
        while cql.steps < config.cqlSteps {
            terms = cql.update()
            let s = cql.steps
            if s % config.snapshotEvery == 0 && s < config.cqlSteps { try save(TrainingSnapshot(key: key, clonedPolicy: clonedPolicy, cql: cql.snapshot())) }
            if s % 100 == 0 || s == config.cqlSteps { try progress(Progress(stage: .cql, step: s, total: config.cqlSteps, terms: terms)) }
        }
        seconds[.cql] = Date().timeIntervalSince(clock)
        if let snapshot { try? FileManager.default.removeItem(atPath: snapshot) }

        let file = PolicyFile(
            format: PolicyFile.formatName, version: PolicyFile.currentVersion, network: config.network,
            tokenColumns: layout.tokenColumns, globalColumns: layout.globalColumns, window: config.window, floor: floor, supportCap: cap,
            normalizer: normalizer, parameters: policy.parameters, provenance: provenance,
            training: try Self.describe(config).merging(["inputs": try Self.inputKey(config, provenance)]) { a, _ in a })
        return (file, Summary(loggedRows: data.count, rolloutRows: training.count - data.count, rollouts: rolloutSummary, finalTerms: terms, seconds: seconds))
    }

    /// What a policy trained on `trajectories` of `environment` (with rollouts through the surrogate
    /// of that fingerprint) records as its provenance.
    public static func provenance(trajectories: [Trajectory], environment: EnvironmentConfig, surrogateFingerprint: String?) -> PolicyFile.Provenance {
        PolicyFile.Provenance(
            environment: environment.name, environmentHash: environment.hash,
            trajectories: StableHash.hex(of: Array(trajectories.map { "\($0.header.id):\($0.finalBalanced ?? 0)" }.joined(separator: ",").utf8)),
            trajectoryCount: trajectories.count, surrogate: surrogateFingerprint, codeVersion: DMAVersion.string,
            model: trajectories.first?.header.declaredModel)
    }

    /// The data part of the input and resume keys. The model joins it only for imported runs, so
    /// the keys of policies trained on dma's own runs (the bundled ones) stay what they were, while
    /// one CSV imported under two model names gives two keys.
    static func dataKey(_ provenance: PolicyFile.Provenance) -> String {
        "\(provenance.trajectories)|\(provenance.surrogate ?? "-")|\(provenance.environmentHash)" + (provenance.model.map { "|\($0.fingerprint)" } ?? "")
    }

    /// The fingerprint of everything a training run reads (settings, data, surrogate, environment):
    /// a policy file that records the same key (`training["inputs"]`) is what this run would train.
    public static func inputKey(_ config: AgentTrainingConfig, _ provenance: PolicyFile.Provenance) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return StableHash.hex(of: [UInt8](try encoder.encode(config)) + Array(dataKey(provenance).utf8))
    }

    /// The first of `candidates` (policy files; missing ones are skipped, a malformed one is an error
    /// naming it) trained on exactly these inputs (the same bytes), so training again would reproduce
    /// it on the machine that trained it and a statistically equivalent policy on another (OpenBLAS
    /// rounds differently per CPU kernel). A surrogate fitted on another CPU differs in its last
    /// bits, so the key does not match there and the caller trains anew.
    public static func reusable(_ candidates: [String], config: AgentTrainingConfig, trajectories: [Trajectory], environment: EnvironmentConfig,
                                surrogateFingerprint: String?) throws -> String? {
        let key = try inputKey(config, provenance(trajectories: trajectories, environment: environment, surrogateFingerprint: surrogateFingerprint))
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            if try PolicyFile.load(from: path).training["inputs"] == key { return path }
        }
        return nil
    }

    /// A snapshot resumes only the same data and settings; more CQL updates extend a run, so
    /// `cqlSteps` is not part of the key.
    static func resumeKey(_ config: AgentTrainingConfig, _ provenance: PolicyFile.Provenance) throws -> String {
        var c = config
        c.cqlSteps = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return StableHash.hex(of: [UInt8](try encoder.encode(c)) + Array(dataKey(provenance).utf8))
    }

    static func describe(_ config: AgentTrainingConfig) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return ["config": String(decoding: try encoder.encode(config), as: UTF8.self)]
    }
}

/// What `AgentTraining` saves to resume: the cloned policy, then CQL's state.
struct TrainingSnapshot: Codable {
    var key: String
    var clonedPolicy: [Float]
    var cql: CQL.Snapshot?
}

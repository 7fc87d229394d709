import Kernels
import Numerics

/// Hyper-parameters of the behaviour-cloning warm start.
public struct BehaviourCloningConfig: Codable, Sendable, Equatable {
    /// Gradient steps (default 2000).
    public var steps: Int
    /// Transitions per step, drawn with replacement (default 256, d3rlpy's BC batch).
    public var batchSize: Int
    /// Adam learning rate (default 1e-3, d3rlpy's BC default).
    public var learningRate: Float
    /// Fraction of trajectories, best by final balanced score, that `bestEpisodes` keeps (default
    /// a quarter: clone good behaviour, not the average logged schedule).
    public var topFraction: Double

    public init(steps: Int = 2000, batchSize: Int = 256, learningRate: Float = 1e-3, topFraction: Double = 0.25) {
        (self.steps, self.batchSize, self.learningRate, self.topFraction) = (steps, batchSize, learningRate, topFraction)
    }
}

/// Behaviour cloning: maximise log π(a_logged | s) (the floored logistic-normal's density on the
/// simplex) on the rows of chosen episodes. Loss term: `bc_nll` = −mean log π(a | s).
public final class BehaviourCloning {
    public let config: BehaviourCloningConfig
    public let policy: PolicyNetwork
    public let floor: Float
    private let dataset: OfflineDataset
    private let pool: [Int]
    private let rng: RandomSource
    private let batch: Minibatch
    private let ws: SetWorkspace
    private var adam: AdamW
    private var dout: [Float]

    /// Clones the rows of `episodes` of `dataset` (normalised features) into `policy`.
    public init(config: BehaviourCloningConfig = BehaviourCloningConfig(), policy: PolicyNetwork, dataset: OfflineDataset,
                episodes: Set<Int>, floor: Float, seed: UInt64) {
        precondition(dataset.tokenWidth == policy.tokenWidth && dataset.globalWidth == policy.globalWidth, "dataset of other widths")
        (self.config, self.policy, self.dataset, self.floor) = (config, policy, dataset, floor)
        pool = (0..<dataset.count).filter { episodes.contains(dataset.episode[$0]) }
        precondition(!pool.isEmpty, "behaviour cloning needs at least one row")
        rng = RandomSource(seed: seed, stream: RandomStream.agentBatches.rawValue)
        batch = Minibatch(batch: config.batchSize, dataset: dataset)
        ws = policy.workspace(batch: config.batchSize, domains: dataset.domainCount)
        adam = AdamW(count: policy.net.parameterCount, decayMask: policy.net.buffer.layout.decayMask, config: .adam())
        dout = .init(repeating: 0, count: config.batchSize * dataset.domainCount * 2)
    }

    /// The `fraction` of episodes with the highest return (sum of rewards = final minus initial
    /// balanced score; episodes share the base model, so this ranks by final balanced score), taken
    /// within each group of `group` (episode id → group; the relabelled copies, each ranked by its
    /// own weighting's score). One group by default.
    public static func bestEpisodes(of dataset: OfflineDataset, fraction: Double, group: (Int) -> Int = { _ in 0 }) -> Set<Int> {
        var ret: [Int: Double] = [:]
        for r in 0..<dataset.count { ret[dataset.episode[r], default: 0] += Double(dataset.rewards[r]) }
        var best = Set<Int>()
        for members in Dictionary(grouping: ret, by: { group($0.key) }).values {
            let ranked = members.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let k = max(1, Int((Double(ranked.count) * fraction).rounded()))
            best.formUnion(ranked.prefix(k).map(\.key))
        }
        return best
    }

    /// One Adam step on a minibatch; returns `bc_nll`.
    @discardableResult
    public func update() -> [String: Double] {
        let B = config.batchSize, D = dataset.domainCount
        batch.draw(from: dataset, pool: pool, rng: rng)
        policy.forward(tokens: batch.tokens, globals: batch.globals, isSource: batch.isSource, ws)
        var nll = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * D) { buf in
            let mu = buf.baseAddress!, s = mu + D, w = mu + 2 * D, dm = mu + 3 * D, ds = mu + 4 * D
            for b in 0..<B {
                policy.distribution(ws, state: b, mu: mu, logStd: s)
                for d in 0..<D { w[d] = Double(batch.actions[b * D + d]) }
                nll -= LogisticNormal.logDensity(mixture: w, mu: mu, logStd: s, D: D, floor: Double(floor), dMu: dm, dLogStd: ds)
                for d in 0..<D {
                    let r = b * D + d
                    dout[r * 2] = Float(-dm[d] / Double(B))
                    dout[r * 2 + 1] = policy.logStdActive(ws, row: r) ? Float(-ds[d] / Double(B)) : 0
                }
            }
        }
        policy.net.buffer.zeroGradients()
        dout.withUnsafeBufferPointer { policy.net.backward(ws, dout: $0.baseAddress!, inputGradient: false) }
        adam.step(params: policy.net.buffer.params, grads: policy.net.buffer.grads, lr: config.learningRate)
        return ["bc_nll": nll / Double(B)]
    }

    /// `config.steps` updates; the loss curve by name (one value per step).
    public func run() -> [String: [Double]] {
        var curve: [String: [Double]] = [:]
        for _ in 0..<config.steps { for (k, v) in update() { curve[k, default: []].append(v) } }
        return curve
    }
}

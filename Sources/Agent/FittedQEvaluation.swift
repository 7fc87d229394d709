import Kernels
import Numerics

/// Hyper-parameters of fitted Q evaluation (Le et al. 2019; defaults from d3rlpy's FQE unless noted).
public struct FittedQEvaluationConfig: Codable, Sendable, Equatable {
    /// TD regression steps (default 2000).
    public var steps: Int = 2000
    /// Transitions per step (d3rlpy: 100; 256 here, as the other learners).
    public var batchSize: Int = 256
    /// Adam learning rate (d3rlpy: 1e-4).
    public var learningRate: Float = 1e-4
    /// Discount γ (as CQL's default, 0.9: runs are ~10 steps).
    public var discount: Double = 0.9
    /// Steps between hard copies of the critic into its target (d3rlpy: 100).
    public var targetUpdateInterval: Int = 100
    /// Shape of the evaluating critic.
    public var critic: NetworkConfig = NetworkConfig()

    public init() {}
}

/// What fitted Q evaluation estimates for one policy.
public struct FittedQEvaluationResult: Sendable {
    /// Episode ids, in dataset order of their first rows.
    public var episodes: [Int]
    /// Q̂(s₀, π(s₀)) of each episode's first state.
    public var initialValues: [Double]
    /// Mean of `initialValues`: the policy's estimated value.
    public var meanInitialValue: Double
    /// `fqe_td` (mean squared TD error) per step.
    public var tdLoss: [Double]
}

/// Fitted Q evaluation of a fixed deterministic policy: fits a critic (the agent's critic network)
/// by repeated TD regression toward r + γ(1 − done)·Q̄(s′, π(s′)), with a periodically copied target,
/// and reads its value at each episode's first state.
public struct FittedQEvaluation {
    public var config: FittedQEvaluationConfig

    public init(config: FittedQEvaluationConfig = FittedQEvaluationConfig()) { self.config = config }

    /// Evaluates `policy` (deterministic actions, floor `floor`) on `dataset` (normalised features).
    public func evaluate(policy: PolicyNetwork, dataset: OfflineDataset, floor: Float, seed: UInt64) -> FittedQEvaluationResult {
        let nextInput = NetworkInput(tokens: dataset.nextTokens, globals: dataset.nextGlobals, isSource: dataset.isSource, batch: dataset.count,
                                     domains: dataset.domainCount)
        return evaluate(nextActions: policy.act(nextInput, floor: floor, deterministic: true, rng: nil), dataset: dataset, seed: seed) {
            policy.act($0, floor: floor, deterministic: true, rng: nil)
        }
    }

    /// Evaluates the static policy that always takes `mixture`.
    public func evaluate(constant mixture: [Double], dataset: OfflineDataset, seed: UInt64) -> FittedQEvaluationResult {
        let a = mixture.map(Float.init)
        return evaluate(nextActions: Array(repeatElement(a, count: dataset.count).joined()), dataset: dataset, seed: seed) {
            Array(repeatElement(a, count: $0.batch).joined())
        }
    }

    /// Evaluates any fixed policy given by its actions: `nextActions` (count × D) at every row's next
    /// state, and `firstActions` at the episodes' first states (e.g. an open-loop schedule's first
    /// mixture).
    public func evaluate(nextActions: [Float], dataset: OfflineDataset, seed: UInt64,
                         firstActions: (NetworkInput) -> [Float]) -> FittedQEvaluationResult {
        let D = dataset.domainCount, B = config.batchSize, TW = dataset.tokenWidth, G = dataset.globalWidth, n = dataset.count
        precondition(n > 0 && nextActions.count == n * D, "fitted Q evaluation needs data and one next action per row")
        let critic = CriticNetwork(config: config.critic, tokenWidth: TW, globalWidth: G, seed: seed)
        let target = CriticNetwork(config: config.critic, tokenWidth: TW, globalWidth: G, seed: seed)
        let ws = critic.workspace(batch: B, domains: D), wt = target.workspace(batch: B, domains: D)
        var adam = AdamW(count: critic.net.parameterCount, decayMask: critic.net.buffer.layout.decayMask, config: .adam())
        let rng = RandomSource(seed: seed, stream: RandomStream.agentBatches.rawValue &+ 7)
        let batch = Minibatch(batch: B, dataset: dataset)
        let pool = Array(0..<n)
        var q = [Float](repeating: 0, count: B), qt = q, dout = [Float](repeating: 0, count: B * D)
        var curve: [Double] = []
        for step in 0..<config.steps {
            if step % config.targetUpdateInterval == 0 { target.net.copyParameters(from: critic.net) }
            batch.draw(from: dataset, pool: pool, rng: rng)
            batch.nextTokens.withUnsafeBufferPointer { t in
                batch.nextGlobals.withUnsafeBufferPointer { g in
                    batch.isSource.withUnsafeBufferPointer { m in
                        nextActions.withUnsafeBufferPointer { a in
                            qt.withUnsafeMutableBufferPointer { o in
                                _ = target.evaluate(wt, tokens: t.baseAddress!, globals: g.baseAddress!, isSource: m.baseAddress!,
                                                    action: { a.baseAddress! + batch.rows[$0] * D }, into: o.baseAddress!)
                            }
                        }
                    }
                }
            }
            batch.tokens.withUnsafeBufferPointer { t in
                batch.globals.withUnsafeBufferPointer { g in
                    batch.isSource.withUnsafeBufferPointer { m in
                        batch.actions.withUnsafeBufferPointer { a in
                            q.withUnsafeMutableBufferPointer { o in
                                _ = critic.evaluate(ws, tokens: t.baseAddress!, globals: g.baseAddress!, isSource: m.baseAddress!,
                                                    action: { a.baseAddress! + $0 * D }, into: o.baseAddress!)
                            }
                        }
                    }
                }
            }
            var loss = 0.0
            for b in 0..<B {
                let y = Double(batch.rewards[b]) + config.discount * (1 - Double(batch.terminals[b])) * Double(qt[b])
                let err = Double(q[b]) - y
                loss += err * err / Double(B)
                for d in 0..<D { dout[b * D + d] = Float(2 * err / Double(B)) / Float(D) }
            }
            curve.append(loss)
            critic.net.buffer.zeroGradients()
            dout.withUnsafeBufferPointer { critic.net.backward(ws, dout: $0.baseAddress!, inputGradient: false) }
            adam.step(params: critic.net.buffer.params, grads: critic.net.buffer.grads, lr: config.learningRate)
        }
        // Value at each episode's first state under the policy's own action.
        let first = dataset.firstRows
        let TWD = D * TW
        var tokens: [Float] = [], globals: [Float] = [], mask: [Float] = []
        for r in first {
            tokens += dataset.tokens[(r * TWD)..<((r + 1) * TWD)]
            globals += dataset.globals[(r * G)..<((r + 1) * G)]
            mask += dataset.isSource[(r * D)..<((r + 1) * D)]
        }
        let input = NetworkInput(tokens: tokens, globals: globals, isSource: mask, batch: first.count, domains: D)
        let values = critic.q(input, actions: firstActions(input)).map(Double.init)
        return FittedQEvaluationResult(episodes: first.map { dataset.episode[$0] }, initialValues: values,
                                       meanInitialValue: values.reduce(0, +) / Double(values.count), tdLoss: curve)
    }
}

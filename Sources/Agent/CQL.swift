#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kernels
import Numerics

/// Hyper-parameters of Conservative Q-Learning in its SAC-based continuous form (Kumar et al.
/// 2020, CQL(H)); defaults from d3rlpy's `CQLConfig` unless noted.
public struct CQLConfig: Codable, Sendable, Equatable {
    /// Transitions per update (d3rlpy: 256).
    public var batchSize: Int = 256
    /// Actor Adam learning rate (d3rlpy: 1e-4).
    public var actorLearningRate: Float = 1e-4
    /// Critic Adam learning rate (d3rlpy: 3e-4).
    public var criticLearningRate: Float = 3e-4
    /// Learning rate of log α_temp (d3rlpy: 1e-4).
    public var temperatureLearningRate: Float = 1e-4
    /// Initial entropy temperature α_temp (d3rlpy: 1.0).
    public var initialTemperature: Double = 1.0
    /// Whether α_temp is learned (in log space, toward `targetEntropy`); else it stays initial.
    public var learnsTemperature: Bool = true
    /// Target entropy below the uniform distribution, in nats per free dimension: target =
    /// log vol(floored simplex) − (D − 1)·this. On the simplex the usual −dim(action) is wrong: the
    /// uniform distribution, the most entropic, has entropy −log Γ(D) + (D−1)·log(1 − D·f) (≈ −27.9
    /// for D = 16), below −(D − 1), so α_temp would grow forever. Default 1 nat per dimension.
    public var targetEntropyPerDimension: Double = 1.0
    /// Discount γ. Runs have T ≈ 10 re-weighting steps, so d3rlpy's 0.99 barely discounts; 0.9
    /// keeps the horizon (1/(1 − γ) = 10) about one run long.
    public var discount: Double = 0.9
    /// Polyak rate of the target critics (d3rlpy: 0.005).
    public var tau: Float = 0.005
    /// N: actions sampled per source (uniform, π(·|s), π(·|s′)) for the log-sum-exp (d3rlpy: 10).
    public var actionSamples: Int = 10
    /// α_cql, the conservative weight (d3rlpy: 5.0); 0 turns CQL into plain SAC on the data.
    public var conservativeWeight: Double = 5.0
    /// With a threshold, the weight is conservativeWeight·α′ with α′ ≥ 0 tuned by a Lagrange multiplier
    /// so the conservative gap stays near the threshold (d3rlpy's alpha_threshold, 10); nil = fixed.
    public var lagrangeThreshold: Double? = nil
    /// Learning rate and initial value of the Lagrange multiplier α′ (d3rlpy: 1e-4, 1.0).
    public var lagrangeLearningRate: Float = 1e-4
    public var initialLagrangeMultiplier: Double = 1.0
    /// Whether the TD target subtracts α_temp·log π(a′|s′) (the soft backup, as in SAC). True here, as
    /// in SAC; d3rlpy's and CORL's CQL default to false (a hard backup), and so does the agent's
    /// training (`AgentTrainingConfig.cql`): log-densities on a 15-dimensional simplex are in the
    /// hundreds and swamp the rewards.
    public var softQBackup: Bool = true
    /// Shape of the policy's critics.
    public var critic: NetworkConfig = NetworkConfig()

    public init() {}
}

/// Conservative Q-Learning on an `OfflineDataset` (normalised features): twin critics with Polyak
/// targets, an entropy-regularised actor with automatic temperature, and the conservative term
///
///     α_cql · [ log Σ_{i=1..3N} exp(Q(s, a_i) − log q(a_i)) − log 3N − Q(s, a_data) ]
///
/// over N actions from each of Dirichlet(1) on the floored simplex (log q = log Γ(D) − (D−1)·log(1 − D·f)),
/// π(·|s) and π(·|s′) (log q = their log-density). Loss terms of each `update()`, by name:
/// - `critic_td`: Σ_k mean (Q_k(s, a) − y)², y = r + γ(1 − done)(min_k Q̄_k(s′, a′) − α_temp·log π(a′|s′));
/// - `conservative`: Σ_k of the term above (mean over the batch), with its current weight;
/// - `actor`: mean α_temp·log π(a|s) − min_k Q_k(s, a), a ~ π(·|s) reparameterised;
/// - `alpha_temperature`: −α_temp·mean(log π + target entropy); `temperature`: α_temp;
/// - `q_data`, `q_random`, `q_policy`: mean Q (both critics) at the data, uniform and policy actions;
///   `q_sampled_gap` = q_data − mean Q over all 3N sampled actions; `entropy` = −mean log π(a|s);
///   `conservative_weight`, and `lagrange` (the multiplier) when it is tuned.
/// Same seed, same data → bit-identical parameters.
public final class CQL {
    public let config: CQLConfig
    public let policy: PolicyNetwork
    /// The twin critics Q1, Q2 and their Polyak targets.
    public let critics: [CriticNetwork]
    public let targetCritics: [CriticNetwork]
    public let floor: Float
    /// The target entropy used for the temperature (see `CQLConfig.targetEntropyPerDimension`).
    public let targetEntropy: Double
    public private(set) var steps = 0
    /// α_temp = exp(log α_temp).
    public var temperature: Double { exp(Double(logTemperature[0])) }
    /// Matrix-product FLOPs of the last update (networks only).
    public private(set) var lastUpdateFLOPs = 0

    private let dataset: OfflineDataset
    private let pool: [Int]
    private let batchRNG: RandomSource, noiseRNG: RandomSource
    private let batch: Minibatch
    private let D: Int, B: Int, S: Int
    private let policyState: SetWorkspace, policyNext: SetWorkspace
    private let criticBig: [SetWorkspace], criticTarget: [SetWorkspace], criticActor: [SetWorkspace]
    private var actorAdam: AdamW, criticAdams: [AdamW]
    private var temperatureAdam: AdamW, lagrangeAdam: AdamW
    private var logTemperature: [Float], logLagrange: [Float], scalarGrad: [Float] = [0]
    private var bigGlobals: [Float], bigMask: [Float]
    private var sampledActions: [Float], sampledLogQ: [Double]
    private var nextActions: [Float], nextLogP: [Double], targets: [Double]
    private var actorNoise: [Double], actorActions: [Float], actorLogP: [Double]
    private var qBig: [[Float]], qTarget: [[Float]], qActor: [[Float]]
    private var criticDout: [Float], actorCriticDout: [Float], policyDout: [Float]
    private var dirichletScratch: [Double]
    /// The critic step's Double scratch, one block allocated in init: ∂loss/∂Q of each stacked row
    /// (B·(1 + 3N)); the conservative term's scores Q − log q per state (B × 3N), their log-sum-exp
    /// weights and gradients; per state the log-sum-exp and its upstream gradient (B each).
    private let criticScratch: UnsafeMutablePointer<Double>
    private let dQ: UnsafeMutablePointer<Double>, lseScores: UnsafeMutablePointer<Double>, lseWeights: UnsafeMutablePointer<Double>
    private let lseGrad: UnsafeMutablePointer<Double>, lseValues: UnsafeMutablePointer<Double>, lseDout: UnsafeMutablePointer<Double>

    /// CQL from `policy` (e.g. behaviour-cloned) on `dataset`; critics initialised from `seed`.
    public init(config: CQLConfig = CQLConfig(), policy: PolicyNetwork, dataset: OfflineDataset, floor: Float, seed: UInt64) {
        precondition(dataset.tokenWidth == policy.tokenWidth && dataset.globalWidth == policy.globalWidth, "dataset of other widths")
        precondition(dataset.count > 0 && Float(dataset.domainCount) * floor < 1 && config.actionSamples > 0, "CQL needs data, a feasible floor and samples")
        (self.config, self.policy, self.dataset, self.floor) = (config, policy, dataset, floor)
        let D = dataset.domainCount, B = config.batchSize, S = 3 * config.actionSamples
        (self.D, self.B, self.S) = (D, B, S)
        pool = Array(0..<dataset.count)
        let critics = (0..<2).map { CriticNetwork(config: config.critic, tokenWidth: dataset.tokenWidth, globalWidth: dataset.globalWidth, seed: seed &+ UInt64($0) &* 0x9E37) }
        let targets = (0..<2).map { k -> CriticNetwork in
            let t = CriticNetwork(config: config.critic, tokenWidth: dataset.tokenWidth, globalWidth: dataset.globalWidth, seed: 0)
            t.net.copyParameters(from: critics[k].net)
            return t
        }
        self.critics = critics; targetCritics = targets
        targetEntropy = -LogisticNormal.uniformLogDensity(D: D, floor: Double(floor)) - Double(D - 1) * config.targetEntropyPerDimension
        batchRNG = RandomSource(seed: seed, stream: RandomStream.agentBatches.rawValue)
        noiseRNG = RandomSource(seed: seed, stream: RandomStream.agentActionNoise.rawValue)
        batch = Minibatch(batch: B, dataset: dataset)
        policyState = policy.workspace(batch: B, domains: D); policyNext = policy.workspace(batch: B, domains: D)
        let big = B * (1 + S)
        criticBig = critics.map { $0.workspace(batch: big, domains: D) }
        criticTarget = targets.map { $0.workspace(batch: B, domains: D) }
        criticActor = critics.map { $0.workspace(batch: B, domains: D) }
        actorAdam = AdamW(count: policy.net.parameterCount, decayMask: policy.net.buffer.layout.decayMask, config: .adam())
        criticAdams = critics.map { AdamW(count: $0.net.parameterCount, decayMask: $0.net.buffer.layout.decayMask, config: .adam()) }
        temperatureAdam = AdamW(count: 1, decayMask: [false], config: .adam())
        lagrangeAdam = AdamW(count: 1, decayMask: [false], config: .adam())
        logTemperature = [Float(log(config.initialTemperature))]
        logLagrange = [Float(log(config.initialLagrangeMultiplier))]
        bigGlobals = .init(repeating: 0, count: big * dataset.globalWidth); bigMask = .init(repeating: 0, count: big * D)
        sampledActions = .init(repeating: 0, count: S * B * D); sampledLogQ = .init(repeating: 0, count: S * B)
        nextActions = .init(repeating: 0, count: B * D); nextLogP = .init(repeating: 0, count: B); self.targets = nextLogP
        actorNoise = .init(repeating: 0, count: B * D); actorActions = nextActions; actorLogP = nextLogP
        qBig = [.init(repeating: 0, count: big), .init(repeating: 0, count: big)]
        qTarget = [.init(repeating: 0, count: B), .init(repeating: 0, count: B)]; qActor = qTarget
        criticDout = .init(repeating: 0, count: big * D); actorCriticDout = .init(repeating: 0, count: B * D)
        policyDout = .init(repeating: 0, count: B * D * 2)
        dirichletScratch = .init(repeating: 0, count: 2 * D)
        let scratch = big + 3 * B * S + 2 * B
        criticScratch = .allocate(capacity: scratch)
        criticScratch.initialize(repeating: 0, count: scratch)
        dQ = criticScratch; lseScores = dQ + big; lseWeights = lseScores + B * S; lseGrad = lseWeights + B * S
        lseValues = lseGrad + B * S; lseDout = lseValues + B
    }

    deinit { criticScratch.deallocate() }

    /// Everything an update changes, to resume training after a crash exactly where it stopped:
    /// the networks, their optimizer moments, the temperature and multiplier, and both random streams.
    public struct Snapshot: Codable, Sendable, Equatable {
        public var steps: Int
        public var policy: [Float]
        public var critics: [[Float]]
        public var targetCritics: [[Float]]
        public var actorOptimizer: AdamWState
        public var criticOptimizers: [AdamWState]
        public var temperatureOptimizer: AdamWState
        public var lagrangeOptimizer: AdamWState
        public var logTemperature: Float
        public var logLagrange: Float
        public var batchRandomState: [UInt8]
        public var noiseRandomState: [UInt8]
    }

    public func snapshot() -> Snapshot {
        Snapshot(steps: steps, policy: policy.parameters, critics: critics.map(\.parameters), targetCritics: targetCritics.map(\.parameters),
                 actorOptimizer: actorAdam.state, criticOptimizers: criticAdams.map(\.state), temperatureOptimizer: temperatureAdam.state,
                 lagrangeOptimizer: lagrangeAdam.state, logTemperature: logTemperature[0], logLagrange: logLagrange[0],
                 batchRandomState: batchRNG.state, noiseRandomState: noiseRNG.state)
    }

    /// Continues from `saved` (taken from a CQL of the same config, shapes and data).
    public func restore(_ saved: Snapshot) throws {
        guard saved.policy.count == policy.parameters.count, saved.critics.count == 2, saved.targetCritics.count == 2,
              saved.critics.allSatisfy({ $0.count == critics[0].parameters.count }), saved.criticOptimizers.count == 2 else {
            throw NetworkError.parameterCount(expected: policy.parameters.count, got: saved.policy.count)
        }
        policy.parameters = saved.policy
        for k in 0..<2 {
            critics[k].parameters = saved.critics[k]
            targetCritics[k].parameters = saved.targetCritics[k]
            criticAdams[k].state = saved.criticOptimizers[k]
        }
        actorAdam.state = saved.actorOptimizer
        temperatureAdam.state = saved.temperatureOptimizer
        lagrangeAdam.state = saved.lagrangeOptimizer
        logTemperature[0] = saved.logTemperature
        logLagrange[0] = saved.logLagrange
        try batchRNG.restore(saved.batchRandomState)
        try noiseRNG.restore(saved.noiseRandomState)
        steps = saved.steps
    }

    /// The current conservative weight (α_cql, times the Lagrange multiplier when tuned).
    public var conservativeWeight: Double {
        config.lagrangeThreshold == nil ? config.conservativeWeight : config.conservativeWeight * exp(Double(logLagrange[0]))
    }

    /// Draws from π at every state of the forward in `ws`: actions (B × D, at `offset`) and log-densities.
    private func samplePolicy(_ ws: SetWorkspace, actions: inout [Float], offset: Int, logP: inout [Double], logOffset: Int) {
        let D = self.D, f = Double(floor)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * D) { buf in
            let mu = buf.baseAddress!, s = mu + D, eps = mu + 2 * D, w = mu + 3 * D
            for b in 0..<B {
                policy.distribution(ws, state: b, mu: mu, logStd: s)
                for d in 0..<D { eps[d] = noiseRNG.gaussian() }
                logP[logOffset + b] = LogisticNormal.sample(mu: mu, logStd: s, noise: eps, D: D, floor: f, into: w)
                for d in 0..<D { actions[offset + b * D + d] = Float(w[d]) }
            }
        }
    }

    /// Q of critic `c` at the minibatch's B states (`tokens`, `globals`) under `actions` (B × D),
    /// written into `out`, with `ws` as its workspace; returns the forward pass's FLOPs.
    private func criticValues(_ c: CriticNetwork, _ ws: SetWorkspace, tokens: [Float], globals: [Float], actions: [Float], into out: inout [Float]) -> Int {
        let D = self.D
        return tokens.withUnsafeBufferPointer { t in
            globals.withUnsafeBufferPointer { g in
                batch.isSource.withUnsafeBufferPointer { m in
                    actions.withUnsafeBufferPointer { a in
                        out.withUnsafeMutableBufferPointer { o in
                            c.evaluate(ws, tokens: t.baseAddress!, globals: g.baseAddress!, isSource: m.baseAddress!,
                                       action: { a.baseAddress! + $0 * D }, into: o.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    /// One update on a fresh minibatch, in CORL's order: TD targets, the critic step (TD +
    /// conservative), the Lagrange step, the actor step, the temperature step, then the targets'
    /// Polyak step; returns the named loss terms.
    @discardableResult
    public func update() -> [String: Double] {
        let alphaT = temperature, wCons = conservativeWeight
        batch.draw(from: dataset, pool: pool, rng: batchRNG)
        var flops = forwardPolicy()
        flops += computeTargets(temperature: alphaT)
        sampleConservativeActions()
        let critic = criticStep(conservativeWeight: wCons)
        flops += critic.flops
        var out: [String: Double] = [:]
        if let threshold = config.lagrangeThreshold { out["lagrange"] = lagrangeStep(gap: critic.gap, threshold: threshold) }
        let actor = actorStep(temperature: alphaT)
        flops += actor.flops
        let temperatureLoss = temperatureStep(temperature: alphaT, meanLogP: actor.meanLogP)
        for k in 0..<2 { targetCritics[k].net.polyak(toward: critics[k].net, tau: config.tau) }
        steps += 1
        lastUpdateFLOPs = flops
        out["critic_td"] = critic.td
        out["conservative"] = critic.conservative
        out["conservative_weight"] = wCons
        out["actor"] = actor.loss
        out["alpha_temperature"] = temperatureLoss
        out["temperature"] = alphaT
        out["entropy"] = -actor.meanLogP
        out["q_data"] = critic.qData
        out["q_random"] = critic.qRandom
        out["q_policy"] = critic.qPolicy
        out["q_sampled_gap"] = critic.qData - critic.qSampled
        return out
    }

    /// π's forward at s and s′ (no gradient yet; the pass at s is reused by the actor step); returns its FLOPs.
    private func forwardPolicy() -> Int {
        policy.forward(tokens: batch.tokens, globals: batch.globals, isSource: batch.isSource, policyState)
        policy.forward(tokens: batch.nextTokens, globals: batch.nextGlobals, isSource: batch.isSource, policyNext)
        return policyState.forwardFLOPs + policyNext.forwardFLOPs
    }

    /// The TD targets y = r + γ(1 − done)(min_k Q̄_k(s′, a′) − α_temp·log π(a′|s′)), a′ ~ π(·|s′), the
    /// entropy term only with `softQBackup`; returns the target critics' FLOPs.
    private func computeTargets(temperature alphaT: Double) -> Int {
        samplePolicy(policyNext, actions: &nextActions, offset: 0, logP: &nextLogP, logOffset: 0)
        var flops = 0
        for k in 0..<2 {
            flops += criticValues(targetCritics[k], criticTarget[k], tokens: batch.nextTokens, globals: batch.nextGlobals, actions: nextActions, into: &qTarget[k])
        }
        let gamma = config.discount
        for b in 0..<B {
            var next = Double(min(qTarget[0][b], qTarget[1][b]))
            if config.softQBackup { next -= alphaT * nextLogP[b] }
            targets[b] = Double(batch.rewards[b]) + gamma * (1 - Double(batch.terminals[b])) * next
        }
        return flops
    }

    /// The conservative term's 3N actions per state and their log-densities log q: N uniform on the
    /// floored simplex, N from π(·|s), N from π(·|s′) (the policy forwards of this minibatch).
    private func sampleConservativeActions() {
        let D = self.D, B = self.B, N = config.actionSamples, f = Double(floor)
        let logUniform = LogisticNormal.uniformLogDensity(D: D, floor: f)
        let scale = 1 - Double(D) * f
        dirichletScratch.withUnsafeMutableBufferPointer { scratch in
            let w = scratch.baseAddress!, a = w + D
            for k in 0..<N {
                for b in 0..<B {
                    noiseRNG.dirichlet(symmetric: 1, count: D, into: w, scratch: a)
                    for d in 0..<D { sampledActions[(k * B + b) * D + d] = Float(f + scale * w[d]) }
                    sampledLogQ[k * B + b] = logUniform
                }
            }
        }
        for k in 0..<N {
            samplePolicy(policyState, actions: &sampledActions, offset: (N + k) * B * D, logP: &sampledLogQ, logOffset: (N + k) * B)
        }
        for k in 0..<N {
            samplePolicy(policyNext, actions: &sampledActions, offset: (2 * N + k) * B * D, logP: &sampledLogQ, logOffset: (2 * N + k) * B)
        }
    }

    /// What the critic step reports: its loss terms summed over both critics, the Lagrange step's
    /// gap (the unweighted conservative term, averaged over the critics) and the Q statistics.
    private struct CriticTerms {
        var td = 0.0, conservative = 0.0, gap = 0.0
        var qData = 0.0, qRandom = 0.0, qPolicy = 0.0, qSampled = 0.0
        var flops = 0
    }

    /// The critic step (CORL's `_q_loss`): for each critic, the TD regression onto the targets plus
    /// `wCons` × the conservative term, over the stacked batch (data rows, then the 3N sample blocks),
    /// one backward and one Adam step.
    private func criticStep(conservativeWeight wCons: Double) -> CriticTerms {
        let B = self.B, N = config.actionSamples, S = self.S
        fillStackedStates()
        var terms = CriticTerms()
        for k in 0..<2 {
            forwardStacked(k)
            dQ.update(repeating: 0, count: B * (1 + S))
            let (td, cons) = qBig[k].withUnsafeBufferPointer { qb in
                targets.withUnsafeBufferPointer { y in
                    let q = qb.baseAddress!
                    let td = MeanSquaredError.forward(q, y.baseAddress!, N: B)
                    MeanSquaredError.backward(dQ, q, y.baseAddress!, N: B)
                    return (td, conservativeTerm(q, weight: wCons, dQ: dQ))
                }
            }
            let q = qBig[k]
            for b in 0..<B {
                terms.qData += Double(q[b]) / Double(2 * B)
                for j in 0..<N { terms.qRandom += Double(q[(1 + j) * B + b]) / Double(2 * B * N) }
                for j in N..<S { terms.qPolicy += Double(q[(1 + j) * B + b]) / Double(4 * B * N) }
                for j in 0..<S { terms.qSampled += Double(q[(1 + j) * B + b]) / Double(2 * B * S) }
            }
            terms.td += td; terms.conservative += wCons * cons; terms.gap += cons / 2
            terms.flops += backwardStacked(k)
            criticAdams[k].step(params: critics[k].net.buffer.params, grads: critics[k].net.buffer.grads, lr: config.criticLearningRate)
        }
        return terms
    }

    /// The conservative term of one critic, mean over the minibatch of
    /// log Σ_j exp(Q(s, a_j) − log q(a_j)) − log 3N − Q(s, a_data), from its values `q` over the stacked
    /// batch; adds `weight` × its gradient w.r.t. those values into `dQ`.
    private func conservativeTerm(_ q: UnsafePointer<Float>, weight: Double, dQ: UnsafeMutablePointer<Double>) -> Double {
        let B = self.B, S = self.S, invB = 1 / Double(B), logS = log(Double(S))
        for b in 0..<B {
            for j in 0..<S { lseScores[b * S + j] = Double(q[(1 + j) * B + b]) - sampledLogQ[j * B + b] }
        }
        LogSumExp.forward(lseValues, lseWeights, lseScores, N: B, K: S)
        var cons = 0.0
        for b in 0..<B {
            cons += (lseValues[b] - logS - Double(q[b])) * invB
            dQ[b] -= weight * invB
            lseDout[b] = weight * invB
        }
        lseGrad.update(repeating: 0, count: B * S)
        LogSumExp.backward(lseGrad, lseWeights, lseDout, N: B, K: S)
        for b in 0..<B {
            for j in 0..<S { dQ[(1 + j) * B + b] += lseGrad[b * S + j] }
        }
        return cons
    }

    /// The stacked batch's globals and source masks: the minibatch's states, once for the data rows
    /// and once for each of the 3N sample blocks.
    private func fillStackedStates() {
        let B = self.B, D = self.D, G = dataset.globalWidth
        for slot in 0..<(1 + S) {
            let b0 = slot * B
            for i in 0..<(B * G) { bigGlobals[b0 * G + i] = batch.globals[i] }
            for i in 0..<(B * D) { bigMask[b0 * D + i] = batch.isSource[i] }
        }
    }

    /// Critic k's forward over the stacked batch (data actions, then the 3N sampled actions, B rows
    /// each; states from `fillStackedStates`), Q into qBig[k].
    private func forwardStacked(_ k: Int) {
        let D = self.D, B = self.B, S = self.S, G = dataset.globalWidth, TW = dataset.tokenWidth
        let ws = criticBig[k], c = critics[k]
        batch.tokens.withUnsafeBufferPointer { t in
            batch.actions.withUnsafeBufferPointer { a in
                for b in 0..<B { c.writeTokens(ws, slot: b, tokens: t.baseAddress! + b * D * TW, action: a.baseAddress! + b * D) }
            }
            sampledActions.withUnsafeBufferPointer { a in
                for j in 0..<S {
                    for b in 0..<B {
                        c.writeTokens(ws, slot: (1 + j) * B + b, tokens: t.baseAddress! + b * D * TW, action: a.baseAddress! + (j * B + b) * D)
                    }
                }
            }
        }
        bigGlobals.withUnsafeBufferPointer { g in
            bigMask.withUnsafeBufferPointer { m in ws.setStates(globals: g.baseAddress!, isSource: m.baseAddress!, globalWidth: G) }
        }
        c.net.forward(ws)
        qBig[k].withUnsafeMutableBufferPointer { c.values(ws, into: $0.baseAddress!) }
    }

    /// Critic k's parameter gradient (its buffer zeroed first) from ∂loss/∂Q in `dQ` over the stacked
    /// batch of the last `forwardStacked(k)`; returns that forward's and this backward's FLOPs.
    private func backwardStacked(_ k: Int) -> Int {
        let ws = criticBig[k], c = critics[k]
        criticDout.withUnsafeMutableBufferPointer { c.valuesBackward(ws, dq: dQ, into: $0.baseAddress!) }
        c.net.buffer.zeroGradients()
        criticDout.withUnsafeBufferPointer { c.net.backward(ws, dout: $0.baseAddress!, inputGradient: false) }
        return ws.forwardFLOPs + ws.backwardFLOPs
    }

    /// The Lagrange step (CORL's α′ in `_q_loss`): α′ maximises α′·(α_cql·gap − threshold), i.e. log α′
    /// descends −α′·(α_cql·gap − threshold); returns the new α′.
    private func lagrangeStep(gap: Double, threshold: Double) -> Double {
        let a = exp(Double(logLagrange[0]))
        let cons = config.conservativeWeight * gap
        scalarGrad[0] = Float(-a * (cons - threshold))
        lagrangeAdam.step(params: &logLagrange, grads: &scalarGrad, lr: config.lagrangeLearningRate)
        return exp(Double(logLagrange[0]))
    }

    /// The actor step (CORL's `_policy_loss`): a ~ π(·|s) reparameterised, loss
    /// mean α_temp·log π(a|s) − min_k Q_k(s, a) (`actorLoss`), one Adam step.
    private func actorStep(temperature alphaT: Double) -> (loss: Double, meanLogP: Double, flops: Int) {
        for i in 0..<(B * D) { actorNoise[i] = noiseRNG.gaussian() }
        let actor = actorLoss(temperature: alphaT, gradient: true, forwardPolicy: false)
        actorAdam.step(params: policy.net.buffer.params, grads: policy.net.buffer.grads, lr: config.actorLearningRate)
        return actor
    }

    /// The temperature step (CORL's `_alpha_and_alpha_loss`): log α_temp descends
    /// −α_temp·(mean log π + target entropy) when it is learned; returns that loss.
    private func temperatureStep(temperature alphaT: Double, meanLogP: Double) -> Double {
        let temperatureLoss = -alphaT * (meanLogP + targetEntropy)
        if config.learnsTemperature {
            scalarGrad[0] = Float(temperatureLoss)
            temperatureAdam.step(params: &logTemperature, grads: &scalarGrad, lr: config.temperatureLearningRate)
        }
        return temperatureLoss
    }

    /// The unweighted conservative term of critic `k` at the current minibatch and sampled actions
    /// (those of the last `update()` or `drawForConservativeCheck()`); with `gradient`, its gradient
    /// w.r.t. critic k's parameters in that critic's gradient buffer (zeroed first) — the code path of
    /// the critic step (gradient checks).
    func conservativeLoss(critic k: Int, gradient: Bool) -> Double {
        fillStackedStates()
        forwardStacked(k)
        dQ.update(repeating: 0, count: B * (1 + S))
        let cons = qBig[k].withUnsafeBufferPointer { conservativeTerm($0.baseAddress!, weight: 1, dQ: dQ) }
        if gradient { _ = backwardStacked(k) }
        return cons
    }

    /// Draws a minibatch and the conservative term's sampled actions without updating anything (gradient checks).
    func drawForConservativeCheck() {
        batch.draw(from: dataset, pool: pool, rng: batchRNG)
        _ = forwardPolicy()
        sampleConservativeActions()
    }

    /// The actor loss mean α_temp·log π(a|s) − min_k Q_k(s, a) at the current minibatch for the noise in
    /// `actorNoise`; with `gradient`, its gradient w.r.t. the policy's parameters in the policy's
    /// gradient buffer (zeroed first; the critics' gradient buffers are left zeroed).
    func actorLoss(temperature alphaT: Double, gradient: Bool, forwardPolicy: Bool) -> (loss: Double, meanLogP: Double, flops: Int) {
        let D = self.D, B = self.B, TW = dataset.tokenWidth, f = Double(floor)
        if forwardPolicy { policy.forward(tokens: batch.tokens, globals: batch.globals, isSource: batch.isSource, policyState) }
        var flops = 0
        samplePolicyReparameterised()
        for k in 0..<2 {
            flops += criticValues(critics[k], criticActor[k], tokens: batch.tokens, globals: batch.globals, actions: actorActions, into: &qActor[k])
        }
        var actorLoss = 0.0, meanLogP = 0.0
        for b in 0..<B {
            actorLoss += (alphaT * actorLogP[b] - Double(min(qActor[0][b], qActor[1][b]))) / Double(B)
            meanLogP += actorLogP[b] / Double(B)
        }
        guard gradient else { return (actorLoss, meanLogP, flops) }
        // ∂(−min Q/B)/∂a through the critic that is the minimum at each state.
        let W = TW + 1
        withUnsafeTemporaryAllocation(of: Double.self, capacity: B * D) { gbuf in
            let g = gbuf.baseAddress!
            g.update(repeating: 0, count: B * D)
            for k in 0..<2 {
                let ws = criticActor[k], c = critics[k]
                for b in 0..<B {
                    let chosen = k == 0 ? qActor[0][b] <= qActor[1][b] : qActor[0][b] > qActor[1][b]
                    for d in 0..<D { actorCriticDout[b * D + d] = chosen ? -1 / Float(B * D) : 0 }
                }
                c.net.buffer.zeroGradients()
                actorCriticDout.withUnsafeBufferPointer { c.net.backward(ws, dout: $0.baseAddress!, inputGradient: true) }
                flops += ws.backwardFLOPs
                for r in 0..<(B * D) { g[r] += Double(ws.dx0[r * W + TW]) * Double(D) }
                c.net.buffer.zeroGradients()
            }
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 5 * D) { buf in
                let mu = buf.baseAddress!, s = mu + D, w = mu + 2 * D, dm = mu + 3 * D, ds = mu + 4 * D
                actorNoise.withUnsafeBufferPointer { eps in
                    for b in 0..<B {
                        policy.distribution(policyState, state: b, mu: mu, logStd: s)
                        _ = LogisticNormal.sampleAndBackward(mu: mu, logStd: s, noise: eps.baseAddress! + b * D, D: D, floor: f, into: w,
                                                             dMixture: g + b * D, dLogDensity: alphaT / Double(B), dMu: dm, dLogStd: ds)
                        for d in 0..<D {
                            let r = b * D + d
                            policyDout[r * 2] = Float(dm[d])
                            policyDout[r * 2 + 1] = policy.logStdActive(policyState, row: r) ? Float(ds[d]) : 0
                        }
                    }
                }
            }
        }
        policy.net.buffer.zeroGradients()
        policyDout.withUnsafeBufferPointer { policy.net.backward(policyState, dout: $0.baseAddress!, inputGradient: false) }
        flops += policyState.backwardFLOPs
        return (actorLoss, meanLogP, flops)
    }

    /// Draws a minibatch and actor noise without updating anything (gradient checks).
    func drawForActorCheck() {
        batch.draw(from: dataset, pool: pool, rng: batchRNG)
        for i in 0..<(B * D) { actorNoise[i] = noiseRNG.gaussian() }
    }

    /// The actor's reparameterised samples at s (from `actorNoise`) into actorActions / actorLogP.
    private func samplePolicyReparameterised() {
        let D = self.D, f = Double(floor)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * D) { buf in
            let mu = buf.baseAddress!, s = mu + D, w = mu + 2 * D
            actorNoise.withUnsafeBufferPointer { eps in
                for b in 0..<B {
                    policy.distribution(policyState, state: b, mu: mu, logStd: s)
                    actorLogP[b] = LogisticNormal.sample(mu: mu, logStd: s, noise: eps.baseAddress! + b * D, D: D, floor: f, into: w)
                    for d in 0..<D { actorActions[b * D + d] = Float(w[d]) }
                }
            }
        }
    }

    /// `steps` updates; each named term's curve.
    public func run(steps: Int) -> [String: [Double]] {
        var curve: [String: [Double]] = [:]
        for _ in 0..<steps { for (k, v) in update() { curve[k, default: []].append(v) } }
        return curve
    }
}

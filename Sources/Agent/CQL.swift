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
    /// Whether the TD target subtracts α_temp·log π(a′|s′) (the soft backup, as in SAC). d3rlpy's CQL
    /// defaults to false; here true, per the agent's design (the entropy bonus regularises the
    /// simplex policy); set false for a hard backup.
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
    /// exp(Q − log q − max) of each sampled action at one state: the log-sum-exp and its softmax weights.
    private var lseTerms: [Double]

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
        lseTerms = .init(repeating: 0, count: S)
    }

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

    /// One critic, actor and temperature step on a fresh minibatch; returns the named loss terms.
    @discardableResult
    public func update() -> [String: Double] {
        let D = self.D, B = self.B, S = self.S, N = config.actionSamples, G = dataset.globalWidth, TW = dataset.tokenWidth
        let f = Double(floor), gamma = config.discount, alphaT = temperature, wCons = conservativeWeight
        var flops = 0
        batch.draw(from: dataset, pool: pool, rng: batchRNG)

        // Policy at s and s′ (no gradient yet; the state pass is reused by the actor step).
        policy.forward(tokens: batch.tokens, globals: batch.globals, isSource: batch.isSource, policyState)
        policy.forward(tokens: batch.nextTokens, globals: batch.nextGlobals, isSource: batch.isSource, policyNext)
        flops += policyState.forwardFLOPs + policyNext.forwardFLOPs

        // TD target y = r + γ(1 − done)(min_k Q̄_k(s′, a′) − α_temp·log π(a′|s′)).
        samplePolicy(policyNext, actions: &nextActions, offset: 0, logP: &nextLogP, logOffset: 0)
        for k in 0..<2 {
            flops += criticValues(targetCritics[k], criticTarget[k], tokens: batch.nextTokens, globals: batch.nextGlobals, actions: nextActions, into: &qTarget[k])
        }
        for b in 0..<B {
            var next = Double(min(qTarget[0][b], qTarget[1][b]))
            if config.softQBackup { next -= alphaT * nextLogP[b] }
            targets[b] = Double(batch.rewards[b]) + gamma * (1 - Double(batch.terminals[b])) * next
        }

        // The 3N sampled actions: uniform on the floored simplex, π(·|s), π(·|s′).
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

        // Critic step: TD + conservative term over the stacked batch (data rows, then 3N sample blocks).
        for slot in 0..<(1 + S) {
            let b0 = slot * B
            for i in 0..<(B * G) { bigGlobals[b0 * G + i] = batch.globals[i] }
            for i in 0..<(B * D) { bigMask[b0 * D + i] = batch.isSource[i] }
        }
        var tdSum = 0.0, consSum = 0.0, qData = 0.0, qRandom = 0.0, qPolicy = 0.0, qSampled = 0.0, gapSum = 0.0
        let logS = log(Double(S))
        for k in 0..<2 {
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
            let q = qBig[k]
            var td = 0.0, cons = 0.0
            let invB = 1 / Double(B), invD = 1 / Float(D)
            for b in 0..<B {
                let qd = Double(q[b])
                let err = qd - targets[b]
                td += err * err * invB
                // log-sum-exp over the 3N importance-weighted samples (max-shifted, in Double).
                var m = -Double.infinity
                for j in 0..<S { m = max(m, Double(q[(1 + j) * B + b]) - sampledLogQ[j * B + b]) }
                var total = 0.0
                for j in 0..<S {
                    lseTerms[j] = exp(Double(q[(1 + j) * B + b]) - sampledLogQ[j * B + b] - m)
                    total += lseTerms[j]
                }
                let lse = m + log(total)
                cons += (lse - logS - qd) * invB
                let dData = 2 * err * invB - wCons * invB
                for d in 0..<D { criticDout[b * D + d] = Float(dData) * invD }
                for j in 0..<S {
                    let p = lseTerms[j] / total
                    let dq = Float(wCons * invB * p) * invD
                    for d in 0..<D { criticDout[((1 + j) * B + b) * D + d] = dq }
                }
                qData += qd / Double(2 * B)
                for j in 0..<N { qRandom += Double(q[(1 + j) * B + b]) / Double(2 * B * N) }
                for j in N..<S { qPolicy += Double(q[(1 + j) * B + b]) / Double(4 * B * N) }
                for j in 0..<S { qSampled += Double(q[(1 + j) * B + b]) / Double(2 * B * S) }
            }
            tdSum += td; consSum += wCons * cons; gapSum += cons / 2
            c.net.buffer.zeroGradients()
            criticDout.withUnsafeBufferPointer { c.net.backward(ws, dout: $0.baseAddress!, inputGradient: false) }
            flops += ws.forwardFLOPs + ws.backwardFLOPs
            criticAdams[k].step(params: c.net.buffer.params, grads: c.net.buffer.grads, lr: config.criticLearningRate)
        }
        var out: [String: Double] = [:]
        if let threshold = config.lagrangeThreshold {
            // α′ maximises α′·(gap − threshold): d(−α′(gap − threshold))/d log α′ = −α′(gap − threshold).
            let a = exp(Double(logLagrange[0]))
            let cons = config.conservativeWeight * gapSum
            scalarGrad[0] = Float(-a * (cons - threshold))
            lagrangeAdam.step(params: &logLagrange, grads: &scalarGrad, lr: config.lagrangeLearningRate)
            out["lagrange"] = exp(Double(logLagrange[0]))
        }

        // Actor step: a ~ π(·|s) reparameterised; loss mean α_temp·log π(a|s) − min_k Q_k(s, a).
        for i in 0..<(B * D) { actorNoise[i] = noiseRNG.gaussian() }
        let actor = actorLoss(temperature: alphaT, gradient: true, forwardPolicy: false)
        let actorLoss = actor.loss, meanLogP = actor.meanLogP
        flops += actor.flops
        actorAdam.step(params: policy.net.buffer.params, grads: policy.net.buffer.grads, lr: config.actorLearningRate)

        // Temperature: α_temp ← minimises −α_temp·(log π + target entropy), in log space.
        let temperatureLoss = -alphaT * (meanLogP + targetEntropy)
        if config.learnsTemperature {
            scalarGrad[0] = Float(temperatureLoss)
            temperatureAdam.step(params: &logTemperature, grads: &scalarGrad, lr: config.temperatureLearningRate)
        }

        for k in 0..<2 { targetCritics[k].net.polyak(toward: critics[k].net, tau: config.tau) }
        steps += 1
        lastUpdateFLOPs = flops
        out["critic_td"] = tdSum
        out["conservative"] = consSum
        out["conservative_weight"] = wCons
        out["actor"] = actorLoss
        out["alpha_temperature"] = temperatureLoss
        out["temperature"] = alphaT
        out["entropy"] = -meanLogP
        out["q_data"] = qData
        out["q_random"] = qRandom
        out["q_policy"] = qPolicy
        out["q_sampled_gap"] = qData - qSampled
        return out
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

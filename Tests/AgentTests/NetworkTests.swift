import Numerics
import Testing
@testable import Agent

private func randomInput(B: Int, D: Int, tokenWidth: Int, globalWidth: Int, seed: UInt64) -> NetworkInput {
    let rng = RandomSource(seed: seed)
    let tokens = (0..<(B * D * tokenWidth)).map { _ in Float(rng.gaussian()) }
    let globals = (0..<(B * globalWidth)).map { _ in Float(rng.gaussian()) }
    // State 0 has no target domain (an empty field pools to zeros); the rest alternate.
    let mask = (0..<(B * D)).map { r in r / D == 0 ? Float(1) : Float((r % D) % 2) }
    return NetworkInput(tokens: tokens, globals: globals, isSource: mask, batch: B, domains: D)
}

/// Directional derivatives: (L(θ + hv) − L(θ − hv)) / 2h against ∇L·v for a few random v.
func checkDirectional(parameters: [Float], gradient: [Double], seed: UInt64, h: Float = 1e-3,
                              set: ([Float]) -> Void, loss: () -> Double) -> Double {
    let rng = RandomSource(seed: seed)
    var worst = 0.0
    for _ in 0..<4 {
        // A unit direction: a step of h in parameter space, small against the ReLU kinks.
        var v = parameters.map { _ in Float(rng.gaussian()) }
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        v = v.map { $0 / norm }
        let analytic = zip(gradient, v).reduce(0) { $0 + $1.0 * Double($1.1) }
        set(zip(parameters, v).map { $0 + h * $1 }); let lp = loss()
        set(zip(parameters, v).map { $0 - h * $1 }); let lm = loss()
        set(parameters)
        let numeric = (lp - lm) / Double(2 * h)
        worst = max(worst, abs(numeric - analytic) / max(abs(analytic), 1e-2))
    }
    return worst // relative error of the worst direction
}

@Test func policyLogProbabilityGradientMatchesFiniteDifferences() {
    let (B, D, TW, G) = (3, 5, 4, 3)
    let policy = PolicyNetwork(config: smallNetwork, tokenWidth: TW, globalWidth: G, seed: 1)
    // A larger output scale than the default init, so μ and s vary across domains.
    policy.parameters = policy.parameters.map { $0 * 2 }
    let input = randomInput(B: B, D: D, tokenWidth: TW, globalWidth: G, seed: 2)
    let rng = RandomSource(seed: 3)
    let f: Float = 0.01
    let mix = (0..<B).flatMap { _ in rng.dirichlet([Double](repeating: 1.5, count: D)).map { Float(0.01 + 0.95 * $0) } }
    func loss() -> Double { -policy.logProbability(input, mixtures: mix, floor: f).reduce(0, +) / Double(B) }
    // Analytic: the BC gradient path.
    let ws = policy.workspace(batch: B, domains: D)
    policy.forward(input, ws)
    var dout = [Float](repeating: 0, count: B * D * 2)
    var mu = [Double](repeating: 0, count: D), s = mu, w = mu, dm = mu, ds = mu
    for b in 0..<B {
        policy.distribution(ws, state: b, mu: &mu, logStd: &s)
        for d in 0..<D { w[d] = Double(mix[b * D + d]) }
        _ = LogisticNormal.logDensity(mixture: w, mu: mu, logStd: s, D: D, floor: Double(f), dMu: &dm, dLogStd: &ds)
        for d in 0..<D { dout[(b * D + d) * 2] = Float(-dm[d] / Double(B)); dout[(b * D + d) * 2 + 1] = Float(-ds[d] / Double(B)) }
    }
    policy.net.buffer.zeroGradients()
    policy.net.backward(ws, dout: dout, inputGradient: false)
    let grad = (0..<policy.net.parameterCount).map { Double(policy.net.buffer.grads[$0]) }
    let p0 = policy.parameters
    let err = checkDirectional(parameters: p0, gradient: grad, seed: 4, set: { policy.parameters = $0 }, loss: loss)
    #expect(err < 2e-2, "relative error \(err)")
}

@Test func criticGradientsMatchFiniteDifferencesForParametersAndActions() {
    let (B, D, TW, G) = (3, 6, 4, 2)
    let critic = CriticNetwork(config: smallNetwork, tokenWidth: TW, globalWidth: G, seed: 5)
    let input = randomInput(B: B, D: D, tokenWidth: TW, globalWidth: G, seed: 6)
    let rng = RandomSource(seed: 7)
    let actions = (0..<B).flatMap { _ in rng.dirichlet([Double](repeating: 1, count: D)).map(Float.init) }
    let coef = (0..<B).map { _ in rng.gaussian() }
    func loss(_ a: [Float]) -> Double { zip(critic.q(input, actions: a), coef).reduce(0) { $0 + Double($1.0) * $1.1 } }
    _ = critic.q(input, actions: actions)
    // Re-run forward in a workspace of our own and backprop Σ c_b Q_b.
    let ws = critic.workspace(batch: B, domains: D)
    for b in 0..<B {
        input.tokens.withUnsafeBufferPointer { t in actions.withUnsafeBufferPointer { a in
            critic.writeTokens(ws, slot: b, tokens: t.baseAddress! + b * D * TW, action: a.baseAddress! + b * D) } }
    }
    ws.setStates(globals: input.globals, isSource: input.isSource, globalWidth: G)
    critic.net.forward(ws)
    let dout = (0..<(B * D)).map { Float(coef[$0 / D]) / Float(D) }
    critic.net.buffer.zeroGradients()
    critic.net.backward(ws, dout: dout, inputGradient: true)
    let grad = (0..<critic.net.parameterCount).map { Double(critic.net.buffer.grads[$0]) }
    let p0 = critic.parameters
    let err = checkDirectional(parameters: p0, gradient: grad, seed: 8, set: { critic.parameters = $0 }, loss: { loss(actions) })
    #expect(err < 2e-2, "parameters: relative error \(err)")
    // With respect to each action weight (the token column holds w_d·D).
    let dA = (0..<(B * D)).map { Double(ws.dx0[$0 * (TW + 1) + TW]) * Double(D) }
    var errSq = 0.0, refSq = 0.0
    let h: Float = 3e-4
    for i in 0..<(B * D) {
        var a = actions, b = actions; a[i] += h; b[i] -= h
        let numeric = (loss(a) - loss(b)) / Double(2 * h)
        errSq += (numeric - dA[i]) * (numeric - dA[i]); refSq += dA[i] * dA[i]
    }
    let rel = (errSq / refSq).squareRoot()
    #expect(rel < 2e-2, "actions: relative L2 error \(rel)")
}

@Test(arguments: [(6, 8), (8, 8), (8, 9)])
func onePolicyServesAnyDomainSpaceAndIsPermutationEquivariant(source: Int, target: Int) {
    let (TW, G, B) = (5, 4, 3)
    let D = source + target
    let policy = PolicyNetwork(config: smallNetwork, tokenWidth: TW, globalWidth: G, seed: 9)
    policy.parameters = policy.parameters.map { $0 * 3 } // less uniform outputs
    let rng = RandomSource(seed: UInt64(D))
    let tokens = (0..<(B * D * TW)).map { _ in Float(rng.gaussian()) }
    let globals = (0..<(B * G)).map { _ in Float(rng.gaussian()) }
    let mask = (0..<(B * D)).map { Float(($0 % D) < source ? 1 : 0) }
    let input = NetworkInput(tokens: tokens, globals: globals, isSource: mask, batch: B, domains: D)
    let f: Float = 0.5 / Float(D) / 4
    for deterministic in [true, false] {
        let w = policy.act(input, floor: f, deterministic: deterministic, rng: RandomSource(seed: 1))
        for b in 0..<B {
            let row = w[(b * D)..<((b + 1) * D)]
            #expect(row.allSatisfy { $0 >= f * (1 - 1e-6) })
            #expect(abs(row.reduce(Float(0), +) - 1) < 1e-6)
        }
    }
    // A permutation of the domains (within each state) permutes the deterministic output.
    var perm = Array(0..<D)
    rng.shuffle(&perm)
    var pt = tokens, pm = mask
    for b in 0..<B { for d in 0..<D {
        pm[b * D + d] = mask[b * D + perm[d]]
        for j in 0..<TW { pt[(b * D + d) * TW + j] = tokens[(b * D + perm[d]) * TW + j] }
    } }
    let w = policy.act(input, floor: f, deterministic: true, rng: nil)
    let wp = policy.act(NetworkInput(tokens: pt, globals: globals, isSource: pm, batch: B, domains: D), floor: f, deterministic: true, rng: nil)
    var worst: Float = 0
    for b in 0..<B { for d in 0..<D { worst = max(worst, abs(wp[b * D + d] - w[b * D + perm[d]])) } }
    #expect(worst < 1e-6)
    // And the mixture is not trivially uniform (the test would pass vacuously otherwise).
    #expect((w.max() ?? 0) - (w.min() ?? 0) > 1e-3)
}

@Test func parametersRoundTripAndShapeIsChecked() throws {
    let p = PolicyNetwork(config: smallNetwork, tokenWidth: 3, globalWidth: 2, seed: 1)
    let q = try PolicyNetwork(config: smallNetwork, tokenWidth: 3, globalWidth: 2, parameters: p.parameters)
    #expect(q.parameters == p.parameters)
    #expect(throws: NetworkError.self) { try PolicyNetwork(config: smallNetwork, tokenWidth: 4, globalWidth: 2, parameters: p.parameters) }
    #expect(throws: NetworkError.self) { try CriticNetwork(config: smallNetwork, tokenWidth: 3, globalWidth: 2, parameters: [1, 2]) }
}

@Test func cqlActorLossGradientMatchesFiniteDifferences() {
    // End to end: critics' action gradient → reparameterised sample → policy parameters.
    singleThreaded()
    var data = OfflineDataset(domainCount: 4, tokenWidth: 3, globalWidth: 2)
    let rng = RandomSource(seed: 31)
    for e in 0..<40 {
        let t = (0..<12).map { _ in Float(rng.gaussian()) }, g = [Float(rng.gaussian()), Float(rng.gaussian())]
        data.append(tokens: t, globals: g, isSource: [1, 1, 0, 0], action: rng.dirichlet([1, 1, 1, 1]).map(Float.init),
                    reward: Float(rng.gaussian()), nextTokens: t, nextGlobals: g, terminal: true, episode: e)
    }
    let policy = PolicyNetwork(config: smallNetwork, tokenWidth: 3, globalWidth: 2, seed: 32)
    policy.parameters = policy.parameters.map { $0 * 2 }
    var cfg = CQLConfig()
    cfg.batchSize = 8; cfg.actionSamples = 2; cfg.critic = smallNetwork
    let cql = CQL(config: cfg, policy: policy, dataset: data, floor: 0.02, seed: 33)
    for _ in 0..<3 { cql.update() }
    cql.drawForActorCheck()
    let alpha = 0.3
    _ = cql.actorLoss(temperature: alpha, gradient: true, forwardPolicy: true)
    let grad = (0..<policy.net.parameterCount).map { Double(policy.net.buffer.grads[$0]) }
    let err = checkDirectional(parameters: policy.parameters, gradient: grad, seed: 34, set: { policy.parameters = $0 },
                               loss: { cql.actorLoss(temperature: alpha, gradient: false, forwardPolicy: true).loss })
    #expect(err < 2e-2, "relative error \(err)")
}

@Test func cqlConservativeTermGradientMatchesFiniteDifferences() {
    // The critic step's conservative gradient: log-sum-exp over the sampled actions and Q at the
    // data action → each Q → the critic's parameters, against the term recomputed (in Double, from
    // the critic's Float values) at perturbed parameters with the same minibatch and sampled actions.
    singleThreaded()
    var data = OfflineDataset(domainCount: 4, tokenWidth: 3, globalWidth: 2)
    let rng = RandomSource(seed: 41)
    for e in 0..<40 {
        let t = (0..<12).map { _ in Float(rng.gaussian()) }, g = [Float(rng.gaussian()), Float(rng.gaussian())]
        data.append(tokens: t, globals: g, isSource: [1, 1, 0, 0], action: rng.dirichlet([1, 1, 1, 1]).map(Float.init),
                    reward: Float(rng.gaussian()), nextTokens: t, nextGlobals: g, terminal: true, episode: e)
    }
    let policy = PolicyNetwork(config: smallNetwork, tokenWidth: 3, globalWidth: 2, seed: 42)
    var cfg = CQLConfig()
    cfg.batchSize = 8; cfg.actionSamples = 2; cfg.critic = smallNetwork
    let cql = CQL(config: cfg, policy: policy, dataset: data, floor: 0.02, seed: 43)
    for _ in 0..<3 { cql.update() }
    cql.drawForConservativeCheck()
    for k in 0..<2 {
        let critic = cql.critics[k]
        let value = cql.conservativeLoss(critic: k, gradient: true)
        let grad = (0..<critic.net.parameterCount).map { Double(critic.net.buffer.grads[$0]) }
        #expect(value.isFinite && grad.contains { $0 != 0 })
        let err = checkDirectional(parameters: critic.parameters, gradient: grad, seed: 44 + UInt64(k), set: { critic.parameters = $0 },
                                   loss: { cql.conservativeLoss(critic: k, gradient: false) })
        #expect(err < 2e-2, "critic \(k): relative error \(err)")
    }
}

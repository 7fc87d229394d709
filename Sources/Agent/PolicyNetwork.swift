import Kernels
import Numerics

/// Shapes of a network's parameters that do not match what was asked for.
public enum NetworkError: Error, CustomStringConvertible, Equatable {
    case parameterCount(expected: Int, got: Int)
    public var description: String {
        switch self {
        case let .parameterCount(expected, got):
            return "network parameters: expected \(expected) values for this config and feature widths, got \(got); check the config saved with the parameters"
        }
    }
}

extension DomainSetNetwork {
    /// A network of these shapes holding `parameters`; throws when their count does not fit.
    static func holding(_ parameters: [Float], config: NetworkConfig, inputWidth: Int, globalWidth: Int, outputWidth: Int) throws -> DomainSetNetwork {
        // The count comes from the layout, before the buffer is allocated: a config that does not
        // fit its parameters must not cost memory of the config's size.
        let expected = DomainSetNetwork.layout(config: config, inputWidth: inputWidth, globalWidth: globalWidth, outputWidth: outputWidth).count
        guard parameters.count == expected else { throw NetworkError.parameterCount(expected: expected, got: parameters.count) }
        let net = DomainSetNetwork(config: config, inputWidth: inputWidth, globalWidth: globalWidth, outputWidth: outputWidth)
        net.parameters = parameters
        return net
    }
}

/// What the policy and the critics share: a DeepSets network over tokens of `tokenWidth` features
/// and `globalWidth` globals, its flat parameters, and a workspace kept for the last batch shape.
public class DomainSetModel {
    public let config: NetworkConfig
    public let tokenWidth: Int
    public let globalWidth: Int
    let net: DomainSetNetwork
    private var cached: SetWorkspace?

    init(config: NetworkConfig, tokenWidth: Int, globalWidth: Int, net: DomainSetNetwork) {
        (self.config, self.tokenWidth, self.globalWidth, self.net) = (config, tokenWidth, globalWidth, net)
    }

    /// The flat parameter buffer (layout: `phi.*`, `globals.*`, `psi.*`).
    public var parameters: [Float] {
        get { net.parameters }
        set { net.parameters = newValue }
    }

    func workspace(batch: Int, domains: Int) -> SetWorkspace { SetWorkspace(network: net, batch: batch, domains: domains) }

    /// The workspace of the last call's shape, rebuilt only when the shape changes.
    func cachedWorkspace(batch: Int, domains: Int) -> SetWorkspace {
        if let c = cached, c.batch == batch, c.domains == domains { return c }
        let ws = workspace(batch: batch, domains: domains)
        cached = ws
        return ws
    }
}

/// The data-mixing policy: per domain a logit mean μ_d and log-std s_d from the DeepSets network
/// (`NetworkConfig`), turned into a mixture by the floored logistic-normal (`LogisticNormal`).
/// Works unchanged for any domain count; permuting the domains permutes its output.
public final class PolicyNetwork: DomainSetModel {
    /// A freshly initialised policy (PyTorch-default layers, output layer scaled by 0.01 so the
    /// first mixtures are near uniform with σ ≈ 1).
    public init(config: NetworkConfig = NetworkConfig(), tokenWidth: Int, globalWidth: Int, seed: UInt64) {
        let net = DomainSetNetwork(config: config, inputWidth: tokenWidth, globalWidth: globalWidth, outputWidth: 2)
        net.initialise(rng: RandomSource(seed: seed, stream: RandomStream.agentInitialisation.rawValue), outputScale: 0.01)
        super.init(config: config, tokenWidth: tokenWidth, globalWidth: globalWidth, net: net)
    }

    /// A policy with the given parameters; throws when their count does not fit the shapes.
    public init(config: NetworkConfig, tokenWidth: Int, globalWidth: Int, parameters: [Float]) throws {
        super.init(config: config, tokenWidth: tokenWidth, globalWidth: globalWidth,
                   net: try DomainSetNetwork.holding(parameters, config: config, inputWidth: tokenWidth, globalWidth: globalWidth, outputWidth: 2))
    }

    /// Runs the network on `input` in `ws`; ws.out holds (μ_d, raw log-std_d) per token row.
    func forward(_ input: NetworkInput, _ ws: SetWorkspace) {
        precondition(input.batch == ws.batch && input.domains == ws.domains && input.tokens.count == ws.rows * tokenWidth
                     && input.globals.count == input.batch * globalWidth, "policy input of another shape")
        input.tokens.withUnsafeBufferPointer { ws.x0.update(from: $0.baseAddress!, count: ws.rows * tokenWidth) }
        input.globals.withUnsafeBufferPointer { g in
            input.isSource.withUnsafeBufferPointer { m in ws.setStates(globals: g.baseAddress!, isSource: m.baseAddress!, globalWidth: globalWidth) }
        }
        net.forward(ws)
    }

    /// Reads row r's clamped (μ, s) from a forward pass into Double buffers of D.
    func distribution(_ ws: SetWorkspace, state b: Int, mu: UnsafeMutablePointer<Double>, logStd: UnsafeMutablePointer<Double>) {
        let D = ws.domains
        for d in 0..<D {
            let o = ws.out + (b * D + d) * 2
            mu[d] = Double(o[0])
            logStd[d] = Double(min(max(o[1], config.logStdMin), config.logStdMax))
        }
    }

    /// Whether row (b, d)'s raw log-std is inside the clamp (else its gradient is 0).
    func logStdActive(_ ws: SetWorkspace, row r: Int) -> Bool {
        let v = ws.out[r * 2 + 1]
        return v >= config.logStdMin && v <= config.logStdMax
    }

    /// B × D mixtures for the states of `input`: f + (1 − D·f)·softmax(μ) when `deterministic`,
    /// else a sample (needs `rng`). Each row has every weight ≥ `floor` and sums to 1 within ~1e-6
    /// in Float (computed in Double); renormalise in Double if exactness matters.
    public func act(_ input: NetworkInput, floor: Float, deterministic: Bool, rng: RandomSource?) -> [Float] {
        precondition(Float(input.domains) * floor < 1, "floor × domain count must stay below 1")
        precondition(deterministic || rng != nil, "a stochastic action needs a random source")
        let ws: SetWorkspace
        ws = cachedWorkspace(batch: input.batch, domains: input.domains)
        forward(input, ws)
        let B = input.batch, D = input.domains
        var out = [Float](repeating: 0, count: B * D)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * D) { buf in
            let mu = buf.baseAddress!, s = mu + D, eps = mu + 2 * D, w = mu + 3 * D
            for b in 0..<B {
                distribution(ws, state: b, mu: mu, logStd: s)
                if deterministic {
                    LogisticNormal.mode(mu: mu, D: D, floor: Double(floor), into: w)
                } else {
                    for d in 0..<D { eps[d] = rng!.gaussian() }
                    _ = LogisticNormal.sample(mu: mu, logStd: s, noise: eps, D: D, floor: Double(floor), into: w)
                }
                for d in 0..<D { out[b * D + d] = Float(w[d]) }
            }
        }
        return out
    }

    /// log π(mixture | state) for each state of `input` (mixtures B × D).
    public func logProbability(_ input: NetworkInput, mixtures: [Float], floor: Float) -> [Double] {
        let ws = cachedWorkspace(batch: input.batch, domains: input.domains)
        forward(input, ws)
        let B = input.batch, D = input.domains
        precondition(mixtures.count == B * D, "one mixture per state")
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * D) { buf in
            let mu = buf.baseAddress!, s = mu + D, w = mu + 2 * D
            return (0..<B).map { b in
                distribution(ws, state: b, mu: mu, logStd: s)
                for d in 0..<D { w[d] = Double(mixtures[b * D + d]) }
                return LogisticNormal.logDensity(mixture: w, mu: mu, logStd: s, D: D, floor: Double(floor), dMu: nil, dLogStd: nil)
            }
        }
    }
}

/// A critic Q(s, a): the DeepSets network over tokens with each domain's action weight appended
/// (as w_d·D, so a uniform mixture reads 1 whatever D), one scalar per domain, averaged over the
/// domains.
public final class CriticNetwork: DomainSetModel {
    /// A freshly initialised critic (PyTorch-default layers).
    public init(config: NetworkConfig = NetworkConfig(), tokenWidth: Int, globalWidth: Int, seed: UInt64) {
        let net = DomainSetNetwork(config: config, inputWidth: tokenWidth + 1, globalWidth: globalWidth, outputWidth: 1)
        net.initialise(rng: RandomSource(seed: seed, stream: RandomStream.agentInitialisation.rawValue &+ 1), outputScale: 1)
        super.init(config: config, tokenWidth: tokenWidth, globalWidth: globalWidth, net: net)
    }

    /// A critic with the given parameters; throws when their count does not fit the shapes.
    public init(config: NetworkConfig, tokenWidth: Int, globalWidth: Int, parameters: [Float]) throws {
        super.init(config: config, tokenWidth: tokenWidth, globalWidth: globalWidth,
                   net: try DomainSetNetwork.holding(parameters, config: config, inputWidth: tokenWidth + 1, globalWidth: globalWidth, outputWidth: 1))
    }

    /// Writes state b's tokens with action weights into ws.x0 (row block of state `slot`).
    @inline(__always)
    func writeTokens(_ ws: SetWorkspace, slot: Int, tokens: UnsafePointer<Float>, action: UnsafePointer<Float>) {
        let D = ws.domains, TW = tokenWidth, W = TW + 1
        for d in 0..<D {
            let dst = ws.x0 + (slot * D + d) * W
            dst.update(from: tokens + d * TW, count: TW)
            dst[TW] = action[d] * Float(D)
        }
    }

    /// Q per state from the last forward of ws (mean of the per-domain outputs), into q (B).
    func values(_ ws: SetWorkspace, into q: UnsafeMutablePointer<Float>) {
        let D = ws.domains
        for b in 0..<ws.batch {
            var s: Float = 0
            for d in 0..<D { s += ws.out[b * D + d] }
            q[b] = s / Float(D)
        }
    }

    /// `values`' backward: dout (B·D) = dq[b] / D at each of state b's domains (overwrites), for
    /// `DomainSetNetwork.backward`.
    func valuesBackward(_ ws: SetWorkspace, dq: UnsafePointer<Double>, into dout: UnsafeMutablePointer<Float>) {
        let D = ws.domains, invD = 1 / Float(D)
        for b in 0..<ws.batch {
            let g = Float(dq[b]) * invD
            for d in 0..<D { dout[b * D + d] = g }
        }
    }

    /// Q(s, a) for the states of `input` and mixtures `actions` (B × D).
    public func q(_ input: NetworkInput, actions: [Float]) -> [Float] {
        let B = input.batch, D = input.domains
        precondition(actions.count == B * D && input.tokens.count == B * D * tokenWidth && input.globals.count == B * globalWidth,
                     "critic input of another shape")
        let ws: SetWorkspace
        ws = cachedWorkspace(batch: B, domains: D)
        var out = [Float](repeating: 0, count: B)
        input.tokens.withUnsafeBufferPointer { t in
            input.globals.withUnsafeBufferPointer { g in
                input.isSource.withUnsafeBufferPointer { m in
                    actions.withUnsafeBufferPointer { a in
                        out.withUnsafeMutableBufferPointer { o in
                            _ = evaluate(ws, tokens: t.baseAddress!, globals: g.baseAddress!, isSource: m.baseAddress!,
                                         action: { a.baseAddress! + $0 * D }, into: o.baseAddress!)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Q at the `ws.batch` states `tokens` (B × D × tokenWidth), `globals`, `isSource`, with state b
    /// under the D weights at `action(b)`, written to `out`; returns the forward pass's FLOPs. The
    /// one critic pass of `q`, CQL and FQE.
    @inline(__always)
    func evaluate(_ ws: SetWorkspace, tokens: UnsafePointer<Float>, globals: UnsafePointer<Float>, isSource: UnsafePointer<Float>,
                  action: (Int) -> UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) -> Int {
        let D = ws.domains
        for b in 0..<ws.batch { writeTokens(ws, slot: b, tokens: tokens + b * D * tokenWidth, action: action(b)) }
        ws.setStates(globals: globals, isSource: isSource, globalWidth: globalWidth)
        net.forward(ws)
        values(ws, into: out)
        return ws.forwardFLOPs
    }
}

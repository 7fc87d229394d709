import Dispatch
import Kernels
import Numerics

/// Throughput of one learner configuration: updates per second and the matrix-product FLOPs
/// each update does (so GFLOP/s can be set against `AgentBenchmark.sgemmPeak`).
public struct UpdateBenchmark: Sendable, CustomStringConvertible {
    public var label: String
    public var updatesPerSecond: Double
    /// Matrix-product FLOPs (2·m·n·k per product) of one update.
    public var flopsPerUpdate: Int
    public var gflopsPerSecond: Double { updatesPerSecond * Double(flopsPerUpdate) / 1e9 }
    public var description: String {
        "\(label): \(String(format2(updatesPerSecond))) updates/s, \(String(format2(Double(flopsPerUpdate) / 1e9))) GFLOP/update, \(String(format2(gflopsPerSecond))) GFLOP/s"
    }
}

private func format2(_ x: Double) -> String { String(Double(Int((x * 100).rounded())) / 100) }

/// Timing helpers for the agent's learners (not tests): run on one thread
/// (`NumericsRuntime.setThreads(1)`) and report against sgemm's peak.
public enum AgentBenchmark {
    private static func seconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// sgemm GFLOP/s on square n × n products (the machine's practical peak for these kernels).
    public static func sgemmPeak(n: Int = 512, repeats: Int = 10) -> Double {
        let a = [Float](repeating: 0.5, count: n * n), b = a
        var c = [Float](repeating: 0, count: n * n)
        let t = seconds {
            for _ in 0..<repeats { BLAS.sgemm(m: n, n: n, k: n, a: a, b: b, c: &c) }
        }
        return Double(2 * n * n * n * repeats) / t / 1e9
    }

    /// CQL updates of the default DeepSets networks on a synthetic dataset (D domains, batch 256,
    /// N = 10 by default): the agent's real update, distribution maths and Adam included.
    public static func domainSetCQL(domains D: Int = 16, tokenWidth TW: Int = 12, globalWidth G: Int = 10,
                                    config: CQLConfig = CQLConfig(), updates: Int = 5, seed: UInt64 = 1) -> UpdateBenchmark {
        let rng = RandomSource(seed: seed)
        var data = OfflineDataset(domainCount: D, tokenWidth: TW, globalWidth: G)
        for e in 0..<512 {
            let t = (0..<(D * TW)).map { _ in Float(rng.gaussian()) }, g = (0..<G).map { _ in Float(rng.gaussian()) }
            let a = rng.dirichlet([Double](repeating: 1, count: D)).map(Float.init)
            data.append(tokens: t, globals: g, isSource: (0..<D).map { $0 < D / 2 ? 1 : 0 }, action: a, reward: Float(rng.gaussian()),
                        nextTokens: t, nextGlobals: g, terminal: e % 10 == 9, episode: e / 10)
        }
        let policy = PolicyNetwork(config: config.critic, tokenWidth: TW, globalWidth: G, seed: seed)
        let cql = CQL(config: config, policy: policy, dataset: data, floor: 0.2 / Float(D), seed: seed)
        cql.update() // warm-up
        let t = seconds { for _ in 0..<updates { cql.update() } }
        return UpdateBenchmark(label: "DeepSets CQL (D = \(D), B = \(config.batchSize), N = \(config.actionSamples))",
                               updatesPerSecond: Double(updates) / t, flopsPerUpdate: cql.lastUpdateFLOPs)
    }

    /// The network work of one CQL update for d3rlpy's default shapes: a plain MLP actor
    /// (observation → 256 → 256 → 2·action) and twin MLP critics ((observation + action) → 256 → 256 → 1),
    /// batch B, N samples per source. Per update: actor forward at s and s′; both target critics
    /// forward at (s′, a′); both critics forward and backward on B·(1 + 3N) rows; both critics
    /// forward and backward (with input gradient) at the actor's actions; actor backward; Adam on
    /// all three. Same kernels as the agent (Matmul, ReLU, AdamW); distribution maths left out.
    public static func plainMLPCQL(observation: Int = 40, action: Int = 24, hidden: [Int] = [256, 256], batch B: Int = 256,
                                   samples N: Int = 10, updates: Int = 3) -> UpdateBenchmark {
        let actor = MLP(widths: [observation] + hidden + [2 * action])
        let critics = (0..<2).map { _ in MLP(widths: [observation + action] + hidden + [1]) }
        let targets = (0..<2).map { _ in MLP(widths: [observation + action] + hidden + [1]) }
        let big = B * (1 + 3 * N)
        let aS = actor.workspace(rows: B), aN = actor.workspace(rows: B)
        let cBig = critics.map { $0.workspace(rows: big) }, cT = targets.map { $0.workspace(rows: B) }, cA = critics.map { $0.workspace(rows: B) }
        var adams = ([actor] + critics).map { AdamW(count: $0.count, decayMask: .init(repeating: false, count: $0.count), config: .adam()) }
        var flops = 0
        func update() {
            flops = 0
            flops += actor.forward(aS) + actor.forward(aN)
            for k in 0..<2 { flops += targets[k].forward(cT[k]) }
            for k in 0..<2 {
                critics[k].zeroGradients()
                flops += critics[k].forward(cBig[k]) + critics[k].backward(cBig[k], inputGradient: false)
                adams[1 + k].step(params: critics[k].params, grads: critics[k].grads, lr: 3e-4)
            }
            for k in 0..<2 { flops += critics[k].forward(cA[k]) + critics[k].backward(cA[k], inputGradient: true) }
            actor.zeroGradients()
            flops += actor.backward(aS, inputGradient: false)
            adams[0].step(params: actor.params, grads: actor.grads, lr: 1e-4)
        }
        update()
        let t = seconds { for _ in 0..<updates { update() } }
        return UpdateBenchmark(label: "plain MLP CQL (obs \(observation), action \(action), hidden \(hidden), B = \(B), N = \(N))",
                               updatesPerSecond: Double(updates) / t, flopsPerUpdate: flops)
    }
}

/// A plain ReLU MLP over one flat parameter buffer, for `AgentBenchmark.plainMLPCQL` only.
final class MLP {
    let widths: [Int]
    let buffer: ParameterBuffer
    var count: Int { buffer.layout.count }
    var params: FloatPtr { buffer.params }
    var grads: FloatPtr { buffer.grads }

    init(widths: [Int]) {
        self.widths = widths
        var b = ParameterLayoutBuilder()
        for l in 0..<(widths.count - 1) {
            b.add("l\(l).weight", shape: [widths[l + 1], widths[l]], decays: true); b.add("l\(l).bias", count: widths[l + 1], decays: false)
        }
        buffer = ParameterBuffer(layout: b.build())
        let rng = RandomSource(seed: 1)
        for i in 0..<count { buffer.params[i] = Float(rng.uniform() - 0.5) * 0.1 }
    }

    func zeroGradients() { buffer.zeroGradients() }

    final class Workspace {
        let rows: Int
        var acts: [[Float]], grads: [[Float]]
        init(rows: Int, widths: [Int]) {
            self.rows = rows
            acts = widths.map { [Float](repeating: 0.1, count: rows * $0) }
            grads = widths.map { [Float](repeating: 0.01, count: rows * $0) }
        }
    }

    func workspace(rows: Int) -> Workspace { Workspace(rows: rows, widths: widths) }

    /// Forward through every layer (ReLU between); returns FLOPs.
    func forward(_ ws: Workspace) -> Int {
        var flops = 0
        for l in 0..<(widths.count - 1) {
            let w = buffer.layout["l\(l).weight"]!.pointer(in: params), b = buffer.layout["l\(l).bias"]!.pointer(in: params)
            let (C, OC, N) = (widths[l], widths[l + 1], ws.rows)
            ws.acts[l].withUnsafeBufferPointer { i in
                ws.acts[l + 1].withUnsafeMutableBufferPointer { o in
                    Matmul.forward(o.baseAddress!, i.baseAddress!, w, b, N: N, C: C, OC: OC)
                    if l < widths.count - 2 { ReLU.forward(o.baseAddress!, o.baseAddress!, N: N * OC) }
                }
            }
            flops += 2 * N * C * OC
        }
        return flops
    }

    /// Backward from ws.grads.last (left as set) to the parameters (and the input); returns FLOPs.
    func backward(_ ws: Workspace, inputGradient: Bool) -> Int {
        var flops = 0
        for l in stride(from: widths.count - 2, through: 0, by: -1) {
            let w = buffer.layout["l\(l).weight"]!.pointer(in: params)
            let dw = buffer.layout["l\(l).weight"]!.pointer(in: grads), db = buffer.layout["l\(l).bias"]!.pointer(in: grads)
            let (C, OC, N) = (widths[l], widths[l + 1], ws.rows)
            let wantInput = l > 0 || inputGradient
            ws.acts[l].withUnsafeBufferPointer { i in
                ws.grads[l + 1].withUnsafeBufferPointer { d in
                    ws.grads[l].withUnsafeMutableBufferPointer { di in
                        if wantInput { di.update(repeating: 0) }
                        Matmul.backward(wantInput ? di.baseAddress! : nil, dw, db, d.baseAddress!, i.baseAddress!, w, N: N, C: C, OC: OC)
                        if l > 0 { ReLU.backward(di.baseAddress!, i.baseAddress!, di.baseAddress!, N: N * C) } // acts[l] is post-ReLU
                    }
                }
            }
            flops += (wantInput ? 4 : 2) * N * C * OC
        }
        return flops
    }
}

import Kernels
import Numerics

/// Sizes of the agent's domain-agnostic networks (policy and critics share the shape).
///
/// DeepSets-style: a shared token encoder φ reads every domain's token, the encoded tokens are
/// mean-pooled per field (source, target) and concatenated with an encoding of the globals into a
/// per-state context, and a per-domain head ψ reads [φ(token_d), context]. No weight depends on the
/// domain count, so one network serves any domain space.
public struct NetworkConfig: Codable, Sendable, Equatable {
    /// Widths of φ's hidden layers, ReLU after each (default two layers of 64).
    public var tokenHidden: [Int]
    /// Width of the globals encoder (one ReLU layer; default 64).
    public var globalHidden: Int
    /// Widths of ψ's hidden layers before its linear output (default one layer of 64).
    public var headHidden: [Int]
    /// Clamp of the policy's per-domain log-std (default [−5, 2], as SAC implementations use).
    public var logStdMin: Float
    public var logStdMax: Float

    public init(tokenHidden: [Int] = [64, 64], globalHidden: Int = 64, headHidden: [Int] = [64],
                logStdMin: Float = -5, logStdMax: Float = 2) {
        precondition(!tokenHidden.isEmpty && tokenHidden.allSatisfy { $0 > 0 } && globalHidden > 0 && headHidden.allSatisfy { $0 > 0 },
                     "network widths must be positive, with at least one token layer")
        precondition(logStdMin < logStdMax, "log-std clamp needs min < max")
        (self.tokenHidden, self.globalHidden, self.headHidden, self.logStdMin, self.logStdMax) =
            (tokenHidden, globalHidden, headHidden, logStdMin, logStdMax)
    }
}

extension NetworkConfig {
    /// Widest layer a network may declare. Trained agents use 64; the bound keeps a corrupt or
    /// hostile file from asking for terabytes before anything else is checked.
    public static let maxWidth = 4096
    /// Most hidden layers φ or ψ may declare.
    public static let maxLayers = 16
    /// Widest log-std clamp: σ = e^20 already saturates every mixture.
    public static let maxLogStdMagnitude: Float = 20

    /// What makes this config unusable (as decoded from a file, where `init`'s preconditions did not
    /// run), or nil. Checks sizes only, so it is safe to call before allocating anything.
    public var problem: String? {
        func widths(_ name: String, _ w: [Int], atLeast minimum: Int) -> String? {
            guard w.count >= minimum, w.count <= Self.maxLayers else { return "\(name) has \(w.count) layers, allowed \(minimum)…\(Self.maxLayers)" }
            if let bad = w.first(where: { !(1...Self.maxWidth).contains($0) }) { return "\(name) width \(bad) is outside 1…\(Self.maxWidth)" }
            return nil
        }
        if let p = widths("tokenHidden", tokenHidden, atLeast: 1) ?? widths("headHidden", headHidden, atLeast: 0) { return p }
        guard (1...Self.maxWidth).contains(globalHidden) else { return "globalHidden width \(globalHidden) is outside 1…\(Self.maxWidth)" }
        let bound = Self.maxLogStdMagnitude
        guard logStdMin.isFinite, logStdMax.isFinite, abs(logStdMin) <= bound, abs(logStdMax) <= bound, logStdMin < logStdMax else {
            return "log-std clamp [\(logStdMin), \(logStdMax)] needs finite min < max within ±\(Int(bound))"
        }
        return nil
    }
}

/// Activations and their gradients for one batch shape (B states × D domains) of one
/// `DomainSetNetwork`: allocated once, reused by every step of that shape, so updates do not allocate.
final class SetWorkspace {
    let batch: Int, domains: Int
    var rows: Int { batch * domains }
    private let storage: UnsafeMutablePointer<Float>
    private let total: Int
    /// (R, inW) token inputs (the caller writes them before `forward`) and their gradient.
    let x0: FloatPtr, dx0: FloatPtr
    /// (B, G) globals and the per-state field masks (B, D) with inverse field sizes (B).
    let g0: FloatPtr, mask: FloatPtr, invSource: FloatPtr, invTarget: FloatPtr
    /// φ's layer outputs (R, h_l) after ReLU and their gradients.
    let tok: [FloatPtr], dtok: [FloatPtr]
    /// (B, gh) encoded globals; (B, ctxW) context = [source mean, target mean, globals]; their gradients.
    let gact: FloatPtr, dgact: FloatPtr, ctx: FloatPtr, dctx: FloatPtr
    /// (B, k₀) the context's share of ψ's first layer (computed once per state, not per domain), ψ's
    /// hidden outputs (R, k_l), the output (R, outW); gradients.
    let ctxProj: FloatPtr, dctxProj: FloatPtr, hh: [FloatPtr], dhh: [FloatPtr], out: FloatPtr
    /// Matrix-product FLOPs of the last forward and backward (2·m·n·k per product).
    var forwardFLOPs = 0, backwardFLOPs = 0

    init(network n: DomainSetNetwork, batch B: Int, domains D: Int) {
        (batch, domains) = (B, D)
        let R = B * D, cfg = n.config
        var sizes: [Int] = [R * n.inputWidth, R * n.inputWidth, B * n.globalWidth, B * D, B, B]
        for h in cfg.tokenHidden { sizes += [R * h, R * h] }
        sizes += [B * cfg.globalHidden, B * cfg.globalHidden, B * n.contextWidth, B * n.contextWidth]
        let k0 = cfg.headHidden.first ?? n.outputWidth
        sizes += [B * k0, B * k0]
        for k in cfg.headHidden { sizes += [R * k, R * k] }
        sizes.append(R * n.outputWidth)
        total = sizes.reduce(0, +)
        storage = .allocate(capacity: total)
        storage.initialize(repeating: 0, count: total)
        var ptrs: [FloatPtr] = []
        var o = 0
        for s in sizes { ptrs.append(storage + o); o += s }
        var i = 0
        func next() -> FloatPtr { defer { i += 1 }; return ptrs[i] }
        x0 = next(); dx0 = next(); g0 = next(); mask = next(); invSource = next(); invTarget = next()
        var t: [FloatPtr] = [], dt: [FloatPtr] = []
        for _ in cfg.tokenHidden { t.append(next()); dt.append(next()) }
        tok = t; dtok = dt
        gact = next(); dgact = next(); ctx = next(); dctx = next()
        ctxProj = next(); dctxProj = next()
        var h: [FloatPtr] = [], dh: [FloatPtr] = []
        for _ in cfg.headHidden { h.append(next()); dh.append(next()) }
        hh = h; dhh = dh
        out = next()
    }

    deinit { storage.deallocate() }

    /// Copies globals (B, G) and the source masks (B, D) in and computes the inverse field sizes.
    func setStates(globals: UnsafePointer<Float>, isSource: UnsafePointer<Float>, globalWidth G: Int) {
        g0.update(from: globals, count: batch * G)
        mask.update(from: isSource, count: batch * domains)
        for b in 0..<batch {
            var ns: Float = 0
            for d in 0..<domains { ns += mask[b * domains + d] }
            let nt = Float(domains) - ns
            invSource[b] = ns > 0 ? 1 / ns : 0
            invTarget[b] = nt > 0 ? 1 / nt : 0
        }
    }
}

/// The shared DeepSets body of `PolicyNetwork` and `CriticNetwork`: one flat parameter buffer with
/// named tensors (`phi.l.weight`, `globals.weight`, `psi.l.weight`, …), forward and hand-written
/// backward over a `SetWorkspace`. Per layer one sgemm over all B·D token rows.
final class DomainSetNetwork {
    let config: NetworkConfig
    /// Token width read by φ (the critic's includes the action column).
    let inputWidth: Int
    let globalWidth: Int
    /// Values ψ writes per domain (2 for the policy: μ, log-std; 1 for a critic).
    let outputWidth: Int
    let buffer: ParameterBuffer
    var encodedWidth: Int { config.tokenHidden.last! }
    var contextWidth: Int { 2 * encodedWidth + config.globalHidden }
    var headInputWidth: Int { encodedWidth + contextWidth }
    private var tokenLayers: [(w: ParameterTensor, b: ParameterTensor, inW: Int, outW: Int)] = []
    private var globalLayer: (w: ParameterTensor, b: ParameterTensor)
    private var headLayers: [(w: ParameterTensor, b: ParameterTensor, inW: Int, outW: Int)] = []

    static func layout(config: NetworkConfig, inputWidth: Int, globalWidth: Int, outputWidth: Int) -> ParameterBufferLayout {
        var b = ParameterLayoutBuilder()
        var c = inputWidth
        for (l, h) in config.tokenHidden.enumerated() {
            b.add("phi.\(l).weight", shape: [h, c], decays: true); b.add("phi.\(l).bias", count: h, decays: false); c = h
        }
        b.add("globals.weight", shape: [config.globalHidden, globalWidth], decays: true)
        b.add("globals.bias", count: config.globalHidden, decays: false)
        c = config.tokenHidden.last! * 3 + config.globalHidden
        for (l, k) in (config.headHidden + [outputWidth]).enumerated() {
            b.add("psi.\(l).weight", shape: [k, c], decays: true); b.add("psi.\(l).bias", count: k, decays: false); c = k
        }
        return b.build()
    }

    init(config: NetworkConfig, inputWidth: Int, globalWidth: Int, outputWidth: Int) {
        precondition(inputWidth > 0 && globalWidth > 0, "networks need token and global features")
        (self.config, self.inputWidth, self.globalWidth, self.outputWidth) = (config, inputWidth, globalWidth, outputWidth)
        let layout = Self.layout(config: config, inputWidth: inputWidth, globalWidth: globalWidth, outputWidth: outputWidth)
        buffer = ParameterBuffer(layout: layout)
        var c = inputWidth
        for (l, h) in config.tokenHidden.enumerated() {
            tokenLayers.append((layout["phi.\(l).weight"]!, layout["phi.\(l).bias"]!, c, h)); c = h
        }
        globalLayer = (layout["globals.weight"]!, layout["globals.bias"]!)
        c = config.tokenHidden.last! * 3 + config.globalHidden
        for (l, k) in (config.headHidden + [outputWidth]).enumerated() {
            headLayers.append((layout["psi.\(l).weight"]!, layout["psi.\(l).bias"]!, c, k)); c = k
        }
    }

    /// PyTorch's default `nn.Linear` initialisation: weights and biases U(−1/√in, 1/√in); the output
    /// layer scaled by `outputScale` (small for the policy, so it starts near the uniform mixture).
    func initialise(rng: RandomSource, outputScale: Float) {
        let p = buffer.params
        func fill(_ t: ParameterTensor, fanIn: Int, scale: Float) {
            let bound = scale / Float(fanIn).squareRoot()
            for i in t.indices { p[i] = Float(2 * rng.uniform() - 1) * bound }
        }
        for l in tokenLayers { fill(l.w, fanIn: l.inW, scale: 1); fill(l.b, fanIn: l.inW, scale: 1) }
        fill(globalLayer.w, fanIn: globalWidth, scale: 1); fill(globalLayer.b, fanIn: globalWidth, scale: 1)
        for (i, l) in headLayers.enumerated() {
            let s: Float = i == headLayers.count - 1 ? outputScale : 1
            fill(l.w, fanIn: l.inW, scale: s); fill(l.b, fanIn: l.inW, scale: s)
        }
    }

    var parameterCount: Int { buffer.layout.count }

    /// ws.out (R, outW) from ws.x0 (R, inW), ws.g0 and the masks (see `SetWorkspace.setStates`).
    func forward(_ ws: SetWorkspace) {
        let B = ws.batch, D = ws.domains, R = ws.rows, p = buffer.params
        var flops = 0
        var inp = UnsafePointer(ws.x0)
        for (l, layer) in tokenLayers.enumerated() {
            Matmul.forward(ws.tok[l], inp, layer.w.pointer(in: p), layer.b.pointer(in: p), N: R, C: layer.inW, OC: layer.outW)
            ReLU.forward(ws.tok[l], ws.tok[l], N: R * layer.outW)
            flops += 2 * R * layer.inW * layer.outW
            inp = UnsafePointer(ws.tok[l])
        }
        let GH = config.globalHidden
        Matmul.forward(ws.gact, ws.g0, globalLayer.w.pointer(in: p), globalLayer.b.pointer(in: p), N: B, C: globalWidth, OC: GH)
        ReLU.forward(ws.gact, ws.gact, N: B * GH)
        flops += 2 * B * globalWidth * GH
        // Context per state: field means of φ's output, then the encoded globals.
        let H = encodedWidth, CW = contextWidth, HW = headInputWidth, enc = ws.tok.last!
        for b in 0..<B {
            let c = ws.ctx + b * CW
            c.update(repeating: 0, count: 2 * H)
            for d in 0..<D {
                let r = b * D + d, e = enc + r * H
                let isSrc = ws.mask[r] > 0.5
                let dst = isSrc ? c : c + H
                let scale = isSrc ? ws.invSource[b] : ws.invTarget[b]
                for j in 0..<H { dst[j] += scale * e[j] }
            }
            (c + 2 * H).update(from: ws.gact + b * GH, count: GH)
        }
        // ψ's first layer on [φ_d, context] = φ_d · W_tokᵀ + (context · W_ctxᵀ + bias), the second
        // term once per state: W (k₀, H + ctxW) is read as two column blocks (row stride H + ctxW).
        let first = headLayers[0], k0 = first.outW
        let w0 = UnsafePointer(first.w.pointer(in: p)), b0 = UnsafePointer(first.b.pointer(in: p))
        for b in 0..<B { (ws.ctxProj + b * k0).update(from: b0, count: k0) }
        BLAS.sgemm(transB: true, m: B, n: k0, k: CW, a: ws.ctx, lda: CW, b: w0 + H, ldb: HW, beta: 1, c: ws.ctxProj, ldc: k0)
        let o0 = headLayers.count == 1 ? ws.out : ws.hh[0]
        BLAS.sgemm(transB: true, m: R, n: k0, k: H, a: enc, lda: H, b: w0, ldb: HW, beta: 0, c: o0, ldc: k0)
        for r in 0..<R {
            let o = o0 + r * k0, cp = ws.ctxProj + (r / D) * k0
            for j in 0..<k0 { o[j] += cp[j] }
        }
        if headLayers.count > 1 { ReLU.forward(o0, o0, N: R * k0) }
        flops += 2 * R * H * k0 + 2 * B * CW * k0
        inp = UnsafePointer(o0)
        for l in 1..<headLayers.count {
            let layer = headLayers[l]
            let last = l == headLayers.count - 1
            let o = last ? ws.out : ws.hh[l]
            Matmul.forward(o, inp, layer.w.pointer(in: p), layer.b.pointer(in: p), N: R, C: layer.inW, OC: layer.outW)
            if !last { ReLU.forward(o, o, N: R * layer.outW) }
            flops += 2 * R * layer.inW * layer.outW
            inp = UnsafePointer(o)
        }
        ws.forwardFLOPs = flops
    }

    /// Accumulates into `buffer.grads` the gradient of a loss whose gradient w.r.t. ws.out is
    /// `dout` (R, outW), for the activations of the last `forward(ws)`. With `inputGradient`, ws.dx0
    /// is overwritten with the gradient w.r.t. the token inputs (the critic's action column).
    func backward(_ ws: SetWorkspace, dout: UnsafePointer<Float>, inputGradient: Bool) {
        let B = ws.batch, D = ws.domains, R = ws.rows, p = buffer.params, g = buffer.grads
        var flops = 0
        // ψ, from the output down to its first layer.
        var dcur = dout
        for l in stride(from: headLayers.count - 1, through: 1, by: -1) {
            let layer = headLayers[l]
            let inp = ws.hh[l - 1], dinp = ws.dhh[l - 1]
            dinp.update(repeating: 0, count: R * layer.inW)
            Matmul.backward(dinp, layer.w.pointer(in: g), layer.b.pointer(in: g), dcur, inp, layer.w.pointer(in: p),
                            N: R, C: layer.inW, OC: layer.outW)
            flops += 4 * R * layer.inW * layer.outW
            ReLU.backward(dinp, ws.hh[l - 1], dinp, N: R * layer.inW)
            dcur = UnsafePointer(dinp)
        }
        // ψ's first layer: the token block per row, the context block per state (rows summed).
        let H = encodedWidth, CW = contextWidth, HW = headInputWidth, GH = config.globalHidden
        let first = headLayers[0], k0 = first.outW
        let w0 = UnsafePointer(first.w.pointer(in: p)), dw0 = first.w.pointer(in: g), db0 = first.b.pointer(in: g)
        let enc = ws.tok.last!, denc = ws.dtok.last!
        BLAS.sgemm(transA: true, m: k0, n: H, k: R, a: dcur, lda: k0, b: enc, ldb: H, beta: 1, c: dw0, ldc: HW)
        BLAS.sgemm(m: R, n: H, k: k0, a: dcur, lda: k0, b: w0, ldb: HW, beta: 0, c: denc, ldc: H)
        ws.dctxProj.update(repeating: 0, count: B * k0)
        for r in 0..<R {
            let d = dcur + r * k0, dc = ws.dctxProj + (r / D) * k0
            for j in 0..<k0 { dc[j] += d[j] }
        }
        for b in 0..<B { let dc = ws.dctxProj + b * k0; for j in 0..<k0 { db0[j] += dc[j] } }
        BLAS.sgemm(transA: true, m: k0, n: CW, k: B, a: ws.dctxProj, lda: k0, b: ws.ctx, ldb: CW, beta: 1, c: dw0 + H, ldc: HW)
        BLAS.sgemm(m: B, n: CW, k: k0, a: ws.dctxProj, lda: k0, b: w0 + H, ldb: HW, beta: 0, c: ws.dctx, ldc: CW)
        flops += 4 * R * H * k0 + 4 * B * CW * k0
        // Back through pooling: each domain's encoding receives its field mean's gradient.
        for b in 0..<B {
            let dc = ws.dctx + b * CW
            for d in 0..<D {
                let r = b * D + d
                let isSrc = ws.mask[r] > 0.5
                let from = isSrc ? dc : dc + H
                let scale = isSrc ? ws.invSource[b] : ws.invTarget[b]
                let e = denc + r * H
                for j in 0..<H { e[j] += scale * from[j] }
            }
            (ws.dgact + b * GH).update(from: dc + 2 * H, count: GH)
        }
        ReLU.backward(ws.dgact, ws.gact, ws.dgact, N: B * GH)
        Matmul.backward(nil, globalLayer.w.pointer(in: g), globalLayer.b.pointer(in: g), ws.dgact, ws.g0,
                        globalLayer.w.pointer(in: p), N: B, C: globalWidth, OC: GH)
        flops += 2 * B * globalWidth * GH
        // φ, from the encoding down to the tokens.
        for l in stride(from: tokenLayers.count - 1, through: 0, by: -1) {
            let layer = tokenLayers[l]
            ReLU.backward(ws.dtok[l], ws.tok[l], ws.dtok[l], N: R * layer.outW)
            let inp = l == 0 ? ws.x0 : ws.tok[l - 1]
            var dinp: FloatPtr? = nil
            if l > 0 { dinp = ws.dtok[l - 1]; dinp!.update(repeating: 0, count: R * layer.inW) }
            else if inputGradient { dinp = ws.dx0; ws.dx0.update(repeating: 0, count: R * layer.inW) }
            Matmul.backward(dinp, layer.w.pointer(in: g), layer.b.pointer(in: g), ws.dtok[l], inp, layer.w.pointer(in: p),
                            N: R, C: layer.inW, OC: layer.outW)
            flops += (dinp == nil ? 2 : 4) * R * layer.inW * layer.outW
            // Layers above φ's first wrote their input gradient into dtok[l − 1] directly.
        }
        ws.backwardFLOPs = flops
    }

    /// params ← (1 − τ)·params + τ·source (Polyak averaging of a target network).
    func polyak(toward source: DomainSetNetwork, tau: Float) {
        let n = parameterCount, p = buffer.params, s = source.buffer.params
        for i in 0..<n { p[i] += tau * (s[i] - p[i]) }
    }

    func copyParameters(from source: DomainSetNetwork) {
        buffer.params.update(from: source.buffer.params, count: parameterCount)
    }

    var parameters: [Float] {
        get { Array(UnsafeBufferPointer(start: buffer.params, count: parameterCount)) }
        set {
            precondition(newValue.count == parameterCount, "parameter count mismatch")
            newValue.withUnsafeBufferPointer { buffer.params.update(from: $0.baseAddress!, count: parameterCount) }
        }
    }
}

import Foundation
import Kernels
import Numerics

/// A byte-level decoder-only GPT: token + position embeddings, pre-LayerNorm blocks of causal
/// multi-head attention and a 4× GELU MLP, a final LayerNorm, and an output head tied to `wte`.
///
/// Parameters and their gradients are each one contiguous buffer with named offsets
/// (`ParameterLayout`, a `ParameterBuffer`); activations are one buffer sized for the largest
/// (B, T) seen, so a training step allocates nothing. The layers are the `Kernels` module's
/// forward/backward pairs. With `workers` > 1 a batch is split across data-parallel workers
/// (see DataParallel.swift).
public final class GPT {
    public let config: ModelConfig
    public let layout: ParameterLayout
    private let storage: ParameterBuffer
    /// Flat parameter buffer (`layout.count` floats).
    public var params: UnsafeMutablePointer<Float> { storage.params }
    /// Flat gradient buffer, same layout.
    public var grads: UnsafeMutablePointer<Float> { storage.grads }
    var acts = ActivationBuffer()

    /// Data-parallel workers for `forwardBackward`, `loss` and `scores` (1 = one pass over the whole
    /// batch, today's code path and float order). With more, each worker runs forward and backward
    /// on its fixed share of the batch rows; give OpenBLAS one thread then
    /// (`NumericsRuntime.setThreads(1)`), or its threads and the workers compete for the cores.
    public var workers = 1 {
        didSet { workers = max(1, workers); if workers != oldValue { shards = [] } }
    }
    /// Per-worker rows, activations and gradients (allocated on the first data-parallel pass).
    var shards: [BatchShard] = []

    /// A freshly initialised model (GPT-2 initialisation, seeded).
    public convenience init(config: ModelConfig, seed: UInt64) throws {
        try self.init(config: config)
        initialize(seed: seed)
    }

    /// A model holding `parameters` (e.g. from a checkpoint): no random draws that would be overwritten.
    public convenience init(config: ModelConfig, parameters: [Float]) throws {
        try self.init(config: config)
        setParameters(parameters)
    }

    /// Allocated, all-zero parameters and gradients.
    private init(config: ModelConfig) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config)
        storage = ParameterBuffer(layout: layout.buffer)
    }

    deinit {
        acts.release()
    }

    public var parameterCount: Int { layout.count }

    /// A copy of the parameters.
    public var parameterValues: [Float] { Array(UnsafeBufferPointer(start: params, count: layout.count)) }

    /// Replaces all parameters (e.g. from a checkpoint).
    public func setParameters(_ values: [Float]) {
        precondition(values.count == layout.count, "setParameters: \(values.count) values for \(layout.count) parameters")
        values.withUnsafeBufferPointer { params.update(from: $0.baseAddress!, count: layout.count) }
    }

    private func initialize(seed: UInt64) {
        let rng = RandomSource(seed: seed, stream: .modelInitialisation)
        // Residual projections are scaled by 1/√(2L) so the residual stream's variance does not grow with depth (GPT-2).
        let residualStd = 0.02 / (2.0 * Double(config.layers)).squareRoot()
        for t in layout.tensors {
            let p = params + t.offset
            if t.name.hasSuffix("ln1w") || t.name.hasSuffix("ln2w") || t.name == "lnfw" {
                for i in 0..<t.count { p[i] = 1 }
            } else if t.decays {
                let std = t.name.hasSuffix("attprojw") || t.name.hasSuffix("fcprojw") ? residualStd : (t.name == "wpe" ? 0.01 : 0.02)
                for i in 0..<t.count { p[i] = Float(rng.gaussian(sigma: std)) }
            }
        }
    }

    // MARK: - Forward / backward

    /// Mean next-byte loss (nats) of the batch, forward only (no per-position arrays are built).
    public func loss(_ batch: TokenBatch) -> Float {
        let B = batch.batchSize, T = batch.positions
        precondition(T <= config.context, "sequence of \(T) exceeds the context \(config.context)")
        if let shards = dataParallelShards(B) {
            return batch.tokens.withUnsafeBufferPointer { tok in
                runShards(shards, tok.baseAddress!, rowStride: batch.length, T: T, withGrad: false, hits: nil)
                return shardMeanLoss(shards, T: T)
            }
        }
        acts.reserve(config, B: B, T: T, training: false)
        batch.tokens.withUnsafeBufferPointer { tok in
            forward(tok.baseAddress!, rowStride: batch.length, B: B, T: T, withGrad: false, hits: nil, gradScale: 1 / Float(B * T), acts: acts)
        }
        return meanLoss(B * T)
    }

    /// Mean of the first `n` per-position losses of the last forward pass.
    private func meanLoss(_ n: Int) -> Float {
        let l = acts.ptr(.losses)
        var sum: Float = 0
        for i in 0..<n { sum += l[i] }
        return sum / Float(n)
    }

    /// Forward and backward: sets `grads` to the gradient of the mean loss and returns the loss.
    @discardableResult
    public func forwardBackward(_ batch: TokenBatch) -> Float {
        let B = batch.batchSize, T = batch.positions
        precondition(T <= config.context, "sequence of \(T) exceeds the context \(config.context)")
        if let shards = dataParallelShards(B) {
            return batch.tokens.withUnsafeBufferPointer { tok in
                runShards(shards, tok.baseAddress!, rowStride: batch.length, T: T, withGrad: true, hits: nil)
                sumShardGradients(shards)
                return shardMeanLoss(shards, T: T)
            }
        }
        grads.update(repeating: 0, count: layout.count)
        acts.reserve(config, B: B, T: T, training: true)
        return batch.tokens.withUnsafeBufferPointer { tok in
            forward(tok.baseAddress!, rowStride: batch.length, B: B, T: T, withGrad: true, hits: nil, gradScale: 1 / Float(B * T), acts: acts)
            backward(tok.baseAddress!, rowStride: batch.length, B: B, T: T, acts: acts, grads: grads)
            return meanLoss(B * T)
        }
    }

    /// Per-position next-byte losses in nats, (B, T) row-major. Forward only.
    public func tokenLosses(_ batch: TokenBatch) -> [Float] {
        scores(batch).losses
    }

    /// Per-position losses and whether each position's argmax equals the target, (B, T).
    public func scores(_ batch: TokenBatch) -> (losses: [Float], hits: [Bool]) {
        let B = batch.batchSize, T = batch.positions
        precondition(T <= config.context, "sequence of \(T) exceeds the context \(config.context)")
        var hits = [Bool](repeating: false, count: B * T)
        if let shards = dataParallelShards(B) {
            batch.tokens.withUnsafeBufferPointer { tok in
                hits.withUnsafeMutableBufferPointer { h in
                    runShards(shards, tok.baseAddress!, rowStride: batch.length, T: T, withGrad: false, hits: h.baseAddress!)
                }
            }
            var losses: [Float] = []
            losses.reserveCapacity(B * T)
            for s in shards { losses.append(contentsOf: UnsafeBufferPointer(start: s.acts.ptr(.losses), count: s.rows.count * T)) }
            return (losses, hits)
        }
        acts.reserve(config, B: B, T: T, training: false)
        batch.tokens.withUnsafeBufferPointer { tok in
            hits.withUnsafeMutableBufferPointer { h in
                forward(tok.baseAddress!, rowStride: batch.length, B: B, T: T, withGrad: false, hits: h.baseAddress!, gradScale: 1 / Float(B * T), acts: acts)
            }
        }
        return (Array(UnsafeBufferPointer(start: acts.ptr(.losses), count: B * T)), hits)
    }

    /// With `head` false the pass stops after the final LayerNorm (`acts.lnf`): generation decodes
    /// only each row's last position, so it runs the output head itself on those rows.
    /// `gradScale` is 1 / (all rows · T) of the batch, also when this pass sees only a shard of it.
    func forward(_ tokens: UnsafePointer<UInt8>, rowStride: Int, B: Int, T: Int, withGrad: Bool,
                         hits: UnsafeMutablePointer<Bool>?, head: Bool = true, gradScale: Float, acts: ActivationBuffer) {
        let C = config.dModel, NH = config.heads, V = config.vocab, N = B * T
        let p = params, L = layout
        Encoder.forward(acts.ptr(.encoded), tokens, rowStride: rowStride, p + L.wte, p + L.wpe, B: B, T: T, C: C)
        var x: FloatPtr = acts.ptr(.encoded)
        for l in 0..<config.layers {
            let w = L.blocks[l]
            let a = acts.layer(l)
            LayerNorm.forward(a.ln1, a.ln1Mean, a.ln1Rstd, x, p + w.ln1w, p + w.ln1b, N: N, C: C)
            Matmul.forward(a.qkv, a.ln1, p + w.qkvw, p + w.qkvb, N: N, C: C, OC: 3 * C)
            Attention.forward(a.atty, a.att, a.qkv, B: B, T: T, C: C, NH: NH, keepProbabilities: withGrad)
            Matmul.forward(a.attproj, a.atty, p + w.attprojw, p + w.attprojb, N: N, C: C, OC: C)
            Residual.forward(a.res2, x, a.attproj, N: N * C)
            LayerNorm.forward(a.ln2, a.ln2Mean, a.ln2Rstd, a.res2, p + w.ln2w, p + w.ln2b, N: N, C: C)
            Matmul.forward(a.fch, a.ln2, p + w.fcw, p + w.fcb, N: N, C: C, OC: 4 * C)
            GELU.forward(a.fchGelu, a.fch, N: N * 4 * C)
            Matmul.forward(a.fcproj, a.fchGelu, p + w.fcprojw, p + w.fcprojb, N: N, C: 4 * C, OC: C)
            Residual.forward(a.res3, a.res2, a.fcproj, N: N * C)
            x = a.res3
        }
        LayerNorm.forward(acts.ptr(.lnf), acts.ptr(.lnfMean), acts.ptr(.lnfRstd), x, p + L.lnfw, p + L.lnfb, N: N, C: C)
        guard head else { return }
        Matmul.forward(acts.ptr(.logits), acts.ptr(.lnf), p + L.wte, nil, N: N, C: C, OC: V)
        CrossEntropy.forwardBackward(acts.ptr(.logits), targets: tokens, rowStride: rowStride, T: T,
                            losses: acts.ptr(.losses), hits: hits, dlogits: withGrad ? acts.ptr(.dlogits) : nil,
                            gradScale: gradScale, N: N, V: V)
    }

    /// Accumulates into `g` (zeroed by the caller) from the activations of the matching `forward`.
    func backward(_ tokens: UnsafePointer<UInt8>, rowStride: Int, B: Int, T: Int, acts: ActivationBuffer, grads g: FloatPtr) {
        let C = config.dModel, NH = config.heads, V = config.vocab, N = B * T
        let p = params, L = layout
        let dres = acts.ptr(.dres), dln = acts.ptr(.dln)
        // Output head (tied to wte) and final LayerNorm.
        dln.update(repeating: 0, count: N * C)
        Matmul.backward(dln, g + L.wte, nil, acts.ptr(.dlogits), acts.ptr(.lnf), p + L.wte, N: N, C: C, OC: V)
        let lastResidual: FloatPtr = config.layers > 0 ? acts.layer(config.layers - 1).res3 : acts.ptr(.encoded)
        dres.update(repeating: 0, count: N * C)
        LayerNorm.backward(dres, g + L.lnfw, g + L.lnfb, dln, lastResidual, p + L.lnfw, acts.ptr(.lnfMean), acts.ptr(.lnfRstd), scratch: acts.ptr(.lnScratch), N: N, C: C)
        for l in stride(from: config.layers - 1, through: 0, by: -1) {
            let w = L.blocks[l]
            let a = acts.layer(l)
            let x: FloatPtr = l == 0 ? acts.ptr(.encoded) : acts.layer(l - 1).res3
            // res3 = res2 + fcproj: dres flows to both unchanged.
            let dfchGelu = acts.ptr(.dfchGelu), dfch = acts.ptr(.dfch)
            dfchGelu.update(repeating: 0, count: N * 4 * C)
            Matmul.backward(dfchGelu, g + w.fcprojw, g + w.fcprojb, dres, a.fchGelu, p + w.fcprojw, N: N, C: 4 * C, OC: C)
            GELU.backward(dfch, a.fch, dfchGelu, N: N * 4 * C)
            dln.update(repeating: 0, count: N * C)
            Matmul.backward(dln, g + w.fcw, g + w.fcb, dfch, a.ln2, p + w.fcw, N: N, C: C, OC: 4 * C)
            LayerNorm.backward(dres, g + w.ln2w, g + w.ln2b, dln, a.res2, p + w.ln2w, a.ln2Mean, a.ln2Rstd, scratch: acts.ptr(.lnScratch), N: N, C: C)
            // res2 = x + attproj.
            let datty = acts.ptr(.datty), dqkv = acts.ptr(.dqkv)
            datty.update(repeating: 0, count: N * C)
            Matmul.backward(datty, g + w.attprojw, g + w.attprojb, dres, a.atty, p + w.attprojw, N: N, C: C, OC: C)
            dqkv.update(repeating: 0, count: N * 3 * C)
            Attention.backward(dqkv, datty, a.qkv, a.att, acts.ptr(.dattScratch), B: B, T: T, C: C, NH: NH)
            dln.update(repeating: 0, count: N * C)
            Matmul.backward(dln, g + w.qkvw, g + w.qkvb, dqkv, a.ln1, p + w.qkvw, N: N, C: C, OC: 3 * C)
            LayerNorm.backward(dres, g + w.ln1w, g + w.ln1b, dln, x, p + w.ln1w, a.ln1Mean, a.ln1Rstd, scratch: acts.ptr(.lnScratch), N: N, C: C)
        }
        Encoder.backward(g + L.wte, g + L.wpe, dres, tokens, rowStride: rowStride, B: B, T: T, C: C)
    }

    // MARK: - Generation

    /// Continues each prompt by up to `maxNewTokens` bytes, stopping a row at `stopByte` (included).
    /// Temperature 0 is greedy; otherwise bytes are sampled from softmax(logits / temperature) with `rng`.
    /// Prompts longer than the context are left-truncated; rows of different lengths share one batch
    /// (right padding cannot influence earlier positions under causal attention).
    public func complete(prompts: [[UInt8]], maxNewTokens: Int, stopByte: UInt8? = nil,
                         temperature: Float = 0, rng: RandomSource? = nil) -> [[UInt8]] {
        precondition(temperature == 0 || rng != nil, "sampling with temperature > 0 needs a RandomSource")
        var seqs = prompts.map { $0.isEmpty ? [UInt8(ascii: "\n")] : $0 }
        var outputs = [[UInt8]](repeating: [], count: prompts.count)
        var active = Array(prompts.indices)
        let ctx = config.context, V = config.vocab, C = config.dModel
        var last: [Float] = [], logitRows: [Float] = []
        for _ in 0..<maxNewTokens where !active.isEmpty {
            let windows = active.map { Array(seqs[$0].suffix(ctx)) }
            let T = windows.map(\.count).max()!
            var tokens = [UInt8](repeating: 0, count: windows.count * (T + 1))
            for (r, w) in windows.enumerated() { for (j, b) in w.enumerated() { tokens[r * (T + 1) + j] = b } }
            acts.reserve(config, B: windows.count, T: T, training: false)
            tokens.withUnsafeBufferPointer { tok in
                forward(tok.baseAddress!, rowStride: T + 1, B: windows.count, T: T, withGrad: false, hits: nil, head: false,
                        gradScale: 1 / Float(windows.count * T), acts: acts)
            }
            // The head on each row's last position only: (rows, C) · wteᵀ → (rows, V), instead of all rows·T.
            let rows = windows.count
            last.removeAll(keepingCapacity: true)
            for r in 0..<rows {
                let src = acts.ptr(.lnf) + (r * T + windows[r].count - 1) * C
                last.append(contentsOf: UnsafeBufferPointer(start: src, count: C))
            }
            logitRows = [Float](repeating: 0, count: rows * V)
            BLAS.sgemm(transB: true, m: rows, n: V, k: C, a: last, b: params + layout.wte, c: &logitRows)
            var stillActive: [Int] = []
            logitRows.withUnsafeBufferPointer { all in
                for (r, row) in active.enumerated() {
                    let lg = all.baseAddress! + r * V
                    var next = 0
                    if temperature == 0 {
                        for v in 1..<V where lg[v] > lg[next] { next = v }  // first maximum, as in `scores`
                    } else {
                        var mx = lg[0]
                        for v in 1..<V { mx = max(mx, lg[v]) }
                        let w = (0..<V).map { Double(expf((lg[$0] - mx) / temperature)) }
                        next = rng!.categorical(w)
                    }
                    let byte = UInt8(next)
                    seqs[row].append(byte)
                    outputs[row].append(byte)
                    if byte != stopByte { stillActive.append(row) }
                }
            }
            active = stillActive
        }
        return outputs
    }
}

/// All activations of one forward/backward, carved from one allocation sized for (B, T).
///
/// Every view is looked up by its case, and each case states its own size, so reordering or
/// adding a case cannot make two views alias.
struct ActivationBuffer {
    enum Global: Int, CaseIterable {
        case encoded, lnf, lnfMean, lnfRstd, logits, losses, dlogits, dres, dln, datty, dqkv, dfch, dfchGelu, dattScratch, lnScratch

        /// Floats for (B, T); backward-only buffers are empty for inference.
        func size(_ c: ModelConfig, B: Int, T: Int, training: Bool) -> Int {
            let C = c.dModel, N = B * T
            switch self {
            case .encoded, .lnf: return N * C
            case .lnfMean, .lnfRstd, .losses: return N
            case .logits: return N * c.vocab
            case .dlogits: return training ? N * c.vocab : 0
            case .dres, .dln, .datty: return training ? N * C : 0
            case .dqkv: return training ? N * 3 * C : 0
            case .dfch, .dfchGelu: return training ? N * 4 * C : 0
            case .dattScratch: return training ? Attention.scratchCount(T: T) : 0
            case .lnScratch: return training ? LayerNorm.backwardScratchCount(C: C) : 0
            }
        }
    }

    /// The activations one block keeps for backward.
    enum Layer: Int, CaseIterable {
        case ln1, ln1Mean, ln1Rstd, qkv, atty, att, attproj, res2, ln2, ln2Mean, ln2Rstd, fch, fchGelu, fcproj, res3

        func size(_ c: ModelConfig, B: Int, T: Int, training: Bool) -> Int {
            let C = c.dModel, N = B * T
            switch self {
            case .ln1, .atty, .attproj, .res2, .ln2, .fcproj, .res3: return N * C
            case .ln1Mean, .ln1Rstd, .ln2Mean, .ln2Rstd: return N
            case .qkv: return N * 3 * C
            case .fch, .fchGelu: return N * 4 * C
            // Inference needs one (T,T) block per chunk, reused across heads, not one per head.
            case .att: return training ? B * c.heads * T * T : Attention.scratchCount(T: T)
            }
        }
    }

    struct LayerViews {
        var ln1, ln1Mean, ln1Rstd, qkv, atty, att, attproj, res2, ln2, ln2Mean, ln2Rstd, fch, fchGelu, fcproj, res3: FloatPtr

        init(_ view: (Layer) -> FloatPtr) {
            ln1 = view(.ln1); ln1Mean = view(.ln1Mean); ln1Rstd = view(.ln1Rstd); qkv = view(.qkv)
            atty = view(.atty); att = view(.att); attproj = view(.attproj); res2 = view(.res2)
            ln2 = view(.ln2); ln2Mean = view(.ln2Mean); ln2Rstd = view(.ln2Rstd); fch = view(.fch)
            fchGelu = view(.fchGelu); fcproj = view(.fcproj); res3 = view(.res3)
        }
    }

    private var storage: UnsafeMutablePointer<Float>?
    private var capacity = 0
    private var globals: [FloatPtr] = []
    private var layers: [LayerViews] = []
    private var shape = (B: 0, T: 0, training: false)

    func ptr(_ g: Global) -> FloatPtr { globals[g.rawValue] }

    mutating func release() {
        storage?.deallocate()
        storage = nil
        capacity = 0
        globals = []
        layers = []
    }
    func layer(_ l: Int) -> LayerViews { layers[l] }

    /// Lays out views for (B, T), growing the allocation if needed (never inside a steady training loop).
    mutating func reserve(_ c: ModelConfig, B: Int, T: Int, training: Bool) {
        if shape.B == B && shape.T == T && (shape.training || !training) && !globals.isEmpty { return }
        // 16-float alignment keeps every view on a 64-byte boundary for BLAS.
        func aligned(_ n: Int) -> Int { (n + 15) & ~15 }
        let globalSizes = Global.allCases.map { aligned($0.size(c, B: B, T: T, training: training)) }
        let layerSizes = Layer.allCases.map { aligned($0.size(c, B: B, T: T, training: training)) }
        // Inference keeps no per-layer activations: two alternating sets suffice (a layer reads the
        // previous one's output).
        let layerSets = training ? c.layers : min(c.layers, 2)
        let total = globalSizes.reduce(0, +) + layerSets * layerSizes.reduce(0, +)
        if total > capacity {
            storage?.deallocate()
            storage = .allocate(capacity: total)
            storage!.initialize(repeating: 0, count: total)
            capacity = total
        }
        var cursor = storage!
        globals = globalSizes.map { n in defer { cursor += n }; return cursor }
        let sets: [LayerViews] = (0..<layerSets).map { _ in
            let views = layerSizes.map { n in defer { cursor += n }; return cursor }
            return LayerViews { views[$0.rawValue] }
        }
        layers = (0..<c.layers).map { sets[$0 % layerSets] }
        shape = (B, T, training)
    }
}

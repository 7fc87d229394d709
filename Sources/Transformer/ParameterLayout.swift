/// Where each parameter tensor lives in the one contiguous parameter buffer (llm.c style).
///
/// Weights are stored (out, in) and applied as `x · Wᵀ`. The output head reuses `wte`
/// (weight tying, as in GPT-2): it halves the embedding parameters of a byte model and
/// ties input and output byte representations.
public struct ParameterLayout: Sendable {
    /// One named tensor: offset and element count in the flat buffer.
    public struct Tensor: Sendable {
        public let name: String
        public let offset: Int
        public let count: Int
        /// AdamW's decoupled weight decay applies to matrices and embeddings, not to gains and biases.
        public let decays: Bool
    }

    public private(set) var tensors: [Tensor] = []
    public private(set) var count = 0

    // Offsets of the per-model tensors.
    public private(set) var wte = 0, wpe = 0, lnfw = 0, lnfb = 0
    /// Offsets of each layer's tensors.
    public private(set) var blocks: [Block] = []

    public struct Block: Sendable {
        public var ln1w = 0, ln1b = 0, qkvw = 0, qkvb = 0, attprojw = 0, attprojb = 0
        public var ln2w = 0, ln2b = 0, fcw = 0, fcb = 0, fcprojw = 0, fcprojb = 0
    }

    public init(_ config: ModelConfig) {
        let C = config.dModel, V = config.vocab, T = config.context
        wte = add("wte", V * C, decays: true)     // (V, C)
        wpe = add("wpe", T * C, decays: true)     // (T, C)
        for l in 0..<config.layers {
            var b = Block()
            b.ln1w = add("h\(l).ln1w", C, decays: false)
            b.ln1b = add("h\(l).ln1b", C, decays: false)
            b.qkvw = add("h\(l).qkvw", 3 * C * C, decays: true)          // (3C, C)
            b.qkvb = add("h\(l).qkvb", 3 * C, decays: false)
            b.attprojw = add("h\(l).attprojw", C * C, decays: true)      // (C, C)
            b.attprojb = add("h\(l).attprojb", C, decays: false)
            b.ln2w = add("h\(l).ln2w", C, decays: false)
            b.ln2b = add("h\(l).ln2b", C, decays: false)
            b.fcw = add("h\(l).fcw", 4 * C * C, decays: true)            // (4C, C)
            b.fcb = add("h\(l).fcb", 4 * C, decays: false)
            b.fcprojw = add("h\(l).fcprojw", C * 4 * C, decays: true)    // (C, 4C)
            b.fcprojb = add("h\(l).fcprojb", C, decays: false)
            blocks.append(b)
        }
        lnfw = add("lnfw", C, decays: false)
        lnfb = add("lnfb", C, decays: false)
    }

    private mutating func add(_ name: String, _ n: Int, decays: Bool) -> Int {
        let offset = count
        tensors.append(Tensor(name: name, offset: offset, count: n, decays: decays))
        count += n
        return offset
    }
}

import Kernels

/// Where each GPT parameter tensor lives in the one contiguous parameter buffer (llm.c style),
/// built with `ParameterLayoutBuilder`. Names, order and offsets are the checkpoint format: do not
/// reorder.
///
/// Weights are stored (out, in) and applied as `x · Wᵀ`. The output head reuses `wte`
/// (weight tying, as in GPT-2): it halves the embedding parameters of a byte model and
/// ties input and output byte representations.
public struct ParameterLayout: Sendable {
    /// One named tensor: offset and element count in the flat buffer.
    public typealias Tensor = ParameterTensor

    /// The flat layout (names, offsets, decay mask) shared with the optimizer.
    public let buffer: ParameterBufferLayout

    public var tensors: [Tensor] { buffer.tensors }
    public var count: Int { buffer.count }

    // Offsets of the per-model tensors.
    public let wte: Int, wpe: Int, lnfw: Int, lnfb: Int
    /// Offsets of each layer's tensors.
    public let blocks: [Block]

    public struct Block: Sendable {
        public var ln1w = 0, ln1b = 0, qkvw = 0, qkvb = 0, attprojw = 0, attprojb = 0
        public var ln2w = 0, ln2b = 0, fcw = 0, fcb = 0, fcprojw = 0, fcprojb = 0
    }

    public init(_ config: ModelConfig) {
        let C = config.dModel, V = config.vocab, T = config.context
        var b = ParameterLayoutBuilder()
        // Matrices and embeddings decay; gains and biases do not.
        wte = b.add("wte", shape: [V, C], decays: true).offset
        wpe = b.add("wpe", shape: [T, C], decays: true).offset
        blocks = (0..<config.layers).map { l in
            var k = Block()
            k.ln1w = b.add("h\(l).ln1w", count: C, decays: false).offset
            k.ln1b = b.add("h\(l).ln1b", count: C, decays: false).offset
            k.qkvw = b.add("h\(l).qkvw", shape: [3 * C, C], decays: true).offset
            k.qkvb = b.add("h\(l).qkvb", count: 3 * C, decays: false).offset
            k.attprojw = b.add("h\(l).attprojw", shape: [C, C], decays: true).offset
            k.attprojb = b.add("h\(l).attprojb", count: C, decays: false).offset
            k.ln2w = b.add("h\(l).ln2w", count: C, decays: false).offset
            k.ln2b = b.add("h\(l).ln2b", count: C, decays: false).offset
            k.fcw = b.add("h\(l).fcw", shape: [4 * C, C], decays: true).offset
            k.fcb = b.add("h\(l).fcb", count: 4 * C, decays: false).offset
            k.fcprojw = b.add("h\(l).fcprojw", shape: [C, 4 * C], decays: true).offset
            k.fcprojb = b.add("h\(l).fcprojb", count: C, decays: false).offset
            return k
        }
        lnfw = b.add("lnfw", count: C, decays: false).offset
        lnfb = b.add("lnfb", count: C, decays: false).offset
        buffer = b.build()
    }
}

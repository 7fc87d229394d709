/// One named tensor of a flat parameter buffer.
public struct ParameterTensor: Sendable, Equatable {
    /// Unique within its layout; checkpoints and lookups use it.
    public let name: String
    /// First element in the buffer.
    public let offset: Int
    /// Elements (the product of `shape`).
    public let count: Int
    /// Row-major shape, e.g. (out, in) for a weight matrix applied as `x · Wᵀ`.
    public let shape: [Int]
    /// Whether AdamW's decoupled weight decay applies (matrices and embeddings, not gains and biases).
    public let decays: Bool

    /// Where the tensor lives in a buffer with this layout (parameters or their gradients).
    public func pointer(in base: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> { base + offset }

    /// Its element indices in the flat buffer.
    public var indices: Range<Int> { offset..<(offset + count) }
}

/// Lays named tensors back to back in one flat buffer, in the order they are added (llm.c style:
/// one allocation, trivially checkpointed, one optimizer loop over everything).
public struct ParameterLayoutBuilder: Sendable {
    private var tensors: [ParameterTensor] = []
    private var count = 0

    public init() {}

    /// Appends a tensor of `shape` and returns where it lives. Names must be unique.
    @discardableResult
    public mutating func add(_ name: String, shape: [Int], decays: Bool) -> ParameterTensor {
        precondition(!tensors.contains { $0.name == name }, "ParameterLayoutBuilder: \(name) added twice")
        precondition(shape.allSatisfy { $0 >= 0 }, "ParameterLayoutBuilder: negative extent in \(name) \(shape)")
        let n = shape.reduce(1, *)
        let t = ParameterTensor(name: name, offset: count, count: n, shape: shape, decays: decays)
        tensors.append(t)
        count += n
        return t
    }

    /// Appends a vector of `count` elements (a bias or a gain).
    @discardableResult
    public mutating func add(_ name: String, count: Int, decays: Bool) -> ParameterTensor {
        add(name, shape: [count], decays: decays)
    }

    /// The finished layout.
    public func build() -> ParameterBufferLayout { ParameterBufferLayout(tensors: tensors, count: count) }
}

/// Where each named tensor lives in one flat parameter buffer (built by `ParameterLayoutBuilder`).
public struct ParameterBufferLayout: Sendable {
    /// Tensors in buffer order; they tile 0..<count exactly.
    public let tensors: [ParameterTensor]
    /// Total elements.
    public let count: Int
    private let byName: [String: Int]

    init(tensors: [ParameterTensor], count: Int) {
        self.tensors = tensors
        self.count = count
        byName = Dictionary(uniqueKeysWithValues: tensors.enumerated().map { ($1.name, $0) })
    }

    /// The tensor called `name`, if any.
    public subscript(name: String) -> ParameterTensor? { byName[name].map { tensors[$0] } }

    /// Per element: does weight decay apply (see `ParameterTensor.decays`)?
    public var decayMask: [Bool] {
        var mask = [Bool](repeating: false, count: count)
        for t in tensors where t.decays { for i in t.indices { mask[i] = true } }
        return mask
    }
}

/// Parameters and gradients of one network: two zero-initialised buffers with the same layout.
public final class ParameterBuffer {
    /// Where each named tensor lives in both buffers.
    public let layout: ParameterBufferLayout
    /// `layout.count` parameters.
    public let params: UnsafeMutablePointer<Float>
    /// `layout.count` gradients, same layout.
    public let grads: UnsafeMutablePointer<Float>

    public init(layout: ParameterBufferLayout) {
        self.layout = layout
        params = .allocate(capacity: layout.count)
        grads = .allocate(capacity: layout.count)
        params.initialize(repeating: 0, count: layout.count)
        grads.initialize(repeating: 0, count: layout.count)
    }

    deinit {
        params.deallocate()
        grads.deallocate()
    }

    /// The parameters of tensor `name`.
    public func parameters(_ name: String) -> UnsafeMutablePointer<Float>? { layout[name]?.pointer(in: params) }

    /// The gradients of tensor `name`.
    public func gradients(_ name: String) -> UnsafeMutablePointer<Float>? { layout[name]?.pointer(in: grads) }

    /// Zeroes every gradient (once per step, since backward passes accumulate).
    public func zeroGradients() { grads.update(repeating: 0, count: layout.count) }
}

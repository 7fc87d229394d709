/// Shape of the byte-level GPT. Presets are plain values, so environments can define their own.
public struct ModelConfig: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Preset name recorded in checkpoints and logs.
    public var name: String
    /// Width of the residual stream (C).
    public var dModel: Int
    /// Number of transformer blocks (L).
    public var layers: Int
    /// Attention heads (NH); `dModel` must be divisible by it.
    public var heads: Int
    /// Longest input sequence (T).
    public var context: Int
    /// Vocabulary (V): 256 for bytes.
    public var vocab: Int

    public init(name: String, dModel: Int, layers: Int, heads: Int, context: Int, vocab: Int = 256) {
        self.name = name
        self.dModel = dModel
        self.layers = layers
        self.heads = heads
        self.context = context
        self.vocab = vocab
    }

    /// About 0.12M parameters: fast enough for hundreds of short CPT runs on two cores.
    public static let proxy = ModelConfig(name: "proxy", dModel: 64, layers: 2, heads: 4, context: 64)
    /// About 1.3M parameters (≈ 11× the proxy): the "larger model" of the generalization tests.
    public static let target = ModelConfig(name: "target", dModel: 160, layers: 4, heads: 4, context: 128)

    /// The built-in presets by name.
    public static let presets: [String: ModelConfig] = ["proxy": proxy, "target": target]

    /// A built-in preset, or a clear error.
    public static func named(_ name: String) throws -> ModelConfig {
        guard let c = presets[name] else {
            throw ModelConfigError.unknownPreset(name, known: presets.keys.sorted())
        }
        return c
    }

    /// Checks sizes are positive and consistent.
    public func validate() throws {
        for (field, value) in [("dModel", dModel), ("layers", layers), ("heads", heads), ("context", context), ("vocab", vocab)] where value <= 0 {
            throw ModelConfigError.invalid("\(field) must be positive (got \(value))")
        }
        guard dModel % heads == 0 else { throw ModelConfigError.invalid("dModel \(dModel) is not divisible by heads \(heads)") }
        guard vocab <= 256 else { throw ModelConfigError.invalid("vocab \(vocab) exceeds 256: the model reads bytes") }
    }

    /// Number of parameters (the output head is tied to the token embedding).
    public var parameterCount: Int { ParameterLayout(self).count }

    public var description: String {
        "\(name) (d_model \(dModel), \(layers) layers, \(heads) heads, context \(context), \(parameterCount) params)"
    }
}

public enum ModelConfigError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case unknownPreset(String, known: [String])

    public var description: String {
        switch self {
        case let .invalid(reason): return "invalid model config: \(reason)"
        case let .unknownPreset(name, known): return "unknown model preset '\(name)' (known: \(known.joined(separator: ", ")))"
        }
    }
}

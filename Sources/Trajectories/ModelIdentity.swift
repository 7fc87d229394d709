import Numerics

/// The model a set of runs trained, as surrogates and policies record it: a name and, for a model
/// dma did not train itself (imported runs of your own trainer), a free-form description.
///
/// Runs collected by dma name an environment preset whose config the environment's hash and the
/// base checkpoint's parameter hash already pin; their identity is not recorded downstream, so
/// files made from them keep their bytes. Imported runs pin nothing (their base id is a free
/// string), so their identity travels with the surrogate and the policy.
public struct ModelIdentity: Codable, Sendable, Equatable, Hashable {
    /// The name given at import (`--model`), e.g. `byom` or an environment preset.
    public var name: String
    /// Free-form, e.g. "PyTorch GPT, 391k params, 3 layers"; nil when none was given.
    public var description: String?

    public init(name: String, description: String? = nil) {
        (self.name, self.description) = (name, description)
    }

    /// For messages: `'byom' (PyTorch GPT, 391k params)`.
    public var label: String { "'\(name)'" + (description.map { " (\($0))" } ?? "") }

    /// A stable hash of name and description, for fingerprints and keys.
    public var fingerprint: String {
        // The separator cannot occur in a name given on a command line as one argument.
        StableHash.hex(of: Array((name + "\u{0}" + (description ?? "")).utf8))
    }
}

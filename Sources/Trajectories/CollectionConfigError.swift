import Base

/// A `collection` section (of an environment file) that cannot drive schedule sampling.
public enum CollectionConfigError: DataError, Equatable {
    /// `context` names where the settings come from, e.g. "environment 'math-cpt'".
    case invalid(context: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(context, reason): return "\(context): \(reason)"
        }
    }
}

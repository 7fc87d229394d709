/// Why a surrogate cannot be fitted, loaded or stepped.
public enum SurrogateError: Error, CustomStringConvertible, Equatable {
    /// A model file that cannot be used, with the reason.
    case invalidModel(path: String, reason: String)
    /// A model fitted on another environment or domain space than the one given.
    case mismatch(path: String, reason: String)
    /// Training data that cannot be fitted (too few trajectories, inconsistent logs).
    case data(String)
    /// An action the simulator rejects.
    case invalidAction(String)
    /// Misuse of the simulator (stepping a finished episode, wrong batch size).
    case usage(String)

    public var description: String {
        switch self {
        case let .invalidModel(path, reason): return "\(path): \(reason)"
        case let .mismatch(path, reason): return "\(path): \(reason)"
        case let .data(reason): return "cannot fit the surrogate: \(reason)"
        case let .invalidAction(reason): return "invalid action: \(reason)"
        case let .usage(reason): return reason
        }
    }
}

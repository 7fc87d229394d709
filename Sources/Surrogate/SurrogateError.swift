import Base

/// Why a surrogate cannot be fitted, loaded or stepped.
public enum SurrogateError: DataError, Equatable {
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
        case let .mismatch(path, reason): return "\(path): \(reason)"
        case let .data(reason): return "cannot fit the surrogate: \(reason)"
        case let .invalidAction(reason): return "invalid action: \(reason)"
        case let .usage(reason): return reason
        }
    }

    /// Mismatched or unfittable data; not a rejected action or misuse of the simulator.
    public var isDataError: Bool {
        switch self {
        case .mismatch, .data: return true
        case .invalidAction, .usage: return false
        }
    }
}

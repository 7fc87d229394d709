import Base

/// Why a CPT run with a policy in the loop cannot go on.
public enum CPTRunError: DataError, Equatable {
    /// Resuming from a snapshot, the policy chose another mixture for an already trained round than
    /// the snapshot records: the snapshot belongs to another policy or schedule.
    case snapshotDiverged(snapshot: String, policy: String, round: Int)
    /// The policy returned a mixture of the wrong size (a bug in the policy).
    case wrongMixtureSize(policy: String, weights: Int, domains: Int)

    public var description: String {
        switch self {
        case let .snapshotDiverged(snapshot, policy, round):
            return "\(snapshot): cannot resume: policy '\(policy)' chose a different mixture for round \(round) on replay; delete the snapshot to start over"
        case let .wrongMixtureSize(policy, weights, domains):
            return "policy '\(policy)' returned \(weights) weights for \(domains) domains"
        }
    }

    /// A diverging snapshot is a file that does not fit; a wrong-sized mixture is the policy's bug.
    public var isDataError: Bool {
        if case .snapshotDiverged = self { return true }
        return false
    }
}

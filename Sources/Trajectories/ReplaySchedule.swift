import Corpus

extension TrajectoryReader {
    /// The mixtures of trajectory `id` in the log at `path` (`dma cpt --replay`), which must range
    /// over `space`; a missing id or another domain space is a ``TrajectoryError/mismatch(path:reason:)``.
    public static func schedule(of id: Int, in path: String, space: DomainSpace, environment: String) throws -> [Mixture] {
        let log = try read(path)
        guard let t = log.trajectories.first(where: { $0.header.id == id }) else {
            throw TrajectoryError.mismatch(path: path, reason: "no trajectory with id \(id)")
        }
        guard t.header.domains == space.domains else {
            throw TrajectoryError.mismatch(path: path, reason: "trajectory \(id) has another domain space than \(environment)")
        }
        return try t.steps.map { try Mixture($0.mixture) }
    }
}

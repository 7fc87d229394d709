import Numerics
import Trajectories

/// Typical states a policy meets: the state before every step of a seeded sample of logged
/// trajectories (the probes and the distilled rule are computed around these).
public enum StateSample {
    /// States before steps 0 … T−1 of `count` trajectories drawn without replacement with `seed`
    /// (all of them when there are fewer), in the drawn order.
    public static func logged(_ trajectories: [Trajectory], count: Int, seed: UInt64) throws -> [PolicyState] {
        let rng = RandomSource(seed: seed, stream: .analysisStateSample)
        var order = Array(trajectories.indices)
        // Fisher–Yates with the seeded stream: the same seed picks the same trajectories.
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.int(below: i + 1)) }
        return try order.prefix(count).flatMap { k in
            try (0..<trajectories[k].steps.count).map { try PolicyState(trajectories[k], before: $0) }
        }
    }
}

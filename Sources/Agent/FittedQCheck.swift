import Numerics
import Trajectories

/// Fitted Q evaluation checked against reality. Each held-out logged run is a policy of its own (its
/// open-loop schedule); FQE fits that policy's Q on the other runs' transitions and predicts its
/// value at the start. The Spearman correlation of these predictions with the held-out runs' realised
/// discounted returns says whether FQE can rank policies it did not see.
public enum FittedQCheck {
    public struct Result: Codable, Sendable {
        public var heldOut: [Int]
        /// FQE's value at the start state and the realised discounted return, per held-out run (reward-scaled).
        public var estimated: [Double]
        public var realised: [Double]
        public var spearman: Double?
    }

    /// Holds out every `every`-th trajectory (by position), fits FQE on the rest for each held-out
    /// schedule; features through `layout` and `normalizer`, rewards × `rewardScale`.
    public static func run(trajectories: [Trajectory], layout: ObservationLayout, normalizer: FeatureNormalizer, rewardScale: Float,
                           every: Int, config: FittedQEvaluationConfig, seed: UInt64, progress: (Int, Int) -> Void = { _, _ in }) throws -> Result {
        precondition(every >= 2, "hold out at most every second trajectory")
        let held = trajectories.enumerated().filter { $0.offset % every == 0 }.map(\.element)
        let train = trajectories.enumerated().filter { $0.offset % every != 0 }.map(\.element)
        let data = try OfflineDataset(trajectories: train, layout: layout).prepared(by: normalizer, rewardScale: rewardScale)
        // Each row's step within its run: rows are appended run by run, in step order.
        var step = [Int](repeating: 0, count: data.count)
        for r in 1..<max(data.count, 1) where data.episode[r] == data.episode[r - 1] { step[r] = step[r - 1] + 1 }
        let D = data.domainCount
        var estimated: [Double] = [], realised: [Double] = []
        let fqe = FittedQEvaluation(config: config)
        for (i, t) in held.enumerated() {
            let schedule = t.steps.map { $0.mixture.map(Float.init) }
            var next = [Float](repeating: 0, count: data.count * D)
            for r in 0..<data.count {
                let a = schedule[min(step[r] + 1, schedule.count - 1)]
                for d in 0..<D { next[r * D + d] = a[d] }
            }
            let result = fqe.evaluate(nextActions: next, dataset: data, seed: seed) { input in
                Array((0..<input.batch).map { _ in schedule[0] }.joined())
            }
            estimated.append(result.meanInitialValue)
            var ret = 0.0, discount = 1.0, before = t.baseBalanced
            for s in t.steps {
                ret += discount * Double(rewardScale) * (s.balanced - before)
                discount *= config.discount
                before = s.balanced
            }
            realised.append(ret)
            progress(i + 1, held.count)
        }
        return Result(heldOut: held.map(\.header.id), estimated: estimated, realised: realised, spearman: Statistics.spearman(estimated, realised))
    }
}

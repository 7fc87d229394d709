import Corpus
import Evaluation
import Numerics
import Trajectories

/// Criterion 5 of `dma env check` predicted through the surrogate, in about a second instead of
/// ~100 real CPT runs: does the best of N random domain-level schedules beat the best fixed field
/// ratio? Used to calibrate an environment before spending real compute on it.
///
/// The check's own fixed ratios and random Dirichlet walks (the same `EnvironmentCheck` policies)
/// are rolled out with mean transitions. Replicate 0 holds exactly the schedules `dma env check`
/// runs; replicates 1… hold further batches of N, so the spread of the best-of-N margin shows how
/// much the check's single batch is luck.
///
/// The score may be re-weighted (`sourceWeights`): the surrogate predicts every benchmark signal,
/// and the balanced score is recomputed from them, so "what if the source benchmark weighted the
/// domains differently?" needs no new runs.
public enum HeadroomEstimate {
    public struct Result: Codable, Sendable {
        /// The check's fixed source shares and their simulated final balanced scores.
        public var ratios: [Double]
        public var ratioScores: [Double]
        /// Ratios whose rollout left the data's support (source-only and target-only, typically):
        /// their simulated scores are extrapolations, so they do not compete for the best ratio.
        public var ratioOutOfSupport: [Bool]
        /// Best field ratio on a 0.05 grid: a stronger one-number rule than the check's grid.
        public var fineBestRatio: Double
        public var fineBestScore: Double
        /// Per replicate: best final score of its N walks minus `bestRatioScore`.
        public var margins: [Double]
        /// Best walk score per replicate, and the median over all walks.
        public var bestWalkScores: [Double]
        public var medianWalkScore: Double
        /// Share of walk steps with some domain below its smallest logged weight (mild extrapolation).
        public var outOfSupportShare: Double
        public var randomSchedules: Int
        public var firstSchedule: Int
        /// Retention weights that replaced the environment's (empty: the environment's own).
        public var sourceWeights: [String: Double]

        /// Best of the check's ratios within the data's support (of all, if none is).
        public var bestRatioIndex: Int {
            let candidates = ratios.indices.filter { !ratioOutOfSupport[$0] }
            return (candidates.isEmpty ? Array(ratios.indices) : candidates).max { ratioScores[$0] < ratioScores[$1] }!
        }
        public var bestRatio: Double { ratios[bestRatioIndex] }
        public var bestRatioScore: Double { ratioScores[bestRatioIndex] }
    }

    /// `model` must serve `check`'s environment (same domain space); `sourceWeights` replaces the
    /// retention weight of the named source domains.
    public static func estimate(model: SurrogateModel, check: EnvironmentCheck, replicates: Int,
                                sourceWeights: [String: Double] = [:]) throws -> Result {
        guard replicates > 0 else { throw SurrogateError.usage("replicates must be positive") }
        guard model.domains == check.space.domains else {
            throw SurrogateError.usage("the surrogate ranges over another domain space than environment '\(check.env.name)'")
        }
        var environment = check.env
        for (name, w) in sourceWeights {
            guard environment.space.source.contains(DomainName(name)) else {
                throw SurrogateError.usage("source weight for '\(name)', which is not a source domain of '\(check.env.name)'")
            }
            guard w.isFinite, w >= 0 else { throw SurrogateError.usage("source weight for '\(name)' must be a non-negative number") }
            environment.score.sourceWeights[name] = w
        }
        var scored = model
        scored.score = try ScoreFormula(env: environment, feedbackNames: model.feedbackNames)
        // One simulator serves every rollout; every rollout starts from the same seed's start state.
        let simulator = SurrogateEnvironment(model: scored, count: 1, transition: .mean)
        func final(_ policy: MixturePolicy) throws -> PolicyRollout.Episode {
            try PolicyRollout.episode(policy, in: simulator, seed: 1)
        }
        var ratioRollouts: [Double: (score: Double, outside: Bool)] = [:]
        func ratio(_ share: Double) throws -> (score: Double, outside: Bool) {
            if let known = ratioRollouts[share] { return known }
            let e = try final(check.policy(for: .init(kind: .fixed, share: share, seed: 1)))
            ratioRollouts[share] = (e.finalBalanced, e.outOfSupportSteps > 0)
            return ratioRollouts[share]!
        }
        let fixed = try check.settings.ratios.map(ratio)
        let grid = (0...20).map { Double($0) / 20 }
        let fine = try grid.map(ratio)
        let fineBest = fine.indices.filter { !fine[$0].outside }.max { fine[$0].score < fine[$1].score } ?? 0

        let n = check.settings.randomSchedules
        var bestWalks: [Double] = [], all: [Double] = []
        var outside = 0
        for r in 0..<replicates {
            var batch: [Double] = []
            for k in 1...n {
                let run = EnvironmentCheck.Run(kind: .random, schedule: UInt64(check.settings.firstSchedule + r * n + k - 1), seed: 1)
                let episode = try final(check.policy(for: run))
                batch.append(episode.finalBalanced)
                outside += episode.outOfSupportSteps
            }
            bestWalks.append(batch.max()!)
            all += batch
        }
        var result = Result(ratios: check.settings.ratios, ratioScores: fixed.map(\.score), ratioOutOfSupport: fixed.map(\.outside),
                            fineBestRatio: grid[fineBest], fineBestScore: fine[fineBest].score, margins: [], bestWalkScores: bestWalks,
                            medianWalkScore: Statistics.quantile(all, 0.5),
                            outOfSupportShare: Double(outside) / Double(all.count * model.steps), randomSchedules: n,
                            firstSchedule: check.settings.firstSchedule, sourceWeights: sourceWeights)
        result.margins = bestWalks.map { $0 - result.bestRatioScore }
        return result
    }
}

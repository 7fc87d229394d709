import Corpus
import Numerics
import Surrogate
import Trajectories

/// The surrogate's prediction of each validated policy's real result: every evaluation run's
/// realised schedule replayed through the surrogate from that run's own base feedback (mean
/// transition), its predicted final balanced score set against the run's real one (the per-step
/// feedback subset after the last step, the quantity the surrogate models). Adaptive policies are
/// replayed as the schedules they chose, so this measures the simulator, not the policy.
public enum SurrogateReplay {
    /// One policy's real and predicted final balanced score (mean and sd over its runs).
    public struct PolicyFit: Sendable, Equatable {
        public var policy: String
        public var runs: Int
        public var realMean: Double
        public var realSD: Double
        public var predictedMean: Double
        public var predictedSD: Double
    }

    /// One row per policy whose runs share the model's domains and feedback names (others are
    /// skipped and named in `skipped`).
    public static func run(_ results: ValidationResults, model: SurrogateModel) throws -> (fits: [PolicyFit], skipped: [String]) {
        let env = SurrogateEnvironment(model: model, count: 1, transition: .mean)
        var fits: [PolicyFit] = [], skipped: [String] = []
        for p in results.policies {
            guard p.domains == model.domains, p.runs.allSatisfy({ $0.feedbackNames == model.feedbackNames }) else {
                skipped.append(p.label)
                continue
            }
            var predicted: [Double] = [], real: [Double] = []
            for r in p.runs {
                let schedule = try r.rounds.prefix(model.steps).map { try Mixture($0.mixture) }
                let episode = try PolicyRollout.episodes(SchedulePolicy(name: r.id, schedule: schedule), in: env, seed: r.seed, from: [r.baseFeedback])[0]
                predicted.append(episode.finalBalanced)
                real.append(r.rounds[min(model.steps, r.rounds.count) - 1].balanced)
            }
            let (pm, ps) = Statistics.meanAndSD(predicted), (rm, rs) = Statistics.meanAndSD(real)
            fits.append(PolicyFit(policy: p.label, runs: p.runs.count, realMean: rm, realSD: rs, predictedMean: pm, predictedSD: ps))
        }
        return (fits, skipped)
    }

    /// The file's columns in order, each with its meaning (the folder README is generated from them).
    public static let columns: [AnalysisTable.Column] = [
        .init("policy", "policy label"),
        .init("runs", "evaluation runs replayed"),
        .init("real_mean", "mean real balanced score after the last step (per-step feedback subset)"),
        .init("real_sd", "its sd over runs"),
        .init("predicted_mean", "mean surrogate prediction of the same score: each run's schedule replayed from its base feedback, mean transition"),
        .init("predicted_sd", "its sd over runs"),
    ]

    /// The CSV file as an `AnalysisTable`, one row per entry.
    public static func table(_ fits: [PolicyFit]) -> AnalysisTable {
        AnalysisTable(file: "surrogate_replay.csv",
                      summary: "The surrogate's predicted against the real final balanced score of each validated policy (its runs' schedules replayed through the surrogate).",
                      columns: columns,
                      rows: fits.map {
                          [$0.policy, "\($0.runs)", CSVNumber.text($0.realMean), CSVNumber.text($0.realSD), CSVNumber.text($0.predictedMean),
                           CSVNumber.text($0.predictedSD)]
                      })
    }
}

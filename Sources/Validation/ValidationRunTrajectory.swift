import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Trajectories

extension ValidationRun {
    /// This run in the view every log shares.
    public var runRecord: RunRecord {
        RunRecord(id: id, identity: RunIdentity(environment: environment, environmentHash: environmentHash, baseCheckpoint: baseCheckpoint),
                  policy: spec, role: role, seed: seed, domains: domains.map { DomainName($0) }, feedbackNames: feedbackNames,
                  baseFeedback: baseFeedback, rounds: rounds,
                  final: RunRecord.FinalScores(feedbackNames: finalFeedbackNames, feedback: finalFeedback, score: final))
    }

    /// This run as a trajectory with id `id`, so real validation runs can become training data: its
    /// policy is the spec it ran (kept in the header with its role), its data seed the run's seed.
    /// `environment` is the setting's environment file; it supplies the model preset and the score
    /// weights of the base's balanced score, so it must be the one the run was made with.
    public func trajectory(id: Int, environment env: EnvironmentConfig) throws -> Trajectory {
        guard env.name == environment, env.hash == environmentHash else {
            throw RunConversionError(run: self.id, problem: "environment \(env.name)@\(env.hash) is not the run's \(environment)@\(environmentHash)")
        }
        let base = Feedback(names: feedbackNames, values: baseFeedback)
        var header = Trajectory.Header(
            format: Trajectory.Header.formatName, version: Trajectory.Header.currentVersion, id: id, environment: environment,
            environmentHash: environmentHash, domains: domains.map { DomainName($0) }, feedbackNames: feedbackNames, model: try env.model(model),
            baseCheckpoint: baseCheckpoint, sampler: SampledSchedule(family: "policy", parameters: [:]), dataSeed: seed, scheduleSeed: 0,
            // The validation log does not keep the code version that made the run.
            codeVersion: "unknown")
        (header.policy, header.role) = (spec, role)
        return Trajectory(header: header, baseFeedback: baseFeedback, baseBalanced: try BalancedScore.compute(base, base: base, env: env).balanced,
                          steps: rounds)
    }
}

/// A validation run that cannot become a trajectory with the environment given.
public struct RunConversionError: DataError, Equatable {
    public var run: String
    public var problem: String

    public init(run: String, problem: String) { (self.run, self.problem) = (run, problem) }

    public var description: String { "run \(run): \(problem)" }
}

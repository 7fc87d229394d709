import Evaluation
import Foundation

/// One re-weighting round of a CPT run: what `CPTRunner.run` returns and its resume snapshot keeps,
/// and what every log stores. A collection trajectory's step and a validation run's round are this
/// record, so either log can feed what reads the other. The round's index is its position in the run.
///
/// `lr`, `trainLoss` and `seconds` are kept where the writer measured them; absent ones are left
/// out of the JSON (not written as null), so logs from before this type re-encode byte for byte.
public struct LoggedRound: Codable, Sendable, Equatable {
    public var mixture: [Double]
    public var tokensPerDomain: [Int]
    /// Values in the run's feedback-name order.
    public var feedback: [Double]
    public var balanced: Double
    public var retention: Double
    public var gain: Double
    /// Learning rate at the round's last step (`CPTRunner` measures it and collection trajectories log it; validation runs do not).
    public var lr: Double?
    /// Mean training loss of the round (`CPTRunner` measures it and collection trajectories log it; validation runs do not).
    public var trainLoss: Double?
    /// Wall-clock seconds of the round.
    public var seconds: Double?

    public init(mixture: [Double], tokensPerDomain: [Int], feedback: [Double], balanced: Double, retention: Double, gain: Double,
                lr: Double? = nil, trainLoss: Double? = nil, seconds: Double? = nil) {
        (self.mixture, self.tokensPerDomain, self.feedback, self.balanced, self.retention, self.gain) =
            (mixture, tokensPerDomain, feedback, balanced, retention, gain)
        (self.lr, self.trainLoss, self.seconds) = (lr, trainLoss, seconds)
    }
}

extension LoggedRound {
    /// A round as the runner measured it: typed feedback and score flattened into what logs keep.
    public init(mixture: [Double], tokensPerDomain: [Int], feedback: Feedback, score: BalancedScore,
                lr: Double? = nil, trainLoss: Double? = nil, seconds: Double? = nil) {
        self.init(mixture: mixture, tokensPerDomain: tokensPerDomain, feedback: feedback.values, balanced: score.balanced,
                  retention: score.retention, gain: score.gain, lr: lr, trainLoss: trainLoss, seconds: seconds)
    }

    /// The round's balanced score, retention and gain as one value.
    public var score: BalancedScore { BalancedScore(balanced: balanced, retention: retention, gain: gain) }

    /// The round's feedback under `names`, the run's feedback-name order (`baseFeedback.names`).
    public func feedback(names: [String]) -> Feedback { Feedback(names: names, values: feedback) }

    /// This round as validation logs keep it. Those logs were written without `lr` and `trainLoss`,
    /// so a re-made run drops them to write the lines it always wrote.
    public var withoutTrainingMeasures: LoggedRound {
        var copy = self
        (copy.lr, copy.trainLoss) = (nil, nil)
        return copy
    }
}

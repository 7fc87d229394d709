import Foundation

/// One re-weighting round of a logged CPT run, as every log stores it: a collection trajectory's
/// step and a validation run's round are this record, so either log can feed what reads the other.
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
    /// Learning rate at the round's last step (collection trajectories log it; validation runs do not).
    public var lr: Double?
    /// Mean training loss of the round (collection trajectories log it; validation runs do not).
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

extension RoundRecord {
    /// The round as logs keep it. Validation logs were written without `lr` and `trainLoss`, so
    /// `measured: false` leaves them out and a re-run writes the lines it always wrote.
    public func logged(trainingMeasures measured: Bool = true) -> LoggedRound {
        LoggedRound(mixture: mixture, tokensPerDomain: tokensPerDomain, feedback: feedback.values, balanced: score.balanced,
                    retention: score.retention, gain: score.gain, lr: measured ? lr : nil, trainLoss: measured ? trainLoss : nil,
                    seconds: seconds)
    }
}

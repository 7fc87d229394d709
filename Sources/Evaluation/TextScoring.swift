import Corpus
import Foundation

/// Scoring of users' own data: any text, or Q/A problems in our math format.
public enum TextScoring {
    /// Bits per byte of `bytes` in non-overlapping windows of the model's context.
    public static func bitsPerByte(_ bytes: [UInt8], model: ScoringModel) -> Double {
        let ctx = model.contextLength
        let items = stride(from: 0, to: bytes.count - 1, by: ctx).map { ScoringItem(window: bytes, from: $0, context: ctx) }
        return ScoringPlan(items).score(model).bitsPerByte
    }

    /// Answer-only bits per byte (answer and its newline) and exact match of greedy answers.
    public static func answers(_ problems: [MathProblem], model: ScoringModel) -> (bitsPerByte: Double, exactMatch: Double) {
        let s = ScoringPlan(problems.map { ScoringItem(answering: $0, context: model.contextLength) }).score(model)
        return (s.bitsPerByte, s.exactMatchRate)
    }
}

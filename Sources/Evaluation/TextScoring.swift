import Corpus
import Foundation

/// Scoring of users' own data: any text, or Q/A problems in our math format.
public enum TextScoring {
    /// Bits per byte of `bytes` in non-overlapping windows of the model's context.
    public static func bitsPerByte(_ bytes: [UInt8], model: ScoringModel) throws -> Double {
        let ctx = model.contextLength
        var items: [ScoringItem] = []
        var lo = 0
        while lo + 1 < bytes.count {
            let hi = min(bytes.count, lo + ctx + 1)
            items.append(ScoringItem(tokens: Array(bytes[lo..<hi]), scoredFrom: 1))
            lo += ctx
        }
        let scores = Scorer.score(items, model: model)
        return scores.reduce(0) { $0 + $1.nats } / Double(scores.reduce(0) { $0 + $1.count }) / log(2)
    }

    /// Answer-only bits per byte (answer and its newline) and exact match of greedy answers.
    public static func answers(_ problems: [MathProblem], model: ScoringModel) -> (bitsPerByte: Double, exactMatch: Double) {
        let items = problems.map {
            ScoringItem(prompt: Array($0.prompt.utf8), continuation: Array(($0.answer + "\n").utf8), context: model.contextLength)
        }
        let s = Scorer.score(items, model: model)
        let bpb = s.reduce(0) { $0 + $1.nats } / Double(s.reduce(0) { $0 + $1.count }) / log(2)
        return (bpb, Double(s.filter(\.exact).count) / Double(problems.count))
    }
}

import Corpus
import Environment

/// Static mixtures read off the environment alone: the natural mixture of the corpus and the
/// score-weighted field split. Both are mapped into the collection's floored simplex.
public enum EnvironmentMixtures {
    /// Proportional to each domain's training bytes in the environment's corpus (the prior the
    /// base was pre-trained under, extended to the target field).
    public static func natural(_ space: DomainSpace, environment: EnvironmentConfig, floor: Double) throws -> Mixture {
        let bytes = try CorpusStore(directory: environment.corpusDirectory).trainingBytes(space.domains)
        return try FlooredSimplex(dimension: space.count, floor: floor).mixture(bytes)
    }

    /// Source share `sourceShare`, split within the source field in proportion to the score's
    /// retention weights (`score.sourceWeights`; an unnamed domain weighs 1, as in `ScoreFormula`),
    /// uniform within the target field. Source weights that are all 0 fall back to uniform. The
    /// floor is applied after the split, so the source share moves by at most D·floor.
    public static func scoreWeighted(_ space: DomainSpace, environment: EnvironmentConfig, sourceShare: Double, floor: Double) throws -> Mixture {
        precondition((0...1).contains(sourceShare), "a source share lies in [0, 1]")
        let source = space.indices(in: .source)
        let target = space.domains.indices.filter { !source.contains($0) }
        var w = [Double](repeating: 0, count: space.count)
        var retention = source.map { environment.score.sourceWeights[space.domains[$0].rawValue] ?? 1 }
        if retention.reduce(0, +) <= 0 { retention = source.map { _ in 1 } }
        let total = retention.reduce(0, +)
        // An empty field passes its share to the other one.
        let sourceMass = target.isEmpty ? 1 : source.isEmpty ? 0 : sourceShare
        for (k, i) in source.enumerated() { w[i] = sourceMass * retention[k] / total }
        for i in target { w[i] = (1 - sourceMass) / Double(target.count) }
        return try FlooredSimplex(dimension: space.count, floor: floor).mixture(w)
    }
}

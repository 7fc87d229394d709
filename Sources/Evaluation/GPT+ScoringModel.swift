import Transformer

extension GPT: ScoringModel {
    public var contextLength: Int { config.context }

    public func score(tokens: [UInt8], rows: Int, length: Int) -> TokenScores {
        let s = scores(TokenBatch(batchSize: rows, length: length, tokens: tokens))
        return TokenScores(losses: s.losses, hits: s.hits)
    }
}

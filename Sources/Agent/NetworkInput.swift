/// A batch of states as the agent's networks read them: B states over one domain space of D
/// domains, already normalised (`FeatureNormalizer`). Row-major `Float` buffers.
public struct NetworkInput: Sendable {
    /// B × D × tokenWidth domain tokens.
    public var tokens: [Float]
    /// B × globalWidth global features.
    public var globals: [Float]
    /// B × D: 1 for a source-field domain, 0 for a target-field one (per-field pooling).
    public var isSource: [Float]
    public var batch: Int
    public var domains: Int

    public init(tokens: [Float], globals: [Float], isSource: [Float], batch: Int, domains: Int) {
        precondition(batch > 0 && domains > 0 && isSource.count == batch * domains, "network input of inconsistent shape")
        (self.tokens, self.globals, self.isSource, self.batch, self.domains) = (tokens, globals, isSource, batch, domains)
    }
}

import Corpus
import Trajectories

/// Between states and the networks' buffers.
enum AgentEncoding {
    /// Appends `state`'s tokens, globals and source mask as the networks read them (before normalisation).
    static func append(_ state: PolicyState, layout: ObservationLayout, tokens: inout [Float], globals: inout [Float], isSource: inout [Float]) {
        tokens += layout.tokens(state).lazy.map(Float.init)
        globals += layout.globals(state).lazy.map(Float.init)
        isSource += layout.isSource.lazy.map { $0 ? 1 : 0 }
    }

    static func input(_ states: [PolicyState], layout: ObservationLayout, normalizer: FeatureNormalizer) -> NetworkInput {
        var tokens: [Float] = [], globals: [Float] = [], isSource: [Float] = []
        tokens.reserveCapacity(states.count * layout.domainCount * normalizer.tokenMean.count)
        globals.reserveCapacity(states.count * normalizer.globalMean.count)
        isSource.reserveCapacity(states.count * layout.domainCount)
        for s in states { append(s, layout: layout, tokens: &tokens, globals: &globals, isSource: &isSource) }
        normalizer.apply(tokens: &tokens, globals: &globals)
        return NetworkInput(tokens: tokens, globals: globals, isSource: isSource, batch: states.count, domains: layout.domainCount)
    }

    /// Mixtures from the network's Float output, renormalised in Double so each sums to 1 within
    /// 1e-12, then held under `cap` (with `floor` kept); a non-finite output (a diverged network) is
    /// an error naming the policy.
    static func mixtures(_ raw: [Float], batch: Int, domains D: Int, policy: String, cap: SupportCap? = nil, floor: Double = 0) throws -> [Mixture] {
        try (0..<batch).map { b in
            let w = (0..<D).map { Double(raw[b * D + $0]) }
            let total = w.reduce(0, +)
            guard total.isFinite, total > 0, w.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw AgentError.data("policy \(policy) produced an invalid mixture for state \(b)")
            }
            let normalised = w.map { $0 / total }
            return try Mixture(cap.map { $0.project(normalised, floor: min(floor, normalised.min()!)) } ?? normalised)
        }
    }
}

import Corpus
import Numerics
import Trajectories

/// A policy network read through a layout and a normaliser: the agent before it has a file.
struct BoundNetwork {
    let policy: PolicyNetwork
    let normalizer: FeatureNormalizer
    let layout: ObservationLayout
    let floor: Double
    let cap: SupportCap?

    func mixtures(_ states: [PolicyState], rng: RandomSource?) throws -> [Mixture] {
        let input = AgentEncoding.input(states, layout: layout, normalizer: normalizer)
        let raw = policy.act(input, floor: Float(floor), deterministic: rng == nil, rng: rng)
        return try AgentEncoding.mixtures(raw, batch: states.count, domains: layout.domainCount, policy: "training policy", cap: cap, floor: floor)
    }
}

import Corpus
import Trajectories

/// Passes states through to a policy and keeps them (the states an agent visits in simulation).
final class StateRecorder: MixturePolicy {
    let inner: MixturePolicy
    private(set) var states: [PolicyState] = []
    var name: String { inner.name }
    init(_ inner: MixturePolicy) { self.inner = inner }
    func nextMixture(_ state: PolicyState) throws -> Mixture { try nextMixtures([state])[0] }
    func nextMixtures(_ batch: [PolicyState]) throws -> [Mixture] {
        states += batch
        return try inner.nextMixtures(batch)
    }
}

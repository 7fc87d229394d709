import Baselines
import Corpus
import Validation

/// The evaluation runs of one policy in one setting: the unit every per-policy analysis and plot
/// works on.
public struct PolicyRuns: Sendable {
    /// The policy's label in the validation log (`agent`, `uniform`, `best-fixed`, …).
    public var policy: String
    /// The setting the runs share (environment, `@model` for another model).
    public var setting: String
    /// The resolved spec of its first run (`ratio:0.7`, `agent:FILE`, …).
    public var spec: String
    /// Evaluation runs, ordered by seed.
    public var runs: [ValidationRun]
    /// The label in tables and legends: the policy, with `@ setting` when the results hold several settings.
    public var label: String

    /// The runs' domain space.
    public var domains: [DomainName] { runs[0].domains.map { DomainName($0) } }
    /// Re-weighting steps of its runs (the shortest run's, should they differ).
    public var steps: Int { runs.map(\.rounds.count).min() ?? 0 }
    /// Seeds of the runs, ascending.
    public var seeds: [UInt64] { runs.map(\.seed) }

    /// Whether this is a learned agent or a candidate derived from one (see
    /// ``PolicyChoice/isAgent(label:spec:)``). Which agent the others are compared against is
    /// `ValidationResults.referenceAgents(policyFile:)`, never the first agent.
    public var isAgent: Bool { PolicyChoice.isAgent(label: policy, spec: spec) }

    /// The policy file of an agent's runs (`FILE` of the spec `agent:FILE`); nil for other policies.
    public var agentFile: String? { (try? PolicySpec(parsing: spec))?.agentPath }

    /// Whether the policy trains one static mixture (a field ratio, best-fixed's or the grid's,
    /// `mixture:…`, uniform, source- or target-only): the points the fixed-mixture Pareto front is drawn through.
    public var isFixedMixture: Bool { (try? PolicySpec(parsing: spec))?.isFixedMixture ?? false }

    /// Indices of the source-field domains.
    public var sourceIndices: [Int] { domains.indices.filter { domains[$0].field == .source } }
}

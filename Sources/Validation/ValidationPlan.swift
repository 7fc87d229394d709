import Baselines
import Foundation
import Trajectories

/// A policy of the validation as the user named it (`--policies`), before it is resolved into
/// something that runs.
public enum PolicyChoice: Sendable, Equatable {
    /// A trained agent's policy file, with its label ("agent" unless renamed: `agent-v1=agent:FILE`).
    case agent(path: String, label: String = PolicyChoice.agentLabel)
    /// The best field ratio of the grid, chosen on the selection seeds.
    case bestFixed
    /// Best-fixed's source share, split within the source field by the score weights.
    case scoreWeighted
    /// Any other policy selectable by name (`uniform`, `target-only`, `regmix`, `doremi`, …).
    case named(PolicySpec)

    /// The label of the agent the others are compared with.
    public static let agentLabel = "agent"

    /// Parses `SPEC` or `LABEL=agent:FILE` (a second agent needs its own label); throws
    /// `PolicySpecError` for a spec that names no policy.
    public init(parsing text: String) throws {
        if let eq = text.firstIndex(of: "="), case .agent(let path)? = try? PolicySpec(parsing: String(text[text.index(after: eq)...])) {
            self = .agent(path: path, label: String(text[..<eq]))
            return
        }
        switch text {
        case "best-fixed": self = .bestFixed
        case "score-weighted": self = .scoreWeighted
        default:
            let spec = try PolicySpec(parsing: text)
            if let path = spec.agentPath { self = .agent(path: path) } else { self = .named(spec) }
        }
    }

    /// Whether a run of a validation log is an agent's: its spec is an agent file, or its label is
    /// in the agent family (`agent`, `agent-v1`, …), which agent-selection studies also give to
    /// candidates derived from an agent (a static mixture at its capped corner). The one
    /// definition the summaries, tables and plots share.
    public static func isAgent(label: String, spec: String) -> Bool {
        label == agentLabel || label.hasPrefix(agentLabel + "-") || ((try? PolicySpec(parsing: spec))?.isAgent ?? false)
    }

    /// The label in tables and logs.
    public var label: String {
        switch self {
        case .agent(_, let label): return label
        case .bestFixed: return "best-fixed"
        case .scoreWeighted: return "score-weighted"
        case .named(let spec): return spec.description
        }
    }

    /// Whether it needs the selection grid's results before its evaluation runs.
    public var needsSelection: Bool { self == .bestFixed || self == .scoreWeighted }

    /// Baselines that fit on logged trajectories of the setting itself.
    public var usesLoggedRuns: Bool {
        if case .named(let spec) = self { return spec.usesLoggedRuns }
        return false
    }
}

/// A bad validation plan (policies, seeds, shards).
public struct ValidationPlanError: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// What a validation runs: every (policy, evaluation seed), plus best-fixed's grid of field ratios
/// on separate selection seeds, so that baseline never picks its ratio on its own test runs.
public struct ValidationPlan: Sendable {
    /// One planned real CPT run.
    public struct Entry: Sendable, Equatable {
        public var policy: String
        /// What runs: `agent:FILE`, `ratio:R`, a named policy (resolved best-fixed / score-weighted carry their share).
        public var spec: PolicySpec
        public var role: ValidationRun.Role
        public var seed: UInt64
        public var priorRuns: Int
        public var id: String { ValidationRun.id(policy: policy, role: role, seed: seed) }
    }

    public var policies: [PolicyChoice]
    public var evaluationSeeds: [UInt64]
    public var selectionSeeds: [UInt64]
    /// Best-fixed's grid of source shares.
    public var grid: [Double]
    /// Real CPT runs of this setting the data-fitting baselines were given (their `--data`).
    public var loggedRuns: Int
    /// Real CPT runs of this setting each agent (by label) was trained on (absent: it never saw the setting).
    public var agentRuns: [String: Int]

    public static let defaultGrid: [Double] = (1...9).map { Double($0) / 10 }

    public init(policies: [PolicyChoice], evaluationSeeds: [UInt64], selectionSeeds: [UInt64], grid: [Double] = ValidationPlan.defaultGrid,
                loggedRuns: Int, agentRuns: [String: Int]) throws {
        guard !policies.isEmpty else { throw ValidationPlanError("--policies names no policy") }
        let labels = policies.map(\.label)
        if let twice = labels.first(where: { l in labels.filter { $0 == l }.count > 1 }) {
            throw ValidationPlanError("--policies names '\(twice)' twice (one agent per validation; give another --out for another)")
        }
        guard !evaluationSeeds.isEmpty, Set(evaluationSeeds).count == evaluationSeeds.count else {
            throw ValidationPlanError("--seeds must name distinct evaluation seeds")
        }
        if policies.contains(where: \.needsSelection) {
            guard !selectionSeeds.isEmpty else { throw ValidationPlanError("best-fixed and score-weighted need --selection-seeds") }
            if let shared = selectionSeeds.first(where: evaluationSeeds.contains) {
                throw ValidationPlanError("seed \(shared) is both a selection and an evaluation seed: best-fixed would pick its ratio on its own test run")
            }
            guard !grid.isEmpty, grid.allSatisfy({ (0...1).contains($0) }) else { throw ValidationPlanError("the best-fixed grid needs shares in [0, 1]") }
        }
        (self.policies, self.evaluationSeeds, self.selectionSeeds, self.grid, self.loggedRuns, self.agentRuns) =
            (policies, evaluationSeeds, selectionSeeds, grid, loggedRuns, agentRuns)
    }

    /// The selection runs (none unless best-fixed or score-weighted is asked for).
    public var selection: [Entry] {
        guard policies.contains(where: \.needsSelection) else { return [] }
        return selectionSeeds.flatMap { s in grid.map { r in Entry(policy: Self.gridLabel(r), spec: .ratio(r), role: .selection, seed: s, priorRuns: 0) } }
    }

    /// The label of best-fixed's selection run at `share`: ``gridPrefix`` and the share.
    public static func gridLabel(_ share: Double) -> String { "\(gridPrefix)\(share)" }
    public static let gridPrefix = "fixed:"

    /// Best-fixed's share from the selection runs (highest mean final balanced score over the
    /// selection seeds); nil until every grid run is in `records`.
    public func bestShare(from records: [ValidationRun]) -> Double? {
        guard policies.contains(where: \.needsSelection) else { return nil }
        let byID = Dictionary(records.filter { $0.role == .selection }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var runsByShare: [(share: Double, runs: [ValidationRun])] = []
        for r in grid {
            let runs = selectionSeeds.compactMap { byID[ValidationRun.id(policy: Self.gridLabel(r), role: .selection, seed: $0)] }
            guard runs.count == selectionSeeds.count else { return nil }
            runsByShare.append((r, runs))
        }
        return Self.best(of: runsByShare)?.share
    }

    /// The share whose runs have the highest mean final balanced score (the first of equal means, in
    /// the order given), with that mean and its run count; nil for no shares. Best-fixed's rule, for
    /// dma's own selection runs and imported ones alike.
    public static func best(of grid: [(share: Double, runs: [ValidationRun])]) -> (share: Double, mean: Double, runs: Int)? {
        var best: (share: Double, mean: Double, runs: Int)?
        for (share, runs) in grid where !runs.isEmpty {
            let mean = runs.map(\.final.balanced).reduce(0, +) / Double(runs.count)
            if best == nil || mean > best!.mean { best = (share, mean, runs.count) }
        }
        return best
    }

    /// The evaluation runs, seed by seed (an interrupted validation leaves whole seeds compared).
    /// Policies that need the selection are left out while `bestShare` is nil.
    public func evaluation(bestShare: Double?) -> [Entry] {
        evaluationSeeds.flatMap { s in
            policies.compactMap { p -> Entry? in
                let spec: PolicySpec
                switch p {
                case .agent(let path, _): spec = .agent(path: path)
                case .bestFixed: guard let r = bestShare else { return nil }; spec = .ratio(r)
                case .scoreWeighted: guard let r = bestShare else { return nil }; spec = .scoreWeighted(r)
                case .named(let named): spec = named
                }
                return Entry(policy: p.label, spec: spec, role: .evaluation, seed: s, priorRuns: priorRuns(p))
            }
        }
    }

    /// Real CPT runs of this setting `p` consumed before its evaluation runs.
    public func priorRuns(_ p: PolicyChoice) -> Int {
        if case .agent = p { return agentRuns[p.label] ?? 0 }
        if p.needsSelection { return grid.count * selectionSeeds.count }
        return p.usesLoggedRuns ? loggedRuns : 0
    }

    /// The entries shard `shard` of `count` runs: every count-th, from its index.
    public static func shard(_ entries: [Entry], index: Int, count: Int) -> [Entry] {
        entries.enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}

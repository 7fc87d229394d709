import Base
import Foundation
import Trajectories

/// `docs/results.md`: every validated setting's comparison, built from result folders (each with
/// `runs.jsonl`, `invocations.jsonl` and, when `dma env check` ran there, `env-check.json`).
public enum ResultsReport {
    /// One setting's folder, read.
    public struct Setting {
        public var folder: String
        public var summary: ValidationSummary
        public var invocations: [ValidationInvocation]
        public var check: EnvironmentCheck.Report?
        public var runs: Int
        public var selectionRuns: Int
        /// For runs made outside dma (`dma validate import`): the model as the runs record it
        /// (name and description) and how many run logs they came from; nil for dma's own runs.
        public var imported: (model: String, logs: Int)?

        /// Reads `folder`; `notes` gets the log's tail notice. A folder without evaluation runs of
        /// the agent has nothing to report and is an error naming it.
        public init(folder: String, notes: (String) -> Void) throws {
            self.folder = folder
            let log = "\(folder)/runs.jsonl"
            let records = try ValidationLog.read(log, notes: notes)
            summary = ValidationSummary(records)
            guard summary.policies.contains(where: { $0.policy == "agent" }) else {
                let has = summary.policies.isEmpty ? "no evaluation runs" : "evaluation runs of \(summary.policies.map(\.policy).joined(separator: ", ")) only"
                throw DataFileError(path: log, problem: "no evaluation runs of the agent (\(has)): nothing to report")
            }
            invocations = try ValidationInvocation.read("\(folder)/invocations.jsonl")
            let checkPath = "\(folder)/env-check.json"
            check = try FileManager.default.fileExists(atPath: checkPath) ? EnvironmentCheck.Report.load(from: checkPath) : nil
            runs = records.count
            selectionRuns = records.filter { $0.role == .selection }.count
            let logs = Set(records.compactMap(\.importedFrom))
            if !logs.isEmpty {
                let r = records[0]
                imported = (r.modelDescription.map { "\(r.model) (\($0))" } ?? r.model, logs.count)
            }
        }
    }

    /// Baselines the main setting's agent must beat with a paired interval above 0.
    public static let mainRivals = ["uniform", "target-only", "best-fixed"]

    /// The verdict on one setting: the agent's mean against the best baseline's.
    public static func verdict(_ s: ValidationSummary, main: Bool) -> String {
        guard let (agent, best) = s.agentAndBest else { return "no agent or no baseline" }
        // Met or not is decided on the mean, as the goal is stated; either way an interval around 0 is said.
        let unresolved = s.paired(against: best.policy)?.containsZero == true
        var text = agent.balanced >= best.balanced
            ? "agent ≥ best baseline (\(best.policy)): \(f(agent.balanced)) vs \(f(best.balanced)) — met on the mean"
            : "agent below the best baseline (\(best.policy)): \(f(agent.balanced)) vs \(f(best.balanced)) — not met"
        if unresolved { text += " (the paired 95% interval contains 0: no difference resolved)" }
        if main {
            let ok = mainRivals.allSatisfy { name in s.paired(against: name).map { ($0.low ?? -1) > 0 } ?? false }
            text += "; paired 95% interval above 0 against \(mainRivals.joined(separator: ", ")): \(ok ? "met" : "not met")"
        }
        return text
    }

    /// The paper's second claim, checked on one setting: a better score with less source data. It
    /// holds when the agent scores at least the best baseline's mean with fewer source tokens.
    public static func sourceDataNote(agent: ValidationSummary.PolicyRow, best: ValidationSummary.PolicyRow) -> String {
        func share(_ p: ValidationSummary.PolicyRow) -> String {
            String(format: "%.0f%%", 100 * p.sourceTokens / max(p.sourceTokens + p.targetTokens, 1))
        }
        let better = agent.balanced >= best.balanced, less = agent.sourceTokens < best.sourceTokens
        let outcome = better && less ? "holds" : "does not hold (the agent scores \(better ? "at least as well" : "lower") with \(less ? "less" : "more") source data)"
        return "Source data: the agent trained on \(Int(agent.sourceTokens)) source tokens (\(share(agent)) of its tokens), the best baseline (\(best.policy)) on \(Int(best.sourceTokens)) (\(share(best))). The paper's \"better score with less source data\" \(outcome)."
    }

    /// The markdown page; `main` names the main setting (its row has the stricter goal).
    public static func markdown(_ settings: [Setting], main: String?) -> String {
        let imported = settings.filter { $0.imported != nil }.map { "`\($0.summary.setting)`" }
        let runsOf = imported.isEmpty ? "every number is a real CPT run of the bundled transformer, scored on the full benchmark suite after its last round."
            : "every number is a real CPT run of the bundled transformer, scored on the full benchmark suite after its last round, except in \(imported.joined(separator: ", ")): real CPT runs of another trainer's model, made outside dma and imported with `dma validate import`, scored by that trainer's own evaluation through the environment's score formula (docs/byo-runs.md)."
        var out = "# Validation on real CPT runs\n\nGenerated by `dma validate report` from the result folders below; \(runsOf) Paired differences are agent − baseline over the same data seeds, with a two-sided 95% t-interval.\n\n"
        out += "## Overview\n\n| setting | agent | best baseline | agent − best (95% CI) | real runs before evaluation: agent / best baseline | verdict |\n|---|---|---|---|---|---|\n"
        for s in settings {
            let sum = s.summary
            guard let (agent, best) = sum.agentAndBest else { continue }
            let d = sum.paired(against: best.policy)
            out += "| \(sum.setting) | \(f(agent.balanced)) ± \(f(agent.balancedSD)) | \(best.policy) \(f(best.balanced)) ± \(f(best.balancedSD)) | \(d.map(interval) ?? "") | \(agent.priorRuns) / \(best.priorRuns) | \(verdict(sum, main: sum.setting == main)) |\n"
        }
        for s in settings {
            let sum = s.summary
            out += "\n## \(sum.setting)\n\nFolder `\(s.folder)`: \(s.runs) runs (\(s.selectionRuns) selection runs of best-fixed's grid), evaluation seeds \(sum.seeds.map(String.init).joined(separator: ", "))"
            if let share = sum.bestFixedShare { out += "; best-fixed chose source share \(share) on the selection seeds" }
            out += "."
            if let (model, logs) = s.imported {
                out += " Runs of the model \(model), made outside dma and imported from \(logs) run log\(logs == 1 ? "" : "s") with `dma validate import`; each score is the environment's formula on that trainer's own evaluation after the last round."
            }
            out += "\n\n| policy | runs | balanced | sd | retention | gain | source tokens | target tokens | prior real runs | agent − policy (95% CI) |\n|---|---|---|---|---|---|---|---|---|---|\n"
            for p in sum.policies.sorted(by: { $0.balanced > $1.balanced }) {
                out += "| \(p.policy) | \(p.runs) | \(f(p.balanced)) | \(f(p.balancedSD)) | \(f(p.retention)) | \(f(p.gain)) | \(Int(p.sourceTokens)) | \(Int(p.targetTokens)) | \(p.priorRuns) | \(sum.paired(against: p.policy).map(interval) ?? "—") |\n"
            }
            out += "\nVerdict: \(verdict(sum, main: sum.setting == main)).\n"
            if let (agent, best) = sum.agentAndBest { out += "\n" + sourceDataNote(agent: agent, best: best) + "\n" }
            if let c = s.check {
                out += "\n`dma env check` on this setting (`\(s.folder)/env-check.json`):\n\n| # | criterion | measured | required | result |\n|---|---|---|---|---|\n"
                for k in c.criteria {
                    out += "| \(k.number) | \(cell(k.name)) | \(cell(k.measured)) | \(cell(k.required)) | \(k.result) |\n"
                }
                out += "\nSeed sd of the balanced score: \(f(c.seedSD)).\n"
            }
            if !s.invocations.isEmpty {
                let seconds = s.invocations.reduce(0) { $0 + $1.seconds }
                out += "\nHow it was made (\(s.invocations.count) invocation\(s.invocations.count == 1 ? "" : "s"), \(String(format: "%.1f", seconds / 60)) minutes in all, on \(s.invocations[0].machine)):\n\n```\n"
                var seen = Set<String>()
                for i in s.invocations where seen.insert(i.command).inserted { out += i.command + "\n" }
                out += "```\n"
            }
        }
        return out
    }

    static func f(_ x: Double) -> String { String(format: "%.4f", x) }
    /// Text for a markdown table cell: a bare "|" (as in "|Δ| ≤ 0.02") would end the cell.
    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
    static func interval(_ d: ValidationSummary.PairedRow) -> String {
        String(format: "%+.4f", d.mean) + (d.low.map { String(format: " [%+.4f, %+.4f]", $0, d.high!) } ?? " (1 pair)")
    }
}

extension EnvironmentCheck.Report: ValidatedJSON {
    public static var fileKind: String { "environment check report" }
    public func validate() throws {
        guard !criteria.isEmpty else { throw ContentProblem("it lists no criteria") }
    }
}

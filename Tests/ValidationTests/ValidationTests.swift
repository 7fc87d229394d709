import Base
import Baselines
import Corpus
import DMATestSupport
import Environment
import Evaluation
import Foundation
import Numerics
import Testing
import Trajectories
import Transformer
@testable import Validation

/// A synthetic validation record with final score `balanced`.
func record(_ policy: String, seed: UInt64, balanced: Double, role: ValidationRun.Role = .evaluation, spec: String? = nil) -> ValidationRun {
    ValidationRun(id: ValidationRun.id(policy: policy, role: role, seed: seed), setting: "fixture", environment: "fixture", environmentHash: "e",
                  baseCheckpoint: "b", model: "proxy", policy: policy, spec: spec ?? policy, role: role, seed: seed, priorRuns: 0,
                  domains: ["source/a", "math/b"], feedbackNames: ["bpb/source/a"], baseFeedback: [2],
                  rounds: [.init(mixture: [0.5, 0.5], tokensPerDomain: [10, 10], feedback: [2.1], balanced: balanced, retention: 0.9, gain: 0.1, seconds: 1)],
                  finalFeedbackNames: ["bpb/source/a", "em/math/b"], finalFeedback: [2.1, 0.2], final: BalancedScore(balanced: balanced, retention: 0.9, gain: 0.1),
                  sourceTokens: 10, targetTokens: 10, seconds: 1)
}

func temporary(_ name: String) -> String { NSTemporaryDirectory() + "dma-validation-\(UUID().uuidString)-\(name)" }

@Suite struct ValidationPlanTests {
    @Test func eachAgentKeepsItsOwnPriorRuns() throws {
        // Found by make demo: two agents in one validation both got the last one's count (304).
        let plan = try ValidationPlan(policies: [.agent(path: "a.json"), .agent(path: "b.json", label: "agent-cql"), .named(.uniform)],
                                      evaluationSeeds: [4], selectionSeeds: [], loggedRuns: 0, agentRuns: ["agent-cql": 304])
        #expect(plan.evaluation(bestShare: nil).map(\.priorRuns) == [0, 304, 0])
    }

    @Test func bestFixedSelectsOnSelectionSeedsOnly() throws {
        let plan = try ValidationPlan(policies: [.named(.uniform), .bestFixed, .scoreWeighted], evaluationSeeds: [4, 5], selectionSeeds: [1, 2],
                                      grid: [0.25, 0.5, 0.75], loggedRuns: 48, agentRuns: [:])
        #expect(plan.selection.count == 6 && plan.selection.allSatisfy { $0.role == .selection && [1, 2].contains($0.seed) })
        // Incomplete selection: best-fixed and score-weighted wait.
        #expect(plan.evaluation(bestShare: nil).map(\.policy) == ["uniform", "uniform"])
        // Share 0.5 is best on average over the selection seeds (0.7, 0.7 vs 0.9, 0.4 for 0.75).
        let scores: [Double: [Double]] = [0.25: [0.5, 0.5], 0.5: [0.7, 0.7], 0.75: [0.9, 0.4]]
        var records: [ValidationRun] = []
        for (r, s) in scores { for (k, seed) in [1, 2].enumerated() { records.append(record(ValidationPlan.gridLabel(r), seed: UInt64(seed), balanced: s[k], role: .selection)) } }
        #expect(plan.bestShare(from: Array(records.dropLast())) == nil)
        let share = try #require(plan.bestShare(from: records))
        #expect(share == 0.5)
        let eval = plan.evaluation(bestShare: share)
        #expect(eval.map(\.spec.description) == ["uniform", "ratio:0.5", "score-weighted:0.5", "uniform", "ratio:0.5", "score-weighted:0.5"])
        #expect(eval.map(\.seed) == [4, 4, 4, 5, 5, 5])
        #expect(eval.first { $0.policy == "best-fixed" }!.priorRuns == 6)
        // Shards partition the list.
        let a = ValidationPlan.shard(eval, index: 0, count: 2), b = ValidationPlan.shard(eval, index: 1, count: 2)
        #expect(a.count + b.count == eval.count && Set(a.map(\.id)).isDisjoint(with: b.map(\.id)))
    }

    @Test func badPlansAreRefusedWithReasons() throws {
        #expect(throws: ValidationPlanError.self) {
            try ValidationPlan(policies: [.bestFixed], evaluationSeeds: [1, 2], selectionSeeds: [2, 3], loggedRuns: 0, agentRuns: [:])
        }
        #expect(throws: ValidationPlanError.self) {
            try ValidationPlan(policies: [.named(.uniform), .named(.uniform)], evaluationSeeds: [1], selectionSeeds: [], loggedRuns: 0, agentRuns: [:])
        }
        #expect(throws: ValidationPlanError.self) { try ValidationPlan(policies: [], evaluationSeeds: [1], selectionSeeds: [], loggedRuns: 0, agentRuns: [:]) }
        #expect(try PolicyChoice(parsing: "agent:x.json") == .agent(path: "x.json"))
        #expect(try PolicyChoice(parsing: "agent-v1=agent:x=1.json") == .agent(path: "x=1.json", label: "agent-v1"))
        #expect(try PolicyChoice(parsing: "agent-v1=agent:x.json").label == "agent-v1")
        #expect(try PolicyChoice(parsing: "regmix").usesLoggedRuns)
    }
}

@Suite struct ValidationSummaryTests {
    @Test func pairedDifferencesArePairedBySeed() throws {
        // agent − uniform per seed: 0.01, 0.02, 0.03 (mean 0.02, sd 0.01); the unpaired seed 7 is ignored.
        let runs = [record("agent", seed: 4, balanced: 0.61), record("agent", seed: 5, balanced: 0.72), record("agent", seed: 6, balanced: 0.53),
                    record("uniform", seed: 6, balanced: 0.50), record("uniform", seed: 4, balanced: 0.60), record("uniform", seed: 5, balanced: 0.70),
                    record("uniform", seed: 7, balanced: 0.99), record("fixed:0.5", seed: 1, balanced: 0.9, role: .selection)]
        let s = ValidationSummary(runs)
        let d = try #require(s.paired.first { $0.baseline == "uniform" })
        #expect(d.pairs == 3 && abs(d.mean - 0.02) < 1e-12 && abs(d.sd - 0.01) < 1e-12)
        let half = Statistics.studentTQuantile(0.975, dof: 2) * 0.01 / 3.0.squareRoot()
        #expect(abs(d.low! - (0.02 - half)) < 1e-12 && abs(d.high! - (0.02 + half)) < 1e-12)
        #expect(s.policies.map(\.policy) == ["agent", "uniform"] && s.policies[1].runs == 4)
        #expect(s.seeds == [4, 5, 6, 7])
    }

    @Test func resultsCSVRoundTripsWithEverySignal() throws {
        let runs = [record("agent", seed: 4, balanced: 0.61), record("uniform", seed: 4, balanced: 0.6)]
        let path = temporary("results.csv")
        try AtomicFile.write(Data(try ResultsCSV.table(runs).encoded().utf8), to: path)
        let table = try CSVTable.read(from: path)
        #expect(table.header == ResultsCSV.leadingColumns + ["bpb/source/a", "em/math/b"] + ResultsCSV.trailingColumns)
        #expect(table.rows.count == 2 && Double(table.rows[0][table.column("balanced")!]) == 0.61)
        #expect(table.rows[1][table.column("policy")!] == "uniform")
    }
}

@Suite struct ValidationLogTests {
    func write(_ lines: [String]) throws -> String {
        let path = temporary("runs.jsonl")
        try Data(lines.joined(separator: "\n").appending("\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
    func line(_ r: ValidationRun) throws -> String { String(decoding: try JSONEncoder().encode(r), as: UTF8.self) }

    @Test func roundTripAndMerge() throws {
        let a = try write([try line(record("agent", seed: 4, balanced: 0.6))])
        let b = try write([try line(record("uniform", seed: 4, balanced: 0.5)), try line(record("agent", seed: 4, balanced: 0.6))])
        let out = temporary("merged.jsonl")
        let merged = try ValidationFolder.merge([a, b], into: out, notes: { _ in }).runs
        #expect(merged.map(\.id) == ["agent|evaluation|s4", "uniform|evaluation|s4"])
        #expect(try ValidationLog.read(out).records == merged)
        // The same id with another result is a conflict, named.
        let c = try write([try line(record("agent", seed: 4, balanced: 0.7))])
        #expect(throws: DataFileError.self) { try ValidationFolder.merge([a, c], into: out, notes: { _ in }) }
        // Empty or cut-short inputs are refused, and nothing is written.
        let empty = try write([]), torn = temporary("torn.jsonl"), none = temporary("none.jsonl")
        try Data(try line(record("agent", seed: 4, balanced: 0.6)).prefix(40).utf8).write(to: URL(fileURLWithPath: torn))
        for bad in [empty, torn] {
            #expect(throws: DataFileError.self) { try ValidationFolder.merge([a, bad], into: none, notes: { _ in }) }
        }
        #expect(!FileManager.default.fileExists(atPath: none))
    }

    /// A finite but extreme score (1e300) used to pass the log checks and overflow the summary:
    /// merge then left runs.jsonl and results.csv without summary.json.
    @Test func extremeScoresAreRefusedAndMergeWritesNothing() throws {
        var huge = record("uniform", seed: 4, balanced: 0.5)
        huge.final.balanced = 1e300
        let good = try write([try line(record("agent", seed: 4, balanced: 0.6))])
        let bad = try write([try line(record("agent", seed: 5, balanced: 0.6)), try line(huge)])
        do { _ = try ValidationLog.read(bad); Issue.record("1e300 read") } catch let e as DataFileError {
            #expect(e.description.hasPrefix("\(bad):2: ") && e.description.contains("beyond ±1000000"), "\(e)")
        }
        let folder = temporary("merged")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        #expect(throws: DataFileError.self) { try ValidationFolder.merge([good, bad], into: folder + "/runs.jsonl", notes: { _ in }) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
    }

    /// Every reader reports a torn last line with the one shared notice, not only `validate run`.
    @Test func aTornTailIsReportedByMergeAndReport() throws {
        let folder = temporary("torn")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let log = folder + "/runs.jsonl"
        let lines = [try line(record("agent", seed: 4, balanced: 0.6)), try line(record("uniform", seed: 4, balanced: 0.5))]
        try Data((lines.joined(separator: "\n") + "\n" + lines[0].prefix(30)).utf8).write(to: URL(fileURLWithPath: log))
        let expected = "\(log): ignored a partially written last line (interrupted write)"
        var notes: [String] = []
        _ = try ValidationFolder.merge([log], into: folder + "/out/runs.jsonl", notes: { notes.append($0) })
        _ = try ResultsReport.Setting(folder: folder, notes: { notes.append($0) })
        #expect(notes == [expected, expected])
        #expect(LogTail.torn.notice(path: log) == expected)
    }

    @Test func malformedRecordsNameTheFileAndLine() throws {
        var bad = record("agent", seed: 4, balanced: 0.6)
        bad.rounds[0].mixture = [0.9, 0.3]
        var wrongID = record("agent", seed: 4, balanced: 0.6)
        wrongID.seed = 5
        var other = record("uniform", seed: 4, balanced: 0.6)
        other.environmentHash = "other"
        let cases: [([String], String)] = [
            (["{\"id\": 1}"], ":1: not a validation run record"),
            ([try line(bad)], "mixture is not a probability vector"),
            ([try line(wrongID)], "id does not match"),
            ([try line(record("agent", seed: 4, balanced: 0.6)), try line(record("agent", seed: 4, balanced: 0.6))], "appears twice"),
            ([try line(record("agent", seed: 4, balanced: 0.6)), try line(other)], "belongs to"),
        ]
        for (lines, expected) in cases {
            let path = try write(lines)
            do {
                _ = try ValidationLog.read(path)
                Issue.record("\(expected): read without error")
            } catch let e as DataFileError {
                #expect(e.description.hasPrefix(path) && e.description.contains(expected), "\(e)")
            }
        }
        #expect(throws: DataFileError.self) { try ValidationLog.read(temporary("missing.jsonl")) }
    }
}

/// A stand-in for a trained agent: uniform mixtures, and the fingerprint of "its file".
final class FingerprintedUniform: FingerprintedPolicy {
    let policyFingerprint: String
    var name: String { "agent:fake" }
    init(_ fingerprint: String) { policyFingerprint = fingerprint }
    func nextMixture(_ state: PolicyState) throws -> Mixture { Mixture.uniform(state.space.domains.count) }
}

/// The harness on a tiny real configuration: real CPT runs, a kill-free resume, best-fixed chosen
/// on the selection seeds, saved checkpoints, and the report built from the folder.
@Suite(.serialized) struct ValidationHarnessTests {
    /// The fixture environment with 2 rounds of 2 tiny steps, and a harness over `workers` runners.
    static func tinyHarness(workers: Int) throws -> (EnvironmentConfig, Checkpoint, [CPTRunner], ValidationHarness) {
        NumericsRuntime.setThreads(1)
        let dir = try makeFixtureCorpus()
        var env = try fixtureEnvironment(corpus: dir)
        env.cpt = .init(rounds: 2, stepsPerRound: 2, batch: 4, peakLR: 3e-3, minLR: 3e-4, warmupSteps: 1)
        let base = Checkpoint(model: try GPT(config: try env.model("tiny"), seed: 1))
        let runners = try CPTRunner(env: env, base: base, store: try CorpusStore(directory: dir), fullEvaluation: true).withWorkers(workers)
        return (env, base, runners, ValidationHarness(environment: env, runners: runners, model: "tiny"))
    }

    /// A finished agent run is resumed only while the policy file is the one it was made with.
    @Test func anEditedPolicyFileIsNotResumedAsTheOldOne() throws {
        let (_, _, _, harness) = try Self.tinyHarness(workers: 1)
        let plan = try ValidationPlan(policies: [.agent(path: "fake.policy.json")], evaluationSeeds: [4], selectionSeeds: [1],
                                      grid: [0.5], loggedRuns: 0, agentRuns: [:])
        let log = temporary("agent.jsonl")
        var content = "A"
        let make: ValidationHarness.PolicyMaker = { spec, _ in
            #expect(spec == .agent(path: "fake.policy.json"))
            return FingerprintedUniform(content)
        }
        let first = try harness.execute(plan, log: log, makePolicy: make)
        #expect(first.records.count == 1 && first.records[0].policyFingerprint == "A")
        #expect(try harness.execute(plan, log: log, makePolicy: make).resumed == 1)
        content = "B"
        do {
            _ = try harness.execute(plan, log: log, makePolicy: make)
            Issue.record("a run of the old policy file was resumed as the new one")
        } catch let e as DataFileError {
            #expect(e.description.hasPrefix(log) && e.description.contains("policy fingerprint A") && e.description.contains("(B)"), "\(e)")
        }
        #expect(try ValidationLog.read(log).records.count == 1)
    }

    @Test func tinyValidationRunsResumesAndReports() throws {
        let (env, base, runners, harness) = try Self.tinyHarness(workers: 2)
        #expect(harness.setting == "fixture@tiny")
        let policies = PolicyCatalog(environment: env, space: runners[0].space, feedbackNames: runners[0].baseFeedback.names)
        let plan = try ValidationPlan(policies: [.named(.uniform), .named(.targetOnly), .bestFixed], evaluationSeeds: [4, 5], selectionSeeds: [1],
                                      grid: [0.25, 0.75], loggedRuns: 0, agentRuns: [:])
        try policies.check(plan)
        let out = temporary("folder")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let log = out + "/runs.jsonl"
        // Shard 1 of 2 first: it cannot choose best-fixed without shard 0's selection run.
        let half = try harness.execute(plan, log: out + "/shard1.jsonl", shard: (1, 2), makePolicy: { try policies.policy($0, seed: $1) })
        #expect(half.records.allSatisfy { $0.role == .evaluation || $0.spec == "ratio:0.75" })
        let first = try harness.execute(plan, log: log, others: half.records, checkpoints: out + "/checkpoints", makePolicy: { try policies.policy($0, seed: $1) })
        let share = try #require(first.bestShare)
        let all = first.records
        #expect(all.count == 2 + 3 * 2 && first.deferred == 0)
        #expect(all.filter { $0.policy == "best-fixed" }.allSatisfy { $0.spec == "ratio:\(share)" && $0.priorRuns == 2 })
        for r in all {
            #expect(r.rounds.count == 2 && r.final.balanced.isFinite && r.sourceTokens + r.targetTokens == 2 * 2 * 4 * 24)
        }
        #expect(all.first { $0.policy == "target-only" }!.sourceTokens == 0)
        // Same seed, same run: the merged records agree with a fresh run of one of them.
        let again = try harness.execute(plan, log: log, others: half.records, makePolicy: { try policies.policy($0, seed: $1) })
        #expect(again.resumed == first.records.count - half.records.count)
        let evaluations = all.filter { $0.role == .evaluation }
        #expect(FileManager.default.fileExists(atPath: out + "/checkpoints/uniform-evaluation-s4.ckpt"))
        let saved = try Checkpoint.load(from: out + "/checkpoints/uniform-evaluation-s4.ckpt")
        #expect(saved.optimizer == nil && saved.config == base.config)
        // Merge, then the report.
        let merged = try ValidationFolder.merge([out + "/shard1.jsonl", log], into: out + "/runs.jsonl.merged", notes: { _ in }).runs
        try FileManager.default.removeItem(atPath: log)
        try FileManager.default.moveItem(atPath: out + "/runs.jsonl.merged", toPath: log)
        #expect(Set(merged.map(\.id)) == Set(all.map(\.id)) && evaluations.count == 6)
        try ValidationInvocation(command: "dma validate --env fixture", started: Date(), newRuns: all.count).append(to: out + "/invocations.jsonl")
        // Baselines only: nothing to report, and the folder is named.
        do { _ = try ResultsReport.Setting(folder: out, notes: { _ in }); Issue.record("a folder without agent runs was reported") } catch let e as DataFileError {
            #expect(e.description.hasPrefix(log) && e.description.contains("no evaluation runs of the agent"), "\(e)")
        }
        // The uniform runs stand in for an agent's.
        for var r in merged where r.policy == "uniform" && r.role == .evaluation {
            (r.policy, r.id) = ("agent", ValidationRun.id(policy: "agent", role: r.role, seed: r.seed))
            try AppendLog<ValidationRun>(path: log).append(r)
        }
        let report = ResultsReport.markdown([try ResultsReport.Setting(folder: out, notes: { _ in })], main: nil)
        #expect(report.contains("## fixture@tiny") && report.contains("| best-fixed |") && report.contains("dma validate --env fixture"))
    }
}

@Suite struct SourceDataNoteTests {
    func row(_ policy: String, balanced: Double, source: Double) -> ValidationSummary.PolicyRow {
        .init(policy: policy, spec: policy, runs: 3, balanced: balanced, balancedSD: 0, retention: 1, gain: 0.3,
              sourceTokens: source, targetTokens: 1000 - source, priorRuns: 0, seconds: 1)
    }

    /// The verdict is on the mean; an interval around 0 is said to resolve nothing, above or below.
    @Test func theVerdictTellsAnUnresolvedDifferenceFromALoss() {
        var summary = ValidationSummary([])
        summary.policies = [row("agent", balanced: 0.6830, source: 600), row("score-weighted", balanced: 0.6833, source: 560)]
        summary.paired = [.init(baseline: "score-weighted", pairs: 3, mean: -0.0003, sd: 0.0004, low: -0.0012, high: 0.0007)]
        let tie = ResultsReport.verdict(summary, main: false)
        #expect(tie.contains("not met") && tie.contains("contains 0"))
        summary.paired = [.init(baseline: "score-weighted", pairs: 3, mean: -0.0098, sd: 0.0007, low: -0.0115, high: -0.0081)]
        let loss = ResultsReport.verdict(summary, main: false)
        #expect(loss.contains("not met") && !loss.contains("contains 0"))
        summary.paired = [.init(baseline: "score-weighted", pairs: 3, mean: 0.0017, sd: 0.001, low: -0.0007, high: 0.0041)]
        summary.policies[0].balanced = 0.6850
        let narrowWin = ResultsReport.verdict(summary, main: false)
        #expect(narrowWin.contains("met on the mean") && narrowWin.contains("contains 0"))
    }

    /// A criterion's own bars stay inside its markdown cell.
    @Test func criterionTextIsEscapedForTableCells() {
        #expect(ResultsReport.cell("|Δ| ≤ 0.02") == "\\|Δ\\| ≤ 0.02")
        #expect(ResultsReport.cell("≥ 3 × sd") == "≥ 3 × sd")
    }

    /// An earlier agent kept beside the current one is not the baseline to beat.
    @Test func earlierAgentsAreNotBaselines() {
        var summary = ValidationSummary([])
        summary.policies = [row("agent", balanced: 0.68, source: 600), row("agent-v2", balanced: 0.70, source: 900), row("uniform", balanced: 0.65, source: 500)]
        #expect(summary.bestBaseline()?.policy == "uniform")
    }

    /// The claim holds only with both a score at least the best baseline's and fewer source tokens.
    @Test func theClaimNeedsBothTheScoreAndLessSourceData() {
        let best = row("score-weighted", balanced: 0.68, source: 700)
        #expect(ResultsReport.sourceDataNote(agent: row("agent", balanced: 0.69, source: 600), best: best).hasSuffix("holds."))
        let more = ResultsReport.sourceDataNote(agent: row("agent", balanced: 0.69, source: 950), best: best)
        #expect(more.contains("does not hold") && more.contains("with more source data") && more.contains("95%") && more.contains("70%"))
        let lower = ResultsReport.sourceDataNote(agent: row("agent", balanced: 0.67, source: 600), best: best)
        #expect(lower.contains("does not hold") && lower.contains("scores lower with less source data"))
    }
}

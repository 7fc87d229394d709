import Corpus
import Environment
import Evaluation
import Foundation
import Numerics

/// `dma env check`: real CPT experiments that tell whether an environment has a measurable
/// trade-off worth training an agent on (criteria 1–6 of the calibration).
public struct EnvironmentCheck {
    public struct Settings: Codable, Sendable {
        public var seeds = 3
        /// Source shares of the fixed mixtures (uniform within each field); must include 0 and 1.
        public var ratios: [Double] = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]
        public var randomSchedules = 30
        /// Schedule id of the first random schedule: the check runs ids firstSchedule ..< firstSchedule + randomSchedules,
        /// so a later batch (e.g. 31) is an independent replication that reuses the logged fixed-mixture runs.
        public var firstSchedule = 1
        /// Two-phase schedule: source share in the first half, then in the second half.
        public var twoPhase: [Double] = [0.1, 0.6]
        /// Share of the rounds, at the end, that the decay-phase schedules (`dma env timing`) change.
        public var decayRounds = 0.2
        /// Source share of the last rounds of the target-heavy and of the source-heavy decay
        /// schedule; the rounds before make up the difference, so each averages the two-phase
        /// schedule's static average and is compared with the same static runs.
        public var decayShares: [Double] = [0.05, 0.95]

        /// Names a timing plan whose shares differ from the defaults (nil for the defaults, whose
        /// runs are criterion 6's and keep its ids).
        public var timingTag: String? {
            let d = Settings()
            guard twoPhase != d.twoPhase || decayShares != d.decayShares || decayRounds != d.decayRounds else { return nil }
            return "\(twoPhase[0])-\(twoPhase[1])" + (decayShares != d.decayShares || decayRounds != d.decayRounds ? "-decay\(decayShares[0])-\(decayShares[1])-\(decayRounds)" : "")
        }
        /// Random walks start RegMix-style around the natural token prior; schedule k uses
        /// concentration `startConcentrations[k % count]`, so both near-prior and far-off starts occur.
        public var startConcentrations: [Double] = [64, 128, 256, 512]
        public var kappa = 200.0
        public var floor = 0.02
        public init() {}
    }

    /// One planned CPT run.
    public struct Run: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable { case fixed, random, twoPhase, twoPhaseAverage, targetHeavyDecay, sourceHeavyDecay }
        public var kind: Kind
        public var share: Double?
        /// Schedule seed (random schedules).
        public var schedule: UInt64?
        public var seed: UInt64
        /// The timing plan's shares (`Settings.timingTag`) when they are not the defaults, so runs of
        /// different plans never share an id in one log.
        public var plan: String?

        public init(kind: Kind, share: Double? = nil, schedule: UInt64? = nil, seed: UInt64, plan: String? = nil) {
            (self.kind, self.share, self.schedule, self.seed, self.plan) = (kind, share, schedule, seed, plan)
        }

        /// The id without its seed: the schedule's name.
        public var name: String {
            switch kind {
            case .fixed: return "fixed-\(share!)"
            case .random: return "random-\(schedule!)"
            case .twoPhase: return "two-phase" + (plan.map { "-\($0)" } ?? "")
            case .twoPhaseAverage: return "two-phase-average" + (plan.map { "-\($0)" } ?? "")
            case .targetHeavyDecay: return "target-heavy-decay" + (plan.map { "-\($0)" } ?? "")
            case .sourceHeavyDecay: return "source-heavy-decay" + (plan.map { "-\($0)" } ?? "")
            }
        }

        public var id: String { "\(name)-s\(seed)" }
    }

    /// A finished run as logged.
    public struct Outcome: Codable, Sendable, LoggedRun {
        public var id: String
        public var run: Run
        /// The environment (`EnvironmentConfig.hash`) and base model (`Checkpoint.parameterHash`) the run
        /// was made with; a log is only resumed by the same pair. (nil in logs written before they were recorded.)
        public var environmentHash: String?
        public var baseCheckpoint: String?
        public var balanced: Double
        public var retention: Double
        public var gain: Double
        /// Mean relative change of source bits per byte vs the base (0.1 = 10% worse).
        public var sourceBpbChange: Double
        /// Mean change of math exact match vs the base (absolute).
        public var mathEMChange: Double
        public var mixtures: [[Double]]
        public var seconds: Double
        /// Balanced score of the last round on the per-step feedback subset (to check the subset tracks the full suite).
        public var subsetBalanced: Double?

        public var runID: String { id }
        public var madeWith: (environmentHash: String?, baseCheckpoint: String?) { (environmentHash, baseCheckpoint) }
    }

    public let env: EnvironmentConfig
    public let settings: Settings
    public let space: DomainSpace
    /// The natural token prior of the space: each domain's share of the training bytes.
    public let prior: [Double]

    public init(env: EnvironmentConfig, settings: Settings, prior: [Double]) throws {
        self.env = env
        self.settings = settings
        space = try env.domainSpace()
        guard prior.count == space.count, prior.allSatisfy({ $0 > 0 }) else {
            throw CorpusError.invalidMixture(reason: "the natural prior needs one positive weight per domain of the space")
        }
        self.prior = prior
    }

    /// Runs the check's plan with `runners` (one per parallel worker; the first's base feedback is
    /// shared), resuming from and appending to the log at `path`: the first phase, then the best
    /// random schedule on the other seeds. Returns every outcome, logged before and now.
    /// `starting(phase, runs)` announces each phase that has runs left; `progress` follows each run.
    public func execute(runners: [CPTRunner], log path: String, starting: (_ phase: Int, _ runs: Int) -> Void = { _, _ in },
                        progress: (_ outcome: Outcome, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) throws -> (outcomes: [Outcome], resumed: Int, tail: LogTail) {
        let baseHash = runners[0].baseHash
        let runs = ResumableRuns<Outcome>(log: path, identity: RunIdentity(environment: env.name, environmentHash: env.hash, baseCheckpoint: baseHash),
                                          option: "--log")
        let (previous, tail) = try runs.finished()
        var outcomes = previous
        let baseFull = runners[0].baseFullFeedback!
        for phase in 1...2 {
            let planned = phase == 1 ? firstPhase() : secondPhase(after: outcomes)
            outcomes += try runs.run(planned, id: \.id, finished: outcomes, workers: runners.count, work: { w, run in
                let result = try runners[w].run(policy: try policy(for: run), seed: run.seed)
                return outcome(run, result: result, baseFull: baseFull, baseCheckpoint: baseHash)
            }, starting: { starting(phase, $0) }, progress: progress)
        }
        return (outcomes, previous.count, tail)
    }

    /// Runs that do not depend on other results.
    public func firstPhase() -> [Run] {
        var runs: [Run] = []
        for s in 1...settings.seeds {
            for r in settings.ratios { runs.append(Run(kind: .fixed, share: r, seed: UInt64(s))) }
            runs.append(Run(kind: .twoPhase, seed: UInt64(s)))
            runs.append(Run(kind: .twoPhaseAverage, seed: UInt64(s)))
        }
        for k in scheduleIDs { runs.append(Run(kind: .random, schedule: k, seed: 1)) }
        return runs
    }

    /// Ids of this check's random schedules.
    public var scheduleIDs: [UInt64] {
        (0..<settings.randomSchedules).map { UInt64(settings.firstSchedule + $0) }
    }

    /// This check's random schedules on seed 1 (a log may also hold other batches).
    func randomBatch(_ outcomes: [Outcome]) -> [Outcome] {
        let ids = Set(scheduleIDs)
        return outcomes.filter { $0.run.kind == .random && $0.run.seed == 1 && ids.contains($0.run.schedule!) }
    }

    /// The best random schedule re-run on the remaining seeds.
    public func secondPhase(after outcomes: [Outcome]) -> [Run] {
        guard let best = randomBatch(outcomes).max(by: { $0.balanced < $1.balanced }) else { return [] }
        return (2...max(2, settings.seeds)).filter { $0 <= settings.seeds }.map { Run(kind: .random, schedule: best.run.schedule, seed: UInt64($0)) }
    }

    public func policy(for run: Run) throws -> MixturePolicy {
        func split(_ share: Double) throws -> Mixture { try Mixture.fieldRatio(space, sourceShare: share) }
        switch run.kind {
        case .fixed:
            return SchedulePolicy(name: "fixed-\(run.share!)", schedule: [try split(run.share!)])
        case .random:
            let k = Int(run.schedule! - 1) % settings.startConcentrations.count
            return DirichletWalk(prior: prior, startConcentration: settings.startConcentrations[k],
                                 kappa: settings.kappa, floor: settings.floor, seed: run.schedule!)
        case .twoPhase:
            let half = env.cpt.rounds / 2
            let schedule = (0..<env.cpt.rounds).map { $0 < half ? settings.twoPhase[0] : settings.twoPhase[1] }
            return SchedulePolicy(name: "two-phase", schedule: try schedule.map(split))
        case .twoPhaseAverage:
            return SchedulePolicy(name: "two-phase-average", schedule: [try split(twoPhaseAverageShare)])
        case .targetHeavyDecay, .sourceHeavyDecay:
            return SchedulePolicy(name: run.kind == .targetHeavyDecay ? "target-heavy-decay" : "source-heavy-decay",
                                  schedule: try decaySchedule(run.kind).map(split))
        }
    }

    /// Summarises a run's final (full-suite) feedback against the base.
    public func outcome(_ run: Run, result: CPTResult, baseFull: Feedback, baseCheckpoint: String) -> Outcome {
        let f = result.finalFeedback!, s = result.finalScore!
        let src = env.space.source.map(Signal.bitsPerByte)
        let srcChange = src.map { f[$0]! / baseFull[$0]! - 1 }.reduce(0, +) / Double(src.count)
        let math = env.space.target.filter { $0.field == .math }.map(Signal.exactMatch)
        let emChange = math.isEmpty ? 0 : math.map { f[$0]! - baseFull[$0]! }.reduce(0, +) / Double(math.count)
        return Outcome(id: run.id, run: run, environmentHash: env.hash, baseCheckpoint: baseCheckpoint, balanced: s.balanced, retention: s.retention, gain: s.gain, sourceBpbChange: srcChange,
                       mathEMChange: emChange, mixtures: result.rounds.map(\.mixture), seconds: result.seconds,
                       subsetBalanced: result.rounds.last?.balanced)
    }

    // MARK: - Criteria

    public struct Criterion: Codable, Sendable {
        public var number: Int
        public var name: String
        public var measured: String
        public var required: String
        /// nil for report-only criteria, and for a test that had too few seeds to decide.
        public var passed: Bool?

        /// The result column, for the CLI table and results.md alike.
        public var result: String { passed.map { $0 ? "PASS" : "FAIL" } ?? (required == Self.reportOnly ? "report" : "needs ≥ 2 seeds") }
        /// The `required` text of a criterion that only reports.
        public static let reportOnly = "report"
    }

    public struct GroupStats: Codable, Sendable {
        public var label: String
        public var mean: Double
        public var sd: Double
        public var n: Int
        public var retention: Double
        public var gain: Double
        public var sourceBpbChange: Double
        public var mathEMChange: Double
    }

    public struct Report: Codable, Sendable {
        public var environment: String
        public var criteria: [Criterion]
        public var groups: [GroupStats]
        /// Pooled standard deviation of the balanced score across seeds.
        public var seedSD: Double
        /// The random schedules' scores on seed 1, the screen that picks the one re-run on the other seeds.
        public var randomScheduleScores: [Double]
        /// Pearson correlation between the feedback-subset and full-suite balanced scores over all runs.
        public var subsetFullCorrelation: Double?
    }

    public func report(_ outcomes: [Outcome]) -> Report {
        func stats(_ label: String, _ xs: [Outcome]) -> GroupStats {
            let b = xs.map(\.balanced)
            // Empty groups (a phase not run yet) report zeros: JSON has no NaN.
            let (mean, sd) = b.isEmpty ? (0, 0) : Statistics.meanAndSD(b)
            func avg(_ k: KeyPath<Outcome, Double>) -> Double { xs.map { $0[keyPath: k] }.reduce(0, +) / Double(max(xs.count, 1)) }
            return GroupStats(label: label, mean: mean, sd: sd, n: b.count, retention: avg(\.retention), gain: avg(\.gain),
                              sourceBpbChange: avg(\.sourceBpbChange), mathEMChange: avg(\.mathEMChange))
        }
        var groups: [GroupStats] = settings.ratios.map { r in stats("fixed share \(r)", outcomes.filter { $0.run.kind == .fixed && $0.run.share == r }) }
        let random = randomBatch(outcomes)
        let best = random.max { $0.balanced < $1.balanced }
        let bestRuns = best.map { b in outcomes.filter { $0.run.kind == .random && $0.run.schedule == b.run.schedule } } ?? []
        groups.append(stats("best random schedule (\(best.map { "#\($0.run.schedule!)" } ?? "-"))", bestRuns))
        groups.append(stats("two-phase \(settings.twoPhase[0])→\(settings.twoPhase[1])", outcomes.filter { $0.run.kind == .twoPhase }))
        groups.append(stats("static average of two-phase", outcomes.filter { $0.run.kind == .twoPhaseAverage }))

        let fixedGroups = Array(groups.prefix(settings.ratios.count)).filter { $0.n > 0 }
        let multi = groups.filter { $0.n > 1 }
        let seedSD = multi.isEmpty ? 0 : (multi.map { $0.sd * $0.sd }.reduce(0, +) / Double(multi.count)).squareRoot()
        var criteria: [Criterion] = []
        let targetOnly = fixedGroups.first { $0.label == "fixed share 0.0" }
        let sourceOnly = fixedGroups.first { $0.label == "fixed share 1.0" }
        if let t = targetOnly {
            criteria.append(Criterion(number: 1, name: "target-only CPT forgets the source field", measured: "source bpb \(pct(t.sourceBpbChange))",
                                      required: "≥ +10%", passed: t.sourceBpbChange >= 0.10))
        }
        if let s = sourceOnly {
            criteria.append(Criterion(number: 2, name: "source-only CPT leaves math accuracy near the base", measured: "math EM change \(num(s.mathEMChange))",
                                      required: "|Δ| ≤ 0.02", passed: abs(s.mathEMChange) <= 0.02))
        }
        let interior = fixedGroups.filter { $0.label != targetOnly?.label && $0.label != sourceOnly?.label }
        if let bestInterior = interior.max(by: { $0.mean < $1.mean }), let t = targetOnly, let s = sourceOnly {
            criteria.append(Criterion(number: 3, name: "a fixed mixture beats both extremes", measured: "\(bestInterior.label): \(num(bestInterior.mean)) vs \(num(t.mean)) / \(num(s.mean))",
                                      required: "> both", passed: bestInterior.mean > max(t.mean, s.mean)))
        }
        if let hi = fixedGroups.max(by: { $0.mean < $1.mean }), let lo = fixedGroups.min(by: { $0.mean < $1.mean }) {
            let spread = hi.mean - lo.mean
            // With one seed there is no noise estimate: the criterion cannot be judged.
            criteria.append(Criterion(number: 4, name: "fixed-mixture spread above seed noise", measured: "spread \(num(spread)), seed sd \(num(seedSD))",
                                      required: "≥ 3 × sd", passed: multi.isEmpty ? nil : spread >= 3 * seedSD))
        }
        if let bestFixed = fixedGroups.max(by: { $0.mean < $1.mean }), let r = groups.first(where: { $0.label.hasPrefix("best random") }), r.n > 0 {
            let margin = r.mean - bestFixed.mean
            // The noise that matters here is that of the two compared scores (the source-only group's
            // large spread comes from math gain measured without any math data).
            let pairSD = ((bestFixed.sd * bestFixed.sd + r.sd * r.sd) / 2).squareRoot()
            criteria.append(Criterion(number: 5, name: "headroom: best of \(random.count) random schedules over best field ratio",
                                      measured: "\(num(r.mean)) vs \(num(bestFixed.mean)) (margin \(num(margin)), n=\(r.n))",
                                      required: "margin > 2 × sd of the pair (\(num(2 * pairSD)))",
                                      passed: bestFixed.n > 1 && r.n > 1 ? margin > 2 * pairSD : nil))
        }
        if let tp = groups.first(where: { $0.label.hasPrefix("two-phase") }), let avg = groups.first(where: { $0.label.hasPrefix("static average") }), tp.n > 0, avg.n > 0 {
            let d = tp.mean - avg.mean
            let against = tp.n > 1 && avg.n > 1 ? (abs(d) > 2 * seedSD ? "above" : "within") + " 2 × sd" : "1 seed: no sd to compare with"
            criteria.append(Criterion(number: 6, name: "schedule vs its static average (report)", measured: "difference \(num(d)) (\(against))",
                                      required: Criterion.reportOnly, passed: nil))
        }
        let paired = outcomes.compactMap { o in o.subsetBalanced.map { ($0, o.balanced) } }
        return Report(environment: env.name, criteria: criteria, groups: groups, seedSD: seedSD, randomScheduleScores: random.map(\.balanced),
                      subsetFullCorrelation: paired.count > 2 ? Statistics.pearson(paired.map(\.0), paired.map(\.1)) : nil)
    }

    private func pct(_ x: Double) -> String { String(format: "%+.1f%%", 100 * x) }
    private func num(_ x: Double) -> String { String(format: "%.4f", x) }
}

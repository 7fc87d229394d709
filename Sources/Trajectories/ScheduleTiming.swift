import Corpus
import Foundation
import Numerics

/// `dma env timing`: whether the order of the data matters under the environment's LR schedule.
/// Criterion 6's two-phase schedule and two decay-phase schedules (more target, or more source,
/// share in the last rounds) each against the one static mixture they all average, on paired seeds.
extension EnvironmentCheck {
    /// The source share every timing schedule averages: the two-phase schedule's, round-weighted.
    public var twoPhaseAverageShare: Double {
        let rounds = env.cpt.rounds, half = rounds / 2
        return (Double(half) * settings.twoPhase[0] + Double(rounds - half) * settings.twoPhase[1]) / Double(rounds)
    }

    /// Per-round source shares of a decay-phase schedule: the last `decayRounds` of the rounds
    /// (at least one) at its decay share, the rounds before at the share that keeps the average at
    /// `twoPhaseAverageShare`. Throws when that share falls outside [0, 1].
    public func decaySchedule(_ kind: Run.Kind) throws -> [Double] {
        let rounds = env.cpt.rounds
        let late = min(rounds - 1, max(1, Int((settings.decayRounds * Double(rounds)).rounded())))
        let lateShare = kind == .targetHeavyDecay ? settings.decayShares[0] : settings.decayShares[1]
        let early = (twoPhaseAverageShare * Double(rounds) - lateShare * Double(late)) / Double(rounds - late)
        guard (0...1).contains(early), rounds > 1 else {
            throw CorpusError.invalidMixture(reason: "a decay share of \(lateShare) over the last \(late) of \(rounds) rounds cannot average \(twoPhaseAverageShare)")
        }
        return (0..<rounds).map { $0 < rounds - late ? early : lateShare }
    }

    /// The timing runs: the static average and the three schedules on every seed.
    public func timingPlan() -> [Run] {
        (1...settings.seeds).flatMap { s in
            [Run.Kind.twoPhaseAverage, .twoPhase, .targetHeavyDecay, .sourceHeavyDecay].map { Run(kind: $0, seed: UInt64(s), plan: settings.timingTag) }
        }
    }

    /// Runs the timing plan with `runners`, resuming from and appending to the log at `path`.
    public func executeTiming(runners: [CPTRunner], log path: String,
                              progress: (_ outcome: Outcome, _ done: Int, _ total: Int) -> Void = { _, _, _ in }) throws -> (outcomes: [Outcome], resumed: Int, tail: LogTail) {
        let baseHash = runners[0].baseHash
        let runs = ResumableRuns<Outcome>(log: path, identity: RunIdentity(environment: env.name, environmentHash: env.hash, baseCheckpoint: baseHash),
                                          option: "--log")
        let (previous, tail) = try runs.finished()
        let baseFull = runners[0].baseFullFeedback!
        let new = try runs.run(timingPlan(), id: \.id, finished: previous, workers: runners.count, work: { w, run in
            let result = try runners[w].run(policy: try policy(for: run), seed: run.seed)
            return outcome(run, result: result, baseFull: baseFull, baseCheckpoint: baseHash)
        }, progress: progress)
        return (previous + new, previous.count, tail)
    }

    /// One schedule against the static average on the seeds both have.
    public struct TimingComparison: Codable, Sendable {
        public var schedule: String
        public var shares: [Double]
        public var seeds: Int
        /// Mean balanced score of the schedule.
        public var mean: Double
        /// Mean and sd over seeds of schedule − static (paired by seed).
        public var difference: Double
        public var differenceSD: Double
        /// Half-width of the paired 95% t-interval (nil with one seed).
        public var halfWidth: Double?
        /// `difference > 2 × seedSD` (nil with one seed: no sd to compare with).
        public var beatsStatic: Bool?
    }

    public struct TimingReport: Codable, Sendable {
        public var environment: String
        public var lrSchedule: String
        public var staticShare: Double
        public var staticMean: Double
        public var staticSD: Double
        public var staticSeeds: Int
        /// Pooled sd over seeds of the four groups' balanced scores (criterion 6's yardstick).
        public var seedSD: Double
        public var comparisons: [TimingComparison]
    }

    public func timingReport(_ outcomes: [Outcome], lrSchedule: String) throws -> TimingReport {
        func group(_ kind: Run.Kind) -> [UInt64: Double] {
            Dictionary(outcomes.filter { $0.run.kind == kind && $0.run.plan == settings.timingTag }.map { ($0.run.seed, $0.balanced) }, uniquingKeysWith: { a, _ in a })
        }
        let statics = group(.twoPhaseAverage)
        let (staticMean, staticSD) = statics.isEmpty ? (0, 0) : Statistics.meanAndSD(Array(statics.values))
        let kinds: [Run.Kind] = [.twoPhase, .targetHeavyDecay, .sourceHeavyDecay]
        let groups = ([statics] + kinds.map(group)).filter { $0.count > 1 }
        let seedSD = groups.isEmpty ? 0 : (groups.map { pow(Statistics.meanAndSD(Array($0.values)).sd, 2) }.reduce(0, +) / Double(groups.count)).squareRoot()
        var comparisons: [TimingComparison] = []
        for kind in kinds {
            let scores = group(kind)
            let seeds = scores.keys.filter { statics[$0] != nil }.sorted()
            guard !seeds.isEmpty else { continue }
            let shares = kind == .twoPhase ? (0..<env.cpt.rounds).map { $0 < env.cpt.rounds / 2 ? settings.twoPhase[0] : settings.twoPhase[1] } : try decaySchedule(kind)
            let d = Statistics.pairedDifference(seeds.map { scores[$0]! }, seeds.map { statics[$0]! })
            comparisons.append(TimingComparison(schedule: Run(kind: kind, seed: 0, plan: settings.timingTag).name, shares: shares, seeds: seeds.count,
                                                mean: seeds.map { scores[$0]! }.reduce(0, +) / Double(seeds.count),
                                                difference: d.mean, differenceSD: d.sd, halfWidth: d.halfWidth,
                                                beatsStatic: seeds.count > 1 ? d.mean > 2 * seedSD : nil))
        }
        return TimingReport(environment: env.name, lrSchedule: lrSchedule, staticShare: twoPhaseAverageShare, staticMean: staticMean, staticSD: staticSD,
                            staticSeeds: statics.count, seedSD: seedSD, comparisons: comparisons)
    }
}

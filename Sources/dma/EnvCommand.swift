import ArgumentParser
import Corpus
import Evaluation
import Foundation
import Numerics
import Trajectories
import Transformer

struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Inspect and check environments.",
        subcommands: [EnvCheckCommand.self, EnvTimingCommand.self]
    )
}

struct EnvCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run real CPT experiments that test whether an environment has a measurable trade-off.",
        discussion: """
        Criteria: (1) target-only CPT raises source bits per byte ≥ 10%; (2) source-only CPT leaves math \
        exact match within 0.02 of the base; (3) a fixed source:target ratio beats both extremes on the \
        balanced score; (4) the spread of fixed ratios is ≥ 3× the seed standard deviation; (5) the best \
        of N random domain-level Dirichlet-walk schedules, re-run on every seed, beats the best fixed ratio \
        by more than 2× the seed standard deviation; (6, reported) a two-phase schedule against its static \
        average. Every finished run is appended to --log; re-running resumes.
        """
    )

    @OptionGroup var setup: BaseRunOptions
    @Option(help: "Seeds per fixed mixture.") var seeds = EnvironmentCheck.Settings().seeds
    @OptionGroup var plan: CheckPlanOptions
    @Option(help: "Runs in parallel (each with one BLAS thread).") var workers = 2
    @Option(help: "Append-only log of finished runs, resumed by the same environment and base (default: runs/env-check-<env>-<env hash>-<base hash>.jsonl).") var log: String?
    @Option(help: "Write the report as JSON to this file.") var json: String?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let (environment, checkpoint, store) = try setup.load()
        var settings = try plan.settings(requiringExtremes: true)
        settings.seeds = seeds
        let prior = try store.trainingBytes(environment.domainSpace().domains)
        let check = try EnvironmentCheck(env: environment, settings: settings, prior: prior)
        let baseHash = checkpoint.parameterHash
        let logPath = log ?? "runs/env-check-\(environment.name)-\(environment.hash.prefix(8))-\(baseHash.prefix(8)).jsonl"
        // Each worker owns a runner (model, suites); the base is evaluated once and shared.
        let runners = try CPTRunner(env: environment, base: checkpoint, store: store, fullEvaluation: true).withWorkers(workers)
        var bar: ProgressLine?
        let (outcomes, resumed, tail) = try check.execute(runners: runners, log: logPath, starting: { phase, runs in
            bar = ProgressLine("env check phase \(phase)", total: runs, unit: "run")
        }, progress: { outcome, done, _ in
            bar?.update(done, detail: "\(outcome.id): balanced \(fmt(outcome.balanced, 4))")
        })
        tail.notice(path: logPath).map(ProgressLine.note)
        ProgressLine.note("env check \(environment.name): \(resumed) runs were already in \(logPath), \(outcomes.count - resumed) new")
        let report = check.report(outcomes)
        var groups = Table(["mixture", "balanced", "sd", "n", "retention", "gain", "source bpb Δ", "math EM Δ"])
        for g in report.groups where g.n > 0 {
            groups.add([g.label, fmt(g.mean, 4), fmt(g.sd, 4), "\(g.n)", fmt(g.retention, 4), fmt(g.gain, 4),
                        String(format: "%+.1f%%", 100 * g.sourceBpbChange), String(format: "%+.3f", g.mathEMChange)])
        }
        print(groups.render())
        var table = Table(["#", "criterion", "measured", "required", "result"])
        for c in report.criteria {
            table.add(["\(c.number)", c.name, c.measured, c.required, c.result])
        }
        print(table.render())
        print("seed sd of the balanced score: \(fmt(report.seedSD, 4)); random schedules screened on seed 1: \(report.randomScheduleScores.count), best \(fmt(report.randomScheduleScores.max() ?? .nan, 4)), median \(fmt(report.randomScheduleScores.sorted()[safe: report.randomScheduleScores.count / 2] ?? .nan, 4))")
        if let r = report.subsetFullCorrelation {
            print("feedback subset vs full suite, balanced score over \(outcomes.count) runs: Pearson r = \(fmt(r, 3))")
        }
        if let json {
            try writeJSON(report, to: json)
            print("wrote \(json)")
        }
    }
}

struct EnvTimingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timing",
        abstract: "Whether data order matters under the environment's LR schedule: schedules against their static average.",
        discussion: """
        Runs, per seed, the static mixture at the two-phase schedule's average source share and three \
        schedules that average the same share: criterion 6's two-phase schedule, a target-heavy decay \
        phase (less source share in the last 20% of the rounds) and a source-heavy one. Reports each \
        schedule's paired difference from the static mixture. Point --env at a variant with \
        cpt.lrSchedule set to compare LR schedules. Every finished run is appended to --log; re-running resumes.
        """
    )

    @OptionGroup var setup: BaseRunOptions
    @Option(help: "Seeds (each schedule and the static mixture run on every one).") var seeds = EnvironmentCheck.Settings().seeds
    @Option(help: "Two-phase schedule: source share of the first half, then of the second; every schedule averages it.") var twoPhase = "0.1,0.6"
    @Option(help: "Source share of the last 20% of the rounds in the target-heavy, then the source-heavy, decay schedule.") var decayShares = "0.05,0.95"
    @Option(help: "Runs in parallel (each with one BLAS thread).") var workers = 1
    @Option(help: "Append-only log of finished runs, resumed by the same environment and base (default: runs/env-timing-<env>-<env hash>-<base hash>.jsonl).") var log: String?
    @Option(help: "Write the report as JSON to this file.") var json: String?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let (environment, checkpoint, store) = try setup.load()
        var settings = EnvironmentCheck.Settings()
        guard seeds > 0 else { throw ValidationError("--seeds must be positive") }
        settings.seeds = seeds
        settings.twoPhase = try commaSeparated(twoPhase, option: "--two-phase")
        settings.decayShares = try commaSeparated(decayShares, option: "--decay-shares")
        for (name, v) in [("--two-phase", settings.twoPhase), ("--decay-shares", settings.decayShares)] {
            guard v.count == 2, v.allSatisfy({ (0...1).contains($0) }) else { throw ValidationError("\(name) needs two source shares in [0, 1]") }
        }
        let prior = try store.trainingBytes(environment.domainSpace().domains)
        let check = try EnvironmentCheck(env: environment, settings: settings, prior: prior)
        // A plan whose decay schedules cannot average the two-phase share fails before any run.
        _ = try check.decaySchedule(.targetHeavyDecay)
        _ = try check.decaySchedule(.sourceHeavyDecay)
        let logPath = log ?? "runs/env-timing-\(environment.name)-\(environment.hash.prefix(8))-\(checkpoint.parameterHash.prefix(8)).jsonl"
        let runners = try CPTRunner(env: environment, base: checkpoint, store: store, fullEvaluation: true).withWorkers(workers)
        let bar = ProgressLine("env timing", total: check.timingPlan().count, unit: "run")
        let (outcomes, resumed, tail) = try check.executeTiming(runners: runners, log: logPath) { outcome, done, _ in
            bar.update(done, detail: "\(outcome.id): balanced \(fmt(outcome.balanced, 4)) (\(fmt(outcome.seconds, 1)) s)")
        }
        tail.notice(path: logPath).map(ProgressLine.note)
        ProgressLine.note("env timing \(environment.name): \(resumed) runs were already in \(logPath), \(outcomes.count - resumed) new")
        let lr = environment.cpt.lrSchedule ?? .init()
        let label = lr.kind.rawValue + (lr.decayFraction.map { " (decay over the last \($0))" } ?? "")
        let report = try check.timingReport(outcomes.filter { $0.run.plan == settings.timingTag }, lrSchedule: label)
        print("LR schedule \(label); static source share \(fmt(report.staticShare, 3)): balanced \(fmt(report.staticMean, 4)) ± \(fmt(report.staticSD, 4)) (n=\(report.staticSeeds)); seed sd \(fmt(report.seedSD, 4))")
        var table = Table(["schedule", "source shares", "balanced", "Δ vs static", "sd of Δ", "95% interval", "n", "> 2 × seed sd"])
        for c in report.comparisons {
            let interval = c.halfWidth.map { "[\(fmt(c.difference - $0, 4)), \(fmt(c.difference + $0, 4))]" } ?? "-"
            table.add([c.schedule, c.shares.map { fmt($0, 2) }.joined(separator: " "), fmt(c.mean, 4), String(format: "%+.4f", c.difference),
                       fmt(c.differenceSD, 4), interval, "\(c.seeds)", c.beatsStatic.map { $0 ? "yes" : "no" } ?? "1 seed"])
        }
        print(table.render())
        if let json {
            try writeJSON(report, to: json)
            print("wrote \(json)")
        }
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}

/// The fixed ratios and random schedules of an environment check (`env check`, `surrogate headroom`).
struct CheckPlanOptions: ParsableArguments {
    @Option(help: "Random domain-level schedules.") var randomSchedules = EnvironmentCheck.Settings().randomSchedules
    @Option(help: "Id of the first random schedule; a later batch (e.g. 31 after the default 30) is an independent replication.") var firstSchedule = EnvironmentCheck.Settings().firstSchedule
    @Option(help: "Source shares of the fixed mixtures, comma-separated (env check: must include 0 and 1).") var ratios = "0,0.1,0.25,0.5,0.75,0.9,1"

    /// Criteria 1–2 of `env check` need the two extremes among the ratios.
    func settings(requiringExtremes: Bool) throws -> EnvironmentCheck.Settings {
        var settings = EnvironmentCheck.Settings()
        guard randomSchedules > 0 else { throw ValidationError("--random-schedules must be positive") }
        guard firstSchedule > 0 else { throw ValidationError("--first-schedule must be positive") }
        settings.randomSchedules = randomSchedules
        settings.firstSchedule = firstSchedule
        settings.ratios = try commaSeparated(ratios, option: "--ratios")
        guard settings.ratios.allSatisfy({ (0...1).contains($0) }) else { throw ValidationError("--ratios must lie in [0, 1]") }
        if requiringExtremes, !(settings.ratios.contains(0) && settings.ratios.contains(1)) {
            throw ValidationError("--ratios must include 0 and 1")
        }
        return settings
    }
}

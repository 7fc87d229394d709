import ArgumentParser
import Base
import Baselines
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Surrogate
import Trajectories
import Transformer
import Validation

struct SurrogateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surrogate",
        abstract: "Fit, check and run the surrogate environment: simulated benchmark feedback for any mixture.",
        subcommands: [SurrogateFitCommand.self, SurrogateReportCommand.self, SurrogateSimulateCommand.self, SurrogateHeadroomCommand.self,
                      SurrogateBenchCommand.self]
    )
}

/// Options shared by commands that read trajectories and need their environment.
struct SurrogateDataOptions: ParsableArguments {
    @Option(help: "Trajectory log(s), comma-separated.") var data: String
    @Option(help: "Environment file of the trajectories (default: envs/<environment>.json of the logs, from the nearest folder above the first log that has it, else the working directory).") var env: String?
    @Flag(help: "Skip invalid trajectory lines instead of failing.") var skipInvalid = false

    func load() throws -> (TransitionSet, SurrogateModel.Identity, ScoreFormula, EnvironmentConfig) {
        let (trajectories, _) = try readTrajectoryLogs(data, skipInvalid: skipInvalid)
        let envPath = try environmentPath(env, for: trajectories[0].header.environment, near: data)
        let environment = try EnvironmentConfig.load(from: envPath)
        let (identity, score) = try SurrogateModel.identity(for: trajectories, env: environment, path: data)
        return (try TransitionSet(trajectories), identity, score, environment)
    }
}

/// `--model` and `--env`: a fitted surrogate and the environment it serves (checked to match).
struct SurrogateModelOptions: ParsableArguments {
    @Option(help: "Fitted surrogate model.") var model: String
    @Option(help: "Environment file (default: envs/<environment>.json of the model, from the nearest folder above it that has it, else the working directory); must be the one the model was fitted on.") var env: String?

    func load() throws -> (SurrogateModel, EnvironmentConfig) {
        let fitted = try SurrogateModel.load(from: model)
        let environment = try EnvironmentConfig.load(from: environmentPath(env, for: fitted.identity.environment, near: model))
        try fitted.check(against: environment, path: model)
        return (fitted, environment)
    }
}

/// Fit settings shared by `fit` and `bench` (defaults: `SurrogateConfig`).
struct SurrogateFitOptions: ParsableArguments {
    @Option(help: "Bootstrap ensemble members.") var ensemble = SurrogateConfig().ensembleSize
    @Option(help: "Cross-validation folds (split by trajectory).") var folds = SurrogateConfig().folds
    @Option(help: "Threads fitting signals side by side (and, for bench, BLAS threads of the simulation).") var workers = SurrogateConfig().workers
    @Option(help: "Seed for folds, bootstrap samples and RBF centres.") var seed: UInt64 = 0
    @Option(help: "ridge+rbf replaces ridge for a signal only if it lowers the CV error by more than this fraction (1 = ridge only).") var kernelMargin = SurrogateConfig().kernelMargin
    @Option(help: "RBF centres of the shared basis.") var centres = SurrogateConfig().centres

    var config: SurrogateConfig {
        var c = SurrogateConfig()
        (c.ensembleSize, c.folds, c.workers, c.seed, c.kernelMargin, c.centres) = (ensemble, folds, workers, seed, kernelMargin, centres)
        return c
    }
}

struct SurrogateFitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a surrogate on logged trajectories (ridge or ridge+RBF per signal by trajectory-split CV, bootstrap ensemble)."
    )

    @OptionGroup var input: SurrogateDataOptions
    @OptionGroup var settings: SurrogateFitOptions
    @Option(help: "Output model file (JSON, written atomically).") var out: String

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let (data, identity, score, _) = try input.load()
        let model = try SurrogateFitter.fit(data, identity: identity, score: score, config: settings.config)
        try model.write(to: out)
        var table = Table(["signal", "family", "λ", "kernel λ", "CV MSE", "ridge CV MSE"])
        for (name, s) in zip(model.feedbackNames, model.selections) {
            table.add([name, s.choice.family.rawValue, "\(s.choice.lambda)", s.choice.kernelLambda.map { "\($0)" } ?? "-",
                       String(format: "%.3e", s.cvMSE), String(format: "%.3e", s.ridgeMSE)])
        }
        print(table.render())
        if let k = model.kernel { print("shared RBF basis: \(k.count) centres over \(k.columns) state–action features, γ = \(fmt(k.gamma, 4))") }
        print("fitted \(model.ensembleSize) members on \(model.trajectories) trajectories × \(model.steps) steps (\(data.count) transitions) in \(fmt(model.fitSeconds, 2)) s → \(out)")
    }
}

struct SurrogateReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Measure fidelity on held-out trajectories: change R² per signal, rollouts, interval coverage, learning curve.",
        discussion: """
        Every trajectory is predicted by a surrogate refitted (with the model's settings) without it: k-fold by \
        trajectory. --repeats gives seed repeats (trajectories sharing a schedule, e.g. from `dma collect --repeats 3`) \
        for the noise floor; a signal qualifies for the R² criterion when its change's sd is ≥ 2× its noise sd.
        """
    )

    @Option(help: "Fitted model (its settings are reused for the refits).") var model: String
    @OptionGroup var input: SurrogateDataOptions
    @Option(help: "Seed-repeat trajectory log(s) for the noise floor.") var repeats: String?
    @Option(help: "Also score the fitted model itself on these separate trajectory log(s) it was not fitted on.") var test: String?
    @Option(help: "Cross-validation folds for the report.") var folds = 5
    @Option(help: "Learning-curve training sizes (trajectories), comma-separated; all training trajectories are always added.") var curve = "25,50,100"
    // No default: a default path would be relative to wherever the command runs and, in the checkout, could overwrite the committed analysis/surrogate-fidelity.csv.
    @Option(help: "Also write the per-signal table as CSV to this file.") var csv: String?
    @Option(help: "Write the whole report as JSON to this file.") var json: String?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let (data, identity, score, environment) = try input.load()
        let fitted = try SurrogateModel.load(from: model, expecting: environment)
        func transitions(_ logs: String) throws -> TransitionSet { try TransitionSet(try readTrajectoryLogs(logs, skipInvalid: input.skipInvalid).trajectories) }
        let repeatSet = try repeats.map(transitions)
        let sizes: [Int] = try commaSeparated(curve, option: "--curve")
        let bar = ProgressLine("surrogate report", total: folds * (sizes.count + 1), unit: "fit")
        var done = 0
        // The repeats often double as the separate test collection: read them once.
        let testSet = test == repeats ? repeatSet : try test.map(transitions)
        let report = try Fidelity.report(data, identity: identity, score: score, config: fitted.config, repeats: repeatSet,
                                         folds: folds, curve: sizes, fitted: fitted, external: testSet.map { (fitted, $0) }) { note in
            done += 1
            bar.update(done - 1, detail: note)
        }
        bar.update(folds * (sizes.count + 1))
        var table = Table(["signal", "family", "change sd", "noise sd", "ceiling R²", "qualifies", "R² change", "ceiling t>1", "R² change t>1", "R² level", "R² level persist.", "cover 90%"])
        func opt(_ x: Double?, _ d: Int = 4) -> String { x.map { String(format: "%.\(d)g", $0) } ?? "" }
        for s in report.signals {
            table.add([s.name, s.family, opt(s.changeSD), opt(s.noiseSD), opt(s.ceilingR2, 3), s.qualifies ? "yes" : "no",
                       fmt(s.r2Change), opt(s.ceilingR2LaterSteps, 3), fmt(s.r2ChangeLaterSteps), fmt(s.r2Level), fmt(s.r2LevelPersistence), fmt(s.coverage90)])
        }
        print(table.render())
        let r = report.rollouts
        print("rollouts over \(r.trajectories) held-out trajectories: final balanced MAE \(fmt(r.finalBalancedMAE, 4)) (actual sd \(fmt(r.actualSD, 4))), Spearman \(fmt(r.spearman)), Pearson \(fmt(r.pearson)), 90% band coverage \(fmt(r.coverage90))")
        var curveTable = Table(["trajectories", "median change R²", "min change R²", "rollout Spearman", "final MAE"])
        for p in report.learningCurve { curveTable.add(["\(p.trajectories)", fmt(p.medianChangeR2), fmt(p.minChangeR2), fmt(p.spearman), fmt(p.finalBalancedMAE, 4)]) }
        print(curveTable.render())
        if let e = report.external {
            print("fitted model on \(e.trajectories) separate trajectories (--test): median change R² \(fmt(e.medianChangeR2)), min \(fmt(e.minChangeR2)), rollout Spearman \(fmt(e.spearman)), final MAE \(fmt(e.finalBalancedMAE, 4)), 90% coverage \(fmt(e.coverage90))")
        }
        var crit = Table(["criterion", "value", "target", "result"])
        for c in report.criteria { crit.add([c.name, c.value, c.target, c.pass ? "PASS" : "FAIL"]) }
        print(crit.render())
        if let csv { try report.signalTable.write(to: csv) }
        if let json { try writeJSON(report, to: json) }
        print("report took \(fmt(report.seconds, 1)) s" + (csv.map { "; per-signal CSV → \($0)" } ?? ""))
    }
}

struct SurrogateSimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a policy through the surrogate and report its final balanced score (mean ± sd over episodes)."
    )

    @OptionGroup var surrogate: SurrogateModelOptions
    @Option(help: "Policies, comma-separated: agent:FILE (a trained agent), best-fixed-under-surrogate (the best field ratio 0.1–0.9 under the surrogate), \(PolicySpec.help).") var policy = "random"
    @Option(help: "Trajectory log(s) of this setting, for regmix, doremi and best-logged.") var data: String?
    @Option(help: "Episodes per policy.") var episodes = 100
    @Option(help: "Transition: mean (deterministic) or sampled (member per episode + residual noise).") var transition = "sampled"
    @Option var seed: UInt64 = 0
    @Option(help: "Write results as JSON to this file.") var json: String?

    struct Result: Codable { var policy: String; var episodes: Int; var mean: Double; var sd: Double; var meanRewardSD: Double; var outOfSupportShare: Double }

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        guard episodes > 0 else { throw ValidationError("--episodes must be positive") }
        guard let mode = SurrogateEnvironment.Transition(rawValue: transition) else { throw ValidationError("--transition must be mean or sampled") }
        let labels = policy.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        let specs = try labels.map(policySpec)
        let (fitted, environment) = try surrogate.load()
        var inputs = BaselineInputs(environment: environment, surrogate: fitted, seed: seed)
        if let data { inputs.trajectories = try readTrajectoryLogs(data, skipInvalid: false).0 }
        let catalog = try PolicyCatalog(model: fitted, inputs: inputs)
        let bar = ProgressLine("simulate", total: specs.count, unit: "policy")
        let report = try usage {
            try PolicyEvaluation(episodes: episodes, seed: seed, transition: mode).run(specs, catalog: catalog, model: fitted, labels: labels) { bar.update($0) }
        }
        var table = Table(["policy", "episodes", "final balanced", "sd", "mean reward sd (ensemble)", "steps out of support"])
        for s in report {
            table.add([s.label, "\(s.episodes)", fmt(s.mean, 4), fmt(s.sd, 4), String(format: "%.2e", s.meanRewardSD), String(format: "%.0f%%", 100 * s.outOfSupportShare)])
        }
        print(table.render())
        if report.contains(where: { $0.outOfSupportShare > 0 }) {
            print("steps out of support gave some domain less weight than any logged run: the surrogate extrapolates there")
        }
        let results = report.map { Result(policy: $0.label, episodes: $0.episodes, mean: $0.mean, sd: $0.sd, meanRewardSD: $0.meanRewardSD, outOfSupportShare: $0.outOfSupportShare) }
        if let json { try writeJSON(results, to: json) }
    }
}

struct SurrogateHeadroomCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headroom",
        abstract: "Predict `dma env check`'s criterion 5 through the surrogate: best of N random schedules vs the best field ratio.",
        discussion: """
        Rolls out the check's fixed ratios and its random Dirichlet walks (replicate 0 = the check's own \
        schedules, then further batches) with mean transitions. --source-weights re-weights the source \
        benchmark (the score is recomputed from the simulated signals), so an environment can be \
        calibrated before real runs; confirm with `dma env check`.
        """
    )

    @OptionGroup var surrogate: SurrogateModelOptions
    @OptionGroup var plan: CheckPlanOptions
    @Option(help: "Batches of random schedules.") var replicates = 20
    @Option(help: "Re-weight the source benchmark: domain=weight, comma-separated (e.g. source/jargon=6,source/humor=0.1).") var sourceWeights: String?
    @Option(help: "Write the result as JSON to this file.") var json: String?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        guard replicates > 0 else { throw ValidationError("--replicates must be positive") }
        let (fitted, environment) = try surrogate.load()
        let settings = try plan.settings(requiringExtremes: false)
        let weights = try keyedNumbers(sourceWeights ?? "", option: "--source-weights", separator: "=", form: "domain=weight")
        let space = try environment.domainSpace()
        let prior = try CorpusStore(directory: environment.corpusDirectory).trainingBytes(space.domains)
        let check = try EnvironmentCheck(env: environment, settings: settings, prior: prior)
        let result = try HeadroomEstimate.estimate(model: fitted, check: check, replicates: replicates, sourceWeights: weights)

        var table = Table(["fixed source share", "simulated balanced"])
        for (k, r) in result.ratios.enumerated() {
            table.add([fmt(r, 2), fmt(result.ratioScores[k], 4) + (result.ratioOutOfSupport[k] ? " (out of support: not compared)" : "")])
        }
        print(table.render())
        let m = result.margins
        var summary = Table(["", "value"])
        summary.add(["best ratio (check's grid)", "\(fmt(result.bestRatio, 2)): \(fmt(result.bestRatioScore, 4))"])
        summary.add(["best ratio (0.05 grid)", "\(fmt(result.fineBestRatio, 2)): \(fmt(result.fineBestScore, 4))"])
        summary.add(["median random schedule", fmt(result.medianWalkScore, 4)])
        summary.add(["margin, the check's own \(settings.randomSchedules) schedules", String(format: "%+.4f", m[0])])
        if m.count > 1 {
            summary.add(["margin over \(m.count) batches: q10 / median / q90", [0.1, 0.5, 0.9].map { String(format: "%+.4f", Statistics.quantile(m, $0)) }.joined(separator: " / ")])
            summary.add(["batches with margin > 0", String(format: "%.0f%%", 100 * Double(m.filter { $0 > 0 }.count) / Double(m.count))])
        }
        summary.add(["walk steps with a weight below the data's smallest", String(format: "%.1f%%", 100 * result.outOfSupportShare)])
        print(summary.render())
        if !weights.isEmpty { print("source benchmark re-weighted: \(weights.keys.sorted().map { "\($0)=\(weights[$0]!)" }.joined(separator: ", "))") }
        print("simulated with mean transitions; `dma env check` measures the same on real CPT runs, where seed noise (~0.001) also counts")
        if let json { try writeJSON(result, to: json) }
    }
}

struct SurrogateBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time a surrogate fit and batched simulation (environment steps per second)."
    )

    @OptionGroup var input: SurrogateDataOptions
    @OptionGroup var settings: SurrogateFitOptions
    @Option(help: "Environments stepped together.") var envs = 1024
    @Option(help: "Seconds of simulation to time.") var seconds = 3.0
    @Option(help: "Write the figures as JSON to this file.") var json: String?

    struct Figures: Codable { var trajectories: Int; var transitions: Int; var fitSeconds: Double; var envs: Int; var stepsPerSecond: Double; var threads: Int }

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let (data, identity, score, _) = try input.load()
        let threads = settings.workers
        let model = try SurrogateFitter.fit(data, identity: identity, score: score, config: settings.config)
        NumericsRuntime.setThreads(threads)
        let sim = SurrogateEnvironment(model: model, count: envs, transition: .sampled)
        let actions = (0..<envs).flatMap { e in
            RandomSource(seed: UInt64(e)).dirichlet([Double](repeating: 1, count: model.domains.count))
        }
        var rewards = [Double](repeating: 0, count: envs)
        var steps = 0
        var episode: UInt64 = 0
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            sim.reset(seed: episode)
            episode += 1
            for _ in 0..<model.steps { try sim.stepUnchecked(actions, rewards: &rewards); steps += envs }
        }
        let rate = Double(steps) / Date().timeIntervalSince(start)
        let figures = Figures(trajectories: model.trajectories, transitions: data.count, fitSeconds: model.fitSeconds, envs: envs, stepsPerSecond: rate, threads: threads)
        var table = Table(["trajectories", "transitions", "fit s", "envs", "steps/s", "threads"])
        table.add(["\(figures.trajectories)", "\(figures.transitions)", fmt(figures.fitSeconds, 2), "\(envs)", fmt(rate, 0), "\(threads)"])
        print(table.render())
        if let json { try writeJSON(figures, to: json) }
    }
}

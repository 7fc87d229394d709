import Agent
import ArgumentParser
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

struct CPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpt",
        abstract: "Continual pre-training from a base checkpoint: a fixed source share, a mixture, a logged schedule, or a policy in the loop.",
        discussion: "Prints a row per re-weighting step (mixture summary, feedback, balanced score) and the final full-suite score."
    )

    @Option(help: "Environment file.") var env: String
    @Option(help: "Base checkpoint.") var base: String
    @Option(help: "Source share of every round (uniform within each field).") var share = 0.5
    @Option(help: "An explicit mixture for every round instead of --share: comma-separated weights in domain-space order (normalised).") var mixture: String?
    @Option(help: "Replay the schedule of a logged trajectory: a trajectory log (use with --id).") var replay: String?
    @Option(help: "Trajectory id to replay from --replay.") var id: Int?
    @Option(help: "A policy choosing every round's mixture from the training state: agent:FILE (a trained agent) or \(PolicySpec.help).") var policy: String?
    @Option(help: "Trajectory log(s) of this setting, for --policy regmix, doremi and best-logged.") var data: String?
    @Option(help: "Fitted surrogate model, for --policy surrogate-search.") var model: String?
    @Option(help: "Data-order seeds, comma-separated: one run per seed, then mean ± sd.") var seeds = "1"
    @Option(help: "Threads: the batch of each step (and each evaluation) is split across this many data-parallel workers, each with single-threaded BLAS; 1 is the single-pass code.") var threads = 1
    @Option(help: "Save the trained model of the run here (weights only; one seed).") var out: String?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        // Data parallelism uses the cores; OpenBLAS threads on top would only compete with it.
        NumericsRuntime.setThreads(1)
        // A misspelt policy is a usage error, reported before the environment and checkpoint load.
        let spec = try policy.map(policySpec)
        let environment = try EnvironmentConfig.load(from: env)
        let checkpoint = try Checkpoint.load(from: base)
        let runner = try CPTRunner(env: environment, base: checkpoint, store: try CorpusStore(directory: environment.corpusDirectory), fullEvaluation: true,
                                   modelWorkers: threads)
        let src = runner.space.indices(in: .source)
        let makePolicy = try policyMaker(spec, space: runner.space, environment: environment, feedbackNames: runner.baseFeedback.names)
        let seedList: [UInt64] = try commaSeparated(seeds, option: "--seeds")
        guard out == nil || seedList.count == 1 else { throw ValidationError("--out saves the model of one run: give one seed") }
        if seedList.count > 1 {
            var finals: [Double] = []
            var table = Table(["seed", "retention", "gain", "balanced", "seconds"])
            for s in seedList {
                // A fresh policy per seed: online and random policies keep per-run state.
                let r = try runner.run(policy: try makePolicy(Int(s)), seed: s)
                finals.append(r.finalScore!.balanced)
                table.add(["\(s)", fmt(r.finalScore!.retention, 4), fmt(r.finalScore!.gain, 4), fmt(r.finalScore!.balanced, 4), fmt(r.seconds, 1)])
            }
            print(table.render())
            let (mean, sd) = Statistics.meanAndSD(finals)
            print("final balanced (full suite) over \(finals.count) seeds: \(fmt(mean, 4)) ± \(fmt(sd, 4))")
            return
        }
        let seed = seedList[0]
        var table = Table(["round", "source share", "train loss", "lr", "retention", "gain", "balanced", "seconds"])
        let bar = ProgressLine("cpt", total: environment.cpt.rounds, unit: "round")
        let result = try runner.run(policy: try makePolicy(Int(seed)), seed: seed, finalModel: out) { round, r in
            // The runner measures lr, train loss and seconds on every round it runs: NaN never shows.
            bar.update(round + 1, detail: "balanced \(fmt(r.balanced, 4))")
            table.add(["\(round + 1)", fmt(src.reduce(0) { $0 + r.mixture[$1] }, 3), fmt(r.trainLoss ?? .nan), String(format: "%.2e", r.lr ?? .nan),
                       fmt(r.retention, 4), fmt(r.gain, 4), fmt(r.balanced, 4), fmt(r.seconds ?? .nan, 2)])
        }
        print(table.render())
        if let f = result.finalScore {
            print("final (full suite): retention \(fmt(f.retention, 4)), gain \(fmt(f.gain, 4)), balanced \(fmt(f.balanced, 4)); run took \(fmt(result.seconds, 1)) s")
        }
        if let out { print("saved the trained model → \(out)") }
    }

    /// Run k's policy: --policy by name, else the fixed schedule of `schedule`.
    private func policyMaker(_ spec: PolicySpec?, space: DomainSpace, environment: EnvironmentConfig, feedbackNames: [String]) throws -> (Int) throws -> MixturePolicy {
        if let spec {
            guard replay == nil, mixture == nil else { throw ValidationError("give one of --policy, --mixture or --replay") }
            var inputs = BaselineInputs(environment: environment, seed: 0)
            // An agent needs neither: its inputs are read only for the baselines that use them.
            if !spec.isAgent, let data { inputs.trajectories = try readTrajectoryLogs(data, skipInvalid: false).0 }
            if !spec.isAgent, let model { inputs.surrogate = try SurrogateModel.load(from: model, expecting: environment) }
            let catalog = PolicyCatalog(space: space, rounds: environment.cpt.rounds, feedbackNames: feedbackNames, inputs: inputs)
            return try usage { try catalog.maker(spec) }
        }
        let fixed = SchedulePolicy(name: replay == nil ? "fixed" : "replay", schedule: try schedule(space, environment: environment))
        return { _ in fixed }
    }

    /// The mixtures of every round: a logged trajectory's (--replay), an explicit --mixture, or the
    /// --share split (uniform within each field).
    private func schedule(_ space: DomainSpace, environment: EnvironmentConfig) throws -> [Mixture] {
        if let replay {
            guard let id else { throw ValidationError("--replay needs --id") }
            return try TrajectoryReader.schedule(of: id, in: replay, space: space, environment: environment.name)
        }
        if let mixture {
            let fixed = try Mixture.normalized(try commaSeparated(mixture, option: "--mixture"))
            guard fixed.count == space.count else {
                throw ValidationError("--mixture has \(fixed.count) weights; the space has \(space.count): \(space.domains.map(\.rawValue).joined(separator: ", "))")
            }
            return [fixed]
        }
        return [try Mixture.fieldRatio(space, sourceShare: share)]
    }
}

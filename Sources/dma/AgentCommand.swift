import Agent
import ArgumentParser
import Baselines
import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Surrogate
import Trajectories
import Validation

struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Train the data mixing agent offline (behaviour cloning, surrogate rollouts, CQL) and evaluate it.",
        subcommands: [AgentTrainCommand.self, AgentFitFeedbackCommand.self, AgentEvaluateCommand.self, AgentBenchCommand.self]
    )
}

struct AgentTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Learn a policy from logged trajectories and short penalised surrogate rollouts.",
        discussion: "Writes a versioned policy file (atomically). Stages: behaviour cloning of the best quarter, MOPO-style rollouts, CQL. Resumable: OUT.partial holds the cloned policy and CQL's state every 250 updates; re-running the same command after a crash continues from it and gives the same policy."
    )

    @Option(help: "Trajectory log(s), comma-separated.") var data: String
    @Option(help: "Fitted surrogate model for rollouts (omit to train on the logged data only).") var surrogate: String?
    @Option(help: "Environment file (default: envs/<environment>.json of the logs, from the nearest folder above the first log that has it, else the working directory).") var env: String?
    @Option(help: "CQL updates.") var cqlSteps = AgentTrainingConfig().cqlSteps
    @Option(help: "Behaviour-cloning steps.") var bcSteps = AgentTrainingConfig().behaviourCloning.steps
    @Option(help: "Surrogate rollouts (0 = none).") var rollouts = AgentTrainingConfig().rollouts.rollouts
    @Option(help: "Reward penalty per unit of the ensemble's reward sd (MOPO's λ).") var penalty = AgentTrainingConfig().rollouts.uncertaintyPenalty
    @Option(help: "Seed for initialisation, minibatches, rollouts, action noise and relabelling permutations.") var seed: UInt64 = 0
    @Option(help: "CQL's discount γ (close to 1: the return is the final score's change, forgetting included).") var discount = AgentTrainingConfig().cql.discount
    @Option(help: "Penalty of a rollout step whose mixture leaves the logged weights of some domain (below its least or above its largest), in balanced-score units.") var supportPenalty = AgentTrainingConfig().rollouts.outOfSupportPenalty
    @Option(help: "Support cap: no proposed weight above this quantile of the logged weights (1 = the largest any domain had; 0 = no cap). Applied to the rollouts and to every proposal.") var supportQuantile = AgentTrainingConfig().supportQuantile ?? 0
    @Option(help: "CQL's conservative weight α (d3rlpy's default 5): larger keeps the policy nearer the logged actions.") var conservativeWeight = AgentTrainingConfig().cql.conservativeWeight
    @Option(help: "Score-weight relabelled copies of the logged data (and rollouts), each with a random permutation of the source domains' score weights (0 = off).") var relabel = AgentTrainingConfig().relabel.copies
    @Option(help: "Output policy file.") var out: String
    @Option(help: "Policy files to reuse instead of training when one was trained on exactly these inputs (settings, data, surrogate, environment), comma-separated; OUT itself is always checked.") var reuse: String?

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let (trajectories, _) = try readTrajectoryLogs(data, skipInvalid: false)
        let environment = try EnvironmentConfig.load(from: environmentPath(env, for: trajectories[0].header.environment, near: data))
        let config = self.config()
        let model = try surrogate.map { path -> (SurrogateModel, String) in
            let m = try SurrogateModel.load(from: path, expecting: environment)
            return (m, StableHash.hex(of: [UInt8](FileManager.default.contents(atPath: path) ?? Data())))
        }
        let candidates = [out] + (try reuse.map { try commaSeparated($0, option: "--reuse", as: String.self) } ?? [])
        let fingerprint = config.rollouts.rollouts > 0 ? model?.1 : nil
        if let found = try AgentTraining.reusable(candidates, config: config, trajectories: trajectories, environment: environment, surrogateFingerprint: fingerprint) {
            if found != out { try AtomicFile.write(FileManager.default.contents(atPath: found)!, to: out) }
            print("reused \(found): it was trained on exactly these inputs (settings, \(trajectories.count) trajectories, surrogate, environment) → \(out)")
            return
        }
        if candidates.count > 1 {
            print("no policy among \(candidates.dropFirst().joined(separator: ", ")) was trained on exactly these inputs: training anew (expected on a CPU other than the one that made them, whose BLAS kernel fits a surrogate that differs in its last bits)")
        }
        let start = Date()
        var bars: [AgentTraining.Stage: ProgressLine] = [:]
        let (file, summary) = try AgentTraining.train(trajectories: trajectories, environment: environment,
                                                       surrogate: model.flatMap { config.rollouts.rollouts > 0 ? (model: $0.0, fingerprint: $0.1) : nil },
                                                       config: config, snapshot: out + ".partial") { p in
            let bar = bars[p.stage] ?? {
                // A stage's first report comes after its first steps, as the bar is made: its rate
                // counts from here (it read 140,654 step/s and 685,705,153 step/s when it did not).
                let made = ProgressLine("agent \(p.stage.rawValue)", total: p.total, unit: "step")
                made.resumedFrom = p.step
                return made
            }()
            bars[p.stage] = bar
            bar.update(p.step, detail: p.terms.sorted { $0.key < $1.key }.filter { Self.shown.contains($0.key) }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }.joined(separator: " "))
        }
        try file.write(to: out)
        var table = Table(["stage", "seconds", "rows", "last terms"])
        table.add(["behaviour cloning", fmt(summary.seconds[.behaviourCloning] ?? 0, 1), "\(summary.loggedRows)", ""])
        if let r = summary.rollouts {
            table.add(["surrogate rollouts", fmt(summary.seconds[.rollouts] ?? 0, 1), "\(r.rows)",
                       "mean penalty \(String(format: "%.2e", r.meanPenalty)), out of support \(String(format: "%.1f%%", 100 * r.outOfSupportShare))"])
        }
        table.add(["CQL", fmt(summary.seconds[.cql] ?? 0, 1), "\(summary.loggedRows + summary.rolloutRows)",
                   summary.finalTerms.sorted { $0.key < $1.key }.filter { Self.shown.contains($0.key) }.map { "\($0.key) \(String(format: "%.4g", $0.value))" }.joined(separator: ", ")])
        print(table.render())
        print("trained in \(fmt(Date().timeIntervalSince(start), 1)) s → \(out)")
    }

    func validate() throws {
        guard discount > 0, discount <= 1 else { throw ValidationError("--discount needs 0 < γ ≤ 1") }
        guard supportQuantile >= 0, supportQuantile <= 1 else { throw ValidationError("--support-quantile needs 0 (no cap) or a quantile in (0, 1]") }
        guard supportPenalty >= 0 else { throw ValidationError("--support-penalty needs a value ≥ 0") }
        guard conservativeWeight >= 0 else { throw ValidationError("--conservative-weight needs α ≥ 0") }
        guard relabel >= 0 else { throw ValidationError("--relabel needs a count ≥ 0") }
    }

    /// The training settings these options give.
    func config() -> AgentTrainingConfig {
        var config = AgentTrainingConfig()
        (config.cqlSteps, config.behaviourCloning.steps, config.rollouts.rollouts, config.rollouts.uncertaintyPenalty, config.seed) =
            (cqlSteps, bcSteps, rollouts, penalty, seed)
        config.rollouts.seed = seed
        config.cql.discount = discount
        config.cql.conservativeWeight = conservativeWeight
        config.rollouts.outOfSupportPenalty = supportPenalty
        config.supportQuantile = supportQuantile > 0 ? supportQuantile : nil
        config.relabel = RelabelConfig(copies: relabel, seed: seed)
        return config
    }

    static let shown: Set<String> = ["bc_nll", "critic_td", "conservative", "actor", "temperature", "q_data", "q_sampled_gap"]
}

struct AgentEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Estimate a policy's final balanced score through the surrogate, beside baselines."
    )

    @Option(help: "Policy file.") var policy: String
    @OptionGroup var surrogate: SurrogateModelOptions
    @Option(help: "Trajectory log(s) for the best logged trajectory (replayed) and random baselines.") var data: String
    @Option(help: "Episodes per policy and mode.") var episodes = 100
    @Option var seed: UInt64 = 0
    @Option(help: "Fitted-Q-evaluation updates per policy (0 skips FQE).") var fqeSteps = 1_000
    @Option(help: "FQE check: hold out every k-th logged trajectory and rank-correlate FQE's value of its schedule with its realised return.") var fqeEvery = 15
    @Option(help: "Write the results as JSON to this file.") var json: String?

    struct Row: Codable { var policy: String; var mode: String; var mean: Double; var sd: Double; var outOfSupportShare: Double }
    struct Output: Codable { var surrogate: [Row]; var fqe: [String: Double]; var fqeCheck: FittedQCheck.Result? }

    /// The policies beside the agent, in table order, each under its own label.
    static let beside: [PolicySpec] = [.bestLogged, .bestFixedUnderSurrogate, .uniform, .surrogateSearch, .random]
    /// The field ratio the real runs of the main setting found best, valued by FQE beside the agent.
    static let realRunsBestShare = 0.75

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        let (fitted, environment) = try surrogate.load()
        let (trajectories, _) = try readTrajectoryLogs(data, skipInvalid: false)
        // The closed-loop agent has no critic's inputs to evaluate with FQE; the surrogate still runs it.
        let agent: AgentPolicy?
        if case .network(let network) = try AgentFile.load(policy) { agent = network } else { agent = nil }
        let catalog = try PolicyCatalog(model: fitted, inputs: BaselineInputs(environment: environment, trajectories: trajectories, surrogate: fitted, seed: seed))
        let specs = [PolicySpec.agent(path: policy)] + Self.beside
        var rows: [Row] = []
        var table = Table(["policy", "transition", "final balanced", "sd", "steps out of support"])
        for mode in [SurrogateEnvironment.Transition.mean, .sampled] {
            let report = try usage { try PolicyEvaluation(episodes: episodes, seed: seed, transition: mode).run(specs, catalog: catalog, model: fitted) }
            for s in report {
                let name = Self.label(s)
                rows.append(Row(policy: name, mode: mode.rawValue, mean: s.mean, sd: s.sd, outOfSupportShare: s.outOfSupportShare))
                table.add([name, mode.rawValue, fmt(s.mean, 4), fmt(s.sd, 4), String(format: "%.1f%%", 100 * s.outOfSupportShare)])
            }
        }
        print(table.render())
        var fqeValues: [String: Double] = [:]
        var check: FittedQCheck.Result?
        if fqeSteps > 0 && agent == nil { ProgressLine.note("FQE skipped: \(policy) is the closed-loop agent, which has no trained critic inputs") }
        if fqeSteps > 0, let agent {
            // (b) Fitted Q evaluation on the logged transitions: discounted return (γ = 0.9) from the start, in score units.
            var config = FittedQEvaluationConfig()
            config.steps = fqeSteps
            let fqeSpecs: [PolicySpec] = [.agent(path: policy), .uniform, .ratio(Self.realRunsBestShare)]
            let values = try PolicyEvaluation.fittedQ(fqeSpecs, agent: agent, catalog: catalog, trajectories: trajectories, config: config, seed: seed)
            for (spec, v) in values { fqeValues[spec == .ratio(Self.realRunsBestShare) ? "best fixed ratio (\(Self.realRunsBestShare), real runs' best)" : spec.name] = v }
            var fq = Table(["policy (FQE on the logged transitions)", "discounted return from the start, γ = 0.9"])
            for (k, v) in fqeValues.sorted(by: { $0.value > $1.value }) { fq.add([k, fmt(v, 4)]) }
            print(fq.render())
            let layout = try agent.bound(to: environment, domains: fitted.domains, feedbackNames: fitted.feedbackNames).layout
            let bar = ProgressLine("FQE check", total: (trajectories.count + fqeEvery - 1) / fqeEvery, unit: "schedule")
            check = try FittedQCheck.run(trajectories: trajectories, layout: layout, normalizer: agent.file.normalizer, rewardScale: AgentTrainingConfig().rewardScale,
                                         every: fqeEvery, config: config, seed: seed) { done, _ in bar.update(done) }
            print("FQE check: \(check!.heldOut.count) held-out logged schedules, Spearman of FQE's value against the realised discounted return: \(check!.spearman.map { fmt($0, 3) } ?? "n/a")")
        }
        if let json { try writeJSON(Output(surrogate: rows, fqe: fqeValues, fqeCheck: check), to: json) }
    }

    /// A row's label in the table and JSON (what a selecting or replaying baseline chose is shown).
    static func label(_ s: PolicyEvaluation.Summary) -> String {
        switch s.spec {
        case .agent?: return "agent"
        case .bestLogged?: return "best logged (#\(s.replayedTrajectory ?? -1), replayed)"
        case .bestFixedUnderSurrogate?: return "best fixed ratio (\(s.chosenShare ?? .nan))"
        case .surrogateSearch?: return "surrogate-search (best static)"
        default: return s.label
        }
    }
}

struct AgentBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "CQL updates/s and GFLOP/s against the same run's sgemm peak: the agent's networks, and a plain MLP at d3rlpy's default shapes."
    )

    @Option(help: "Policy file whose inference is timed.") var policy = "datasets/policies/math-cpt-proxy.policy.json"
    @Option(help: "Trajectory log whose logged states it is timed on.") var data = "datasets/trajectories/math-cpt-proxy.jsonl"
    @Option(help: "OpenBLAS thread counts of the plain-MLP update, comma-separated (the agent's own update and inference run on 1).") var threads = "1"
    @Option(help: "Write the figures as JSON to this file.") var json: String?

    struct Figures: Codable { var sgemmPeakGFLOPs: Double; var sgemmPeakByThreads: [String: Double]; var rows: [Row]; var inferenceSecondsOneState: Double; var inferenceSeconds1024States: Double }
    struct Row: Codable { var label: String; var threads: Int; var updatesPerSecond: Double; var flopsPerUpdate: Int; var gflops: Double; var fractionOfPeak: Double }

    func run() throws {
        NumericsRuntime.installErrorHandling()
        NumericsRuntime.setThreads(1)
        // Inputs first: a bad policy or log fails before a minute of benchmarking.
        let (bound, states) = try inferenceInputs()
        let threadCounts: [Int] = try commaSeparated(threads, option: "--threads")
        guard threadCounts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads needs counts ≥ 1") }
        let peak = AgentBenchmark.sgemmPeak()
        // The agent's own shapes: the default environment's 16 domains, the layout's widths, the training defaults.
        let window = AgentTrainingConfig().window
        let agent = AgentBenchmark.domainSetCQL(domains: 16, tokenWidth: ObservationLayout.tokenColumns(window: window).count,
                                                globalWidth: ObservationLayout.globalColumns(window: window).count,
                                                config: AgentTrainingConfig().cql, updates: 20)
        func row(_ b: UpdateBenchmark, threads: Int, peak: Double) -> Row {
            Row(label: b.label, threads: threads, updatesPerSecond: b.updatesPerSecond, flopsPerUpdate: b.flopsPerUpdate, gflops: b.gflopsPerSecond,
                fractionOfPeak: b.gflopsPerSecond / peak)
        }
        var rows = [row(agent, threads: 1, peak: peak)]
        var peaks = ["1": peak]
        for t in threadCounts {
            // Each thread count against the sgemm peak measured with the same count.
            NumericsRuntime.setBLASThreads(t)
            let p = t == 1 ? peak : AgentBenchmark.sgemmPeak()
            peaks["\(t)"] = p
            rows.append(row(AgentBenchmark.plainMLPCQL(), threads: t, peak: p))
        }
        NumericsRuntime.setThreads(1)
        var table = Table(["update", "threads", "updates/s", "GFLOP/update", "GFLOP/s", "% of sgemm peak"])
        for r in rows {
            table.add([r.label, "\(r.threads)", fmt(r.updatesPerSecond, 2), fmt(Double(r.flopsPerUpdate) / 1e9, 3), fmt(r.gflops, 1), fmt(100 * r.fractionOfPeak, 1)])
        }
        print("sgemm peak (512³): " + peaks.sorted { $0.key < $1.key }.map { "\($0.key) thread\($0.key == "1" ? "" : "s") \(fmt($0.value, 1)) GFLOP/s" }.joined(separator: ", "))
        print(table.render())
        let (one, many) = (try bestTime(bound, [states[0]]), try bestTime(bound, states))
        print("policy inference (\(policy)): one state \(fmt(one * 1e3, 3)) ms, 1,024 states \(fmt(many * 1e3, 2)) ms (one batched call)")
        if let json { try writeJSON(Figures(sgemmPeakGFLOPs: peak, sgemmPeakByThreads: peaks, rows: rows, inferenceSecondsOneState: one, inferenceSeconds1024States: many), to: json) }
    }

    /// The agent bound to the log's space, and 1,024 logged states to time its inference on.
    private func inferenceInputs() throws -> (BoundAgent, [PolicyState]) {
        let agent = try AgentPolicy(path: policy)
        let (trajectories, _) = try readTrajectoryLogs(data, skipInvalid: false)
        let environment = try EnvironmentConfig.load(from: environmentPath(nil, for: trajectories[0].header.environment, near: data))
        let header = trajectories[0].header
        let layout = ObservationLayout(domains: header.domains, feedbackNames: header.feedbackNames,
                                       score: try ScoreFormula(env: environment, feedbackNames: header.feedbackNames), window: agent.file.window)
        let bound = try agent.bound(to: layout)
        let states = try (0..<1_024).map { k -> PolicyState in
            let t = trajectories[k % trajectories.count]
            return try PolicyState(t, before: k % t.steps.count)
        }
        return (bound, states)
    }

    /// Best-of-5 wall time of one `nextMixtures` call on `batch`.
    private func bestTime(_ bound: BoundAgent, _ batch: [PolicyState]) throws -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try bound.nextMixtures(batch)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return best
    }
}

import Agent
import ArgumentParser
import Base
import Foundation
import Validation

struct AgentFitFeedbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-feedback",
        abstract: "Learn the closed-loop agent (it reads the run's own gain curve) from logged runs of several settings.",
        discussion: "Fits the retention response α, γ (each source domain's final retention on the log of its own weight and of the source share, one intercept per setting) and the prior of the gain curve a·E^β from trajectory logs and validation folders, leaving out the settings named by --exclude (keys environment@model, e.g. code-cpt@proxy, math-cpt@target). Writes a controller policy file (atomically) that `agent:FILE` takes everywhere an agent goes. See docs/agent.md."
    )

    @Option(help: "Trajectory log(s), comma-separated.") var data: String?
    @Option(help: "Validation folder(s) with runs.jsonl, comma-separated.") var results: String?
    @Option(help: "Setting keys (environment@model) to leave out, comma-separated.") var exclude: String?
    @Option(help: "Rounds of the run's own gain before the controller trusts its fit.") var identifyAfter = FeedbackControllerConfig().identifyAfter
    @Option(help: "Weight of the prior gain exponent, in rounds of evidence.") var priorRounds = FeedbackControllerConfig().priorRounds
    @Option(help: "Let the gain curve bend (log G quadratic in log E), its curvature shrunk towards 0 with this weight in rounds; omit for the plain power law.") var curvaturePrior: Double?
    @Flag(inversion: .prefixedNo, help: "Map the run's own gain exponent to the across-run elasticity learned from the training settings (docs/agent.md); needs one-mixture runs of two or more settings, else the file reads the run's own exponent.") var mapGainExponent = true
    @Option(help: "Least source share the controller may choose.") var minShare = FeedbackControllerConfig().minShare
    @Option(help: "Largest source share the controller may choose.") var maxShare = FeedbackControllerConfig().maxShare
    @Option(help: "Output policy file.") var out: String

    func validate() throws {
        guard data != nil || results != nil else { throw ValidationError("give --data and/or --results") }
        guard identifyAfter >= 1 else { throw ValidationError("--identify-after needs a round count ≥ 1") }
        guard priorRounds >= 0 else { throw ValidationError("--prior-rounds needs a value ≥ 0") }
        if let k = curvaturePrior, !(0...1e6).contains(k) { throw ValidationError("--curvature-prior needs a value in 0…1000000") }
        if mapGainExponent, curvaturePrior != nil { throw ValidationError("the gain-exponent map maps a power law: --curvature-prior needs --no-map-gain-exponent") }
        guard (0.01...0.99).contains(minShare), (0.01...0.99).contains(maxShare), minShare <= maxShare else {
            throw ValidationError("--min-share and --max-share need 0.01 ≤ min ≤ max ≤ 0.99")
        }
    }

    func run() throws {
        let start = Date()
        let inputs = try FeedbackControllerTraining.read(
            trajectoryFiles: try data.map { try commaSeparated($0, option: "--data", as: String.self) } ?? [],
            validationFolders: try results.map { try commaSeparated($0, option: "--results", as: String.self) } ?? [],
            excluding: Set(try exclude.map { try commaSeparated($0, option: "--exclude", as: String.self) } ?? []),
            notes: { FileHandle.standardError.write(Data(("note: " + $0 + "\n").utf8)) })
        var config = FeedbackControllerConfig()
        (config.identifyAfter, config.priorRounds, config.minShare, config.maxShare) = (identifyAfter, priorRounds, minShare, maxShare)
        config.curvaturePriorRounds = curvaturePrior
        if mapGainExponent { config.mapsGainExponent = true }
        let file = try FeedbackControllerTraining.fit(inputs, config: config)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(file), to: out)
        var table = Table(["setting", "runs used", "runs left out"])
        for key in Set(inputs.used.keys).union(inputs.excluded.keys).sorted() {
            table.add([key, "\(inputs.used[key] ?? 0)", "\(inputs.excluded[key] ?? 0)"])
        }
        print(table.render())
        if inputs.ownRuns > 0 { print("left out \(inputs.ownRuns) runs of closed-loop agents (an agent does not learn from its own kind's runs)") }
        print("retention ρ = c + \(fmt(file.retentionShareElasticity, 4))·log(m + \(file.weightFloor)) + \(fmt(file.retentionFieldElasticity, 4))·log s (se \(file.retentionStandardErrors.map { fmt($0, 4) }.joined(separator: ", "))); prior gain curve \(fmt(file.priorGainScale, 3))·E^\(fmt(file.priorGainExponent, 3))")
        if let map = file.gainExponentMap {
            var mapTable = Table(["setting", "runs", "own exponent (mean)", "across-run elasticity"])
            for (key, v) in map.settings.sorted(by: { $0.key < $1.key }) { mapTable.add([key, "\(Int(v[2]))", fmt(v[0], 3), fmt(v[1], 3)]) }
            print(mapTable.render())
            print("gain exponent map β' = \(fmt(file.priorGainExponent, 3))·(β/\(fmt(file.priorGainExponent, 3)))^\(fmt(map.power, 2))")
        }
        if mapGainExponent, file.gainExponentMap == nil {
            print("no gain-exponent map: it needs one-mixture runs at three or more shares in two or more settings that agree (a power in 0.1…10); the agent reads the run's own exponent")
        }
        print("fitted in \(fmt(Date().timeIntervalSince(start), 1)) s → \(out)")
    }
}

import Corpus
import Evaluation
import Foundation
import Testing
import Trajectories
@testable import Agent

/// The closed-loop agent: its two fits recover known curves, its choice follows the run's gain
/// curve and the declared trade-off, and its file is validated.
struct FeedbackControllerTests {
    static let domains = ["source/a", "source/b", "source/c", "math/x", "math/y"].map { DomainName($0) }
    static let isSource = domains.map { $0.field == .source }

    static func file(alpha: Double = 0.035, gamma: Double = 0.03, beta: Double = 0.1, config: FeedbackControllerConfig = FeedbackControllerConfig()) -> FeedbackControllerFile {
        FeedbackControllerFile(config: config, retentionShareElasticity: alpha, retentionFieldElasticity: gamma, weightFloor: 0.005,
                               retentionStandardErrors: [0, 0], priorGainScale: 0.3, priorGainExponent: beta, trainedOn: [:], runs: 0)
    }

    @Test func gainCurveRecoversAKnownPowerLaw() throws {
        let shares = [0.3, 0.5, 0.2, 0.4, 0.6]
        var e = 0.0
        let gains = shares.map { s -> Double in e += s; return 0.27 * pow(e, 0.18) }
        let curve = try #require(FeedbackController.gainCurve(targetShares: shares, gains: gains))
        #expect(abs(curve.scale - 0.27) < 1e-9 && abs(curve.exponent - 0.18) < 1e-9)
        // Exactly two usable rounds give the line through them; one gives nothing.
        let two = try #require(FeedbackController.gainCurve(targetShares: Array(shares.prefix(2)), gains: Array(gains.prefix(2))))
        #expect(abs(two.exponent - 0.18) < 1e-9)
        #expect(FeedbackController.gainCurve(targetShares: [0.5, 0.5], gains: [0.2, -0.01]) == nil)
    }

    @Test func thePriorPullsTheExponentInProportionToItsWeight() throws {
        let shares = [0.5, 0.5, 0.5]
        var e = 0.0
        let gains = shares.map { s -> Double in e += s; return 0.3 * pow(e, 0.25) }
        let weak = try #require(FeedbackController.gainCurve(targetShares: shares, gains: gains, prior: (0.05, 0.01)))
        let strong = try #require(FeedbackController.gainCurve(targetShares: shares, gains: gains, prior: (0.05, 1e6)))
        #expect(abs(weak.exponent - 0.25) < 0.01)
        #expect(abs(strong.exponent - 0.05) < 1e-3)
    }

    @Test func aBendingCurveIsRecoveredAndPricesTheRunsEnd() throws {
        // log G = log 0.3 + 0.12·log E − 0.05·(log E)²: a gain that saturates.
        let shares = [0.3, 0.5, 0.2, 0.4, 0.6, 0.3]
        var e = 0.0
        let gains = shares.map { s -> Double in e += s; let l = log(e); return 0.3 * exp(0.12 * l - 0.05 * l * l) }
        let bent = try #require(FeedbackController.gainCurve(targetShares: shares, gains: gains, curvaturePrior: 0))
        #expect(abs(bent.scale - 0.3) < 1e-9 && abs(bent.exponent - 0.12) < 1e-9 && abs(bent.curvature + 0.05) < 1e-9)
        // A heavy curvature prior gives back the power law's fit.
        let straight = try #require(FeedbackController.gainCurve(targetShares: shares, gains: gains))
        let flattened = try #require(FeedbackController.gainCurve(targetShares: shares, gains: gains, curvaturePrior: 1e9))
        #expect(abs(flattened.exponent - straight.exponent) < 1e-6 && abs(flattened.curvature) < 1e-6)
        // Past its peak the modelled gain holds: more target data never lowers it.
        let peak = exp(0.12 / 0.1)
        #expect(bent.gain(targetRounds: 3 * peak) == bent.gain(targetRounds: peak))
        #expect(bent.gain(targetRounds: peak) > bent.gain(targetRounds: peak / 2))
        // The saturating curve asks for more source data than the power law fitted to the same rounds.
        let omega = [0.8, 0.1, 0.1, 0, 0]
        let share = { (curve: GainCurve) in
            FeedbackController.bestShare(file: Self.file(), sourceWeights: omega, gain: curve, rounds: 10, retentionWeight: 0.5, gainWeight: 0.5)
        }
        #expect(share(bent) > share(straight), "bent \(share(bent)) vs straight \(share(straight))")
        // Too few rows to bend with a residual left (two rounds and one prior row): the power law.
        for (prior, curvature) in [((0.1, 0.5), 0.0), ((0.1, 0.0), 2.0)] {
            let few = FeedbackController.gainCurve(targetShares: Array(shares.prefix(2)), gains: Array(gains.prefix(2)),
                                                   prior: prior, curvaturePrior: curvature)
            let line = FeedbackController.gainCurve(targetShares: Array(shares.prefix(2)), gains: Array(gains.prefix(2)), prior: prior)
            #expect(few != nil && few == line)
        }
        // With both prior rows there is one residual: it bends.
        #expect(FeedbackController.gainCurve(targetShares: Array(shares.prefix(2)), gains: Array(gains.prefix(2)),
                                             prior: (0.1, 0.5), curvaturePrior: 2)?.curvature ?? 0 < 0)
    }

    /// Runs that held one mixture, whose source domains keep exactly c + α·log(m + m₀) + γ·log s.
    /// Without `exponents` the gain is 0.3·E^β in every run; with them, environment k's runs have
    /// their own exponent `own` and their final gains the across-run elasticity `across`:
    /// G_t = 0.3·(1 − s)^(across − own)·E_t^own.
    static func syntheticRuns(alpha: Double, gamma: Double, beta: Double, exponents: [(own: Double, across: Double)]? = nil) -> [RunRecord] {
        let names = domains.map { Signal.bitsPerByte($0).name }
        let base = [Double](repeating: 2, count: domains.count)
        var runs: [RunRecord] = []
        let designs: [(share: Double, split: [Double])] = [(0.3, [0.6, 0.3, 0.1]), (0.5, [1.0 / 3, 1.0 / 3, 1.0 / 3]), (0.7, [0.8, 0.1, 0.1]),
                                                           (0.9, [0.5, 0.25, 0.25]), (0.6, [0.9, 0.05, 0.05])]
        for (k, design) in designs.enumerated() {
            let s = design.share
            let target: [Double] = [(1 - s) / 2, (1 - s) / 2]
            let mixture: [Double] = design.split.map { s * $0 } + target
            for (e, environment) in ["one", "two"].enumerated() {
                let c = environment == "one" ? 0.9 : 0.95
                let (own, across) = exponents?[e] ?? (beta, beta)
                var rounds: [LoggedRound] = []
                for t in 1...4 {
                    var feedback = base
                    for d in 0..<3 {
                        let kept: Double = c + alpha * log(mixture[d] + 0.005) + gamma * log(s)
                        feedback[d] = base[d] / kept
                    }
                    let gain: Double = 0.3 * pow(1 - s, across - own) * pow(Double(t) * (1 - s), own)
                    rounds.append(LoggedRound(mixture: mixture, tokensPerDomain: mixture.map { Int($0 * 1000) }, feedback: feedback,
                                              balanced: 0.5, retention: 1, gain: gain))
                }
                runs.append(RunRecord(id: "\(environment)-\(k)", identity: RunIdentity(environment: environment, environmentHash: "h", baseCheckpoint: "b"),
                                      policy: "mixture", role: .evaluation, seed: UInt64(k), domains: domains, feedbackNames: names,
                                      baseFeedback: base, rounds: rounds))
            }
        }
        return runs
    }

    @Test func fitRecoversTheRetentionResponseAndTheGainPrior() throws {
        let file = try FeedbackController.fit(runs: Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15))
        #expect(abs(file.retentionShareElasticity - 0.04) < 1e-6)
        #expect(abs(file.retentionFieldElasticity - 0.025) < 1e-6)
        #expect(abs(file.priorGainExponent - 0.15) < 1e-6)
        #expect(file.trainedOn == ["one@base b": 5, "two@base b": 5])
    }

    @Test func theGainExponentMapRecoversKnownElasticities() throws {
        var config = FeedbackControllerConfig()
        config.mapsGainExponent = true
        let exponents = [(own: 0.08, across: 0.06), (own: 0.2, across: 0.26)]
        let file = try FeedbackController.fit(runs: Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15, exponents: exponents), config: config)
        let map = try #require(file.gainExponentMap)
        #expect(file.version == 3)
        for (key, e) in zip(["one@base b", "two@base b"], exponents) {
            let v = try #require(map.settings[key])
            #expect(abs(v[0] - e.own) < 1e-9 && abs(v[1] - e.across) < 1e-9 && v[2] == 5, "\(key): \(v)")
        }
        // The power is the slope through the pivot (the prior exponent), one point per setting.
        let p = file.priorGainExponent
        let xy = exponents.reduce(0) { $0 + log($1.own / p) * log($1.across / p) }, xx = exponents.reduce(0) { $0 + pow(log($1.own / p), 2) }
        #expect(abs(map.power - xy / xx) < 1e-9 && map.power > 1)
        // An exponent at the pivot is kept; one above it is raised, one below lowered (power > 1).
        #expect(abs(map.mapped(p, pivot: p) - p) < 1e-12)
        #expect(map.mapped(0.2, pivot: p) > 0.2 && map.mapped(0.08, pivot: p) < 0.08)
        // On a side of the pivot where no setting lies the run's own exponent is kept; the two branches
        // meet at the pivot, so the map rises with the exponent everywhere.
        let oneSided = GainExponentMap(power: 2, settings: ["a@m": [0.05, 0.03, 5]])
        #expect(oneSided.mapped(0.2, pivot: 0.1) == 0.2 && abs(oneSided.mapped(0.05, pivot: 0.1) - 0.025) < 1e-12)
        let grid = stride(from: 0.01, through: 0.5, by: 0.001).map { oneSided.mapped($0, pivot: 0.1) }
        #expect(zip(grid, grid.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(oneSided.mapped(0.1 - 1e-9, pivot: 0.1) - oneSided.mapped(0.1 + 1e-9, pivot: 0.1)) < 1e-8)
        // Settings that disagree (steeper across runs below the pivot, flatter above) teach no map.
        let disagreeing = try FeedbackController.fit(runs: Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15, exponents: [(0.08, 0.2), (0.2, 0.08)]), config: config)
        #expect(disagreeing.gainExponentMap == nil && disagreeing.version == 1)
        // One setting cannot teach a map: the file reads the run's own exponent (and says so in its config).
        let one = Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15, exponents: exponents).filter { $0.identity.environment == "one" }
        let unmapped = try FeedbackController.fit(runs: one, config: config)
        #expect(unmapped.gainExponentMap == nil && unmapped.config.mapsGainExponent == nil && unmapped.version == 1)
        #expect(throws: AgentError.self) { try FeedbackController.gainExponentMap([:], pivot: 0.1) }
    }

    @Test func fitRefusesRunsThatCannotTeachTheTradeOff() {
        // Schedules that change every round are not used for retention: nothing is left.
        var runs = Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15)
        for i in runs.indices { runs[i].rounds[0].mixture = [0.9, 0.05, 0.05, 0, 0] }
        #expect(throws: AgentError.self) { try FeedbackController.fit(runs: runs) }
        // Retention falling with the source share is refused, not learned.
        #expect(throws: AgentError.self) { try FeedbackController.fit(runs: Self.syntheticRuns(alpha: -0.04, gamma: -0.025, beta: 0.15)) }
    }

    @Test func aFasterGrowingGainAsksForMoreTargetData() {
        let omega = [0.8, 0.1, 0.1, 0, 0]
        let file = Self.file()
        let shares = [0.05, 0.1, 0.2, 0.3].map {
            FeedbackController.bestShare(file: file, sourceWeights: omega, gain: GainCurve(scale: 0.3, exponent: $0), rounds: 10, retentionWeight: 0.5, gainWeight: 0.5)
        }
        #expect(zip(shares, shares.dropFirst()).allSatisfy { $0 > $1 }, "\(shares)")
        // Only retention counts: the most source; only gain: the least.
        #expect(FeedbackController.bestShare(file: file, sourceWeights: omega, gain: GainCurve(scale: 0.3, exponent: 0.1), rounds: 10, retentionWeight: 1, gainWeight: 0) == file.config.maxShare)
        #expect(FeedbackController.bestShare(file: file, sourceWeights: omega, gain: GainCurve(scale: 0.3, exponent: 0.1), rounds: 10, retentionWeight: 0, gainWeight: 1) == file.config.minShare)
    }

    /// A state after `gains.count` rounds at source share 0.6, under a score with trade-off rw, gw.
    static func state(gains: [Double], rw: Double = 0.5, gw: Double = 0.5) throws -> PolicyState {
        let mixture = try Mixture([0.36, 0.12, 0.12, 0.2, 0.2])
        let scores = [BalancedScore(balanced: rw, retention: 1, gain: 0)] + gains.map { BalancedScore(balanced: rw * 0.95 + gw * $0, retention: 0.95, gain: $0) }
        return PolicyState(space: try DomainSpace(name: "toy", domains: domains), round: gains.count, rounds: 10,
                           mixtures: Array(repeating: mixture, count: gains.count),
                           feedback: Array(repeating: Feedback(names: [], values: []), count: gains.count + 1), scores: scores)
    }

    @Test func theAgentReadsTheRunsOwnGainCurve() throws {
        let layout = ObservationLayout(domains: Self.domains, feedbackNames: [], scoreWeights: [6, 1, 1, 1, 1])
        let agent = try FeedbackControllerPolicy(file: Self.file(), name: "agent:test", fingerprint: "f").bound(to: layout)
        let saturating = try Self.state(gains: [0.30, 0.31, 0.315, 0.318])
        let growing = try Self.state(gains: [0.20, 0.26, 0.30, 0.33])
        let a = agent.decide(saturating), b = agent.decide(growing)
        #expect(a.identified && b.identified)
        #expect(b.gain.exponent > a.gain.exponent)
        #expect(b.sourceShare < a.sourceShare, "growing gain \(b.sourceShare) vs saturating \(a.sourceShare)")
        // Before `identifyAfter` rounds it acts on the prior.
        #expect(!agent.decide(try Self.state(gains: [0.3])).identified)
        // The mixture: source share split by the score weights, target evenly.
        let m = try agent.nextMixture(growing).weights
        #expect(abs(m.reduce(0, +) - 1) < 1e-12)
        #expect(abs(m[0] / m[1] - 6) < 1e-9 && abs(m[3] - m[4]) < 1e-12)
        #expect(abs(m[0] + m[1] + m[2] - b.sourceShare) < 1e-9)
        // With a bending curve: a run whose gain flattens bends down; one whose gain accelerates is
        // read as the power law, never extrapolated upwards.
        var config = FeedbackControllerConfig()
        config.curvaturePriorRounds = 0.1
        let bending = try FeedbackControllerPolicy(file: Self.file(config: config), name: "agent:bend", fingerprint: "g").bound(to: layout)
        #expect(bending.decide(try Self.state(gains: [0.20, 0.30, 0.33, 0.335, 0.336])).gain.curvature < 0)
        let accelerating = try Self.state(gains: [0.10, 0.12, 0.18, 0.30])
        #expect(bending.decide(accelerating).gain.curvature == 0)
        #expect(bending.decide(accelerating) == agent.decide(accelerating))
    }

    @Test func theMappedAgentPricesTheAcrossRunElasticity() throws {
        let layout = ObservationLayout(domains: Self.domains, feedbackNames: [], scoreWeights: [6, 1, 1, 1, 1])
        var config = FeedbackControllerConfig()
        config.mapsGainExponent = true
        var mappedFile = Self.file(config: config)
        (mappedFile.gainExponentMap, mappedFile.version) = (GainExponentMap(power: 2, settings: ["a@m": [0.02, 0.01, 5], "b@m": [0.9, 1.0, 5]]), 3)
        try mappedFile.validate()
        let plain = try FeedbackControllerPolicy(file: Self.file(), name: "agent:plain", fingerprint: "f").bound(to: layout)
        let mapped = try FeedbackControllerPolicy(file: mappedFile, name: "agent:mapped", fingerprint: "m").bound(to: layout)
        let saturating = try Self.state(gains: [0.30, 0.31, 0.315, 0.318]), growing = try Self.state(gains: [0.20, 0.26, 0.30, 0.33])
        for (state, steeper) in [(saturating, false), (growing, true)] {
            let a = plain.decide(state), b = mapped.decide(state)
            #expect(steeper == (a.gain.exponent > 0.1))
            #expect(abs(b.gain.exponent - 0.1 * pow(a.gain.exponent / 0.1, 2)) < 1e-12)
            // The same gain where the run is now (4 rounds at target share 0.4), the mapped slope beyond.
            #expect(abs(b.gain.gain(targetRounds: 1.6) - a.gain.gain(targetRounds: 1.6)) < 1e-12)
            #expect(steeper ? b.sourceShare < a.sourceShare : b.sourceShare > a.sourceShare, "\(a.sourceShare) → \(b.sourceShare)")
        }
        // Before it identifies the run's curve it acts on the prior, which is the map's pivot.
        #expect(mapped.decide(try Self.state(gains: [0.3])) == plain.decide(try Self.state(gains: [0.3])))
    }

    @Test func theTradeOffIsReadFromTheScores() throws {
        let layout = ObservationLayout(domains: Self.domains, feedbackNames: [], scoreWeights: [6, 1, 1, 1, 1])
        let agent = try FeedbackControllerPolicy(file: Self.file(), name: "agent:test", fingerprint: "f").bound(to: layout)
        let d = agent.decide(try Self.state(gains: [0.2, 0.26, 0.3], rw: 0.8, gw: 0.2))
        #expect(abs(d.retentionWeight - 0.8) < 1e-12 && abs(d.gainWeight - 0.2) < 1e-9)
        let retentionHeavy = d.sourceShare
        let gainHeavy = agent.decide(try Self.state(gains: [0.2, 0.26, 0.3], rw: 0.2, gw: 0.8)).sourceShare
        #expect(retentionHeavy > gainHeavy)
    }

    @Test func fileRoundTripsAndBadFilesAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.json").path
        let file = try FeedbackController.fit(runs: Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15))
        try JSONEncoder().encode(file).write(to: URL(fileURLWithPath: good))
        #expect(try FeedbackControllerFile.load(from: good) == file)
        #expect(FeedbackControllerFile.isFeedbackController(try Data(contentsOf: URL(fileURLWithPath: good))))
        #expect(try AgentFile.provider(path: good) is FeedbackControllerPolicy)
        // The bending curve's setting round-trips; files without it (every earlier one) read as the power law.
        #expect(file.config.curvaturePriorRounds == nil)
        var config = FeedbackControllerConfig()
        config.curvaturePriorRounds = 2
        let bending = dir.appendingPathComponent("bending.json").path
        let bendingFile = try FeedbackController.fit(runs: Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15), config: config)
        try JSONEncoder().encode(bendingFile).write(to: URL(fileURLWithPath: bending))
        #expect(try FeedbackControllerFile.load(from: bending).config.curvaturePriorRounds == 2)
        // It is written as version 2, which an older dma refuses instead of ignoring the bend; a plain file stays version 1.
        #expect(bendingFile.version == 2 && file.version == 1)
        // A mapped file (version 3) round-trips.
        var mapConfig = FeedbackControllerConfig()
        mapConfig.mapsGainExponent = true
        let mappedFile = try FeedbackController.fit(runs: Self.syntheticRuns(alpha: 0.04, gamma: 0.025, beta: 0.15, exponents: [(0.08, 0.06), (0.2, 0.26)]), config: mapConfig)
        let mapped = dir.appendingPathComponent("mapped.json").path
        try JSONEncoder().encode(mappedFile).write(to: URL(fileURLWithPath: mapped))
        #expect(try FeedbackControllerFile.load(from: mapped) == mappedFile)
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let withMap = { (power: Int) in text.replacingOccurrences(of: "\"runs\":", with: "\"gainExponentMap\":{\"power\":\(power),\"settings\":{}},\"runs\":") }
        let flagged = { (t: String) in t.replacingOccurrences(of: "\"identifyAfter\":", with: "\"mapsGainExponent\":true,\"identifyAfter\":") }
        let cases: [(String, String, String)] = [
            ("garbage", "{not json", "not a valid"),
            ("truncated", String(text.prefix(text.count / 2)), "not a valid"),
            ("range", text.replacingOccurrences(of: "\"priorGainExponent\":", with: "\"priorGainExponent\":40,\"x\":"), "priorGainExponent"),
            ("version", text.replacingOccurrences(of: "\"version\":1", with: "\"version\":9"), "version 9"),
            ("curvature", text.replacingOccurrences(of: "\"identifyAfter\":", with: "\"curvaturePriorRounds\":-1,\"identifyAfter\":")
                .replacingOccurrences(of: "\"version\":1", with: "\"version\":2"), "curvaturePriorRounds"),
            ("curvature in version 1", text.replacingOccurrences(of: "\"identifyAfter\":", with: "\"curvaturePriorRounds\":2,\"identifyAfter\":"), "needs version 2"),
            ("map without its flag", withMap(2), "mapsGainExponent is not set"),
            ("flag without its map", flagged(text), "gainExponentMap is missing"),
            ("map in version 1", flagged(withMap(2)), "needs version 3"),
            ("map power", flagged(withMap(-2)).replacingOccurrences(of: "\"version\":1", with: "\"version\":3"), "gainExponentMap.power"),
            ("map settings", flagged(withMap(2)).replacingOccurrences(of: "\"version\":1", with: "\"version\":3")
                .replacingOccurrences(of: "\"settings\":{}", with: "\"settings\":{\"x@y\":[0.1]}"), "settings[\"x@y\"]"),
        ]
        for (name, content, expected) in cases {
            let path = dir.appendingPathComponent(name + ".json").path
            try content.write(toFile: path, atomically: true, encoding: .utf8)
            #expect {
                try FeedbackControllerFile.load(from: path)
            } throws: { error in
                let message = "\(error)"
                return message.contains(path) && message.contains(expected)
            }
        }
    }
}

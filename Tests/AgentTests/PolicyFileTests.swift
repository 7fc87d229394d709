import Base
import Corpus
import DMATestSupport
import Foundation
import Numerics
@testable import Agent
import Testing
import Trajectories

/// The training pipeline end to end on synthetic data, the policy file's round trip and its error
/// paths, and the trained agent on other domain spaces.
@Suite struct PolicyFileTests {
    static let trained: (PolicyFile, String) = {
        let trajectories = try! Synthetic.trajectories(24)
        let model = try! Synthetic.fit(trajectories).0
        var config = AgentTrainingConfig()
        config.network = NetworkConfig(tokenHidden: [8], globalHidden: 8, headHidden: [8])
        config.cql.critic = config.network
        (config.behaviourCloning.steps, config.cqlSteps, config.rollouts.rollouts, config.cql.batchSize) = (30, 10, 20, 16)
        let (file, _) = try! AgentTraining.train(trajectories: trajectories, environment: try! Synthetic.environment(),
                                                 surrogate: (model, "synthetic"), config: config)
        let path = NSTemporaryDirectory() + "dma-policy-\(UUID().uuidString).json"
        try! file.write(to: path)
        return (file, path)
    }()

    /// The default training records the cap: the 0.999 quantile of the logged weights.
    @Test func theCapIsAHighQuantileOfTheLoggedWeights() throws {
        let (file, _) = Self.trained
        let weights = try Synthetic.trajectories(24).flatMap { $0.steps.flatMap(\.mixture) }
        #expect(file.supportCap == SupportCap(ceiling: Statistics.quantile(weights, 0.999)))
        #expect(file.supportCap!.ceiling <= weights.max()! && file.supportCap!.ceiling > Statistics.quantile(weights, 0.99))
        var old = file
        old.supportCap = nil
        let decoded = try PolicyFile.decode(try JSONEncoder().encode(old))
        #expect(decoded.supportCap == nil)
    }

    @Test func roundTripsAndServesOtherSpaces() throws {
        let (file, path) = Self.trained
        let agent = try AgentPolicy(path: path)
        #expect(agent.file.parameters == file.parameters && agent.file.normalizer == file.normalizer)
        #expect(agent.file.provenance.surrogate == "synthetic" && agent.file.provenance.trajectoryCount == 24)
        // One policy file on spaces of other sizes: a valid mixture each time, above the floor.
        for (s, t) in [(6, 8), (8, 8), (8, 9)] {
            let request = ProposalTestState.request(source: s, target: t)
            let resolved = try ProposalRequest.decode(try JSONEncoder().encode(request), source: "state")
            let answer = try Proposer(provider: agent).propose(resolved)
            #expect(answer.mixture.count == s + t && abs(answer.mixture.reduce(0, +) - 1) <= 1e-9)
            #expect(answer.mixture.allSatisfy { $0 >= agent.effectiveFloor(s + t) - 1e-9 })
            #expect(answer.mixture.allSatisfy { $0 <= file.supportCap!.ceiling + 1e-9 })
            #expect(answer.environmentFingerprint == file.provenance.environmentHash)
        }
    }

    /// A policy trained on imported runs names their model in its provenance, and its environment
    /// fingerprint differs from a policy of dma's own runs on the same environment; it refuses a
    /// surrogate of other runs. A file without the field (every bundled one) still loads.
    @Test func aPolicyOfImportedRunsCarriesTheirModel() throws {
        let byom = ModelIdentity(name: "byom", description: "PyTorch GPT, 391k params, 3 layers")
        let own = try Synthetic.trajectories(12)
        let foreign = Synthetic.foreign(own, model: byom)
        let env = try Synthetic.environment()
        var config = AgentTrainingConfig()
        config.network = NetworkConfig(tokenHidden: [8], globalHidden: 8, headHidden: [8])
        config.cql.critic = config.network
        (config.behaviourCloning.steps, config.cqlSteps, config.rollouts.rollouts, config.cql.batchSize) = (10, 5, 8, 16)
        let surrogate = try Synthetic.fit(foreign).0
        let (file, _) = try AgentTraining.train(trajectories: foreign, environment: env, surrogate: (surrogate, "s"), config: config)
        #expect(file.provenance.model == byom)
        let path = NSTemporaryDirectory() + "dma-policy-\(UUID().uuidString).json"
        try file.write(to: path)
        #expect(try PolicyFile.load(from: path).provenance.model == byom)
        let agent = try AgentPolicy(path: path)
        #expect(agent.environmentFingerprint != env.hash && agent.environmentFingerprint?.hasPrefix(env.hash) == true)

        // The same runs as dma's own: no model recorded, the environment's hash as fingerprint, another input key.
        let plain = AgentTraining.provenance(trajectories: own, environment: env, surrogateFingerprint: "s")
        #expect(plain.model == nil && plain.environmentFingerprint == env.hash)
        #expect(try AgentTraining.inputKey(config, plain) != AgentTraining.inputKey(config, file.provenance))
        do { _ = try AgentTraining.train(trajectories: own, environment: env, surrogate: (surrogate, "s"), config: config); Issue.record("used another model's surrogate") } catch {
            #expect("\(error)".contains("model 'byom'") && "\(error)".contains("dma's own runs"), "\(error)")
        }
        let bundled = try PolicyFile.load(from: repositoryPath("datasets/policies/math-cpt-proxy.policy.json"))
        #expect(bundled.provenance.model == nil && bundled.provenance.environmentFingerprint == bundled.provenance.environmentHash)
    }

    /// An agent trained over another window still answers proposals (the request is re-read over its window).
    @Test func anAgentOfAnotherWindowAnswersProposals() throws {
        let trajectories = try Synthetic.trajectories(12)
        var config = AgentTrainingConfig()
        config.window = 3
        config.network = NetworkConfig(tokenHidden: [8], globalHidden: 8, headHidden: [8])
        config.cql.critic = config.network
        (config.behaviourCloning.steps, config.cqlSteps, config.cql.batchSize) = (10, 5, 16)
        let (file, _) = try AgentTraining.train(trajectories: trajectories, environment: try Synthetic.environment(), surrogate: nil, config: config)
        let agent = try AgentPolicy(file: file, name: "agent:w3", fingerprint: "w3")
        let resolved = try ProposalRequest.decode(try JSONEncoder().encode(ProposalTestState.request(source: 3, target: 2)), source: "state")
        let answer = try Proposer(provider: agent).propose(resolved)
        #expect(answer.mixture.count == 5 && abs(answer.mixture.reduce(0, +) - 1) <= 1e-9)
    }

    /// A policy trained on the same inputs is found for reuse; other settings, data or surrogate are not.
    @Test func aPolicyIsReusedOnlyForItsOwnInputs() throws {
        let trajectories = try Synthetic.trajectories(12)
        let env = try Synthetic.environment()
        var config = AgentTrainingConfig()
        config.network = NetworkConfig(tokenHidden: [8], globalHidden: 8, headHidden: [8])
        config.cql.critic = config.network
        (config.behaviourCloning.steps, config.cqlSteps, config.cql.batchSize) = (10, 5, 16)
        let (file, _) = try AgentTraining.train(trajectories: trajectories, environment: env, surrogate: nil, config: config)
        let path = NSTemporaryDirectory() + "dma-reuse-\(UUID().uuidString).policy.json"
        try file.write(to: path)
        let missing = NSTemporaryDirectory() + "dma-missing-\(UUID().uuidString).json"
        #expect(try AgentTraining.reusable([missing, path], config: config, trajectories: trajectories, environment: env, surrogateFingerprint: nil) == path)
        var more = config
        more.cqlSteps = 6
        #expect(try AgentTraining.reusable([path], config: more, trajectories: trajectories, environment: env, surrogateFingerprint: nil) == nil)
        #expect(try AgentTraining.reusable([path], config: config, trajectories: Array(trajectories.dropLast()), environment: env, surrogateFingerprint: nil) == nil)
        #expect(try AgentTraining.reusable([path], config: config, trajectories: trajectories, environment: env, surrogateFingerprint: "m") == nil)
    }

    /// Sizes are checked before anything is allocated (these cases used to abort or exhaust memory),
    /// and absurd values are refused on load rather than at proposal time.
    @Test func oversizedOrAbsurdFilesAreRefusedOnLoad() throws {
        let (file, path) = Self.trained
        func variant(_ change: (inout PolicyFile) -> Void) -> PolicyFile { var f = file; change(&f); return f }
        let cases: [(PolicyFile, String)] = [
            (variant { $0.network.tokenHidden = [100_000_000, 100_000_000] }, "tokenHidden width 100000000 is outside 1…4096"),
            (variant { $0.network.headHidden = Array(repeating: 8, count: 17) }, "headHidden has 17 layers"),
            (variant { $0.network.globalHidden = 0 }, "globalHidden width 0"),
            (variant { $0.window = 1_000_000_000_000_000 }, "window 1000000000000000 is outside 1…16"),
            (variant { ($0.network.logStdMin, $0.network.logStdMax) = (2, -5) }, "log-std clamp [2.0, -5.0]"),
            (variant { $0.parameters = $0.parameters.map { _ in 3e38 } }, "beyond ±10000"),
            (variant { $0.parameters += [0] }, "weights do not fit"),
        ]
        for (bad, mention) in cases {
            let p = NSTemporaryDirectory() + "dma-absurd-policy-\(UUID().uuidString).json"
            try bad.write(to: p)
            do { _ = try AgentPolicy(path: p); Issue.record("\(mention): loaded") } catch let e as DataFileError {
                #expect(e.description.hasPrefix(p) && e.description.contains(mention), "\(e)")
            }
        }
        // Trailing commas: Foundation on Linux would read this file.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let p = NSTemporaryDirectory() + "dma-comma-policy-\(UUID().uuidString).json"
        try (String(text.dropLast()) + ",}").write(toFile: p, atomically: true, encoding: .utf8)
        do { _ = try AgentPolicy(path: p); Issue.record("a trailing comma loaded") } catch let e as DataFileError {
            #expect(e.description.hasPrefix(p) && e.description.contains("trailing comma"), "\(e)")
        }
    }

    @Test func badFilesAreNamed() throws {
        let (file, path) = Self.trained
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func written(_ body: String) throws -> String {
            let p = NSTemporaryDirectory() + "dma-bad-policy-\(UUID().uuidString).json"
            try body.write(toFile: p, atomically: true, encoding: .utf8)
            return p
        }
        var wrongShape = file; wrongShape.parameters.removeLast()
        var nanWeight = file; nanWeight.parameters[3] = .nan
        var wrongVersion = file; wrongVersion.version = 9
        var badCap = file; badCap.supportCap = SupportCap(ceiling: 1); badCap.supportCap!.ceiling = 1.5
        func encoded(_ f: PolicyFile) throws -> String {
            // NaN is not JSON: write it the way a corrupted file would carry it.
            let e = JSONEncoder(); e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            return String(decoding: try e.encode(f), as: UTF8.self)
        }
        let cases: [(String, String)] = [
            ("/nonexistent/p.policy.json", "file not found"),
            (try written(String(text.prefix(text.count / 2))), "not a valid"),
            (try written(try encoded(wrongVersion)), "version 9"),
            (try written(try encoded(wrongShape)), "weights do not fit"),
            (try written(try encoded(nanWeight)), "parameters"),
            (try written(try encoded(badCap)), "support cap 1.5"),
            (try written("{\"format\": \"dma-surrogate\", \"version\": 1}"), "not a dma agent policy"),
        ]
        for (p, mention) in cases {
            do {
                _ = try AgentPolicy(path: p)
                Issue.record("\(p) loaded")
            } catch let e as DataFileError {
                #expect(e.description.hasPrefix(p) && e.description.contains(mention), "\(e)")
            }
        }
    }
}

/// A proposal state with the sender's own domain names.
enum ProposalTestState {
    static func request(source: Int, target: Int) -> ProposalRequest {
        let domains = (0..<source).map { ProposalRequest.Domain(name: "s\($0)", field: "source", scoreWeight: $0 == 0 ? 6 : 0.1) }
            + (0..<target).map { ProposalRequest.Domain(name: "t\($0)", field: "math") }
        let f = Dictionary(uniqueKeysWithValues: domains.flatMap { d in
            [("bpb/\(d.name)", d.field == "source" ? 2.5 : 6.0)] + (d.field == "math" ? [("em/\(d.name)", 0.0)] : [])
        })
        return ProposalRequest(domains: domains, round: 0, rounds: 10, mixtures: [], feedback: [f])
    }
}

@Suite struct FittedQCheckTests {
    /// On synthetic runs with known dynamics, FQE fitted on the others ranks held-out schedules by
    /// their realised returns.
    @Test func fqeRanksHeldOutSchedules() throws {
        let trajectories = try Synthetic.trajectories(60, noise: 0.002)
        let model = try Synthetic.fit(Array(trajectories.prefix(10))).0
        let layout = ObservationLayout(domains: model.domains, feedbackNames: model.feedbackNames, score: model.score)
        let normalizer = FeatureNormalizer(fitting: try OfflineDataset(trajectories: trajectories, layout: layout))
        var config = FittedQEvaluationConfig()
        config.critic = NetworkConfig(tokenHidden: [16], globalHidden: 16, headHidden: [16])
        (config.steps, config.batchSize, config.learningRate) = (600, 64, 1e-3)
        let result = try FittedQCheck.run(trajectories: trajectories, layout: layout, normalizer: normalizer, rewardScale: 100,
                                          every: 4, config: config, seed: 1)
        #expect(result.heldOut.count == 15 && result.estimated.count == 15 && result.realised.count == 15)
        let rho = try #require(result.spearman)
        #expect(rho > 0.3, "Spearman \(rho)")
    }
}

@Suite struct ResumableTrainingTests {
    struct Crash: Error {}

    /// A training run stopped mid-CQL resumes from its snapshot and ends with the policy an
    /// uninterrupted run gives, bit for bit.
    @Test func anInterruptedRunEndsWithTheSamePolicy() throws {
        let trajectories = try Synthetic.trajectories(16)
        let model = try Synthetic.fit(trajectories).0
        var config = AgentTrainingConfig()
        config.network = NetworkConfig(tokenHidden: [8], globalHidden: 8, headHidden: [8])
        config.cql.critic = config.network
        (config.behaviourCloning.steps, config.cqlSteps, config.rollouts.rollouts, config.cql.batchSize, config.snapshotEvery) = (20, 30, 12, 16, 10)
        let env = try Synthetic.environment()
        let (whole, _) = try AgentTraining.train(trajectories: trajectories, environment: env, surrogate: (model, "m"), config: config)
        let snapshot = NSTemporaryDirectory() + "dma-train-\(UUID().uuidString).partial"
        #expect(throws: Crash.self) {
            _ = try AgentTraining.train(trajectories: trajectories, environment: env, surrogate: (model, "m"), config: config, snapshot: snapshot) { p in
                if p.stage == .cql && p.step >= 25 { throw Crash() }
            }
        }
        #expect(FileManager.default.fileExists(atPath: snapshot))
        var resumedBC = false
        let (resumed, _) = try AgentTraining.train(trajectories: trajectories, environment: env, surrogate: (model, "m"), config: config,
                                                   snapshot: snapshot) { p in if p.stage == .behaviourCloning { resumedBC = true } }
        #expect(!resumedBC, "behaviour cloning ran again instead of resuming")
        #expect(resumed.parameters == whole.parameters)
        #expect(!FileManager.default.fileExists(atPath: snapshot))
    }
}

@Suite struct SupportCapTests {
    /// The projection keeps mixtures inside unchanged, and maps others to a mixture in the box that
    /// is nearer to the input than any other mixture in the box (checked against random ones).
    @Test func projectsOntoTheNearestMixtureUnderTheCap() {
        let cap = SupportCap(ceiling: 0.4), floor = 0.01
        let inside = [0.3, 0.3, 0.2, 0.2]
        #expect(cap.project(inside, floor: floor) == inside)
        let corner = [0.91, 0.03, 0.03, 0.03]
        let p = cap.project(corner, floor: floor)
        #expect(abs(p.reduce(0, +) - 1) < 1e-12 && p.allSatisfy { $0 >= floor - 1e-12 && $0 <= 0.4 + 1e-12 })
        #expect(abs(p[0] - 0.4) < 1e-9 && abs(p[1] - 0.2) < 1e-9)  // the excess is shared equally
        func distance(_ a: [Double]) -> Double { zip(a, corner).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        let rng = RandomSource(seed: 5)
        var tried = 0
        while tried < 2_000 {
            var w = (0..<4).map { _ in rng.uniform() }
            let total = w.reduce(0, +); w = w.map { $0 / total }
            guard w.allSatisfy({ $0 >= floor && $0 <= 0.4 }) else { continue }
            tried += 1
            #expect(distance(p) <= distance(w) + 1e-12)
        }
        #expect(cap.project(p, floor: floor) == p)
        // A cap no mixture fits under gives the uniform mixture.
        #expect(SupportCap(ceiling: 0.2).project(corner, floor: floor) == [0.25, 0.25, 0.25, 0.25])
    }

    @Test func fittedIsTheQuantileOfTheLoggedWeights() throws {
        let trajectories = try Synthetic.trajectories(10)
        let weights = trajectories.flatMap { $0.steps.flatMap(\.mixture) }
        #expect(SupportCap.fitted(to: trajectories, quantile: 1).ceiling == weights.max())
        let median = SupportCap.fitted(to: trajectories, quantile: 0.5).ceiling
        #expect(median > weights.min()! && median < weights.max()!)
    }
}

/// A committed file, read from the checkout this test was built from.
private func repositoryPath(_ path: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(path).path
}

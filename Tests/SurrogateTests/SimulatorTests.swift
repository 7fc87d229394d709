import DMATestSupport
import Base
import Corpus
import Foundation
import Numerics
@testable import Surrogate
import Testing
import Trajectories

/// One small fitted model shared by the simulator and file tests.
let sharedModel: SurrogateModel = {
    NumericsRuntime.installErrorHandling()
    return try! Synthetic.fit(try! Synthetic.trajectories(30)).0
}()

@Suite struct SimulatorTests {
    let uniform = [0.25, 0.25, 0.25, 0.25]

    @Test func invalidActionsAreRejected() throws {
        let env = SurrogateEnvironment(model: sharedModel)
        env.reset(seed: 1)
        for bad in [[0.5, 0.5], [0.5, 0.5, 0.5, -0.5], [0.25, 0.25, .nan, 0.25], [0.3, 0.3, 0.3, 0.3]] {
            #expect(throws: SurrogateError.self) { try env.step(bad) }
        }
        // Rejected actions leave the episode where it was.
        #expect(env.observation(0).step == 0)
        let lenient = SurrogateEnvironment(model: sharedModel, normalizesActions: true)
        lenient.reset(seed: 1)
        let r = try lenient.step([1, 1, 1, 1])
        #expect(r.observation.mixture == uniform)
    }

    @Test func episodesLastTStepsAndRewardIsTheChangeOfBalanced() throws {
        let env = SurrogateEnvironment(model: sharedModel)
        #expect(throws: SurrogateError.self) { try env.step(uniform) }
        var obs = env.reset(seed: 3)[0]
        #expect(obs.step == 0 && obs.mixture == [0, 0, 0, 0])
        for t in 0..<sharedModel.steps {
            let r = try env.step(uniform)
            #expect(abs(r.reward - (r.observation.balanced - obs.balanced)) < 1e-12)
            #expect(r.done == (t == sharedModel.steps - 1))
            #expect(r.info.ensembleSD.count == sharedModel.signalCount)
            let positive = r.info.predictiveSD.filter { $0 > 0 }.count
            #expect(positive >= sharedModel.signalCount - 2)  // the two constant em signals may have no spread
            obs = r.observation
        }
        #expect(throws: SurrogateError.self) { try env.step(uniform) }
    }

    /// A batch of environments steps exactly like the same environments stepped one by one.
    @Test func batchedStepsMatchSingleSteps() throws {
        let actions = [[0.7, 0.1, 0.1, 0.1], [0.1, 0.2, 0.3, 0.4], uniform]
        let batch = SurrogateEnvironment(model: sharedModel, count: 3)
        batch.reset(seed: 9)
        let results = try batch.step(batch: actions)
        for (e, a) in actions.enumerated() {
            let single = SurrogateEnvironment(model: sharedModel)
            try single.reset(from: [batch.model.startStates[0]], seed: 9)
            let r = try single.step(a)
            let gap: Double = zip(r.observation.feedback, results[e].observation.feedback).map { abs($0 - $1) }.max()!
            #expect(gap < 1e-12)
            #expect(abs(r.reward - results[e].reward) < 1e-12)
        }
    }

    @Test func sampledTransitionsAreDeterministicPerSeed() throws {
        func run(_ seed: UInt64) throws -> [Double] {
            let env = SurrogateEnvironment(model: sharedModel, count: 4, transition: .sampled)
            env.reset(seed: seed)
            return try (0..<sharedModel.steps).flatMap { _ in try env.step(batch: Array(repeating: uniform, count: 4)).map(\.reward) }
        }
        #expect(try run(5) == run(5))
        #expect(try run(5) != run(6))
    }

    /// The surrogate ranks mixtures like the dynamics it learned: in the synthetic world, weight on
    /// source/a lowers its bits per byte, so a source-heavy ratio beats a target-only one on retention.
    @Test func policiesRunThroughTheSurrogate() throws {
        let space = try DomainSpace(name: "s", domains: Synthetic.domains)
        let src = space.indices(in: .source), tgt = [2, 3]
        func ratio(_ r: Double) throws -> [PolicyRollout.Episode] {
            let m = try Mixture.split(count: 4, first: src, second: tgt, share: r)
            return try PolicyRollout.run(sharedModel, episodes: 3, seed: 1) { _ in SchedulePolicy(name: "r", schedule: [m]) }
        }
        let heavy = try ratio(0.9), none = try ratio(0)
        #expect(heavy.allSatisfy { $0.mixtures.count == sharedModel.steps })
        #expect(heavy[0].finalBalanced != none[0].finalBalanced)
    }
}

@Suite struct SurrogateFileTests {
    func tempPath() -> String { NSTemporaryDirectory() + "dma-surrogate-\(UUID().uuidString).json" }

    @Test func roundTripPredictsIdentically() throws {
        let path = tempPath()
        try sharedModel.write(to: path)
        let loaded = try SurrogateModel.load(from: path, expecting: try Synthetic.environment())
        let a = SurrogateEnvironment(model: sharedModel), b = SurrogateEnvironment(model: loaded)
        a.reset(seed: 2); b.reset(seed: 2)
        let mix = [0.1, 0.2, 0.3, 0.4]
        #expect(try a.step(mix) == b.step(mix))
    }

    func expectInvalid(_ edit: (inout [String: Any]) -> Void, _ fragment: String) throws {
        let path = tempPath()
        try sharedModel.write(to: path)
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        do {
            _ = try SurrogateModel.load(from: path)
            Issue.record("loaded a broken model (\(fragment))")
        } catch let e as DataFileError {
            #expect(e.description.contains(path) && e.description.contains(fragment), "\(e)")
        }
    }

    @Test func malformedModelsAreRejectedWithTheReason() throws {
        try expectInvalid({ $0["format"] = "other" }, "is not 'dma-surrogate'")
        try expectInvalid({ $0["version"] = 99 }, "version 99")
        try expectInvalid({ $0.removeValue(forKey: "members") }, "members")
        try expectInvalid({ o in
            var members = o["members"] as! [[Any]]
            members[0].removeLast()
            o["members"] = members
        }, "ensemble members")
        try expectInvalid({ $0["lower"] = [] }, "bounds")
        try expectInvalid({ $0["actionCeiling"] = [0.0, 0.0, 0.0, 0.0] }, "action ceiling")
        try expectInvalid({ $0["actionCeiling"] = [0.5] }, "action ceiling")
        #expect(throws: DataFileError.self) { try SurrogateModel.load(from: "/nonexistent/model.json") }
        let garbage = tempPath()
        try "not json".write(toFile: garbage, atomically: true, encoding: .utf8)
        #expect(throws: DataFileError.self) { try SurrogateModel.load(from: garbage) }
    }

    @Test func loadingAgainstAnotherEnvironmentIsAClearError() throws {
        let path = tempPath()
        var other = sharedModel
        other.identity.environmentHash = "0000000000000000"
        try other.write(to: path)
        do {
            _ = try SurrogateModel.load(from: path, expecting: try Synthetic.environment())
            Issue.record("loaded a model of another environment")
        } catch let e as SurrogateError {
            #expect(e.description.contains("fitted on environment"))
        }
    }
}

@Suite struct SupportTests {
    /// A weight below anything the logs used is flagged; weights inside the data are not.
    @Test func stepsOutsideTheDataAreFlagged() throws {
        let env = SurrogateEnvironment(model: sharedModel)
        env.reset(seed: 1)
        #expect(try env.step([0.25, 0.25, 0.25, 0.25]).info.outOfSupport == false)
        #expect(try env.step([0.5, 0.5, 0, 0]).info.outOfSupport == true)
    }

    /// The fit records each domain's largest logged weight, and a mixture piling more than that on
    /// one domain (every other weight still above its floor) is out of support too.
    @Test func weightsAboveTheLoggedMaximumAreFlagged() throws {
        let trajectories = try Synthetic.trajectories(30)
        let model = try Synthetic.fit(trajectories).0
        let ceiling = try #require(model.actionCeiling)
        let D = model.domains.count
        for d in 0..<D {
            #expect(ceiling[d] == trajectories.flatMap(\.steps).map { $0.mixture[d] }.max())
        }
        let d = try #require((0..<D).first { ceiling[$0] < 0.9 })
        var corner = [Double](repeating: 0, count: D)
        corner[d] = ceiling[d] + (1 - ceiling[d]) / 2
        for k in 0..<D where k != d { corner[k] = (1 - corner[d]) / Double(D - 1) }
        try #require((0..<D).allSatisfy { corner[$0] >= model.actionFloor[$0] })
        #expect(model.isOutOfSupport(corner))
        let env = SurrogateEnvironment(model: model)
        env.reset(seed: 1)
        #expect(try env.step(corner).info.outOfSupport == true)
        // A file fitted before ceilings were recorded checks the floor only.
        var old = model
        old.actionCeiling = nil
        #expect(!old.isOutOfSupport(corner))
        let path = NSTemporaryDirectory() + "dma-surrogate-\(UUID().uuidString).json"
        try old.write(to: path)
        #expect(try SurrogateModel.load(from: path).actionCeiling == nil)
    }
}

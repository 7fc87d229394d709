import Base
import Foundation
import Testing
import DMATestSupport
import Corpus
@testable import Evaluation
import Numerics
import Transformer
@testable import Trajectories

func sampleTrajectory(id: Int, domains: [DomainName] = ["source/a", "math/b"], version: Int = 1) -> Trajectory {
    let header = Trajectory.Header(format: "dma-trajectory", version: version, id: id, environment: "e", environmentHash: "h",
                                   domains: domains, feedbackNames: ["bpb/source/a", "bpb/math/b"], model: ModelConfig.proxy,
                                   baseCheckpoint: "base", sampler: SampledSchedule(family: "constant", parameters: ["startConcentration": 4]),
                                   dataSeed: 1, scheduleSeed: 2, codeVersion: DMAVersion.string)
    let step = Trajectory.Step(mixture: [0.25, 0.75], tokensPerDomain: [64, 192], feedback: [2.5, 6.0], balanced: 0.6,
                               retention: 0.9, gain: 0.3, lr: 1e-3, trainLoss: 1.2, seconds: 1)
    return Trajectory(header: header, baseFeedback: [2.4, 7.0], baseBalanced: 0.5, steps: [step, step])
}

func writeLines(_ lines: [String], raw tail: String = "") throws -> String {
    let path = NSTemporaryDirectory() + "dma-traj-\(UUID().uuidString).jsonl"
    try (lines.map { $0 + "\n" }.joined() + tail).write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

func json(_ t: Trajectory) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    return String(decoding: try! e.encode(t), as: UTF8.self)
}

@Suite struct TrajectoryFormatTests {
    @Test func roundTripThroughTheLog() throws {
        let path = NSTemporaryDirectory() + "dma-traj-\(UUID().uuidString).jsonl"
        let log = AppendLog<Trajectory>(path: path)
        for i in 0..<3 { try log.append(sampleTrajectory(id: i)) }
        let r = try TrajectoryReader.read(path)
        #expect(r.trajectories == (0..<3).map { sampleTrajectory(id: $0) })
        #expect(!r.tornTail && r.skipped.isEmpty)
    }

    @Test func everyMalformationNamesFileAndLine() throws {
        var bad = sampleTrajectory(id: 1)
        bad.steps[0].mixture = [0.5, 0.6]
        var wrongLength = sampleTrajectory(id: 2)
        wrongLength.steps[1].feedback = [1]
        var negative = sampleTrajectory(id: 3)
        negative.steps[0].mixture = [1.5, -0.5]
        let cases: [(String, String)] = [
            (json(sampleTrajectory(id: 1, version: 9)), "version 9"),
            (json(sampleTrajectory(id: 1, domains: ["source/a", "source/a"])), "distinct"),
            (json(sampleTrajectory(id: 1, domains: ["source/a", "nofield"])), "field prefix"),
            (json(bad), "probability vector"),
            (json(negative), "probability vector"),
            (json(wrongLength), "feedback has 1 values"),
            (json(sampleTrajectory(id: 0)), "appears twice"),
            ("{\"header\": 3}", "not a trajectory record"),
        ]
        for (line, message) in cases {
            let path = try writeLines([json(sampleTrajectory(id: 0)), line])
            do { _ = try TrajectoryReader.read(path); Issue.record("accepted: \(message)") } catch {
                #expect("\(error)".contains("\(path):2"), "\(error)")
                #expect("\(error)".contains(message), "\(error)")
            }
            let skipped = try TrajectoryReader.read(path, skipInvalid: true)
            #expect(skipped.trajectories.count == 1 && skipped.skipped.count == 1)
        }
    }

    @Test func inconsistentHeadersAreRejected() throws {
        var other = sampleTrajectory(id: 1)
        other.header.baseCheckpoint = "another-base"
        var env = sampleTrajectory(id: 2)
        env.header.environmentHash = "x"
        for t in [other, env] {
            let path = try writeLines([json(sampleTrajectory(id: 0)), json(t)])
            #expect(throws: TrajectoryError.self) { try TrajectoryReader.read(path) }
        }
    }

    @Test func tornLastLineIsIgnored() throws {
        let path = try writeLines([json(sampleTrajectory(id: 0))], raw: String(json(sampleTrajectory(id: 1)).prefix(40)))
        let r = try TrajectoryReader.read(path)
        #expect(r.trajectories.count == 1 && r.tornTail)
    }

    @Test func completeLastLineWithoutNewlineIsRead() throws {
        let path = try writeLines([json(sampleTrajectory(id: 0))], raw: json(sampleTrajectory(id: 1)))
        let r = try TrajectoryReader.read(path)
        #expect(r.trajectories.map(\.header.id) == [0, 1] && r.tail == .unterminated && !r.tornTail)
        var notes: [String] = []
        _ = try TrajectoryMerge.merge([path]) { if case let .unterminatedTail(p) = $0 { notes.append(p) } }
        #expect(notes == [path])
        // Appending (as collection does) first ends the last record's line.
        try AppendLog<Trajectory>(path: path).append(sampleTrajectory(id: 2))
        let after = try TrajectoryReader.read(path)
        #expect(after.trajectories.map(\.header.id) == [0, 1, 2] && after.tail == .complete)
    }

    @Test func replayScheduleNeedsTheIdAndTheSpace() throws {
        let path = try writeLines([json(sampleTrajectory(id: 0)), json(sampleTrajectory(id: 1))])
        let space = try DomainSpace(name: "s", domains: ["source/a", "math/b"])
        #expect(try TrajectoryReader.schedule(of: 1, in: path, space: space, environment: "e").map(\.weights) == sampleTrajectory(id: 1).steps.map(\.mixture))
        #expect(throws: TrajectoryError.mismatch(path: path, reason: "no trajectory with id 7")) { try TrajectoryReader.schedule(of: 7, in: path, space: space, environment: "e") }
        let other = try DomainSpace(name: "s", domains: ["source/a", "math/c"])
        #expect(throws: TrajectoryError.mismatch(path: path, reason: "trajectory 1 has another domain space than e")) {
            try TrajectoryReader.schedule(of: 1, in: path, space: other, environment: "e")
        }
    }
}

@Suite struct ShardAndScheduleTests {
    @Test func shardsPartitionIds() throws {
        let shards = try (0..<4).map { try Shard(index: $0, count: 4) }
        let all = shards.flatMap { $0.ids(total: 10) }.sorted()
        #expect(all == Array(0..<10))
        #expect(try Shard(parsing: "1/4").ids(total: 10) == [1, 5, 9])
        #expect(throws: TrajectoryError.self) { try Shard(parsing: "4/4") }
        #expect(throws: TrajectoryError.self) { try Shard(parsing: "x") }
        #expect(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"]) == Shard(index: 3, count: 4))
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "2", "DMA_SHARD_COUNT": "5"]) == Shard(index: 2, count: 5))
        #expect(throws: TrajectoryError.self) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "2"]) }
        #expect(try Shard.fromEnvironment([:]) == nil)
    }

    @Test func randomSchedulesAreSeededFlooredAndCoverFamilies() throws {
        let space = try DomainSpace(name: "s", domains: ["source/a", "source/b", "math/c", "math/d"])
        var config = CollectionConfig.standard
        config.floor = 0.01
        config.families["field-ratio"] = 0.15
        func schedule(_ seed: UInt64) throws -> (String, [Mixture]) {
            let p = RandomSchedulePolicy(config: config, prior: [2, 2, 1, 1], rounds: 6, seed: seed)
            var ms: [Mixture] = []
            for t in 0..<6 { ms.append(try p.nextMixture(PolicyState(space: space, round: t, rounds: 6, mixtures: ms, feedback: [], scores: []))) }
            if p.sampled.family == "field-ratio" {
                // The source share ramps linearly from startShare to endShare (up to the floor).
                let (a, b) = (p.sampled.parameters["startShare"]!, p.sampled.parameters["endShare"]!)
                for (t, m) in ms.enumerated() { #expect(abs(m.mass(of: [0, 1]) - (a + (b - a) * Double(t) / 5)) < 0.05) }
            }
            return (p.sampled.family, ms)
        }
        #expect(try schedule(7).1 == schedule(7).1)
        var families = Set<String>()
        for seed in 0..<60 {
            let (family, ms) = try schedule(UInt64(seed))
            families.insert(family)
            for m in ms { #expect(m.weights.allSatisfy { $0 >= 0.01 / (1 + 4 * 0.01) - 1e-12 }) }
            if family == "constant" { #expect(Set(ms.map(\.weights)).count == 1) }
            if family == "two-phase" { #expect(Set(ms.map(\.weights)).count == 2) }
        }
        #expect(families == Set(CollectionConfig.knownFamilies))
        var bad = CollectionConfig.standard
        bad.families["spiral"] = 1
        #expect(throws: CollectionConfigError.invalid(context: "test", reason: "collection.families names unknown family 'spiral' (known: \(CollectionConfig.knownFamilies.joined(separator: ", ")))")) { try bad.validate(context: "test") }
    }
}

@Suite(.serialized) struct CollectorTests {
    @Test func collectsResumesAndRefusesForeignLogs() throws {
        let (env, store) = try tinyCPT(rounds: 2, stepsPerRound: 2)
        let model = try GPT(config: try env.model("tiny"), seed: 1)
        let base = Checkpoint(model: model)
        let collector = try TrajectoryCollector(env: env, base: base, store: store, workers: 2, seed: 5)
        let path = NSTemporaryDirectory() + "dma-collect-\(UUID().uuidString).jsonl"
        let first = try collector.collect(ids: [0, 1, 2], log: path) { _, _, _ in }
        #expect(first.count == 3)
        // A crash mid-write leaves a torn line; the next run ignores it and skips finished ids.
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile()
        handle.write(Data("{\"header\":{\"id\":3".utf8))
        handle.closeFile()
        let second = try collector.collect(ids: [0, 1, 2, 3], log: path) { _, _, _ in }
        #expect(second.map(\.header.id) == [3])
        let all = try TrajectoryReader.read(path)
        #expect(all.trajectories.map(\.header.id).sorted() == [0, 1, 2, 3] && !all.tornTail)
        // Same id, same trajectory (deterministic in the collection seed).
        let again = try collector.trajectory(1)
        #expect(again.steps.map(\.feedback) == all.trajectories.first { $0.header.id == 1 }!.steps.map(\.feedback))
        // A log of another base is refused.
        let otherBase = Checkpoint(model: try GPT(config: try env.model("tiny"), seed: 2))
        let other = try TrajectoryCollector(env: env, base: otherBase, store: store, workers: 1, seed: 5)
        #expect(throws: ForeignLogError.self) { try other.collect(ids: [4], log: path) { _, _, _ in } }
        // Seed repeats: ids 3k..<3k+3 share a schedule and differ in data order; one repeat is the plain collection.
        let repeated = try TrajectoryCollector(env: env, base: base, store: store, workers: 1, seed: 5, repeats: 3)
        #expect(Set((0..<3).map { repeated.seeds(for: $0).schedule }).count == 1)
        #expect(Set((0..<3).map { repeated.seeds(for: $0).data }).count == 3)
        #expect(repeated.seeds(for: 3).schedule == collector.seeds(for: 1).schedule)
        #expect((0..<6).allSatisfy { repeated.seeds(for: $0).data == collector.seeds(for: $0).data })
    }
}

@Suite struct TransitionExportTests {
    @Test func rewardsTelescopeAndColumnsLineUp() throws {
        var t = sampleTrajectory(id: 4)
        t.steps[0].balanced = 0.55
        t.steps[1].balanced = 0.62
        let header = TransitionExport.header(t.header)
        let rows = TransitionExport.rows(t)
        #expect(rows.count == 2 && rows.allSatisfy { $0.count == header.count })
        let r = header.firstIndex(of: "reward")!
        let rewards = rows.map { Double($0[r])! }
        #expect(abs(rewards.reduce(0, +) - (0.62 - t.baseBalanced)) < 1e-12)
        #expect(rows.map { $0.last! } == ["0", "1"])
        // The next observation of step k is the observation of step k + 1.
        let width = (header.count - 2 - 1 - 1 - t.header.domains.count) / 2
        let obs0 = header.firstIndex(of: "obs:bpb/source/a")!
        let next0 = header.firstIndex(of: "next_obs:bpb/source/a")!
        #expect(Array(rows[0][next0..<(next0 + width)]) == Array(rows[1][obs0..<(obs0 + width)]))
        #expect(try TransitionExport.csv([t]).split(separator: "\n").count == 3)
    }
}

@Suite struct MergeTests {
    @Test func mergesDeduplicatesAndRefusesMixing() throws {
        let a = try writeLines([json(sampleTrajectory(id: 2)), json(sampleTrajectory(id: 0))])
        let b = try writeLines([json(sampleTrajectory(id: 1)), json(sampleTrajectory(id: 2))])
        let (merged, dups) = try TrajectoryMerge.merge([a, b])
        #expect(merged.map(\.header.id) == [0, 1, 2] && dups == 1)
        var foreign = sampleTrajectory(id: 5)
        foreign.header.baseCheckpoint = "other"
        let c = try writeLines([json(foreign)])
        do { _ = try TrajectoryMerge.merge([a, c]); Issue.record("mixed two bases") } catch {
            #expect("\(error)".contains("refusing to mix"))
        }
    }
}

/// A file of one malformed line without a newline was taken for a torn tail: `trajectories merge`
/// said "merged 0 trajectories" and wrote an empty log.
@Suite struct MergeOfAFileWithoutRecordsTests {
    @Test func aFileWithNoValidRecordIsAnErrorNamingIt() throws {
        for text in [#"{"header": {"format": "dma-traj"#, #"{"header": NaN}"#, #"{"header": 3, "steps": "x"}"#, "\u{1}\u{2}binary\u{FF}", ""] {
            let path = NSTemporaryDirectory() + "dma-merge-\(UUID().uuidString).jsonl"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do { _ = try TrajectoryMerge.merge([path]); Issue.record("merged \(text)") } catch let e as TrajectoryError {
                #expect(e.description.hasPrefix(path) && e.description.contains(text.isEmpty ? "no trajectory records" : "no valid trajectory record"), "\(e)")
            }
        }
    }
}

import Foundation
import Testing
import DMATestSupport
import Corpus
import Evaluation
import Transformer
@testable import Trajectories

@Suite struct ImportTests {
    let header = "trajectory,step,mixture:source/a,mixture:source/b,mixture:math/add-sub,mixture:math/compare-sort,feedback:bpb/source/a,feedback:bpb/source/b,feedback:bpb/math/add-sub,feedback:em/math/add-sub,feedback:bpb/math/compare-sort,feedback:em/math/compare-sort,lr"

    func write(_ rows: [String], header h: String? = nil) throws -> String {
        let path = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).csv"
        try ([h ?? header] + rows).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func importsAndScoresWithTheEnvironmentWeights() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let path = try write([
            "7,0,,,,,2.0,3.0,4.0,0.0,5.0,0.1,0",
            "7,1,0.25,0.25,0.25,0.25,2.5,3.0,2.0,0.5,5.0,0.1,0.001",
            "7,2,0.4,0.1,0.3,0.2,2.2,3.0,2.0,0.5,5.0,0.1,0.0005",
        ])
        let ts = try TrajectoryImport.read(csv: path, env: env, model: try env.model("tiny"), baseID: "my-base")
        #expect(ts.count == 1 && ts[0].steps.count == 2 && ts[0].header.id == 7)
        // Same numbers as BalancedScoreTests: retention 0.85, gain 0.25, balanced 0.55.
        #expect(abs(ts[0].steps[0].balanced - 0.55) < 1e-12)
        #expect(abs(ts[0].baseBalanced - 0.5) < 1e-12)
        #expect(ts[0].steps[1].lr == 0.0005)
        // The imported trajectory passes the reader's validation.
        let log = NSTemporaryDirectory() + "dma-import-\(UUID().uuidString).jsonl"
        try AppendLog<Trajectory>(path: log).append(ts[0])
        #expect(try TrajectoryReader.read(log).trajectories == ts)
    }

    @Test func malformedRowsNameTheLine() throws {
        let env = try fixtureEnvironment(corpus: "unused")
        let cases: [([String], String?, String)] = [
            (["1,0,,,,,2,3,4,0,5,0.1,0", "1,1,0.5,0.5,0.5,0.5,2,3,4,0,5,0.1,0"], nil, ":3:"),
            (["1,0,,,,,2,3,4,0,5,0.1,0", "1,2,0.25,0.25,0.25,0.25,2,3,4,0,5,0.1,0"], nil, "without gaps"),
            (["1,0,,,,,2,3,4,0,5,0.1,0", "1,1,0.25,0.25,0.25,0.25,2,x,4,0,5,0.1,0"], nil, "not a finite number"),
            (["1,0,,,,,2,3,4,0,5,0.1,0"], header.replacingOccurrences(of: "mixture:source/b", with: "mixture:source/zz"), "not in environment"),
            (["1,0,,,,,2,3,4,0,5,0.1,0"], header + ",colour", "unknown column"),
        ]
        for (rows, h, message) in cases {
            let path = try write(rows.map { h?.hasSuffix("colour") == true ? $0 + ",red" : $0 }, header: h)
            do { _ = try TrajectoryImport.read(csv: path, env: env, model: try env.model("tiny"), baseID: "b"); Issue.record("accepted: \(message)") } catch {
                #expect("\(error)".contains(path) && "\(error)".contains(message), "\(error)")
            }
        }
    }
}

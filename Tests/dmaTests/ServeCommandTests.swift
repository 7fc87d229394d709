import ArgumentParser
@testable import dma
import Foundation
import Testing

/// `dma serve` and `dma propose` refuse bad options and states with the right exit status.
@Suite struct ServeCommandTests {
    @Test func aBadHostIsAUsageError() throws {
        for host in ["999.1.1.1", "localhost:80", "not a host"] {
            do {
                _ = try ServeCommand.parse(["--policy", "uniform", "--host", host])
                Issue.record("accepted --host \(host)")
            } catch {
                #expect(ServeCommand.exitCode(for: error).rawValue == 64, "\(error)")
                #expect(ServeCommand.message(for: error).contains(host))
            }
        }
        #expect(try ServeCommand.parse(["--policy", "uniform", "--host", "0.0.0.0"]).host == "0.0.0.0")
    }

    @Test func anOutOfRangeStateNamesTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dma-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let state = #"{"version":1,"domains":[{"name":"a","field":"source"},{"name":"b","field":"math"}],"round":0,"rounds":4,"mixtures":[],"feedback":[{"bpb/a":1e308,"bpb/b":2,"em/b":0}]}"#
        try Data(state.utf8).write(to: URL(fileURLWithPath: path))
        let command = try ProposeCommand.parse(["--policy", "uniform", "--state", path])
        do {
            try command.run()
            Issue.record("accepted bits per byte of 1e308")
        } catch {
            #expect(ProposeCommand.exitCode(for: error).rawValue != 0)
            #expect("\(error)".hasPrefix("\(path): feedback[0]['bpb/a'] is 1e+308"), "\(error)")
        }
    }

    /// A state without score weights is refused (non-zero exit, naming the file), not answered with
    /// weights of 1 nobody stated.
    @Test func aStateWithoutScoreWeightsIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dma-state-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let state = #"{"version":1,"domains":[{"name":"a","field":"source"},{"name":"b","field":"math"}],"round":0,"rounds":4,"mixtures":[],"feedback":[{"bpb/a":2,"bpb/b":2,"em/b":0}]}"#
        try Data(state.utf8).write(to: URL(fileURLWithPath: path))
        do {
            try ProposeCommand.parse(["--policy", "uniform", "--state", path]).run()
            Issue.record("answered a state without score weights")
        } catch {
            #expect(ProposeCommand.exitCode(for: error).rawValue != 0)
            #expect("\(error)".hasPrefix("\(path): domains[0] (source domain 'a') has no scoreWeight"), "\(error)")
        }
        try Data(state.replacingOccurrences(of: #""round":0"#, with: #""weights":"uniform","round":0"#).utf8).write(to: URL(fileURLWithPath: path))
        try ProposeCommand.parse(["--policy", "uniform", "--state", path]).run()
    }
}

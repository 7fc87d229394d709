import Baselines
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import Serving
import Testing
import Trajectories

/// The server on an ephemeral loopback port, spoken to over a real socket.
@Suite struct PolicyServerTests {
    final class Port: @unchecked Sendable {
        private let lock = NSLock()
        private var value: UInt16?
        func set(_ p: UInt16) { lock.lock(); value = p; lock.unlock() }
        var current: UInt16? { lock.lock(); defer { lock.unlock() }; return value }
    }

    func call(_ port: UInt16, _ method: String, _ path: String, body: Data? = nil) async throws -> (status: Int, json: [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as! HTTPURLResponse).statusCode, json)
    }

    @Test func answersHealthPolicyAndProposalsAndRefusesBadRequests() async throws {
        var config = PolicyServer.Configuration()
        config.port = 0
        config.maxBodyBytes = 64 * 1024
        let server = PolicyServer(proposer: Proposer(provider: try NamedPolicyProvider(spec: try PolicySpec(parsing: "uniform"))), configuration: config)
        let port = Port()
        let task = Task { try await server.run { port.set($0) } }
        defer { task.cancel() }
        var waited = 0
        while port.current == nil, waited < 100 { try await Task.sleep(nanoseconds: 50_000_000); waited += 1 }
        let p = try #require(port.current)
        #expect(p > 0)

        let health = try await call(p, "GET", "/v1/health")
        #expect(health.status == 200 && health.json["status"] as? String == "ok")
        let meta = try await call(p, "GET", "/v1/policy")
        #expect(meta.status == 200 && meta.json["policy"] as? String == "uniform")

        let state = try JSONEncoder().encode(ProposalTests.request(source: 8, target: 9, round: 1, field: "code"))
        let ok = try await call(p, "POST", "/v1/propose", body: state)
        #expect(ok.status == 200)
        let mixture = try #require(ok.json["mixture"] as? [Double])
        #expect(mixture.count == 17 && abs(mixture.reduce(0, +) - 1) <= 1e-9)
        #expect((ok.json["score"] as? [String: Any])?["weights"] as? String == "given")
        let nan = try await call(p, "POST", "/v1/propose", body: Data(String(decoding: state, as: UTF8.self).replacingOccurrences(of: "0.6", with: "NaN").utf8))
        #expect(nan.status == 400 && (nan.json["error"] as? String)?.hasPrefix("request: feedback[0]['cloze/acc'] is NaN") == true, "\(nan.json)")

        let malformed = try await call(p, "POST", "/v1/propose", body: Data("{\"version\": 1, \"domains\": []".utf8))
        #expect(malformed.status == 400 && (malformed.json["error"] as? String)?.hasPrefix("request:") == true)
        let missing = try await call(p, "POST", "/v1/propose", body: Data(#"{"version":1,"domains":[{"name":"a","field":"source"},{"name":"b","field":"math"}],"round":0,"rounds":4,"mixtures":[],"feedback":[{"bpb/a":2.5}]}"#.utf8))
        #expect(missing.status == 400 && (missing.json["error"] as? String)?.contains("bpb/b") == true)
        let huge = try await call(p, "POST", "/v1/propose", body: Data(repeating: UInt8(ascii: " "), count: 100 * 1024))
        #expect(huge.status == 413)
        let unknown = try await call(p, "GET", "/v2/anything")
        #expect(unknown.status == 404)
        // Still serving after the bad requests.
        #expect(try await call(p, "GET", "/v1/health").status == 200)
    }
}

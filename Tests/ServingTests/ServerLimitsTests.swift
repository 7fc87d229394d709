import Baselines
import FlyingSocks
import Foundation
@testable import Serving
import Testing
import Trajectories

/// The server's defences against slow, oversized and malformed requests, over a real loopback socket.
@Suite struct ServerLimitsTests {
    /// A running server on an ephemeral port; `stop()` cancels it.
    struct Running {
        var port: UInt16
        var task: Task<Void, any Error>
        func stop() { task.cancel() }
    }

    static func start(_ configure: (inout PolicyServer.Configuration) -> Void = { _ in }, provider: PolicyProvider? = nil) async throws -> Running {
        var config = PolicyServer.Configuration()
        config.port = 0
        configure(&config)
        let server = PolicyServer(proposer: Proposer(provider: try provider ?? NamedPolicyProvider(spec: try PolicySpec(parsing: "uniform"))), configuration: config)
        let port = PolicyServerTests.Port()
        let task = Task { try await server.run { port.set($0) } }
        var waited = 0
        while port.current == nil, waited < 200 { try await Task.sleep(for: .milliseconds(25)); waited += 1 }
        return Running(port: try #require(port.current), task: task)
    }

    static func connect(_ port: UInt16) async throws -> AsyncSocket {
        // A generous connect deadline: these tests measure the server, not how fast a loaded machine connects.
        try await AsyncSocket.connected(to: try sockaddr_in.inet(ip4: "127.0.0.1", port: port), timeout: 30)
    }

    /// Everything the server sends until it closes the connection, or nil if it is still open after `limit`.
    static func readToClose(_ socket: AsyncSocket, limit: Duration = .seconds(20)) async throws -> String? {
        let deadline = ContinuousClock.now + limit
        var data: [UInt8] = []
        while true {
            do {
                guard let chunk = try await RequestReader.within(deadline, { try await socket.read(atMost: 65_536) }) else { return nil }
                data += chunk
            } catch SocketError.disconnected {
                return String(decoding: data, as: UTF8.self)
            } catch {
                return String(decoding: data, as: UTF8.self) // reset after the answer
            }
        }
    }

    /// Sends `raw` and returns the status and JSON error of the answer (the server closes after it).
    static func exchange(_ port: UInt16, _ raw: String) async throws -> (status: Int, error: String?) {
        let socket = try await connect(port)
        defer { try? socket.close() }
        try await socket.write(Data(raw.utf8))
        let text = try #require(try await readToClose(socket))
        return parse(text)
    }

    static func parse(_ text: String) -> (status: Int, error: String?) {
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined()
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return (status, json?["error"] as? String)
    }

    /// Seconds a `GET /v1/health` takes on a fresh connection (nil if no 200 within 20 s).
    static func healthLatency(_ port: UInt16) async throws -> Double? {
        let started = ContinuousClock.now
        let socket = try await connect(port)
        defer { try? socket.close() }
        try await socket.write(Data("GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        guard let text = try await readToClose(socket, limit: .seconds(20)), parse(text).status == 200 else { return nil }
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    @Test func slowAndOversizedClientsDoNotDelayOthers() async throws {
        let server = try await Self.start { $0.readTimeout = .seconds(2) }
        defer { server.stop() }
        _ = try await Self.healthLatency(server.port) // the client's first connection also starts its socket pool
        var baseline = 0.0
        for _ in 0..<3 { baseline = max(baseline, try #require(try await Self.healthLatency(server.port))) }

        // Half a header, then silence.
        let idle = try await Self.connect(server.port)
        defer { try? idle.close() }
        try await idle.write(Data("POST /v1/propose HTTP/1.1\r\nHost: x\r\nContent-Le".utf8))
        // Two 200 KB header lines.
        let line = "GET /v1/health HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 200_000) + "\r\n\r\n"
        let long = try await (Self.connect(server.port), Self.connect(server.port))
        defer { try? long.0.close(); try? long.1.close() }
        async let sent0: Void = long.0.write(Data(line.utf8))
        async let sent1: Void = long.1.write(Data(line.utf8))
        _ = try? await (sent0, sent1)

        let during = try #require(try await Self.healthLatency(server.port))
        print("health: \(baseline) s idle server, \(during) s beside a half-sent request and two 200 KB header lines")
        #expect(during < baseline + 2.0)
        for socket in [long.0, long.1] {
            let answer = Self.parse(try #require(try await Self.readToClose(socket)))
            #expect(answer.status == 431 && answer.error?.contains("header line is longer than 8192 bytes") == true, "\(answer)")
        }
        // The half-sent request gets a 408 once its read deadline (2 s) passes, not 75 s later.
        let started = ContinuousClock.now
        let answer = Self.parse(try #require(try await Self.readToClose(idle, limit: .seconds(6)), "still open 6 s later"))
        #expect(answer.status == 408 && answer.error?.contains("timeout") == true, "\(answer)")
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func idleConnectionsAndShortBodiesAreClosed() async throws {
        let server = try await Self.start { $0.readTimeout = .seconds(1); $0.idleTimeout = .seconds(1) }
        defer { server.stop() }
        let idle = try await Self.connect(server.port)
        defer { try? idle.close() }
        let short = try await Self.connect(server.port)
        defer { try? short.close() }
        try await short.write(Data("POST /v1/propose HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"version\"".utf8))
        // Nothing asked: closed without an answer.
        #expect(try await Self.readToClose(idle, limit: .seconds(5)) == "")
        let answer = Self.parse(try #require(try await Self.readToClose(short, limit: .seconds(5)), "still open 5 s later"))
        #expect(answer.status == 408, "\(answer)")
    }

    @Test func framingErrorsGetAStatusAndAJSONError() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        let headers = (0..<65).map { "X-\($0): 1\r\n" }.joined()
        let cases: [(String, Int, String)] = [
            ("NONSENSE\r\n\r\n", 400, "malformed request line"),
            ("GET /v1/health HTTP/1.1 extra\r\n\r\n", 400, "malformed request line"),
            ("GET /v1/health HTTP/2.0\r\n\r\n", 505, "HTTP version"),
            ("POST /v1/propose HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400, "Content-Length 'abc'"),
            ("POST /v1/propose HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "conflicting Content-Length"),
            ("POST /v1/propose HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411, "Content-Length"),
            ("POST /v1/propose HTTP/1.1\r\nHost: x\r\n\r\n", 411, "Content-Length"),
            ("GET /v1/health HTTP/1.1\r\nno colon here\r\n\r\n", 400, "malformed header line"),
            ("GET /v1/health HTTP/1.1\r\n\(headers)\r\n", 431, "more than 64 header lines"),
            ("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\n\r\n", 414, "request line is longer than 8192 bytes"),
            ("GET /v1/health HTTP/1.1\r\n" + String(repeating: "X-A: \(String(repeating: "b", count: 8000))\r\n", count: 5) + "\r\n", 431, "longer than 32768 bytes"),
            ("POST /v1/propose HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413, "larger than 1048576 bytes"),
        ]
        for (raw, status, mention) in cases {
            let answer = try await Self.exchange(server.port, raw)
            #expect(answer.status == status && answer.error?.contains(mention) == true, "\(raw.prefix(60)) → \(answer)")
        }
        #expect(try await Self.healthLatency(server.port) != nil)
    }

    @Test func aSlowProposalGetsA503WithAJSONError() async throws {
        let server = try await Self.start({ $0.handlerTimeout = .milliseconds(300) }, provider: SlowProvider())
        defer { server.stop() }
        let body = try JSONEncoder().encode(ProposalTests.request(source: 2, target: 2, round: 0))
        let answer = try await Self.exchange(server.port, "POST /v1/propose HTTP/1.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n" + String(decoding: body, as: UTF8.self))
        #expect(answer.status == 503 && answer.error?.contains("timeout") == true, "\(answer)")
    }

    @Test func aPortInUseIsReportedAsSuch() async throws {
        let first = try await Self.start()
        defer { first.stop() }
        var config = PolicyServer.Configuration()
        config.port = first.port
        let second = PolicyServer(proposer: Proposer(provider: try NamedPolicyProvider(spec: try PolicySpec(parsing: "uniform"))), configuration: config)
        let started = ContinuousClock.now
        await #expect(throws: PolicyServer.StartError.portInUse(host: "127.0.0.1", port: first.port)) { try await second.run() }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(PolicyServer.StartError.portInUse(host: "127.0.0.1", port: 1).description.contains("in use"))
    }

    @Test func outOfRangeStatesGetA400NamingTheField() async throws {
        let server = try await Self.start()
        defer { server.stop() }
        var request = ProposalTests.request(source: 2, target: 2, round: 0)
        request.feedback[0]["bpb/web1"] = 1e308
        let body = try JSONEncoder().encode(request)
        let answer = try await Self.exchange(server.port, "POST /v1/propose HTTP/1.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n" + String(decoding: body, as: UTF8.self))
        #expect(answer.status == 400 && answer.error?.contains("feedback[0]['bpb/web1']") == true, "\(answer)")
    }

    @Test func aOneMebibyteProposalIsAnsweredFast() async throws {
        let server = try await Self.start { $0.maxBodyBytes = 2 << 20 }
        defer { server.stop() }
        let body = try JSONEncoder().encode(ProposalTests.request(source: 9_000, target: 9_000, round: 0, field: "code"))
        let started = ContinuousClock.now
        let answer = try await Self.exchange(server.port, "POST /v1/propose HTTP/1.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n" + String(decoding: body, as: UTF8.self))
        let elapsed = ContinuousClock.now - started
        print("18,000-domain proposal (\(body.count) bytes) answered in \(elapsed)")
        #expect(answer.status == 200, "\(answer)")
        #expect(elapsed < .seconds(8), "the quadratic resolution took 9.6 s for this request")
    }
}

/// A policy that takes two seconds to fail: longer than the test's handler timeout.
final class SlowProvider: PolicyProvider {
    let name = "slow"
    let policyFingerprint = "slow"
    let environmentFingerprint: String? = nil
    struct Never: Error {}
    func policy(for layout: ObservationLayout, rounds: Int) throws -> MixturePolicy {
        Thread.sleep(forTimeInterval: 2)
        throw Never()
    }
}

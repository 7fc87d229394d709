import FlyingFox
import FlyingSocks
import Foundation
import Trajectories

/// The agent (or any policy) over HTTP, for training loops in other languages (`dma serve`):
///
///     POST /v1/propose   body: a proposal request (docs/serving.md) → the next mixture as JSON
///                        (400 for a bad request, 500 if the policy itself fails)
///     GET  /v1/health    → {"status": "ok"}
///     GET  /v1/policy    → the policy's name and fingerprints
///
/// HTTP/1.1 is read by `RequestReader` on FlyingSocks' async sockets (why not FlyingFox's server:
/// see there). Binds loopback unless told otherwise; request lines, headers and bodies are capped
/// and every read and proposal has a deadline, so one client cannot hold the server; every bad
/// request gets a 4xx with a JSON error and leaves the server running.
public struct PolicyServer: Sendable {
    public struct Configuration: Sendable {
        /// An IPv4 address to bind; loopback by default.
        public var host = "127.0.0.1"
        /// 0 picks a free port (reported to `onStart`).
        public var port: UInt16 = 8080
        /// Largest request body accepted (413 above it).
        public var maxBodyBytes = 1 << 20
        /// Longest request line (414 above it) or header line (431), without its CRLF.
        public var maxLineBytes = 8 * 1024
        /// Most header lines in a request (431 above it).
        public var maxHeaderCount = 64
        /// Largest request head: request line and headers (431 above it).
        public var maxHeaderBytes = 32 * 1024
        /// Time a client has to send a whole request once its first byte arrived, and to take the
        /// answer (408 and the connection closes after it).
        public var readTimeout: Duration = .seconds(10)
        /// Time a connection may stay open with no request; then it is closed.
        public var idleTimeout: Duration = .seconds(5)
        /// Time a proposal may take (503 after it).
        public var handlerTimeout: Duration = .seconds(15)
        public init() {}

        var limits: ReadLimits {
            ReadLimits(maxLineBytes: maxLineBytes, maxHeaderCount: maxHeaderCount, maxHeaderBytes: maxHeaderBytes,
                       maxBodyBytes: maxBodyBytes, readTimeout: readTimeout, idleTimeout: idleTimeout)
        }
    }

    /// What `GET /v1/policy` returns.
    public struct Metadata: Codable, Sendable, Equatable {
        public var policy: String
        public var policyFingerprint: String
        public var environmentFingerprint: String?
        public var requestVersion: Int
    }

    /// A JSON error body.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public var error: String
    }

    /// Why the server could not start.
    public enum StartError: Error, CustomStringConvertible, Equatable {
        case invalidHost(String)
        case portInUse(host: String, port: UInt16)
        case cannotListen(host: String, port: UInt16, reason: String)

        public var description: String {
            switch self {
            case let .invalidHost(host): "--host '\(host)' is not an IPv4 address (e.g. 127.0.0.1 or 0.0.0.0)"
            case let .portInUse(host, port): "\(host):\(port) is already in use (EADDRINUSE); stop the other server or pick another --port (0 picks a free one)"
            case let .cannotListen(host, port, reason): "cannot listen on \(host):\(port): \(reason)"
            }
        }
    }

    public let proposer: Proposer
    public let configuration: Configuration

    public init(proposer: Proposer, configuration: Configuration = Configuration()) {
        self.proposer = proposer
        self.configuration = configuration
    }

    public var metadata: Metadata {
        Metadata(policy: proposer.provider.name, policyFingerprint: proposer.provider.policyFingerprint,
                 environmentFingerprint: proposer.provider.environmentFingerprint, requestVersion: ProposalRequest.currentVersion)
    }

    /// Whether `host` is a dotted IPv4 address the server can bind.
    public static func isIPv4Address(_ host: String) -> Bool {
        (try? sockaddr_in.inet(ip4: host, port: 0)) != nil
    }

    /// Serves until the task is cancelled; `onStart` receives the bound port once the server listens.
    /// Throws `StartError` if it cannot listen.
    public func run(onStart: @escaping @Sendable (UInt16) async -> Void = { _ in }) async throws {
        guard #available(macOS 14, *) else { throw StartError.cannotListen(host: configuration.host, port: configuration.port, reason: "needs macOS 14") }
        let (host, port) = (configuration.host, configuration.port)
        guard let address = try? sockaddr_in.inet(ip4: host, port: port) else { throw StartError.invalidHost(host) }
        let socket = try Socket(domain: Int32(AF_INET))
        defer { try? socket.close() }
        do {
            try socket.setValue(true, for: .localAddressReuse)
            try socket.bind(to: address)
            try socket.listen()
        } catch SocketError.failed(_, EADDRINUSE, _) {
            throw StartError.portInUse(host: host, port: port)
        } catch {
            throw StartError.cannotListen(host: host, port: port, reason: "\(error)")
        }
        guard case let .ip4(_, bound) = try socket.sockname() else { throw StartError.cannotListen(host: host, port: port, reason: "not an IPv4 socket") }
        let pool = HTTPServer.defaultPool()
        try await pool.prepare()
        let listener = try AsyncSocket(socket: socket, pool: pool)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await pool.run() }
            await onStart(bound)
            for try await connection in listener.sockets {
                group.addTask { await self.serve(connection) }
            }
        }
    }

    /// Answers the requests of one connection until it closes, idles, or sends one that cannot be read.
    func serve(_ socket: AsyncSocket) async {
        defer { try? socket.close() }
        var reader = RequestReader(socket: socket, limits: configuration.limits)
        while true {
            var response: WireResponse
            var failed = false
            do {
                guard let request = try await reader.next() else { return }
                response = await respond(to: request)
                response.closes = response.closes || !request.keepsAlive
            } catch let failure as HTTPFailure {
                response = Self.json(ErrorBody(error: "request: \(failure.message)"), status: failure.status)
                response.closes = true
                failed = true
            } catch {
                return // the socket failed, or the server stops
            }
            let data = response.encoded
            let sent: Void? = try? await RequestReader.within(.now + configuration.readTimeout) { try await socket.write(data) }
            if failed { await Self.drain(socket) }
            guard sent != nil, !response.closes else { return }
        }
    }

    /// After refusing a request whose rest is still arriving (a body over the limit, a long
    /// header), reads and drops that rest for a moment: closing a socket with unread input resets
    /// the connection, and the client would see the reset instead of the answer.
    static func drain(_ socket: AsyncSocket, upTo limit: Int = 4 << 20, for time: Duration = .seconds(1)) async {
        _ = shutdown(socket.socket.file.rawValue, Int32(SHUT_WR))
        let deadline = ContinuousClock.now + time
        var dropped = 0
        while dropped < limit, let chunk = try? await RequestReader.within(deadline, { try await socket.read(atMost: 65_536) }) {
            dropped += chunk.count
        }
    }

    func respond(to request: WireRequest) async -> WireResponse {
        switch (request.method, request.path) {
        case ("GET", "/v1/health"): return Self.json(["status": "ok"])
        case ("GET", "/v1/policy"): return Self.json(metadata)
        case ("POST", "/v1/propose"): return await propose(request.body)
        case (_, "/v1/health"), (_, "/v1/policy"), (_, "/v1/propose"):
            return Self.json(ErrorBody(error: "request: \(request.method) is not allowed on \(request.path)"), status: 405)
        default:
            return Self.json(ErrorBody(error: "no such route; see GET /v1/health, GET /v1/policy, POST /v1/propose"), status: 404)
        }
    }

    /// Decoding and proposing are synchronous CPU work: they run on a dispatch queue, not on one
    /// of the few cooperative threads every connection's reads share, and are waited for at most
    /// `handlerTimeout`.
    func propose(_ body: Data) async -> WireResponse {
        let proposer = self.proposer, timeout = configuration.handlerTimeout
        let answer = await Self.offload(timeout: timeout) {
            do {
                return Self.json(try proposer.propose(try ProposalRequest.decode(body, source: "request")))
            } catch let e as ProposalError {
                return Self.json(ErrorBody(error: e.description), status: 400)
            } catch let e as PolicyFault {
                return Self.json(ErrorBody(error: e.description), status: 500)
            } catch {
                return Self.json(ErrorBody(error: "request: \(error)"), status: 422)
            }
        }
        return answer ?? Self.json(ErrorBody(error: "request: no proposal within \(timeout) (timeout); the server is busy or the request too large"), status: 503)
    }

    /// `work`'s result, or nil if it takes longer than `timeout` (it then finishes unobserved).
    static func offload<T: Sendable>(timeout: Duration, _ work: @escaping @Sendable () -> T) async -> T? {
        await withCheckedContinuation { continuation in
            let first = FirstAnswer(continuation)
            DispatchQueue.global().async { first.give(work()) }
            let (seconds, attoseconds) = timeout.components
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(attoseconds) * 1e-18) { first.give(nil) }
        }
    }

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> WireResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"encoding failed\"}".utf8)
        return WireResponse(status: status, body: data)
    }
}

/// Resumes a continuation with whichever answer comes first: the work's or the timeout's.
private final class FirstAnswer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T?, Never>?

    init(_ continuation: CheckedContinuation<T?, Never>) { self.continuation = continuation }

    func give(_ value: T?) {
        lock.lock()
        let waiting = continuation
        continuation = nil
        lock.unlock()
        waiting?.resume(returning: value)
    }
}

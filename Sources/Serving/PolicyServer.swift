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
/// Built on FlyingFox (async sockets, no SwiftNIO): Hummingbird pulls in swift-numerics, whose
/// `Numerics` target clashes with ours. Binds loopback unless told otherwise; request bodies are
/// capped; every bad request gets a 4xx with a JSON error and leaves the server running.
public struct PolicyServer: Sendable {
    public struct Configuration: Sendable {
        /// An IPv4 address to bind; loopback by default.
        public var host = "127.0.0.1"
        /// 0 picks a free port (reported to `onStart`).
        public var port: UInt16 = 8080
        /// Largest request body accepted (413 above it).
        public var maxBodyBytes = 1 << 20
        public init() {}
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

    /// Serves until the task is cancelled; `onStart` receives the bound port once the server listens.
    public func run(onStart: @escaping @Sendable (UInt16) async -> Void = { _ in }) async throws {
        let address = try sockaddr_in.inet(ip4: configuration.host, port: configuration.port)
        let server = HTTPServer(address: address, logger: .disabled)
        let proposer = self.proposer, limit = configuration.maxBodyBytes, metadata = self.metadata
        await server.appendRoute("GET /v1/health") { _ in Self.json(["status": "ok"]) }
        await server.appendRoute("GET /v1/policy") { _ in Self.json(metadata) }
        await server.appendRoute("POST /v1/propose") { request in
            guard let body = try await Self.body(of: request, limit: limit) else {
                return Self.json(ErrorBody(error: "request body is larger than \(limit) bytes"), status: .payloadTooLarge)
            }
            do {
                return Self.json(try proposer.propose(try ProposalRequest.decode(body, source: "request")))
            } catch let e as ProposalError {
                return Self.json(ErrorBody(error: e.description), status: .badRequest)
            } catch let e as PolicyFault {
                return Self.json(ErrorBody(error: e.description), status: .internalServerError)
            } catch {
                return Self.json(ErrorBody(error: "request: \(error)"), status: .unprocessableContent)
            }
        }
        await server.appendRoute("*") { _ in Self.json(ErrorBody(error: "no such route; see GET /v1/health, GET /v1/policy, POST /v1/propose"), status: .notFound) }
        async let serving: Void = server.run()
        try await server.waitUntilListening()
        if case let .ip4(_, port)? = await server.listeningAddress { await onStart(port) }
        try await serving
    }

    /// The body, or nil when it is (declared or found to be) over `limit` bytes: a declared length is
    /// refused before anything is read, a chunked body as soon as it passes the limit.
    static func body(of request: HTTPRequest, limit: Int) async throws -> Data? {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { return nil }
        var data = Data()
        for try await chunk in request.bodySequence {
            data.append(chunk)
            if data.count > limit { return nil }
        }
        return data
    }

    static func json<T: Encodable>(_ value: T, status: HTTPStatusCode = .ok) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{\"error\":\"encoding failed\"}".utf8)
        return HTTPResponse(statusCode: status, headers: [.contentType: "application/json"], body: data)
    }
}

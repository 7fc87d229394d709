import FlyingSocks
import Foundation

/// A request as read off the wire: method, path (the target without its query), headers with
/// lower-cased names, and the body.
struct WireRequest: Sendable {
    var method: String
    var path: String
    var headers: [String: String]
    var body: Data
    /// HTTP/1.1 keeps the connection unless the client says `Connection: close`; HTTP/1.0 closes it.
    var keepsAlive: Bool
}

/// An answer: a status and a JSON body.
struct WireResponse: Sendable {
    var status: Int
    var body: Data
    /// Whether the connection closes after this answer.
    var closes = false

    /// Status line, the three headers every answer carries, and the body.
    var encoded: Data {
        let head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: \(closes ? "close" : "keep-alive")\r\n\r\n"
        return Data(head.utf8) + body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 422: "Unprocessable Content"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}

/// A request that cannot be read: answered with `status` and `{"error": message}`, then the
/// connection closes (after a framing error the next request's start is unknown).
struct HTTPFailure: Error, Equatable {
    var status: Int
    var message: String
}

/// The limits and deadlines a connection is read under (see `PolicyServer.Configuration`).
struct ReadLimits: Sendable {
    var maxLineBytes: Int
    var maxHeaderCount: Int
    var maxHeaderBytes: Int
    var maxBodyBytes: Int
    var readTimeout: Duration
    var idleTimeout: Duration
}

/// Reads HTTP/1.1 requests from one connection, strictly and within bounds.
///
/// Why not FlyingFox's `HTTPServer`: its decoder (0.27) reads lines without a length cap, in time
/// quadratic in a line's length (one 200 KB header line cost 17 s of CPU), has no read or idle
/// deadline (a half-sent request held its connection for as long as the client liked), and closes
/// on a framing error without an answer; none of that is configurable. Our three routes need
/// little of HTTP, so this reader does only what they need on FlyingSocks' async sockets: lines
/// scanned once and capped, a header count and size cap, a body only with `Content-Length`, and a
/// deadline on every read.
struct RequestReader {
    let socket: AsyncSocket
    let limits: ReadLimits
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already consumed.
    private var start = 0

    init(socket: AsyncSocket, limits: ReadLimits) {
        (self.socket, self.limits) = (socket, limits)
    }

    /// The next request; nil when the client closed the connection, or left it idle past
    /// `idleTimeout`, between requests. Throws `HTTPFailure` for a request that cannot be read.
    mutating func next() async throws -> WireRequest? {
        if start == buffer.count {
            // Idle between requests: closing is the answer, as nothing was asked.
            do { guard try await fill(before: .now + limits.idleTimeout) else { return nil } } catch let e as HTTPFailure where e.status == 408 { return nil }
        }
        let deadline = ContinuousClock.now + limits.readTimeout
        var headBytes = 0
        // RFC 9112 §2.2: a server should ignore empty lines before the request line.
        var requestLine = ""
        while requestLine.isEmpty {
            requestLine = try await line(before: deadline, tooLong: HTTPFailure(status: 414, message: "the request line is longer than \(limits.maxLineBytes) bytes"))
            headBytes += requestLine.utf8.count + 2
            guard headBytes <= limits.maxHeaderBytes else { throw HTTPFailure(status: 431, message: "the request head is longer than \(limits.maxHeaderBytes) bytes") }
        }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter && $0.isUppercase }), parts[1].hasPrefix("/") else {
            throw HTTPFailure(status: 400, message: "malformed request line; expected 'METHOD /path HTTP/1.1'")
        }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            throw HTTPFailure(status: 505, message: "HTTP version '\(parts[2])' is not supported; use HTTP/1.1")
        }
        var headers: [String: String] = [:]
        var count = 0
        while true {
            let text = try await line(before: deadline, tooLong: HTTPFailure(status: 431, message: "a header line is longer than \(limits.maxLineBytes) bytes"))
            if text.isEmpty { break }
            count += 1
            headBytes += text.utf8.count + 2
            guard count <= limits.maxHeaderCount else { throw HTTPFailure(status: 431, message: "more than \(limits.maxHeaderCount) header lines") }
            guard headBytes <= limits.maxHeaderBytes else { throw HTTPFailure(status: 431, message: "the request head is longer than \(limits.maxHeaderBytes) bytes") }
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, !text[..<colon].contains(where: \.isWhitespace) else {
                throw HTTPFailure(status: 400, message: "malformed header line; expected 'Name: value'")
            }
            let name = text[..<colon].lowercased(), value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length", let earlier = headers[name], earlier != value {
                throw HTTPFailure(status: 400, message: "conflicting Content-Length headers")
            }
            headers[name] = headers[name].map { name == "content-length" ? $0 : "\($0), \(value)" } ?? value
        }
        if headers["transfer-encoding"] != nil {
            throw HTTPFailure(status: 411, message: "Transfer-Encoding is not accepted; send the body with Content-Length")
        }
        var length = 0
        if let declared = headers["content-length"] {
            guard declared.count <= 18, !declared.isEmpty, declared.allSatisfy(\.isASCII), let n = Int(declared), n >= 0, declared.allSatisfy(\.isNumber) else {
                throw HTTPFailure(status: 400, message: "Content-Length '\(declared)' is not a byte count")
            }
            length = n
        } else if parts[0] == "POST" || parts[0] == "PUT" {
            throw HTTPFailure(status: 411, message: "a \(parts[0]) needs a Content-Length header")
        }
        guard length <= limits.maxBodyBytes else {
            throw HTTPFailure(status: 413, message: "request body is larger than \(limits.maxBodyBytes) bytes")
        }
        let body = try await bytes(length, before: deadline)
        let connection = headers["connection"]?.lowercased() ?? ""
        let keepsAlive = parts[2] == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
        let path = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        return WireRequest(method: String(parts[0]), path: String(path), headers: headers, body: body, keepsAlive: keepsAlive)
    }

    /// One line without its CRLF (a bare LF is accepted too), read before `deadline`. Each byte
    /// is scanned once, and reading stops as soon as the line passes `maxLineBytes`.
    private mutating func line(before deadline: ContinuousClock.Instant, tooLong: HTTPFailure) async throws -> String {
        var scanned = start
        while true {
            if let end = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                var last = end
                if last > start, buffer[last - 1] == UInt8(ascii: "\r") { last -= 1 }
                guard last - start <= limits.maxLineBytes else { throw tooLong }
                let text = String(decoding: buffer[start..<last], as: UTF8.self)
                start = end + 1
                return text
            }
            scanned = buffer.count
            guard scanned - start <= limits.maxLineBytes + 1 else { throw tooLong }
            guard try await fill(before: deadline) else { throw HTTPFailure(status: 400, message: "the connection ended inside the request head") }
        }
    }

    /// Exactly `count` bytes, read before `deadline`.
    private mutating func bytes(_ count: Int, before deadline: ContinuousClock.Instant) async throws -> Data {
        while buffer.count - start < count {
            guard try await fill(before: deadline) else {
                throw HTTPFailure(status: 400, message: "the body ended after \(buffer.count - start) of its \(count) bytes (Content-Length)")
            }
        }
        defer { start += count }
        return Data(buffer[start..<start + count])
    }

    /// Appends what the socket has; false at the end of the stream. Throws a 408 past `deadline`.
    private mutating func fill(before deadline: ContinuousClock.Instant) async throws -> Bool {
        if start > 0, start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        let socket = self.socket
        let chunk: [UInt8]?
        do {
            chunk = try await Self.within(deadline) { try await socket.read(atMost: 16_384) }
        } catch SocketError.disconnected {
            return false
        }
        guard let chunk else {
            throw HTTPFailure(status: 408, message: "the request was not received within \(limits.readTimeout) (timeout)")
        }
        buffer += chunk
        return true
    }

    /// The result of `work`, or nil if `deadline` passes first (then `work` is cancelled).
    static func within<T: Sendable>(_ deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask { try await Task.sleep(until: deadline, clock: .continuous); return nil }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}

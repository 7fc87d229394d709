import Base
import Foundation
import Transformer

/// An append-only JSON Lines file that survives `kill -9`: each record is one line written with a
/// single `write` and fsynced; on reading, a partial last line (a write cut short) is reported and
/// ignored, never merged.
public struct AppendLog<Record: Codable> {
    public let path: String

    public init(path: String) { self.path = path }

    /// The complete lines of a JSON Lines file (1-based numbers, empty lines dropped), and whether it
    /// ends in a torn line: one without its newline, left by an interrupted writer and not returned.
    public static func lines(of data: Data) -> (lines: [(number: Int, text: Data.SubSequence)], tornTail: Bool) {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last element is empty after a final newline, or the torn partial line without one.
        let torn = !(lines.removeLast().isEmpty)
        return (lines.enumerated().filter { !$0.element.isEmpty }.map { ($0.offset + 1, $0.element) }, torn)
    }

    /// One record as one line, keys sorted so equal records give equal bytes.
    public static func encodeLine(_ record: Record) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// Replaces `path` with `records`, one per line, atomically (merged or imported logs).
    public static func write(_ records: [Record], to path: String) throws {
        var data = Data()
        for r in records { data.append(try encodeLine(r)) }
        try AtomicFile.write(data, to: path)
    }

    /// Records already in the file, and whether a torn last line was skipped.
    public func read() throws -> (records: [Record], tornTail: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], false) }
        let decoder = JSONDecoder()
        let (lines, torn) = Self.lines(of: data)
        let records = try lines.map { line in
            do { return try decoder.decode(Record.self, from: Data(line.text)) } catch {
                throw AppendLogError.malformedLine(path: path, line: line.number, reason: "\(error)")
            }
        }
        return (records, torn)
    }

    /// Appends one record as one line (single write + fsync). A torn tail left by a crash is cut first.
    public func append(_ record: Record) throws {
        let line = try Self.encodeLine(record)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw AppendLogError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        try truncateTornTail(fd)
        let written = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count) }
        guard written == line.count, fsync(fd) == 0 else { throw AppendLogError.io(path: path, reason: "short write or fsync failed") }
    }

    /// Cuts a partial last line. Reads only the last byte unless there is a tail to cut, so appending
    /// to a long log does not re-read it.
    private func truncateTornTail(_ fd: Int32) throws {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, size - 1) == 1 else { throw AppendLogError.io(path: path, reason: "cannot read the log's last byte") }
        guard last != UInt8(ascii: "\n"), let data = FileManager.default.contents(atPath: path) else { return }
        let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        guard ftruncate(fd, off_t(keep)) == 0 else { throw AppendLogError.io(path: path, reason: "cannot cut torn tail") }
    }
}

/// Why a log cannot be read (a malformed complete line: data) or appended to (I/O).
public enum AppendLogError: DataError {
    case malformedLine(path: String, line: Int, reason: String)
    case io(path: String, reason: String)

    public var isDataError: Bool {
        if case .malformedLine = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .malformedLine(path, line, reason): return "\(path):\(line): malformed record: \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}

import Base
import Foundation
import Transformer

/// An append-only JSON Lines file that survives `kill -9`: each record is one line written with a
/// single `write` and fsynced; on reading, a partial last line (a write cut short) is reported and
/// ignored, never merged. A last line without its newline that still holds a whole record (a file
/// edited or concatenated by hand) is kept, and the next append adds the newline first.
public struct AppendLog<Record: Codable> {
    public let path: String

    public init(path: String) { self.path = path }

    /// The record lines of a JSON Lines file (1-based numbers, empty lines dropped) and how it ends.
    /// A last line without its newline is returned when it decodes as a `Record` (`.unterminated`),
    /// and left out as torn otherwise: a write cut short leaves a prefix of a record, which does not decode.
    public static func lines(of data: Data) -> (lines: [(number: Int, text: Data.SubSequence)], tail: LogTail) {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last element is empty after a final newline, else the line that lacks one.
        let last = lines.removeLast()
        var tail = LogTail.complete
        if !last.isEmpty {
            if isRecord(last) { lines.append(last); tail = .unterminated } else { tail = .torn }
        }
        return (lines.enumerated().filter { !$0.element.isEmpty }.map { ($0.offset + 1, $0.element) }, tail)
    }

    /// Why `data` holds no record, for a reader that found none: "empty", or the decoder's complaint
    /// about its only line. A line without a final newline reads as a torn tail, but when it is the
    /// whole file it is as likely the wrong file (truncated, binary) as a first write cut short, and
    /// the complaint says which.
    public static func whyNoRecord(in data: Data) -> String {
        guard let line = data.split(separator: UInt8(ascii: "\n")).last(where: { !$0.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") } }) else {
            return "empty"
        }
        do {
            _ = try StrictJSON.decode(Record.self, from: Data(line))
            return "its last line, without a final newline, is cut short"
        } catch {
            return "its last line, without a final newline, is not one (\(JSONErrorText.describe(error)))"
        }
    }

    static func isRecord(_ line: Data.SubSequence) -> Bool { (try? StrictJSON.decode(Record.self, from: Data(line))) != nil }

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

    /// Records already in the file, and how it ends (a torn last line is skipped).
    public func read() throws -> (records: [Record], tail: LogTail) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], .complete) }
        let decoder = JSONDecoder()
        let (lines, tail) = Self.lines(of: data)
        let records = try lines.map { line in
            do { return try StrictJSON.decode(Record.self, from: Data(line.text), decoder: decoder) } catch {
                throw AppendLogError.malformedLine(path: path, line: line.number, reason: "\(error)")
            }
        }
        return (records, tail)
    }

    /// Appends one record as one line (single write + fsync). A torn tail left by a crash is cut
    /// first; a last record without its newline gets one, so the new record does not glue onto it.
    public func append(_ record: Record) throws {
        let line = try Self.encodeLine(record)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw AppendLogError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        try repairTail(fd)
        let written = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count) }
        guard written == line.count, fsync(fd) == 0 else { throw AppendLogError.io(path: path, reason: "short write or fsync failed") }
    }

    /// Ends the file with a newline: cuts a partial last line, or terminates a complete one. Reads
    /// only the last byte unless the file does not end in a newline, so appending to a long log does
    /// not re-read it.
    private func repairTail(_ fd: Int32) throws {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, size - 1) == 1 else { throw AppendLogError.io(path: path, reason: "cannot read the log's last byte") }
        guard last != UInt8(ascii: "\n"), let data = FileManager.default.contents(atPath: path) else { return }
        let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        if Self.isRecord(data[keep...]) {
            let newline = [UInt8(ascii: "\n")]
            guard Foundation.write(fd, newline, 1) == 1 else { throw AppendLogError.io(path: path, reason: "cannot end the last record with a newline") }
        } else {
            guard ftruncate(fd, off_t(keep)) == 0 else { throw AppendLogError.io(path: path, reason: "cannot cut torn tail") }
        }
    }
}

/// How a JSON Lines log ends.
public enum LogTail: Sendable, Equatable {
    /// With a newline after the last record (or empty).
    case complete
    /// With a whole last record that lacks its newline: kept; the next append adds the newline.
    case unterminated
    /// With a partial last line, left by an interrupted write: ignored, and cut by the next append.
    case torn
}

extension LogTail {
    /// The one line every reader of a log reports about how it ended (nil when it ended with a
    /// newline), so a torn tail is never dropped silently and reads the same from every command.
    public func notice(path: String) -> String? {
        switch self {
        case .complete: return nil
        case .unterminated: return "\(path): read the last record, which has no final newline"
        case .torn: return "\(path): ignored a partially written last line (interrupted write)"
        }
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

import Foundation

/// An append-only JSON Lines file that survives `kill -9`: each record is one line written with a
/// single `write` and fsynced; on reading, a partial last line (a write cut short) is reported and
/// ignored, never merged.
public struct AppendLog<Record: Codable> {
    public let path: String

    public init(path: String) { self.path = path }

    /// Records already in the file, and how many torn trailing bytes were skipped.
    public func read() throws -> (records: [Record], tornTail: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else { return ([], false) }
        var records: [Record] = []
        let decoder = JSONDecoder()
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last element is empty after a final newline, or a torn partial line without one.
        let complete = lines.count - 1
        for (i, line) in lines.prefix(complete).enumerated() where !line.isEmpty {
            do { records.append(try decoder.decode(Record.self, from: Data(line))) } catch {
                throw AppendLogError.malformedLine(path: path, line: i + 1, reason: "\(error)")
            }
        }
        let torn = data.last != UInt8(ascii: "\n") && !(lines.last?.isEmpty ?? true)
        return (records, torn)
    }

    /// Appends one record as one line (single write + fsync). A torn tail left by a crash is cut first.
    public func append(_ record: Record) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try truncateTornTail()
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw AppendLogError.io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { Foundation.write(fd, $0.baseAddress!, $0.count) }
        guard written == line.count, fsync(fd) == 0 else { throw AppendLogError.io(path: path, reason: "short write or fsync failed") }
    }

    private func truncateTornTail() throws {
        guard let data = FileManager.default.contents(atPath: path), let last = data.last, last != UInt8(ascii: "\n") else { return }
        let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        guard truncate(path, off_t(keep)) == 0 else { throw AppendLogError.io(path: path, reason: "cannot cut torn tail") }
    }
}

public enum AppendLogError: Error, CustomStringConvertible {
    case malformedLine(path: String, line: Int, reason: String)
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case let .malformedLine(path, line, reason): return "\(path):\(line): malformed record: \(reason)"
        case let .io(path, reason): return "\(path): \(reason)"
        }
    }
}

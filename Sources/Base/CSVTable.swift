import CSV
import Foundation

/// A CSV file as a header and rows of strings (RFC 4180): what dma exports and imports.
///
/// Writing quotes exactly the fields that need it (a comma, double quote, CR or LF), doubling
/// inner quotes, ends lines with LF and the file with a newline. Reading accepts LF or CRLF, quoted
/// fields (with commas, quotes and line breaks inside) and a missing final newline, and requires a
/// rectangular table. Parsing and quoting are yaslab/CSV.swift's; this type adds the table checks
/// and errors that name the file and row.
public struct CSVTable: Equatable, Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The index of the column named `name`.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// The file's text. Rows must have the header's width (a programming error otherwise).
    public func encoded() throws -> String {
        precondition(rows.allSatisfy { $0.count == header.count }, "CSVTable rows must have \(header.count) fields")
        let writer = try CSVWriter(stream: .toMemory())
        try writer.write(row: header)
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        guard let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else { return "\n" }
        // The writer separates rows; the file ends with a newline like every line-oriented file dma writes.
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Replaces `path` with the table, atomically.
    public func write(to path: String) throws {
        try AtomicFile.write(Data(try encoded().utf8), to: path)
    }

    /// Reads and checks a CSV file; errors are ``DataFileError``s naming the file and row.
    public static func read(from path: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "file not found") }
        guard let text = String(data: data, encoding: .utf8) else { throw DataFileError(path: path, problem: "not UTF-8 text") }
        return try CSVTable(parsing: text, path: path)
    }

    /// Parses CSV text; `path` names the source in errors. Trailing empty lines are ignored.
    public init(parsing text: String, path: String) throws {
        let reader: CSVReader
        do { reader = try CSVReader(string: text, hasHeaderRow: false) } catch {
            throw DataFileError(path: path, problem: "not CSV: \(error)")
        }
        var records: [[String]] = []
        while let record = reader.next() { records.append(record) }
        if let error = reader.error { throw DataFileError(path: path, line: records.count + 1, problem: "cannot read CSV: \(error)") }
        // A blank line reads as one empty field; at the end of a file it is an extra newline, not a row.
        while let last = records.last, last == [""] { records.removeLast() }
        guard let header = records.first else { throw DataFileError(path: path, problem: "empty file, expected a header row") }
        for (k, record) in records.enumerated().dropFirst() where record.count != header.count {
            throw DataFileError(path: path, line: k + 1, problem: "row \(k + 1) has \(record.count) fields, the header has \(header.count)")
        }
        self.init(header: header, rows: Array(records.dropFirst()))
    }
}

import Base
import Foundation

/// One CSV the analysis writes, with the meaning of each of its columns: the folder's README is
/// generated from these descriptions, so a file and its documentation cannot drift apart.
public struct AnalysisTable: Sendable, Equatable {
    /// A column's name (the CSV header field) and what it holds, with its unit.
    public struct Column: Sendable, Equatable {
        /// Header field.
        public var name: String
        /// What the column holds, with its unit.
        public var meaning: String
        /// A column named `name` meaning `meaning`.
        public init(_ name: String, _ meaning: String) { (self.name, self.meaning) = (name, meaning) }
    }

    /// File name inside the output folder (`schedule.csv`).
    public var file: String
    /// What one row is and how the file was computed.
    public var summary: String
    /// The columns in file order.
    public var columns: [Column]
    /// Rows of formatted fields, one per column.
    public var rows: [[String]]

    /// A table for `file`.
    public init(file: String, summary: String, columns: [Column], rows: [[String]] = []) {
        (self.file, self.summary, self.columns, self.rows) = (file, summary, columns, rows)
    }

    /// The table as the project's RFC 4180 CSV (header = column names).
    public var csv: CSVTable {
        precondition(rows.allSatisfy { $0.count == columns.count }, "\(file): every row needs \(columns.count) fields")
        return CSVTable(header: columns.map(\.name), rows: rows)
    }
}

/// How numbers are printed in the analysis files: six significant digits; a value that does not
/// exist (NaN, an interval from one run) is an empty field, so readers never parse "nan".
enum CSVNumber {
    static func text(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "" }
        return String(format: "%.6g", x)
    }
}

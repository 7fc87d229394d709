import Foundation

/// The JSON of RFC 8259, where Foundation on Linux is lenient: its `JSONDecoder` and
/// `JSONSerialization` both accept a trailing comma (`{"a": 1,}`, `[1, 2,]`), which the standard,
/// Python and every other reader reject. Files dma reads must mean the same to all of them.
public enum StrictJSON {
    /// A comma directly before a closing `}` or `]`, at a 1-based line and column of the text.
    public struct TrailingComma: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var column: Int
        public init(line: Int, column: Int) { (self.line, self.column) = (line, column) }
        public var description: String { "trailing comma at line \(line), column \(column) (not JSON)" }
    }

    /// Throws ``TrailingComma`` for the first comma followed (after whitespace) by `}` or `]`
    /// outside a string. Everything else is left to the decoder, so this is a scan, not a parser.
    public static func rejectTrailingCommas(_ data: Data) throws {
        var inString = false, escaped = false
        var comma: (line: Int, column: Int)?
        var line = 1, column = 0
        for byte in data {
            column += 1
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\n"): line += 1; column = 0
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): break
            case UInt8(ascii: ","): comma = (line, column)
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let c = comma { throw TrailingComma(line: c.line, column: c.column) }
            default:
                if byte == UInt8(ascii: "\"") { inString = true }
                comma = nil
            }
        }
    }

    /// Decodes `type` from `data` after ``rejectTrailingCommas(_:)``.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try rejectTrailingCommas(data)
        return try decoder.decode(type, from: data)
    }
}

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

    /// A bare `NaN`, `Infinity` or `-Infinity` where a value belongs: what Python's `json.dumps`
    /// writes for non-finite floats by default, and no JSON reader accepts.
    public struct NonFiniteNumber: Error, CustomStringConvertible, Equatable {
        /// The token as written (`NaN`, `Infinity`, `-Infinity`).
        public var token: String
        /// Where it stands: `feedback[1]['bpb/web']`, `mixtures[0][2]`, or `top level`.
        public var path: String
        public init(token: String, path: String) { (self.token, self.path) = (token, path) }
        public var description: String {
            "\(path) is \(token); NaN and Infinity are not JSON numbers (Python's json.dumps writes them unless allow_nan=False): send a finite number"
        }
    }

    /// The first bare `NaN`/`Infinity`/`-Infinity` token outside a string, with its path, or nil.
    /// A scan, not a parser: call it on text the decoder refused, to say why.
    public static func nonFiniteNumber(in data: Data) -> NonFiniteNumber? {
        enum Frame { case object(key: String?), array(index: Int) }
        var stack: [Frame] = []
        let bytes = [UInt8](data)
        var i = 0, keyExpected = false
        func path() -> String {
            var text = ""
            for frame in stack {
                switch frame {
                case let .array(index): text += "[\(index)]"
                case let .object(key):
                    guard let key else { continue }
                    let plain = !key.isEmpty && key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
                    text += plain ? (text.isEmpty ? key : ".\(key)") : "['\(key)']"
                }
            }
            return text.isEmpty ? "top level" : text
        }
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""):
                var j = i + 1, raw: [UInt8] = []
                while j < bytes.count, bytes[j] != UInt8(ascii: "\"") {
                    // The escapes a key holds in practice (`bpb\/web`); `\uXXXX` is left as written.
                    if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count, [UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\"")].contains(bytes[j + 1]) {
                        j += 1
                    } else if bytes[j] == UInt8(ascii: "\\"), j + 1 < bytes.count {
                        raw.append(bytes[j]); j += 1
                    }
                    raw.append(bytes[j]); j += 1
                }
                if keyExpected, case .object = stack.last {
                    stack[stack.count - 1] = .object(key: String(decoding: raw, as: UTF8.self))
                    keyExpected = false
                }
                i = j + 1
                continue
            case UInt8(ascii: "{"): stack.append(.object(key: nil)); keyExpected = true
            case UInt8(ascii: "["): stack.append(.array(index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","):
                switch stack.last {
                case let .array(index): stack[stack.count - 1] = .array(index: index + 1)
                case .object: keyExpected = true
                case nil: break
                }
            case UInt8(ascii: "N"), UInt8(ascii: "I"), UInt8(ascii: "-"), UInt8(ascii: "+"):
                for token in ["NaN", "Infinity", "-Infinity", "+Infinity", "-NaN"] where bytes[i...].starts(with: Array(token.utf8)) {
                    return NonFiniteNumber(token: token, path: path())
                }
            default: break
            }
            i += 1
        }
        return nil
    }

    /// Decodes `type` from `data` after ``rejectTrailingCommas(_:)``.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try rejectTrailingCommas(data)
        return try decoder.decode(type, from: data)
    }
}

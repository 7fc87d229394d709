import Base
import Foundation
import Transformer

/// Writes a command's `--json` output: pretty-printed with sorted keys, atomically to a file, or to
/// standard output when the path is `-`.
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let data = try encoder.encode(value)
    if path == "-" { print(String(decoding: data, as: UTF8.self)) } else { try AtomicFile.write(data, to: path) }
}

import Foundation

/// Reads a dictd database (`NAME.index` + gzip/dictzip-compressed `NAME.dict.dz`) into entries.
public enum DictdReader {
    public static let directory = "/usr/share/dictd"

    /// One entry: the headword the index names and the raw text block.
    public struct Entry: Sendable {
        public let headword: String
        public let body: String
    }

    /// All entries of `name`, one per distinct block in the index, in file order.
    public static func entries(_ name: String, package: String, directory: String = directory) throws -> [Entry] {
        let indexPath = "\(directory)/\(name).index"
        let dictPath = "\(directory)/\(name).dict.dz"
        for p in [indexPath, dictPath] where !FileManager.default.fileExists(atPath: p) {
            throw CorpusError.missingPackage(package: package, path: p)
        }
        let dict = try gunzip(dictPath)
        guard let indexData = FileManager.default.contents(atPath: indexPath) else {
            throw CorpusError.unreadable(path: indexPath, reason: "cannot open")
        }
        var seen = Set<Int>()
        var blocks: [(offset: Int, length: Int, headword: String)] = []
        for line in indexData.split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            guard fields.count >= 3, let offset = base64Number(fields[1]), let length = base64Number(fields[2]) else {
                throw CorpusError.malformed(path: indexPath, reason: "index line is not 'headword<TAB>offset<TAB>length'")
            }
            let headword = String(decoding: fields[0], as: UTF8.self)
            if headword.hasPrefix("00-database") || headword.hasPrefix("00database") { continue }
            guard offset >= 0, length > 0, offset + length <= dict.count else {
                throw CorpusError.malformed(path: indexPath, reason: "entry '\(headword)' points past the end of \(dictPath)")
            }
            if seen.insert(offset).inserted { blocks.append((offset, length, headword)) }
        }
        blocks.sort { $0.offset < $1.offset }
        return dict.withUnsafeBytes { raw in
            blocks.map { b in
                let body = String(decoding: UnsafeRawBufferPointer(rebasing: raw[b.offset..<(b.offset + b.length)]), as: UTF8.self)
                return Entry(headword: b.headword, body: body)
            }
        }
    }

    /// dictd's index numbers: base64 digits, most significant first.
    static func base64Number<S: Collection>(_ digits: S) -> Int? where S.Element == UInt8 {
        var value = 0
        for c in digits {
            let d: Int
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): d = Int(c) - 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): d = Int(c) - 97 + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(c) - 48 + 52
            case UInt8(ascii: "+"): d = 62
            case UInt8(ascii: "/"): d = 63
            default: return nil
            }
            value = value * 64 + d
        }
        return digits.isEmpty ? nil : value
    }

    /// Decompresses with the system's gzip (dictzip files are gzip-compatible).
    static func gunzip(_ path: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw CorpusError.unreadable(path: path, reason: "cannot run /bin/gzip: \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CorpusError.unreadable(path: path, reason: "gzip -dc failed (status \(process.terminationStatus)); the file is corrupt")
        }
        return data
    }
}

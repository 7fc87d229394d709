import Base
import Corpus
import Foundation

/// The user's own files `dma eval --text` and `--qa` score; problems are ``DataFileError``s naming the file.
extension TextScoring {
    /// The bytes of a text file to score: at least 2 (one to condition on, one to predict).
    public static func readText(from path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "cannot read") }
        guard data.count >= 2 else { throw DataFileError(path: path, problem: "needs at least 2 bytes") }
        return Array(data)
    }

    /// The problems of a Q/A file: blocks separated by blank lines, each a `Q: …` line then an `A: …` line.
    public static func readProblems(from path: String) throws -> [MathProblem] {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "cannot read") }
        let text = String(decoding: data, as: UTF8.self)
        var problems: [MathProblem] = []
        for (i, block) in text.components(separatedBy: "\n\n").enumerated() {
            let trimmed = block.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            guard let p = MathProblem(text: trimmed) else {
                // Quote the block's first line only: the message stays one line.
                let excerpt = trimmed.prefix { $0 != "\n" }.prefix(60)
                throw DataFileError(path: path, problem: "problem \(i + 1) is not a 'Q: …' line followed by an 'A: …' line: \(excerpt)")
            }
            problems.append(p)
        }
        guard !problems.isEmpty else { throw DataFileError(path: path, problem: "no problems found") }
        return problems
    }
}

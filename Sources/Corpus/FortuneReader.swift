import Foundation

/// Reads the `fortunes` packages: one file per category, records separated by a line holding `%`.
public enum FortuneReader {
    public static let directory = "/usr/share/games/fortunes"

    /// The records of one category as documents, classified by form.
    public static func documents(category: String, directory: String = directory) throws -> [SourceDocument] {
        let path = "\(directory)/\(category)"
        guard FileManager.default.fileExists(atPath: path) else {
            throw CorpusError.missingPackage(package: "fortunes", path: path)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError.unreadable(path: path, reason: "permission denied or not a file")
        }
        let text = String(decoding: data, as: UTF8.self)
        var docs: [SourceDocument] = []
        for raw in text.components(separatedBy: "\n%\n") {
            let record = TextCleaning.trimLines(raw.hasPrefix("%\n") ? String(raw.dropFirst(2)) : raw)
            guard record.utf8.count >= 20, !TextCleaning.isBlocked(record) else { continue }
            docs.append(SourceDocument(text: record, origin: "fortunes:\(category)", kind: classify(record)))
        }
        return docs
    }

    static func classify(_ record: String) -> SourceDocument.Kind {
        let lines = record.split(separator: "\n", omittingEmptySubsequences: true)
        if let last = lines.last, last.trimmingCharacters(in: .whitespaces).hasPrefix("--") { return .quotation }
        return lines.count <= 2 ? .quip : .passage
    }
}

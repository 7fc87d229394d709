import Foundation

/// Turns dictd databases (GCIDE, Jargon File, FOLDOC, Devil's Dictionary) into source documents.
public enum DictionaryExtractor {
    /// Longest document kept; long entries are cut at a sentence end (a few GCIDE entries run to 30 KB).
    static let maxDocumentBytes = 1_500

    /// GCIDE entries with their subject labels (`Zool`, `Bot`, …), cleaned of markup.
    public static func gcide(directory: String = DictdReader.directory) throws -> [SourceDocument] {
        try DictdReader.entries("gcide", package: "dict-gcide", directory: directory).compactMap { entry in
            let lines = entry.body.split(separator: "\n", omittingEmptySubsequences: false)
            guard let header = lines.first else { return nil }
            let body = lines.dropFirst().joined(separator: "\n")
            let cleanHeader = TextCleaning.collapseWhitespace(TextCleaning.stripDictionaryMarkup(String(header)))
            let cleanBody = TextCleaning.collapseWhitespace(TextCleaning.stripDictionaryMarkup(body))
            guard cleanBody.utf8.count >= 20 else { return nil }
            let text = truncate("\(cleanHeader) \(cleanBody)")
            guard !TextCleaning.isBlocked(text) else { return nil }
            let headword = entry.headword.trimmingCharacters(in: .whitespaces)
            return SourceDocument(text: text, origin: "gcide", kind: .dictionaryEntry,
                                  labels: subjectLabels(in: entry.body), term: headword,
                                  definition: truncate(firstSentences(cleanBody), limit: 200))
        }
    }

    /// Jargon File, FOLDOC or Devil's Dictionary entries.
    public static func glossary(_ name: String, package: String, kind: SourceDocument.Kind,
                                directory: String = DictdReader.directory) throws -> [SourceDocument] {
        try DictdReader.entries(name, package: package, directory: directory).compactMap { entry in
            let cleaned = TextCleaning.trimLines(dedent(entry.body.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")))
            guard cleaned.utf8.count >= 30, !TextCleaning.isBlocked(cleaned) else { return nil }
            return SourceDocument(text: truncate(cleaned), origin: name, kind: kind, term: entry.headword)
        }
    }

    /// Labels written like `(Zool.)` or `(Law)` in the entry.
    static func subjectLabels(in body: String) -> [String] {
        var labels: [String] = []
        var rest = Substring(body)
        while let open = rest.firstIndex(of: "(") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: ")") else { break }
            var label = after[..<close]
            if label.hasSuffix(".") { label = label.dropLast() }
            if (2...10).contains(label.count), label.first?.isUppercase == true, label.allSatisfy({ $0.isLetter }) {
                labels.append(String(label))
            }
            rest = after[after.index(after: close)...]
        }
        return labels
    }

    static func dedent(_ s: String) -> String {
        let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
        let indents = lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.prefix { $0 == " " }.count }
        let common = indents.dropFirst().min() ?? 0
        return lines.enumerated().map { i, l in
            i == 0 ? String(l) : String(l.dropFirst(min(common, l.prefix { $0 == " " }.count)))
        }.joined(separator: "\n")
    }

    static func firstSentences(_ s: String) -> String {
        // Skip a leading sense number like "1." so the definition starts with words.
        var t = Substring(s)
        if let f = t.first, f.isNumber, let dot = t.firstIndex(of: "."), t.distance(from: t.startIndex, to: dot) <= 2 {
            t = t[t.index(after: dot)...].drop { $0 == " " }
        }
        if let end = t.range(of: ". ") { return String(t[..<end.lowerBound]) + "." }
        return String(t)
    }

    static func truncate(_ s: String, limit: Int = maxDocumentBytes) -> String {
        guard s.utf8.count > limit else { return s }
        let prefix = String(decoding: Array(s.utf8.prefix(limit)), as: UTF8.self)
        if let end = prefix.range(of: ". ", options: .backwards), prefix.distance(from: prefix.startIndex, to: end.lowerBound) > limit / 3 {
            return String(prefix[..<end.lowerBound]) + "."
        }
        return prefix
    }
}

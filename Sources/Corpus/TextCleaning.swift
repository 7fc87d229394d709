import Foundation

/// Small text clean-ups shared by the extractors.
enum TextCleaning {
    /// Right-trims every line, drops leading/trailing blank lines, and turns tabs into spaces.
    static func trimLines(_ s: String) -> String {
        let lines = s.replacingOccurrences(of: "\t", with: "    ").replacingOccurrences(of: "\r", with: "")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                var l = line
                while let last = l.last, last == " " { l = l.dropLast() }
                return l
            }
        var start = 0, end = lines.count
        while start < end, lines[start].isEmpty { start += 1 }
        while end > start, lines[end - 1].isEmpty { end -= 1 }
        return lines[start..<end].joined(separator: "\n")
    }

    /// Collapses all runs of whitespace into single spaces.
    static func collapseWhitespace(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }

    /// Removes `[...]` segments (etymologies, source tags) and `\...\` pronunciations; `{x}` becomes `x`.
    static func stripDictionaryMarkup(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var depthSquare = 0
        var inPronunciation = false
        for ch in s {
            switch ch {
            case "[": depthSquare += 1
            case "]": if depthSquare > 0 { depthSquare -= 1 } else { out.append(ch) }
            case "\\": inPronunciation.toggle()
            case "{", "}": continue
            default:
                if depthSquare == 0 && !inPronunciation { out.append(ch) }
            }
        }
        return out
    }

    /// Slurs that some 19th/20th-century sources use; documents containing them are dropped.
    private static let blocked: [String] = ["nigger", "nigga", "kike", "wetback", "chink", "spic ", "faggot"]

    static func isBlocked(_ s: String) -> Bool {
        let lower = s.lowercased()
        return blocked.contains { lower.contains($0) }
    }
}

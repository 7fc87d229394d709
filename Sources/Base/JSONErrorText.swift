/// Readable text for JSON decoding errors (the default descriptions bury the key path).
public enum JSONErrorText {
    /// One line naming what is wrong and where (`missing key 'seed' at top level`); other errors as they describe themselves.
    public static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "top level" : p
        }
        switch e {
        case let .keyNotFound(key, c): return "missing key '\(key.stringValue)' at \(path(c))"
        case let .typeMismatch(_, c): return "wrong type at \(path(c)): \(c.debugDescription)"
        case let .valueNotFound(_, c): return "missing value at \(path(c))"
        case let .dataCorrupted(c): return "invalid data at \(path(c)): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

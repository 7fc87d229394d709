import ArgumentParser

/// The entries of a comma-separated option (`--seeds 1,2,3`, `--data a.jsonl,b.jsonl`), each
/// converted to `T`; one that does not convert is an error naming the option, not silently dropped.
func commaSeparated<T: LosslessStringConvertible>(_ text: String, option: String, as: T.Type = T.self) throws -> [T] {
    let values = try text.split(separator: ",").map { raw -> T in
        let entry = raw.trimmingCharacters(in: .whitespaces)
        guard let value = T(entry) else { throw ValidationError("\(option): '\(entry)' is not a valid \(T.self)") }
        return value
    }
    guard !values.isEmpty else { throw ValidationError("\(option) needs at least one value") }
    return values
}

/// A comma-separated list of `key<separator>number` entries (`--families field-ratio:1`,
/// `--source-weights source/jargon=6`); `form` names the expected entry in the error.
func keyedNumbers(_ text: String, option: String, separator: Character, form: String) throws -> [String: Double] {
    var out: [String: Double] = [:]
    for entry in text.split(separator: ",") {
        let kv = entry.split(separator: separator, maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard kv.count == 2, let value = Double(kv[1]) else { throw ValidationError("\(option): '\(entry)' is not \(form)") }
        out[kv[0]] = value
    }
    return out
}

import Environment
import Foundation
import Numerics
import Corpus
import Evaluation
import Transformer

/// A model that predicts every byte uniformly: 8 bits per byte, and its argmax (byte 0) is never right.
public final class UniformModel: ScoringModel {
    public let contextLength: Int
    public init(context: Int) { contextLength = context }
    public func score(tokens: [UInt8], rows: Int, length: Int) -> TokenScores {
        var hits: [Bool] = []
        for r in 0..<rows { for t in 1..<length { hits.append(tokens[r * length + t] == 0) } }
        return TokenScores(losses: [Float](repeating: Float(log(256.0)), count: rows * (length - 1)), hits: hits)
    }
}

/// A model that has memorised a set of texts: for a position whose preceding bytes (up to `order`)
/// occur in one memorised text, it puts probability 0.9 on the byte that followed there.
public final class MemorisingModel: ScoringModel {
    public let contextLength: Int
    let order: Int
    var table: [[UInt8]: UInt8] = [:]
    public init(context: Int, order: Int = 12, texts: [[UInt8]]) {
        contextLength = context
        self.order = order
        for t in texts where t.count > order {
            for i in order..<t.count { table[Array(t[(i - order)..<i])] = t[i] }
        }
    }
    public func score(tokens: [UInt8], rows: Int, length: Int) -> TokenScores {
        var losses: [Float] = [], hits: [Bool] = []
        for r in 0..<rows {
            let row = Array(tokens[(r * length)..<((r + 1) * length)])
            for t in 1..<length {
                let key = t >= order ? Array(row[(t - order)..<t]) : nil
                if let key, let next = table[key] {
                    hits.append(next == row[t])
                    losses.append(next == row[t] ? Float(-log(0.9)) : Float(-log(0.1 / 255)))
                } else {
                    hits.append(row[t] == 0)
                    losses.append(Float(log(256.0)))
                }
            }
        }
        return TokenScores(losses: losses, hits: hits)
    }
}

/// Writes a small synthetic corpus (two source domains, two math domains) straight to disk.
public func makeFixtureCorpus() throws -> String {
    let dir = NSTemporaryDirectory() + "dma-eval-\(UUID().uuidString)"
    let fm = FileManager.default
    try fm.createDirectory(atPath: dir + "/domains", withIntermediateDirectories: true)
    try fm.createDirectory(atPath: dir + "/benchmarks", withIntermediateDirectories: true)
    let rng = RandomSource(seed: 4)
    let words = ["river", "stone", "quiet", "lantern", "harbor", "meadow", "copper", "willow", "signal", "orbit", "amber", "falcon"]
    func sentence() -> String { (0..<(8 + rng.int(below: 10))).map { _ in words[rng.int(below: words.count)] }.joined(separator: " ") + "." }
    // Written as JSON through the public formats only (no @testable), like a user's own corpus.
    var infos: [[String: Any]] = []
    func write(_ name: DomainName, _ field: Field, _ docs: [Split: [String]]) throws {
        var splits: [String: Any] = [:]
        for s in Split.allCases {
            let d = docs[s] ?? []
            try DocumentFile.encode(d).write(to: URL(fileURLWithPath: "\(dir)/domains/\(name.fileStem).\(s.rawValue).txt"))
            splits[s.rawValue] = ["bytes": d.reduce(0) { $0 + $1.utf8.count }, "documents": d.count]
        }
        infos.append(["name": name.rawValue, "field": field.rawValue, "splits": splits, "origins": ["fixture"], "hash": name.rawValue])
    }
    // Random letters (lowercase in a, uppercase in b): every 16-byte context is unique, so the
    // memorising model knows exactly what it was shown and nothing else.
    for (name, base) in [("source/a", UInt8(ascii: "a")), ("source/b", UInt8(ascii: "A"))] {
        var docs: [Split: [String]] = [:]
        for s in Split.allCases {
            docs[s] = (0..<40).map { _ in String(decoding: (0..<200).map { _ in base + UInt8(rng.int(below: 26)) }, as: UTF8.self) }
        }
        try write(DomainName(name), .source, docs)
    }
    for m in [MathModule.addSub, .compareSort] {
        var docs: [Split: [String]] = [:]
        for s in Split.allCases { docs[s] = (0..<60).map { _ in m.problem(difficulty: 1, rng: rng).text } }
        try write(m.domain, .math, docs)
    }
    let defs = (0..<60).map { i -> String in
        let item: [String: Any] = ["domain": "source/a", "term": "term\(i)", "definition": "the meaning of entry number \(i) " + sentence()]
        return String(decoding: try! JSONSerialization.data(withJSONObject: item), as: UTF8.self)
    }
    try Data(defs.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: dir + "/benchmarks/definitions.test.jsonl"))
    let manifest: [String: Any] = [
        "version": 1, "recipeHash": "fixture", "domains": infos,
        "spaces": ["topic": ["source/a", "source/b"], "math": ["math/add-sub", "math/compare-sort"]],
        "groups": [String: Any](), "codeRoot": "",
    ]
    try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: dir + "/manifest.json"))
    return dir
}

/// The fixture's environment, written to a file and loaded (and validated) like any `envs/*.json`.
public func fixtureEnvironment(corpus: String) throws -> EnvironmentConfig {
    try EnvironmentConfig.load(from: try fixtureEnvironmentFile(corpus: corpus))
}

/// The fixture's environment file (a new temporary file each call).
public func fixtureEnvironmentFile(corpus: String) throws -> String {
    let json = """
    {
      "version": 1, "name": "fixture", "corpus": "\(corpus)",
      "space": {"name": "fixture", "source": ["source/a", "source/b"], "target": ["math/add-sub", "math/compare-sort"]},
      "models": {
        "tiny": {"name": "tiny", "dModel": 16, "layers": 1, "heads": 2, "context": 24, "vocab": 256},
        "proxy": {"name": "proxy", "dModel": 64, "layers": 2, "heads": 4, "context": 64, "vocab": 256}
      },
      "pretrain": {"space": "topic", "steps": 10, "batch": 4, "peakLR": 0.001, "minLR": 0.0001, "warmupSteps": 2, "seed": 1},
      "cpt": {"rounds": 2, "stepsPerRound": 2, "batch": 4, "peakLR": 0.001, "minLR": 0.0001, "warmupSteps": 1},
      "benchmarks": {
        "seed": 9,
        "full": {"windowsPerDomain": 0, "clozeItems": 30, "definitionItems": 20, "mathItems": 40, "nextLineItems": 0},
        "feedback": {"windowsPerDomain": 4, "clozeItems": 10, "definitionItems": 5, "mathItems": 10, "nextLineItems": 0}
      },
      "score": {"retentionWeight": 0.5, "gainWeight": 0.5, "exactMatchShare": 0.5, "sourceWeights": {"source/a": 3}}
    }
    """
    let path = NSTemporaryDirectory() + "dma-env-\(UUID().uuidString).json"
    try json.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

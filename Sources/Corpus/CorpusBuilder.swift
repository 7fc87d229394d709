import Foundation
import Numerics

/// Builds every domain from installed packages and our math generator, per a `CorpusRecipe`.
///
/// Output (`datasets/build/` by default): `manifest.json`, `domains/<field>.<name>.<split>.txt` with
/// documents separated by NUL bytes, and `benchmarks/definitions.test.jsonl`. The whole tree is
/// written to a temporary directory and renamed into place, so a failed build leaves nothing partial.
public struct CorpusBuilder {
    public let recipe: CorpusRecipe
    public let recipeHash: String
    public let outputDirectory: String
    public let progress: (String) -> Void

    public init(recipe: CorpusRecipe, recipeHash: String, outputDirectory: String, progress: @escaping (String) -> Void = { _ in }) {
        self.recipe = recipe
        self.recipeHash = recipeHash
        self.outputDirectory = outputDirectory
        self.progress = progress
    }

    /// A definition → term benchmark item drawn from a held-out dictionary entry.
    public struct DefinitionItem: Codable, Sendable, Equatable {
        public var domain: DomainName
        public var term: String
        public var definition: String
    }

    private struct Built {
        var name: DomainName
        var field: Field
        var documents: [Split: [String]]
        var origins: Set<String>
    }

    @discardableResult
    public func build() throws -> CorpusManifest {
        var built: [Built] = []
        var definitions: [DefinitionItem] = []

        progress("source: reading fortunes and dictionaries")
        let (topic, format, defs) = try buildSource()
        built += topic + format
        definitions = defs
        progress("math: generating \(recipe.math.modules.count) modules")
        built += try buildMath()
        progress("code: reading \(recipe.code.root)")
        built += try buildCode()

        for b in built where b.documents[.train, default: []].isEmpty || b.documents[.test, default: []].isEmpty {
            throw CorpusError.emptyDomain(domain: b.name.rawValue, detail: "no train or no test documents after splitting; check the recipe")
        }

        // Write into a sibling temp directory, then swap it in.
        let fm = FileManager.default
        let tmp = outputDirectory + ".tmp-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        try fm.createDirectory(atPath: tmp + "/domains", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: tmp + "/benchmarks", withIntermediateDirectories: true)
        var infos: [CorpusManifest.DomainInfo] = []
        for b in built {
            var hash = StableHash()
            var splits: [String: CorpusManifest.SplitInfo] = [:]
            for split in Split.allCases {
                let docs = b.documents[split, default: []]
                let bytes = DocumentFile.encode(docs)
                try bytes.write(to: URL(fileURLWithPath: "\(tmp)/domains/\(b.name.fileStem).\(split.rawValue).txt"))
                hash.combine(bytes: bytes)
                splits[split.rawValue] = .init(bytes: docs.reduce(0) { $0 + $1.utf8.count }, documents: docs.count)
            }
            infos.append(.init(name: b.name, field: b.field, splits: splits, origins: b.origins.sorted(), hash: hash.hex))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let defLines = try definitions.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        try Data(defLines.utf8).write(to: URL(fileURLWithPath: "\(tmp)/benchmarks/definitions.test.jsonl"))

        var spaces: [String: [DomainName]] = [
            "topic": recipe.source.topic.map(\.domain),
            "format": recipe.source.format.map(\.domain),
            "math": recipe.math.modules.map(\.module.domain),
            "code": recipe.code.areas.map(\.domain),
        ]
        spaces = spaces.filter { !$0.value.isEmpty }
        let manifest = CorpusManifest(version: CorpusManifest.currentVersion, recipeHash: recipeHash, domains: infos,
                                      spaces: spaces, groups: recipe.source.groups, codeRoot: recipe.code.root)
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: "\(tmp)/\(CorpusManifest.fileName)"))

        try? fm.removeItem(atPath: outputDirectory)
        try fm.createDirectory(atPath: (outputDirectory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.moveItem(atPath: tmp, toPath: outputDirectory)
        return manifest
    }

    // MARK: - Splits and caps

    private func split(of key: String) -> Split {
        let u = StableHash.unit(key, seed: recipe.seed)
        if u < recipe.validFraction { return .valid }
        if u < recipe.validFraction + recipe.testFraction { return .test }
        return .train
    }

    /// Keeps a hashed (seeded, order-independent) sample of documents up to `cap` bytes.
    private func capped<T>(_ items: [T], text: (T) -> String, cap: Int) -> [T] {
        let ranked = items.map { (StableHash.unit(text($0), seed: recipe.seed &+ 17), $0) }.sorted { $0.0 < $1.0 }
        var kept: [T] = []
        var bytes = 0
        for (_, item) in ranked {
            if bytes >= cap { break }
            kept.append(item)
            bytes += text(item).utf8.count
        }
        return kept
    }

    // MARK: - Source field

    private func buildSource() throws -> ([Built], [Built], [DefinitionItem]) {
        let src = recipe.source
        var pool: [DomainName: [SourceDocument]] = [:]
        var seenText = Set<String>()
        func add(_ doc: SourceDocument, to domain: DomainName) {
            guard seenText.insert(doc.text).inserted else { return }
            pool[domain, default: []].append(doc)
        }

        var labelToDomain: [String: DomainName] = [:]
        for t in src.topic {
            for c in t.fortunes ?? [] {
                for doc in try FortuneReader.documents(category: c) { add(doc, to: t.domain) }
            }
            for l in t.gcideLabels ?? [] { labelToDomain[l] = t.domain }
            if let g = t.glossary {
                let (package, kind): (String, SourceDocument.Kind) = switch g {
                case "jargon": ("dict-jargon", .glossaryEntry)
                case "foldoc": ("dict-foldoc", .glossaryEntry)
                case "devil": ("dict-devil", .satiricalEntry)
                default: throw CorpusError.malformed(path: "recipe", reason: "unknown glossary '\(g)' (known: jargon, foldoc, devil)")
                }
                for doc in try DictionaryExtractor.glossary(g, package: package, kind: kind) { add(doc, to: t.domain) }
            }
        }
        if !labelToDomain.isEmpty {
            progress("source: parsing GCIDE")
            for doc in try DictionaryExtractor.gcide() {
                // The entry goes to the domain most of its subject labels point to (first wins ties).
                var votes: [DomainName: Int] = [:]
                var first: [DomainName] = []
                for l in doc.labels { if let d = labelToDomain[l] { if votes[d] == nil { first.append(d) }; votes[d, default: 0] += 1 } }
                var best: DomainName?
                for d in first where best == nil || votes[d]! > votes[best!]! { best = d }
                guard let best else { continue }
                add(doc, to: best)
            }
        }

        var topic: [Built] = []
        var keptDocs: [(doc: SourceDocument, split: Split)] = []  // with its split: the hash is computed once
        var definitions: [DefinitionItem] = []
        for t in src.topic {
            let docs = capped(pool[t.domain] ?? [], text: \.text, cap: src.capBytes)
            let bytes = docs.reduce(0) { $0 + $1.text.utf8.count }
            guard bytes >= src.minBytes else {
                throw CorpusError.emptyDomain(domain: t.domain.rawValue, detail: "only \(bytes) bytes of text, below the recipe's minimum of \(src.minBytes); merge it with another domain")
            }
            var b = Built(name: t.domain, field: .source, documents: [:], origins: [])
            for doc in docs {
                let s = split(of: doc.text)
                keptDocs.append((doc, s))
                b.documents[s, default: []].append(doc.text)
                b.origins.insert(doc.origin)
                if s == .test, let term = doc.term, let def = doc.definition, doc.kind == .dictionaryEntry,
                   term.count >= 3, def.utf8.count >= 20, !def.lowercased().contains(term.lowercased()) {
                    definitions.append(DefinitionItem(domain: t.domain, term: term, definition: def))
                }
            }
            topic.append(b)
        }

        // The format partition re-partitions exactly the documents the topic partition kept.
        var format: [Built] = []
        for f in src.format {
            var b = Built(name: f.domain, field: .source, documents: [:], origins: [])
            for (doc, s) in keptDocs where f.kinds.contains(doc.kind) {
                b.documents[s, default: []].append(doc.text)
                b.origins.insert(doc.kind.rawValue)
            }
            format.append(b)
        }
        return (topic, format, definitions)
    }

    // MARK: - Math field

    private func buildMath() throws -> [Built] {
        let m = recipe.math
        return try m.modules.enumerated().map { index, spec in
            let rng = RandomSource(seed: recipe.seed, stream: RandomStream.corpusDomain.offset(index))
            let quota: [Split: Int] = [.train: m.trainExamples, .valid: m.validExamples, .test: m.testExamples]
            var docs: [Split: [String]] = [:]
            var seen = Set<String>()
            var attempts = 0
            let maxAttempts = 40 * (m.trainExamples + m.validExamples + m.testExamples)
            while Split.allCases.contains(where: { docs[$0, default: []].count < quota[$0]! }) {
                attempts += 1
                guard attempts <= maxAttempts else {
                    let have = Split.allCases.map { "\($0.rawValue) \(docs[$0, default: []].count)/\(quota[$0]!)" }.joined(separator: ", ")
                    throw CorpusError.emptyDomain(domain: spec.module.domain.rawValue, detail: "difficulty \(spec.difficulty) has too few distinct problems for the quotas (\(have))")
                }
                let p = spec.module.problem(difficulty: spec.difficulty, rng: rng)
                guard seen.insert(p.question).inserted else { continue }
                // Splitting by question text makes train/valid/test disjoint by construction.
                let s = split(of: p.question)
                if docs[s, default: []].count < quota[s]! { docs[s, default: []].append(p.text) }
            }
            return Built(name: spec.module.domain, field: .math, documents: docs, origins: ["generator:\(spec.module.rawValue)@\(spec.difficulty)"])
        }
    }

    // MARK: - Code field

    private func buildCode() throws -> [Built] {
        let c = recipe.code
        guard !c.areas.isEmpty else { return [] }
        let fm = FileManager.default
        guard fm.fileExists(atPath: c.root + "/os.py") else {
            throw CorpusError.missingPackage(package: "libpython3.11-stdlib", path: c.root + "/os.py")
        }
        var areaOf: [String: DomainName] = [:]
        for a in c.areas { for m in a.modules { areaOf[m] = a.domain } }
        var pool: [DomainName: [(key: String, text: String)]] = [:]
        let excluded: Set<String> = ["test", "site-packages", "dist-packages", "__pycache__", "pydoc_data", "encodings", "idle_test", "tests"]
        guard let walker = fm.enumerator(atPath: c.root) else {
            throw CorpusError.unreadable(path: c.root, reason: "cannot list directory")
        }
        var files: [String] = []
        while let rel = walker.nextObject() as? String {
            let parts = rel.split(separator: "/").map(String.init)
            if parts.contains(where: excluded.contains) { continue }
            guard rel.hasSuffix(".py") else { continue }
            files.append(rel)
        }
        files.sort()
        for rel in files {
            let top = String(rel.split(separator: "/")[0]).replacingOccurrences(of: ".py", with: "")
            guard let area = areaOf[top], let data = fm.contents(atPath: c.root + "/" + rel) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            // Long modules become several documents, cut at top-level definitions.
            for (i, chunk) in chunks(of: text, target: 1_500).enumerated() where chunk.utf8.count >= 200 {
                pool[area, default: []].append((key: "\(rel)#\(i)", text: "# \(rel)\n\(chunk)"))
            }
        }
        return c.areas.map { a in
            var b = Built(name: a.domain, field: .code, documents: [:], origins: Set(a.modules.map { "python3:\($0)" }))
            for doc in capped(pool[a.domain] ?? [], text: \.text, cap: c.capBytes) {
                // Split by chunk: chunks of one file are disjoint text, and areas with few large
                // files (argparse, pydoc) would otherwise get no test split at all.
                b.documents[split(of: doc.key), default: []].append(doc.text)
            }
            return b
        }
    }

    private func chunks(of text: String, target: Int) -> [String] {
        var out: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let code = line.drop { $0 == " " }
            if current.utf8.count >= target, code.hasPrefix("def ") || code.hasPrefix("class ") || code.hasPrefix("@") {
                out.append(current)
                current = ""
            }
            current += line + "\n"
        }
        if !current.isEmpty { out.append(current) }
        return out.map { TextCleaning.trimLines($0) }
    }
}

/// Split files: documents separated by NUL bytes (no document contains one).
public enum DocumentFile {
    public static func encode(_ docs: [String]) -> Data {
        var data = Data()
        for (i, d) in docs.enumerated() {
            if i > 0 { data.append(0) }
            data.append(contentsOf: d.utf8.filter { $0 != 0 })
        }
        return data
    }

    public static func decode(_ data: Data) -> [[UInt8]] {
        guard !data.isEmpty else { return [] }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { Array($0) }
    }
}

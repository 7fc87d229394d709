import Base
import Foundation

/// The text of one domain split, concatenated for training with a blank line between documents.
public struct DomainStream: Sendable {
    public let domain: DomainName
    public let split: Split
    /// All documents joined by `DomainStream.separator`.
    public let bytes: [UInt8]
    /// Start offset of each document in `bytes`.
    public let documentStarts: [Int]

    public static let separator: [UInt8] = Array("\n\n".utf8)

    public init(domain: DomainName, split: Split, documents: [[UInt8]]) {
        self.domain = domain
        self.split = split
        var bytes: [UInt8] = []
        bytes.reserveCapacity(documents.reduce(0) { $0 + $1.count + 2 })
        var starts: [Int] = []
        for (i, d) in documents.enumerated() {
            if i > 0 { bytes += Self.separator }
            starts.append(bytes.count)
            bytes += d
        }
        self.bytes = bytes
        self.documentStarts = starts
    }

    /// Document `i`'s bytes.
    public func document(_ i: Int) -> ArraySlice<UInt8> {
        let start = documentStarts[i]
        let end = i + 1 < documentStarts.count ? documentStarts[i + 1] - Self.separator.count : bytes.count
        return bytes[start..<end]
    }

    public var documentCount: Int { documentStarts.count }
}

/// A built corpus on disk (`dma data build` output), validated on open, loaded lazily per domain split.
public final class CorpusStore: @unchecked Sendable {
    public let directory: String
    public let manifest: CorpusManifest
    private var cache: [String: DomainStream] = [:]
    private let lock = NSLock()

    /// Default location, relative to the project root.
    public static let defaultDirectory = "datasets/build"

    public init(directory: String = CorpusStore.defaultDirectory) throws {
        self.directory = directory
        let path = "\(directory)/\(CorpusManifest.fileName)"
        guard FileManager.default.fileExists(atPath: path) else { throw CorpusError.notBuilt(directory: directory) }
        do { manifest = try CorpusManifest.load(from: path) } catch var e as DataFileError {
            e.problem += "; rebuild with `dma data build`"
            throw e
        }
    }

    /// All domain names the corpus holds.
    public var domainNames: [DomainName] { manifest.domains.map(\.name) }

    /// Throws `unknownDomain` unless every name is in the corpus.
    public func requireDomains(_ names: [DomainName], context: String) throws {
        let known = Set(domainNames)
        for n in names where !known.contains(n) {
            throw CorpusError.unknownDomain(name: n.rawValue, context: context, known: domainNames.map(\.rawValue))
        }
    }

    /// Documents of one domain split.
    public func documents(_ domain: DomainName, _ split: Split) throws -> [[UInt8]] {
        guard let info = manifest.domain(domain) else {
            throw CorpusError.unknownDomain(name: domain.rawValue, context: directory, known: domainNames.map(\.rawValue))
        }
        let path = "\(directory)/domains/\(domain.fileStem).\(split.rawValue).txt"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError.unreadable(path: path, reason: "missing; rebuild with `dma data build`")
        }
        let docs = DocumentFile.decode(data)
        let expected = info.split(split)
        guard docs.count == expected.documents, docs.reduce(0, { $0 + $1.count }) == expected.bytes else {
            throw CorpusError.malformed(path: path, reason: "holds \(docs.count) documents, manifest says \(expected.documents); the corpus is corrupted, rebuild with `dma data build`")
        }
        return docs
    }

    /// The concatenated stream of one domain split (cached).
    public func stream(_ domain: DomainName, _ split: Split) throws -> DomainStream {
        let key = "\(domain.rawValue)|\(split.rawValue)"
        lock.lock()
        if let s = cache[key] { lock.unlock(); return s }
        lock.unlock()
        let s = DomainStream(domain: domain, split: split, documents: try documents(domain, split))
        lock.lock()
        cache[key] = s
        lock.unlock()
        return s
    }

    /// Each domain's training bytes, in the given order: the natural token prior of a domain space
    /// (unnormalised; RegMix-style samplers and the natural mixture scale it).
    public func trainingBytes(_ domains: [DomainName]) throws -> [Double] {
        try domains.map { Double(try stream($0, .train).bytes.count) }
    }

    /// Definition → term items for the knowledge benchmark, from held-out dictionary entries.
    public func definitionItems() throws -> [CorpusBuilder.DefinitionItem] {
        let path = "\(directory)/benchmarks/definitions.test.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CorpusError.unreadable(path: path, reason: "missing; rebuild with `dma data build`")
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).enumerated().map { i, line in
            do { return try decoder.decode(CorpusBuilder.DefinitionItem.self, from: Data(line)) } catch {
                throw CorpusError.malformed(path: path, reason: "line \(i + 1): \(JSONErrorText.describe(error))")
            }
        }
    }
}

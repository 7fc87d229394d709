import Base
import Corpus
import Foundation
import Numerics
import Transformer

/// Where pre-training bytes come from: domain streams under their natural mixture, or one file.
public struct PretrainingData: CustomStringConvertible, Sendable {
    let sampler: MixtureSampler
    let mixture: Mixture
    let validation: MixtureSampler
    public let description: String
    /// Identifies the bytes trained on (the corpus fingerprint, or the file's hash).
    public let fingerprint: String

    /// The natural mixture of `domains`: each in proportion to its training bytes.
    public init(store: CorpusStore, domains: [DomainName], length: Int) throws {
        let train = try domains.map { try store.stream($0, .train) }
        let valid = try domains.map { try store.stream($0, .valid) }
        sampler = try MixtureSampler(streams: train, sequenceLength: length)
        validation = try MixtureSampler(streams: valid, sequenceLength: length)
        mixture = try Mixture.normalized(store.trainingBytes(domains))
        description = "\(domains.count) domains (\(train.reduce(0) { $0 + $1.bytes.count } / 1000) KB, natural mixture)"
        fingerprint = store.manifest.fingerprint
    }

    /// One text file, its last 5% held out for validation.
    public init(file: String, length: Int) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw PretrainingError.unreadable(path: file)
        }
        let bytes = [UInt8](data)
        let cut = bytes.count * 95 / 100
        guard cut > length, bytes.count - cut > length else {
            throw PretrainingError.tooSmall(path: file, bytes: bytes.count, needed: length * 40)
        }
        let name = DomainName("source/\((file as NSString).lastPathComponent)")
        sampler = try MixtureSampler(streams: [DomainStream(domain: name, split: .train, documents: [Array(bytes[..<cut])])], sequenceLength: length)
        validation = try MixtureSampler(streams: [DomainStream(domain: name, split: .valid, documents: [Array(bytes[cut...])])], sequenceLength: length)
        mixture = try Mixture([1])
        description = "\(file) (\(bytes.count / 1000) KB)"
        fingerprint = StableHash.hex(of: bytes)
    }

    /// A training batch of `rows` sequences drawn with `rng`.
    public func batch(rows: Int, rng: RandomSource) throws -> TokenBatch {
        let s = try sampler.sample(mixture, sequences: rows, rng: rng)
        return TokenBatch(batchSize: rows, length: sampler.sequenceLength, tokens: s.tokens)
    }

    /// Fixed validation batches (the same every call).
    public func validationBatches(rows: Int, maxBatches: Int) throws -> [TokenBatch] {
        try (0..<maxBatches).map { i in
            let s = try validation.sample(mixture, sequences: rows, rng: RandomSource(seed: 0xBA5E, stream: UInt64(i)))
            return TokenBatch(batchSize: rows, length: validation.sequenceLength, tokens: s.tokens)
        }
    }
}

/// Pre-training inputs that cannot be used.
public enum PretrainingError: DataError, Equatable {
    case unreadable(path: String)
    case tooSmall(path: String, bytes: Int, needed: Int)
    case unknownSpace(path: String, space: String, known: [String])

    public var description: String {
        switch self {
        case let .unreadable(path): return "\(path): cannot read corpus file"
        case let .tooSmall(path, bytes, needed): return "\(path): \(bytes) bytes is too small to train on (need more than \(needed))"
        case let .unknownSpace(path, space, known): return "\(path): pretrain.space '\(space)' is not a space of the corpus (spaces: \(known.joined(separator: ", ")))"
        }
    }
}

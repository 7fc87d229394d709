import Base
import Foundation
import Kernels
import Numerics

/// A model (and optionally its optimizer state) on disk.
///
/// Binary format, little-endian:
///
///     magic    8 bytes  "DMACKPT\0"
///     version  UInt32   (1)
///     hlen     UInt32   length of the JSON header
///     header   hlen bytes: {"config", "metadata", "step", "parameterCount", "hasOptimizer"}
///     params   parameterCount × Float32
///     [m, v    2 × parameterCount × Float32   when hasOptimizer]
///     checksum UInt64   FNV-1a of every byte before it
///
/// Saving writes a temporary file in the same directory, fsyncs it and renames it over the target,
/// so a crash never leaves a half-written checkpoint under the real name.
public struct Checkpoint: Sendable {
    public static let magic: [UInt8] = Array("DMACKPT".utf8) + [0]
    public static let version: UInt32 = 1

    public struct Header: Codable, Equatable, Sendable {
        public var config: ModelConfig
        /// Free-form provenance: data fingerprint, environment, seed, command.
        public var metadata: [String: String]
        /// Optimizer steps taken when saved.
        public var step: Int
        public var parameterCount: Int
        public var hasOptimizer: Bool
    }

    public var header: Header
    public var parameters: [Float]
    public var optimizer: AdamWState?

    public init(config: ModelConfig, parameters: [Float], metadata: [String: String] = [:], step: Int = 0, optimizer: AdamWState? = nil) {
        header = Header(config: config, metadata: metadata, step: step, parameterCount: parameters.count, hasOptimizer: optimizer != nil)
        self.parameters = parameters
        self.optimizer = optimizer
    }

    /// Snapshot of a model (and its trainer's optimizer state when given).
    public init(model: GPT, trainer: Trainer? = nil, metadata: [String: String] = [:]) {
        self.init(config: model.config, parameters: model.parameterValues, metadata: metadata,
                  step: trainer?.step ?? 0, optimizer: trainer?.state)
    }

    /// The same model without the optimizer state: a third of the size, for bundling a base. Runs
    /// identify a base by `parameterHash`, which this keeps; only a pre-training resume needs the state.
    public func withoutOptimizer() -> Checkpoint {
        Checkpoint(config: config, parameters: parameters, metadata: metadata, step: header.step)
    }

    public var config: ModelConfig { header.config }
    public var metadata: [String: String] { header.metadata }

    /// A model holding these parameters.
    public func makeModel() throws -> GPT {
        try GPT(config: config, parameters: parameters)
    }

    /// FNV-1a of the parameter bytes (hex): identifies a base model in logs.
    public var parameterHash: String {
        parameters.withUnsafeBytes { StableHash.hex(of: $0) }
    }

    // MARK: - Encoding

    public func encoded() throws -> Data {
        var data = Data(Self.magic)
        append(&data, Self.version)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let header = try encoder.encode(self.header)
        append(&data, UInt32(header.count))
        data.append(header)
        parameters.withUnsafeBytes { data.append(contentsOf: $0) }
        if let optimizer {
            optimizer.m.withUnsafeBytes { data.append(contentsOf: $0) }
            optimizer.v.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        var h = StableHash()
        h.combine(bytes: data)
        append(&data, h.value)
        return data
    }

    private func append<T: FixedWidthInteger>(_ data: inout Data, _ x: T) {
        withUnsafeBytes(of: x.littleEndian) { data.append(contentsOf: $0) }
    }

    /// Writes atomically: temp file, fsync, rename.
    public func save(to path: String) throws {
        try AtomicFile.write(try encoded(), to: path)
    }

    // MARK: - Decoding

    /// Loads and validates; each failure names the file and what is wrong with it.
    public static func load(from path: String, expecting expected: ModelConfig? = nil) throws -> Checkpoint {
        guard FileManager.default.fileExists(atPath: path) else { throw CheckpointError.missing(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError.unreadable(path: path) }
        return try decode(data, path: path, expecting: expected)
    }

    public static func decode(_ data: Data, path: String, expecting expected: ModelConfig? = nil) throws -> Checkpoint {
        let bytes = [UInt8](data)
        guard bytes.count >= 16 else { throw CheckpointError.truncated(path: path, detail: "\(bytes.count) bytes is shorter than the file header") }
        guard Array(bytes[0..<8]) == magic else { throw CheckpointError.badMagic(path: path) }
        let version = readInt(bytes, 8, UInt32.self)
        guard version == Self.version else { throw CheckpointError.wrongVersion(path: path, found: Int(version), expected: Int(Self.version)) }
        let hlen = Int(readInt(bytes, 12, UInt32.self))
        guard 16 + hlen + 8 <= bytes.count else { throw CheckpointError.truncated(path: path, detail: "header of \(hlen) bytes runs past the end") }
        let stored = readInt(bytes, bytes.count - 8, UInt64.self)
        var h = StableHash()
        h.combine(bytes: bytes[0..<(bytes.count - 8)])
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(bytes[16..<(16 + hlen)])) } catch {
            throw h.value == stored ? CheckpointError.invalidHeader(path: path, detail: "\(error)") : CheckpointError.corrupted(path: path)
        }
        let n = header.parameterCount
        let expectedSize = 16 + hlen + 4 * n * (header.hasOptimizer ? 3 : 1) + 8
        guard bytes.count >= expectedSize else {
            throw CheckpointError.truncated(path: path, detail: "\(bytes.count) bytes, expected \(expectedSize)")
        }
        guard bytes.count == expectedSize else {
            throw CheckpointError.corrupted(path: path)
        }
        guard h.value == stored else { throw CheckpointError.corrupted(path: path) }
        do { try header.config.validate() } catch { throw CheckpointError.invalidHeader(path: path, detail: "\(error)") }
        guard ParameterLayout(header.config).count == n else {
            throw CheckpointError.invalidHeader(path: path, detail: "config \(header.config.name) needs \(ParameterLayout(header.config).count) parameters, file holds \(n)")
        }
        if let expected, expected != header.config {
            throw CheckpointError.configMismatch(path: path, found: header.config, expected: expected)
        }
        func floats(_ start: Int) -> [Float] {
            [Float](unsafeUninitializedCapacity: n) { buf, count in
                bytes.withUnsafeBytes { raw in
                    _ = memcpy(buf.baseAddress!, raw.baseAddress! + start, 4 * n)
                }
                count = n
            }
        }
        let paramStart = 16 + hlen
        var optimizer: AdamWState?
        if header.hasOptimizer {
            var s = AdamWState(count: 0)
            s.m = floats(paramStart + 4 * n)
            s.v = floats(paramStart + 8 * n)
            s.step = header.step
            optimizer = s
        }
        return Checkpoint(config: header.config, parameters: floats(paramStart), metadata: header.metadata, step: header.step, optimizer: optimizer)
    }

    private static func readInt<T: FixedWidthInteger>(_ bytes: [UInt8], _ at: Int, _: T.Type) -> T {
        var x: T = 0
        for i in 0..<MemoryLayout<T>.size { x |= T(bytes[at + i]) << (8 * i) }
        return x
    }
}

/// Why a checkpoint could not be loaded.
public enum CheckpointError: DataError, Equatable {
    case missing(path: String)
    case unreadable(path: String)
    case truncated(path: String, detail: String)
    case badMagic(path: String)
    case wrongVersion(path: String, found: Int, expected: Int)
    case corrupted(path: String)
    case invalidHeader(path: String, detail: String)
    case configMismatch(path: String, found: ModelConfig, expected: ModelConfig)

    public var description: String {
        switch self {
        case let .missing(path): return "\(path): checkpoint not found"
        case let .unreadable(path): return "\(path): cannot read checkpoint"
        case let .truncated(path, detail): return "\(path): checkpoint is truncated (\(detail)); it was not fully written or was cut short"
        case let .badMagic(path): return "\(path): not a dma checkpoint (bad magic bytes)"
        case let .wrongVersion(path, found, expected): return "\(path): checkpoint format version \(found), this dma reads version \(expected)"
        case let .corrupted(path): return "\(path): checkpoint is corrupted (checksum mismatch)"
        case let .invalidHeader(path, detail): return "\(path): checkpoint header is invalid: \(detail)"
        case let .configMismatch(path, found, expected): return "\(path): checkpoint is for model \(found), expected \(expected)"
        }
    }
}

import Foundation

/// A JSON file format that is read, decoded and then checked beyond what decoding checks.
///
/// Conform, implement ``validate()`` (throwing ``ContentProblem`` or any error that describes the
/// problem without the path) and load with ``load(from:)``: every failure comes back as one
/// ``DataFileError`` naming the file.
public protocol ValidatedJSON: Decodable {
    /// What the file holds, for messages ("environment", "corpus recipe").
    static var fileKind: String { get }
    /// Throws when the decoded value cannot be used.
    func validate() throws
    /// Decodes the file's bytes. The default is a plain `JSONDecoder`; formats with a format tag
    /// override it to check the tag and version first, so a wrong file gets a message about that
    /// rather than about a missing key.
    static func decode(_ data: Data) throws -> Self
    /// The value as read from the file at `path`, after validation. The default returns it
    /// unchanged; a format whose fields name other files overrides it to remember where its own
    /// file is, so those names need not depend on the working directory.
    func located(at path: String) -> Self
}

extension ValidatedJSON {
    public static func decode(_ data: Data) throws -> Self { try StrictJSON.decode(Self.self, from: data) }

    public func located(at path: String) -> Self { self }

    /// Reads, decodes and validates `path`; throws ``DataFileError`` naming the file and the problem.
    public static func load(from path: String) throws -> Self {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "file not found") }
        return try load(from: path, data: data)
    }

    /// Decodes and validates `data`, the bytes of the file at `path` that the caller has read already
    /// (to hash them, or to tell formats apart), so the file is read once; errors name `path`.
    public static func load(from path: String, data: Data) throws -> Self {
        let value: Self
        // Checked here, ahead of every format's `decode`, so no JSON file dma loads is read leniently.
        do { try StrictJSON.rejectTrailingCommas(data) } catch {
            throw DataFileError(path: path, problem: "not a valid \(fileKind): \(error)")
        }
        do { value = try decode(data) } catch let error as DecodingError {
            throw DataFileError(path: path, problem: "not a valid \(fileKind): \(JSONErrorText.describe(error))")
        } catch {
            throw DataFileError(path: path, problem: "\(error)")
        }
        do { try value.validate() } catch { throw DataFileError(path: path, problem: "\(error)") }
        return value.located(at: path)
    }
}

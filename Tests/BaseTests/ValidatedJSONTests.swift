import Base
import Foundation
import Testing

/// A small format: a positive count.
private struct Counter: Codable, ValidatedJSON {
    static let fileKind = "counter"
    var count: Int

    func validate() throws {
        guard count > 0 else { throw ContentProblem("count must be positive, is \(count)") }
    }
}

@Suite struct ValidatedJSONTests {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "dma-json-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func loadsAValidFile() throws {
        #expect(try Counter.load(from: try file(#"{"count": 3}"#)).count == 3)
    }

    @Test func everyFailureIsOneDataErrorNamingTheFile() throws {
        let cases: [(String?, String)] = [
            (nil, "file not found"),
            ("not json", "not a valid counter"),
            (#"{"count": "x"}"#, "wrong type at count"),
            (#"{}"#, "missing key 'count'"),
            (#"{"count": 0}"#, "count must be positive"),
        ]
        for (text, fragment) in cases {
            let path = try text.map(file) ?? "/nonexistent/counter.json"
            do { _ = try Counter.load(from: path); Issue.record("accepted \(text ?? "a missing file")") } catch let e as DataFileError {
                #expect(e.path == path && e.description.hasPrefix("\(path): ") && e.problem.contains(fragment), "\(e)")
                #expect(!e.description.contains("\n") && e.isDataError)
            }
        }
    }

    @Test func dataFileErrorNamesTheLine() {
        #expect(DataFileError(path: "a.jsonl", line: 3, problem: "torn").description == "a.jsonl:3: torn")
        #expect(DataFileError(path: "a.json", problem: "bad").description == "a.json: bad")
    }

    @Test func atomicWriteReplacesTheFileAndLeavesNoTemporary() throws {
        let dir = NSTemporaryDirectory() + "dma-atomic-\(UUID().uuidString)"
        let path = dir + "/sub/out.txt"
        try AtomicFile.write(Data("one".utf8), to: path)
        try AtomicFile.write(Data("two".utf8), to: path)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/sub") == ["out.txt"])
    }

    /// The old temporary name was `OUT.tmp-<pid>`: a symlink planted there redirected the write.
    @Test func atomicWriteDoesNotFollowAPlantedTemporary() throws {
        let dir = NSTemporaryDirectory() + "dma-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let victim = dir + "/victim.txt", path = dir + "/out.txt"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: "\(path).tmp-\(getpid())", withDestinationPath: victim)
        try AtomicFile.write(Data("new".utf8), to: path)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: victim)), as: UTF8.self) == "precious")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["out.txt", "out.txt.tmp-\(getpid())", "victim.txt"])
    }

    /// Foundation on Linux accepts `{"a": 1,}`; dma's readers must not.
    @Test func trailingCommasAreRefusedNamingTheFile() throws {
        for text in [#"{"count": 3,}"#, "{\"count\": 3 ,\n }", #"{"count": 3, "xs": [1, 2,]}"#] {
            let path = try file(text)
            do { _ = try Counter.load(from: path); Issue.record("accepted \(text)") } catch let e as DataFileError {
                #expect(e.description.hasPrefix("\(path): ") && e.problem.contains("trailing comma"), "\(e)")
            }
        }
        // Commas and brackets inside strings are text.
        try StrictJSON.rejectTrailingCommas(Data(#"{"a": ",]", "b": "\",}"}"#.utf8))
        #expect(throws: StrictJSON.TrailingComma(line: 2, column: 3)) { try StrictJSON.rejectTrailingCommas(Data("[1,\n 2,\n]".utf8)) }
    }
}

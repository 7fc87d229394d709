import Foundation
import Testing
@testable import Trajectories

struct Item: Codable, Equatable { var id: Int; var text: String }

@Suite struct AppendLogTests {
    func path() -> String { NSTemporaryDirectory() + "dma-log-\(UUID().uuidString)/log.jsonl" }

    @Test func roundTrip() throws {
        let log = AppendLog<Item>(path: path())
        #expect(try log.read().records.isEmpty)
        for i in 0..<5 { try log.append(Item(id: i, text: "line \(i)\nwith newline")) }
        let (records, tail) = try log.read()
        #expect(records == (0..<5).map { Item(id: $0, text: "line \($0)\nwith newline") })
        #expect(tail == .complete)
    }

    @Test func tornTailIsIgnoredThenCut() throws {
        let p = path()
        let log = AppendLog<Item>(path: p)
        try log.append(Item(id: 1, text: "a"))
        try log.append(Item(id: 2, text: "b"))
        // Simulate kill -9 in the middle of a write.
        let handle = FileHandle(forWritingAtPath: p)!
        handle.seekToEndOfFile()
        handle.write(Data("{\"id\":3,\"te".utf8))
        handle.closeFile()
        let (records, tail) = try log.read()
        #expect(records.map(\.id) == [1, 2])
        #expect(tail == .torn)
        try log.append(Item(id: 4, text: "d"))
        let after = try log.read()
        #expect(after.records.map(\.id) == [1, 2, 4])
        #expect(after.tail == .complete)
    }

    @Test func completeRecordWithoutNewlineIsKeptAndTerminatedOnAppend() throws {
        let p = path()
        let log = AppendLog<Item>(path: p)
        try log.append(Item(id: 1, text: "a"))
        // A whole record whose newline is missing (a file edited or concatenated by hand).
        let handle = FileHandle(forWritingAtPath: p)!
        handle.seekToEndOfFile()
        handle.write(Data("{\"id\":2,\"text\":\"b\"}".utf8))
        handle.closeFile()
        let (records, tail) = try log.read()
        #expect(records.map(\.id) == [1, 2])
        #expect(tail == .unterminated)
        try log.append(Item(id: 3, text: "c"))
        let after = try log.read()
        #expect(after.records.map(\.id) == [1, 2, 3] && after.tail == .complete)
        let text = try String(contentsOfFile: p, encoding: .utf8)
        #expect(text.hasSuffix("{\"id\":2,\"text\":\"b\"}\n{\"id\":3,\"text\":\"c\"}\n"))
    }

    @Test func malformedCompleteLineNamesFileAndLine() throws {
        let p = path()
        let log = AppendLog<Item>(path: p)
        try log.append(Item(id: 1, text: "a"))
        let handle = FileHandle(forWritingAtPath: p)!
        handle.seekToEndOfFile()
        handle.write(Data("{\"id\":\"x\"}\n".utf8))
        handle.closeFile()
        do { _ = try log.read(); Issue.record("accepted a malformed line") } catch {
            #expect("\(error)".contains("\(p):2"))
        }
    }
}

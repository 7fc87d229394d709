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
        let (records, torn) = try log.read()
        #expect(records == (0..<5).map { Item(id: $0, text: "line \($0)\nwith newline") })
        #expect(!torn)
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
        let (records, torn) = try log.read()
        #expect(records.map(\.id) == [1, 2])
        #expect(torn)
        try log.append(Item(id: 4, text: "d"))
        let after = try log.read()
        #expect(after.records.map(\.id) == [1, 2, 4])
        #expect(!after.tornTail)
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

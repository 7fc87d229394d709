import Base
import Foundation
import Testing

@Suite struct CSVTableTests {
    func parse(_ text: String) throws -> CSVTable { try CSVTable(parsing: text, path: "t.csv") }

    @Test func readsRFC4180Fields() throws {
        // Embedded comma, doubled quote, line break inside quotes, CRLF line ends, empty fields, no final newline.
        let t = try parse("a,b,c\r\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n,,\r\nlast,row,end")
        #expect(t.header == ["a", "b", "c"])
        #expect(t.rows == [["x,y", "say \"hi\"", "two\nlines"], ["", "", ""], ["last", "row", "end"]])
    }

    @Test func lfAndCRLFAndMissingFinalNewlineReadAlike() throws {
        let lf = try parse("a,b\n1,2\n3,4\n")
        #expect(try parse("a,b\r\n1,2\r\n3,4\r\n") == lf)
        #expect(try parse("a,b\n1,2\n3,4") == lf)
        #expect(try parse("a,b\n1,2\n3,4\n\n") == lf)
        #expect(lf.rows == [["1", "2"], ["3", "4"]])
    }

    @Test func writesQuotesOnlyWhereNeeded() throws {
        let t = CSVTable(header: ["name", "value"], rows: [["plain", "1.5"], ["a,b", "say \"hi\""], ["two\nlines", ""], ["cr\r", "x"]])
        #expect(try t.encoded() == "name,value\nplain,1.5\n\"a,b\",\"say \"\"hi\"\"\"\n\"two\nlines\",\n\"cr\r\",x\n")
    }

    @Test func writeThenReadGivesTheSameTable() throws {
        let t = CSVTable(header: ["id", "domain", "note", "empty"],
                         rows: [["1", "math/a,b", "quote \" inside", ""], ["2", "source/x", "line\nbreak and \r\n crlf", ""], ["3", "", ",", "\""]])
        let path = NSTemporaryDirectory() + "dma-csv-\(UUID().uuidString).csv"
        try t.write(to: path)
        #expect(try CSVTable.read(from: path) == t)
    }

    @Test func raggedRowIsAnErrorNamingFileAndRow() throws {
        do { _ = try parse("a,b,c\n1,2,3\n4,5\n"); Issue.record("accepted a ragged row") } catch let e as DataFileError {
            #expect(e.path == "t.csv" && e.line == 3 && e.description.contains("2 fields, the header has 3"), "\(e)")
        }
        // A quoted line break does not split the row; the row count is of records, not lines.
        do { _ = try parse("a,b\n\"x\ny\",1\n2\n"); Issue.record("accepted a ragged row") } catch let e as DataFileError {
            #expect(e.line == 3, "\(e)")
        }
    }

    @Test func emptyOrMissingFilesAreDataErrors() throws {
        #expect(throws: DataFileError.self) { try parse("") }
        #expect(throws: DataFileError.self) { try CSVTable.read(from: "/nonexistent/t.csv") }
    }
}

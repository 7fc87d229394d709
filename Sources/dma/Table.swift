/// A plain-text table for summaries: columns right-aligned except the first.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: [String]) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0.indices.contains(c) ? $0[c].count : 0 }.max() ?? 0 }
        // Numbers right-aligned, text left-aligned.
        let numeric = header.indices.map { c in
            rows.allSatisfy { r in !r.indices.contains(c) || Double(r[c].filter { !"%+×x,".contains($0) }) != nil }
        }
        func line(_ r: [String]) -> String {
            r.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: max(0, widths[c] - cell.count))
                return numeric[c] && c > 0 ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

func fmt(_ x: Double, _ digits: Int = 3) -> String {
    guard x.isFinite else { return "\(x)" }
    var s = String(Int((abs(x) * pow10(digits)).rounded()))
    while s.count <= digits { s = "0" + s }
    let cut = s.index(s.endIndex, offsetBy: -digits)
    let body = digits > 0 ? s[..<cut] + "." + s[cut...] : Substring(s)
    return (x < 0 && (abs(x) * pow10(digits)).rounded() != 0 ? "-" : "") + body
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { x, _ in x * 10 } }

func kb(_ bytes: Int) -> String { fmt(Double(bytes) / 1000, 1) }

import Foundation

/// A progress line with rate and ETA: rewritten in place on a terminal, printed every ~5% otherwise.
final class ProgressLine {
    let label: String
    let total: Int
    let unit: String
    private let start = Date()
    private var lastPrinted = -1
    private let interactive = isatty(2) != 0
    /// Work already done before this process started (a resumed job): shown in the count, left out
    /// of the rate, so the ETA is that of the work left.
    var resumedFrom = 0

    init(_ label: String, total: Int, unit: String = "it") {
        self.label = label
        self.total = max(1, total)
        self.unit = unit
    }

    var elapsed: Double { Date().timeIntervalSince(start) }

    /// Reports `done` of `total` (counting `resumedFrom`); `detail` is appended (e.g. the current loss).
    func update(_ done: Int, detail: String = "") {
        let elapsed = self.elapsed
        let rate = Double(max(done - resumedFrom, 0)) / max(elapsed, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let bucket = done * 20 / total
        guard interactive || bucket != lastPrinted || done == total else { return }
        lastPrinted = bucket
        let text = "\(label) \(done)/\(total) \(rateText(rate, unit: unit))  eta \(clock(eta))  \(detail)"
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text + (done == total ? "\n" : "")).utf8))
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    /// A one-off message on its own line.
    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// The rate in the unit that keeps digits: items per second at ≥ 1/s, else seconds per item, since a
/// job of 5-minute runs would otherwise read "0.0 traj/s".
func rateText(_ perSecond: Double, unit: String) -> String {
    guard perSecond > 0, perSecond.isFinite else { return "-- \(unit)/s" }
    return perSecond >= 1 ? "\(fmt(perSecond, 1)) \(unit)/s" : "\(fmt(1 / perSecond, 1)) s/\(unit)"
}

func clock(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "--:--" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
}

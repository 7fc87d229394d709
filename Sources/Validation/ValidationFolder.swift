import Base
import Foundation
import Trajectories

/// The files of a validation folder: `results.csv` and `summary.json` of its runs, and for a
/// merge the merged log. Everything is computed and encoded before the first file is written, so
/// a run that cannot be summarised or encoded leaves the folder as it was.
public enum ValidationFolder {
    /// Writes `folder/results.csv`, `folder/summary.json` and, when `log` is given, the runs as that
    /// JSON Lines log; each file atomically, and none unless all encoded.
    @discardableResult
    public static func write(_ records: [ValidationRun], folder: String, log: String? = nil) throws -> ValidationSummary {
        let summary = ValidationSummary(records)
        let csv = Data(try ResultsCSV.table(records).encoded().utf8)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(summary)
        var files = [("\(folder)/results.csv", csv), ("\(folder)/summary.json", json)]
        if let log {
            var data = Data()
            for r in records { data.append(try AppendLog<ValidationRun>.encodeLine(r)) }
            files.insert((log, data), at: 0)
        }
        for (path, data) in files { try AtomicFile.write(data, to: path) }
        return summary
    }

    /// `dma validate merge`: merges shard logs into `out`, with `results.csv` and `summary.json`
    /// beside it. Every input is read and checked, and every output encoded, before one is written;
    /// `notes` gets each input's tail notice.
    public static func merge(_ paths: [String], into out: String, notes: (String) -> Void) throws -> (runs: [ValidationRun], summary: ValidationSummary) {
        let runs = try ValidationLog.merge(paths, notes: notes)
        let folder = (out as NSString).deletingLastPathComponent
        return (runs, try write(runs, folder: folder.isEmpty ? "." : folder, log: out))
    }
}

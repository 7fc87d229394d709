import Base
import Foundation

extension FidelityReport {
    /// One row per signal (`dma surrogate report --csv`): its family, change and noise spread, the
    /// R² ceiling the noise allows, and the fitted R² and interval coverage. Numbers have six
    /// significant digits; a value that does not exist (no repeats, so no noise) is an empty field;
    /// `qualifies` is 1 or 0.
    public var signalTable: CSVTable {
        func number(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }
        let header = ["signal", "family", "change_sd", "noise_sd", "ceiling_r2", "qualifies", "r2_change", "ceiling_r2_later_steps",
                      "r2_change_later_steps", "r2_change_persistence", "r2_level", "r2_level_persistence", "coverage90"]
        let rows = signals.map { s in
            [s.name, s.family, number(s.changeSD), number(s.noiseSD), number(s.ceilingR2), s.qualifies ? "1" : "0",
             number(s.r2Change), number(s.ceilingR2LaterSteps), number(s.r2ChangeLaterSteps), number(s.r2ChangePersistence), number(s.r2Level),
             number(s.r2LevelPersistence), number(s.coverage90)]
        }
        return CSVTable(header: header, rows: rows)
    }
}

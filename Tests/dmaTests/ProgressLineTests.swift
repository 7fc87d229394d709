@testable import dma
import Testing

/// Progress lines keep digits for slow and fast jobs alike.
@Suite struct ProgressLineTests {
    @Test func slowJobsShowSecondsPerItem() {
        #expect(rateText(1.0 / 330, unit: "traj") == "330.0 s/traj")
        #expect(rateText(22.5, unit: "upd") == "22.5 upd/s")
        #expect(rateText(1, unit: "run") == "1.0 run/s")
        #expect(rateText(0, unit: "run") == "-- run/s")
    }

    @Test func clockSwitchesToHoursPastOneHour() {
        #expect(clock(59) == "0:59")
        #expect(clock(3_725) == "1:02:05")
        #expect(clock(.infinity) == "--:--")
    }
}

import Analysis
import DMATestSupport
import Testing

@Suite struct DomainEffectsTests {
    static let effects = try! DomainEffects.estimate(AnalysisFixture.trajectories)

    func effect(_ signal: String, _ domain: String) throws -> DomainEffects.Effect {
        try #require(Self.effects.first { $0.signal == signal && $0.domain == domain })
    }

    /// The synthetic dynamics: Δ bpb/source/b = 0.25 − 0.70·w_b = Σ_d (0.25 − 0.70·[d = b])·w_d
    /// (the weights sum to 1), and Δ bpb/source/a = 0.30 − 0.80·w_a − 0.20·(level above base).
    @Test func recoversKnownCoefficientsWithinTheirIntervals() throws {
        for (signal, truth) in [("bpb/source/b", [0.25, -0.45, 0.25, 0.25]), ("bpb/source/a", [-0.5, 0.3, 0.3, 0.3])] {
            for (d, domain) in ["source/a", "source/b", "math/add-sub", "math/compare-sort"].enumerated() {
                let e = try effect(signal, domain)
                // Within 4 standard errors, and close in absolute terms (a misspecified model, e.g.
                // without the level control, is off by ~0.05 with similar standard errors).
                #expect(abs(e.effect - truth[d]) < min(4 * e.standardError + 1e-3, 0.015), "\(signal) ← \(domain): \(e.effect) vs \(truth[d]) (se \(e.standardError))")
                #expect(e.low < e.effect && e.effect < e.high)
                #expect(e.standardError < 0.02)
            }
        }
        // Lower bits per byte is better: training on b helps b, training on a helps a.
        #expect(try effect("bpb/source/b", "source/b").reading == "helps")
        #expect(try effect("bpb/source/a", "source/a").reading == "helps")
        #expect(try effect("bpb/source/b", "math/add-sub").reading == "hurts")
    }

    @Test func constantSignalsAreSkipped() {
        #expect(!Self.effects.contains { $0.signal == "em/math/add-sub" })
        #expect(Self.effects.contains { $0.signal == "cloze/acc" })
    }
}

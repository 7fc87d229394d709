import Analysis
import DMATestSupport
import Testing
import Trajectories

@Suite struct SensitivityTests {
    static let effects: [Sensitivity.Effect] = {
        let states = try! StateSample.logged(AnalysisFixture.trajectories, count: 10, seed: 1)
        return try! Sensitivity.run(AnalysisFixture.studied, states: states)
    }()

    func effect(_ feature: String, _ output: String) throws -> Sensitivity.Effect {
        try #require(Self.effects.first { $0.feature == feature && $0.output == output }, "\(feature) → \(output)")
    }

    @Test func recoversTheKnownFeedbackResponse() throws {
        let a = try effect("bpb:source/a", "source/a")
        #expect(abs(a.meanChange - 0.002) < 1e-9)
        #expect(a.sdChange < 1e-9)
        #expect(a.group == "forgetting")
        #expect(abs(try effect("bpb:source/a", "source/b").meanChange + 0.002) < 1e-9)
        #expect(abs(try effect("bpb:source/a", "source_share").meanChange) < 1e-9)
        // The policy ignores b's feedback and the target's, and reads levels, not last changes.
        #expect(abs(try effect("bpb:source/b", "source/b").meanChange) < 1e-12)
        #expect(try effect("bpb:math/add-sub", "math/add-sub").group == "target_feedback")
        let change = try effect("bpb_change:source/a", "source/a")
        #expect(abs(change.meanChange) < 1e-12)
        #expect(change.states == 10 * 3, "last-change probes need two steps of history (steps 2…4 of 5)")
    }

    @Test func recoversProgressAndScoreWeightResponses() throws {
        let p = try effect("progress", "math/add-sub")
        #expect(abs(p.meanChange - 0.01) < 1e-9, "per +0.1 of t/T")
        #expect(abs(try effect("progress", "math/compare-sort").meanChange + 0.01) < 1e-9)
        #expect(abs(try effect("progress", "source/a").meanChange) < 1e-12)
        let w0 = AnalysisFixture.layout.scoreWeights![0]
        let s = try effect("score_weight:source/a", "source/a")
        #expect(abs(s.meanChange - 0.05 * (1 - w0)) < 1e-9)
        #expect(s.group == "score_weight")
        #expect(abs(try effect("score_weight:source/b", "source/a").meanChange + 0.05 * (1 - (1 - w0))) < 1e-9)
    }

    @Test func groupsAreTheQuestionsAsked() throws {
        #expect(Set(Self.effects.map(\.group)) == ["forgetting", "target_feedback", "last_change", "progress", "score_weight"])
        let summary = Sensitivity.summary(Self.effects)
        let forgetting = try #require(summary.first { $0.group == "forgetting" })
        #expect(forgetting.features == 2)
        #expect(forgetting.largestOwnWeightFeature == "bpb:source/a")
        #expect(abs(forgetting.largestOwnWeightChange - 0.002) < 1e-9)
        let weights = try #require(summary.first { $0.group == "score_weight" })
        #expect(weights.largestOwnWeightFeature == "score_weight:source/b", "moving weight onto b takes 0.05·w_a from a, more than onto a gives it")
    }
}

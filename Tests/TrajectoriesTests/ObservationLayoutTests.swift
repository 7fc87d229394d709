import Corpus
import DMATestSupport
@testable import Evaluation
import Testing
@testable import Trajectories

/// The observation contract: named columns, the before-the-first-step rule, and domain tokens whose
/// meaning does not depend on the order or number of domains.
@Suite struct ObservationLayoutTests {
    let domains: [DomainName] = ["source/a", "source/b", "math/add-sub", "math/compare-sort"]
    let names = ["bpb/source/a", "bpb/source/b", "cloze/acc", "bpb/math/add-sub", "em/math/add-sub", "bpb/math/compare-sort", "em/math/compare-sort"]

    func score(_ domains: [DomainName]) throws -> ScoreFormula {
        let env = try fixtureEnvironment(corpus: "unused")
        return try ScoreFormula(env: env, feedbackNames: names)
    }

    func state(_ space: DomainSpace, round: Int, mixtures: [[Double]], feedback: [[Double]], names: [String]) throws -> PolicyState {
        let fb = feedback.map { Feedback(names: names, values: $0) }
        let scores = fb.map { _ in BalancedScore(balanced: 0.5, retention: 1, gain: 0) }
        return PolicyState(space: space, round: round, rounds: 4, mixtures: try mixtures.map { try Mixture($0) }, feedback: fb, scores: scores)
    }

    @Test func flatColumnsAndTheFirstStep() throws {
        let layout = ObservationLayout(domains: domains, feedbackNames: names)
        #expect(layout.columns.count == layout.width)
        #expect(layout.columns == names + domains.map { "mix/\($0.rawValue)" } + ["progress"])
        let space = try DomainSpace(name: "s", domains: domains)
        let base = [2.5, 2.6, 0.5, 6.0, 0, 6.5, 0]
        let s0 = try state(space, round: 0, mixtures: [], feedback: [base], names: names)
        #expect(layout.vector(s0) == base + [0, 0, 0, 0] + [0])
        let after = [2.6, 2.7, 0.5, 5.0, 0.1, 6.0, 0.2]
        let s1 = try state(space, round: 1, mixtures: [[0.1, 0.2, 0.3, 0.4]], feedback: [base, after], names: names)
        #expect(layout.vector(s1) == after + [0.1, 0.2, 0.3, 0.4] + [0.25])
    }

    @Test func scoreWeightsAreNormalisedWithinEachField() throws {
        let layout = ObservationLayout(domains: domains, feedbackNames: names, score: try score(domains))
        // The fixture weighs source/a 3 and source/b 1 (default); target domains count equally.
        let w = try #require(layout.scoreWeights)
        #expect(abs(w[0] - 0.75) < 1e-12 && abs(w[1] - 0.25) < 1e-12)
        #expect(w[2] == 0.5 && w[3] == 0.5)
    }

    @Test func tokensAreRelativeToTheBaseAndFollowTheirDomain() throws {
        let layout = ObservationLayout(domains: domains, feedbackNames: names, score: try score(domains), window: 2)
        let space = try DomainSpace(name: "s", domains: domains)
        let base = [2.5, 2.6, 0.5, 6.0, 0, 6.5, 0]
        let f1 = [2.6, 2.6, 0.5, 5.4, 0.1, 6.5, 0]
        let f2 = [3.0, 2.6, 0.5, 4.8, 0.3, 6.5, 0]
        let s = try state(space, round: 2, mixtures: [[0.1, 0.2, 0.3, 0.4], [0.4, 0.1, 0.1, 0.4]], feedback: [base, f1, f2], names: names)
        let tokens = layout.tokens(s)
        let width = layout.tokenColumns.count
        #expect(tokens.count == domains.count * width)
        func row(_ d: Int) -> [String: Double] { Dictionary(uniqueKeysWithValues: zip(layout.tokenColumns, tokens[(d * width)..<((d + 1) * width)])) }
        let a = row(0), m = row(2)
        #expect(a["is_source"] == 1 && m["is_source"] == 0)
        #expect(abs(a["weight_x_domains@0"]! - 1.6) < 1e-12 && abs(a["weight_x_domains@1"]! - 0.4) < 1e-12)
        #expect(abs(a["feedback_bpb@0"]! - 2.5 / 3.0) < 1e-12)                  // source: base / now
        #expect(abs(a["feedback_bpb_change"]! - (2.5 / 3.0 - 2.5 / 2.6)) < 1e-12)
        #expect(abs(m["feedback_bpb@0"]! - (6.0 - 4.8) / 6.0) < 1e-12)            // target: relative gain
        #expect(abs(m["feedback_em@0"]! - 0.3) < 1e-12 && abs(m["feedback_em_change"]! - 0.2) < 1e-12)

        // The same state with the domains listed in another order gives the same token per domain.
        let order = [3, 1, 0, 2]
        let permuted = order.map { domains[$0] }
        let layout2 = ObservationLayout(domains: permuted, feedbackNames: names, score: try score(permuted), window: 2)
        let space2 = try DomainSpace(name: "s", domains: permuted)
        let s2 = try state(space2, round: 2, mixtures: s.mixtures.map { m in order.map { m.weights[$0] } }, feedback: [base, f1, f2], names: names)
        let tokens2 = layout2.tokens(s2)
        for (k, d) in order.enumerated() {
            #expect(Array(tokens2[(k * width)..<((k + 1) * width)]) == Array(tokens[(d * width)..<((d + 1) * width)]))
        }
        #expect(layout.globals(s) == layout2.globals(s2))
        #expect(layout.globals(s).count == layout.globalColumns.count)
    }

    @Test func theExportUsesTheLayout() {
        let t = sampleTrajectory(id: 7)
        let header = TransitionExport.header(t.header)
        let layout = ObservationLayout(domains: t.header.domains, feedbackNames: t.header.feedbackNames)
        #expect(Array(header[2..<(2 + layout.width)]) == layout.columns.map { "obs:\($0)" })
        let rows = TransitionExport.rows(t)
        #expect(rows[0][2..<(2 + layout.width)].map { Double($0)! } == layout.vector(t, before: 0))
        #expect(rows[0][2 + layout.width + 2] != "")
    }
}

@Suite struct ObservationLayoutWeightTests {
    @Test func explicitScoreWeightsAreNormalisedPerField() {
        let layout = ObservationLayout(domains: ["source/x", "source/y", "code/z"], feedbackNames: ["bpb/source/x"], scoreWeights: [6, 2, 5])
        #expect(layout.scoreWeights == [0.75, 0.25, 1])
    }
}

@Suite struct LoggedStateTests {
    /// A logged trajectory seen step by step is the state a live run's policy saw: both encodings agree.
    @Test func theStateBeforeEachLoggedStepEncodesLikeTheLog() throws {
        let t = sampleTrajectory(id: 3)
        let layout = ObservationLayout(domains: t.header.domains, feedbackNames: t.header.feedbackNames, scoreWeights: [1, 1])
        for k in 0...t.steps.count {
            let state = try PolicyState(t, before: k)
            #expect(state.round == k && state.feedback.count == k + 1 && state.mixtures.count == k)
            #expect(layout.vector(state) == layout.vector(t, before: k))
        }
        let last = try PolicyState(t, before: t.steps.count)
        #expect(last.scores.last?.balanced == t.finalBalanced)
        #expect(layout.tokens(last).count == 2 * layout.tokenColumns.count)
    }
}

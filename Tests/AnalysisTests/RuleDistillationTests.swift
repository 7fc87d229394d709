import Analysis
import Corpus
import DMATestSupport
import Evaluation
import Testing
import Trajectories

@Suite struct RuleDistillationTests {
    static let states = try! StateSample.logged(AnalysisFixture.trajectories, count: 20, seed: 2)
    static let rule: DistilledRule = {
        let studied = AnalysisFixture.studied
        return try! RuleDistillation.fit(try! studied.policy(), features: RuleFeatures(layout: studied.layout), states: states, floor: 0.02)
    }()

    @Test func theRuleFollowsTheKnownPolicy() throws {
        let rule = Self.rule
        #expect(rule.formulas.count == 4)
        #expect(rule.formulas.allSatisfy { $0.terms.count <= 3 })
        // w_add-sub = 0.25 + 0.1·progress exactly: one term, R² = 1.
        let add = rule.formulas[2]
        #expect(add.terms.map(\.feature) == ["progress"])
        #expect(abs(add.terms[0].coefficient - 0.1) < 1e-9)
        #expect(abs(add.intercept - 0.25) < 1e-9)
        // w_a is linear in now/base; the rule sees base/now (feedback_bpb@0), close to linear here.
        let a = rule.formulas[0]
        #expect(a.terms.first?.feature == "source/a feedback_bpb@0")
        #expect((a.r2 ?? 0) > 0.95)
    }

    @Test func theRuleAsAPolicyGivesValidMixtures() throws {
        let rule = Self.rule
        for m in try rule.nextMixtures(Self.states) {
            #expect(abs(m.weights.reduce(0, +) - 1) < 1e-9)
            #expect(m.weights.allSatisfy { $0 >= 0.02 - 1e-12 })
        }
        // Formulas that predict negative or huge weights still give valid mixtures.
        let features = RuleFeatures(layout: AnalysisFixture.layout)
        let wild = DistilledRule(name: "wild", features: features, formulas: (0..<4).map { d in
            DistilledRule.Formula(output: "d\(d)", intercept: d == 0 ? -5 : 3, terms: [("progress", d == 1 ? -100 : 40)], r2: nil)
        }, floor: 0.05)
        let allNegative = DistilledRule(name: "negative", features: features, formulas: (0..<4).map {
            DistilledRule.Formula(output: "d\($0)", intercept: -1, terms: [], r2: nil)
        }, floor: 0.05)
        for m in try wild.nextMixtures(Self.states) + allNegative.nextMixtures(Self.states) {
            #expect(abs(m.weights.reduce(0, +) - 1) < 1e-9)
            #expect(m.weights.allSatisfy { $0 >= 0.05 - 1e-12 })
        }
        #expect(try allNegative.nextMixture(Self.states[0]).weights.allSatisfy { abs($0 - 0.25) < 1e-12 })
    }

    @Test func theRuleRunsThroughTheSurrogate() throws {
        let sims = AnalysisFixture.output.simulations
        #expect(sims.map(\.policy) == ["agent", "distilled rule"])
        #expect(sims.allSatisfy { $0.episodes == 20 && $0.meanFinalBalanced.isFinite })
        // A near-exact distillation scores like the policy it distils.
        #expect(abs(sims[0].meanFinalBalanced - sims[1].meanFinalBalanced) < 0.01)
    }
}

import Baselines
import Corpus
import Testing

@Suite struct PolicySpecTests {
    /// Every case, written as logs and committed files write it.
    static let written: [(String, PolicySpec)] = [
        ("uniform", .uniform), ("ratio:0.7", .ratio(0.7)), ("ratio:0.0", .ratio(0)), ("source-only", .sourceOnly), ("target-only", .targetOnly),
        ("mixture:0.02313/0.653/1.0", .mixture([0.02313, 0.653, 1])), ("random", .random), ("natural", .natural),
        ("score-weighted:0.4", .scoreWeighted(0.4)), ("regmix", .regmix), ("surrogate-search", .surrogateSearch), ("doremi", .doremi),
        ("bandit", .bandit), ("best-logged", .bestLogged), ("best-fixed-under-surrogate", .bestFixedUnderSurrogate),
        ("agent:datasets/policies/math-cpt-proxy.policy.json", .agent(path: "datasets/policies/math-cpt-proxy.policy.json")),
    ]

    @Test func everyCaseParsesAndPrintsBackExactly() throws {
        for (text, spec) in Self.written {
            #expect(try PolicySpec(parsing: text) == spec, "\(text)")
            #expect(spec.description == text)
        }
        // The validation's grid writes `ratio:\(r)` for r in 0.1…0.9: those strings come back unchanged.
        for r in (1...9).map({ Double($0) / 10 }) { #expect(try PolicySpec(parsing: "ratio:\(r)").description == "ratio:\(r)") }
    }

    /// The messages `checkName` and the builders gave before the spec was typed.
    @Test func malformedSpecsGiveTheirEarlierErrors() {
        let cases: [(String, String)] = [
            ("ratio:abc", "ratio:R needs a source share 0 ≤ R ≤ 1, got 'abc'"),
            ("ratio:1.5", "ratio:R needs a source share 0 ≤ R ≤ 1, got '1.5'"),
            ("score-weighted:", "score-weighted:R needs a source share 0 ≤ R ≤ 1, got ''"),
            ("score-weighted:-0.1", "score-weighted:R needs a source share 0 ≤ R ≤ 1, got '-0.1'"),
            ("nosuch", "unknown policy (known: \(PolicySpec.help))"),
            ("best-fixed", "unknown policy (known: \(PolicySpec.help))"),
            ("mixture:a/b", "mixture: needs numbers separated by '/', got 'a/b'"),
        ]
        for (text, reason) in cases {
            do {
                _ = try PolicySpec(parsing: text)
                Issue.record("\(text) parsed")
            } catch let e as PolicySpecError {
                #expect(e == PolicySpecError(spec: text, reason: reason))
                #expect(e.description == "--policy '\(text)': \(reason)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func aMixtureOfTheWrongLengthIsRejectedWhenBuilt() throws {
        let space = try DomainSpace(name: "s", domains: ["source/a", "math/b"])
        #expect(throws: PolicySpecError(spec: "mixture:1.0/2.0/3.0", reason: "mixture: needs 2 numbers separated by '/', got '1.0/2.0/3.0'")) {
            try NamedPolicy.make(try PolicySpec(parsing: "mixture:1/2/3"), space: space, rounds: 1, environment: nil, seed: 0)
        }
    }

    @Test func questionsAboutASpecAreFields() throws {
        #expect(PolicySpec.agent(path: "a.json").isAgent && PolicySpec.agent(path: "a.json").agentPath == "a.json")
        #expect(!PolicySpec.ratio(0.7).isAgent && PolicySpec.ratio(0.7).ratioShare == 0.7 && PolicySpec.scoreWeighted(0.7).ratioShare == nil)
        #expect([PolicySpec.uniform, .ratio(0.2), .sourceOnly, .targetOnly, .mixture([1, 2])].allSatisfy { $0.isFixedMixture })
        #expect(![PolicySpec.scoreWeighted(0.2), .natural, .regmix, .agent(path: "a")].contains { $0.isFixedMixture })
        #expect(PolicySpec.regmix.usesLoggedRuns && !PolicySpec.bandit.usesLoggedRuns)
        #expect(PolicySpec.scoreWeighted(0.3).name == "score-weighted" && PolicySpec.bestLogged.name == "best-logged")
    }
}

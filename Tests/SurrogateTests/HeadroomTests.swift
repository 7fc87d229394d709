import DMATestSupport
import Corpus
import Evaluation
import Foundation
import Numerics
@testable import Surrogate
import Testing
import Trajectories

@Suite struct HeadroomTests {
    func check(schedules: Int = 12) throws -> EnvironmentCheck {
        var settings = EnvironmentCheck.Settings()
        settings.randomSchedules = schedules
        settings.startConcentrations = [4, 8]
        settings.kappa = 20
        return try EnvironmentCheck(env: Synthetic.environment(), settings: settings, prior: [1, 1, 1, 1])
    }

    func rollout(_ policy: MixturePolicy, _ model: SurrogateModel = sharedModel) throws -> PolicyRollout.Episode {
        try PolicyRollout.run(model, episodes: 1, seed: 1) { _ in policy }[0]
    }

    @Test func replicateZeroIsTheChecksOwnSchedulesAgainstTheBestRatioInSupport() throws {
        let check = try check()
        let result = try HeadroomEstimate.estimate(model: sharedModel, check: check, replicates: 2)
        for (k, r) in check.settings.ratios.enumerated() {
            let e = try rollout(check.policy(for: .init(kind: .fixed, share: r, seed: 1)))
            #expect(result.ratioScores[k] == e.finalBalanced)
            #expect(result.ratioOutOfSupport[k] == (e.outOfSupportSteps > 0))
        }
        // Source-only and target-only give some domain weight 0, which no synthetic run did.
        #expect(result.ratioOutOfSupport.first == true && result.ratioOutOfSupport.last == true)
        #expect(!result.ratioOutOfSupport[result.bestRatioIndex])
        let inSupport = result.ratios.indices.filter { !result.ratioOutOfSupport[$0] }.map { result.ratioScores[$0] }
        #expect(result.bestRatioScore == inSupport.max())
        let own = try (1...12).map { try rollout(check.policy(for: .init(kind: .random, schedule: UInt64($0), seed: 1))).finalBalanced }
        #expect(result.bestWalkScores[0] == own.max())
        #expect(result.margins[0] == own.max()! - result.bestRatioScore)
        #expect(result.margins.count == 2 && result.margins[1] != result.margins[0])
        // A check starting at the next batch's first id runs exactly replicate 1's schedules.
        var later = check.settings
        later.firstSchedule = 13
        let next = try HeadroomEstimate.estimate(model: sharedModel, check: EnvironmentCheck(env: check.env, settings: later, prior: check.prior),
                                                 replicates: 1)
        #expect(next.bestWalkScores[0] == result.bestWalkScores[1])
    }

    @Test func reweightingTheSourceBenchmarkRescoresTheSameSignals() throws {
        let check = try check()
        // Known dynamics: feeding source/a slows its forgetting (Δ = 0.30 − 0.80·w_a − …); a score that
        // weighs only source/a rewards walks that happen to feed it more than a uniform split does.
        let onlyA = try HeadroomEstimate.estimate(model: sharedModel, check: check, replicates: 4, sourceWeights: ["source/a": 1, "source/b": 0])
        var model = sharedModel
        model.score.retentionWeights = [1, 0]
        let mid = try check.policy(for: .init(kind: .fixed, share: 0.5, seed: 1))
        #expect(onlyA.ratioScores[3] == (try rollout(mid, model)).finalBalanced)
        let plain = try HeadroomEstimate.estimate(model: sharedModel, check: check, replicates: 4)
        #expect(plain.ratioScores[3] != onlyA.ratioScores[3])
        #expect(Statistics.quantile(onlyA.margins, 0.5) > 0)
    }

    @Test func badRequestsAreClearErrors() throws {
        let check = try check()
        #expect(throws: SurrogateError.self) { try HeadroomEstimate.estimate(model: sharedModel, check: check, replicates: 1, sourceWeights: ["source/zzz": 1]) }
        #expect(throws: SurrogateError.self) { try HeadroomEstimate.estimate(model: sharedModel, check: check, replicates: 1, sourceWeights: ["source/a": -1]) }
        #expect(throws: SurrogateError.self) { try HeadroomEstimate.estimate(model: sharedModel, check: check, replicates: 0) }
        var other = sharedModel
        other.domains.swapAt(0, 1)
        #expect(throws: SurrogateError.self) { try HeadroomEstimate.estimate(model: other, check: check, replicates: 1) }
    }
}

@testable import Baselines
import Corpus
import Evaluation
import Foundation
import Testing
import Trajectories

@Suite struct OnlineBaselinesTests {
    let space = Fixture.space
    let base = [2.5, 2.6, 6.0, 6.5]

    @Test func doremiUpWeightsTheSourceDomainForgottenMost() throws {
        // Targets sit at their references; source/a forgot 10 %, source/b 2 %.
        let policy = DoReMiPolicy(space: space, targetReferences: [nil, nil, 5.0, 5.5], floor: 0)
        #expect(try policy.weights(Fixture.state([base])) == [0.25, 0.25, 0.25, 0.25])
        let w = try policy.weights(Fixture.state([base, [2.75, 2.652, 5.0, 5.5]]))
        #expect(w[0] > w[1] && w[1] > w[2] && abs(w[2] - w[3]) < 1e-15)
        #expect(abs(w.reduce(0, +) - 1) < 1e-12)
        // The step is the paper's: α ∝ exp(η·λ) from uniform, then smoothing c.
        let raw = [0.1, 0.02, 0, 0].map { exp($0) }, total = raw.reduce(0, +)
        let expected = raw.map { (1 - DoReMiPolicy.smoothing) * $0 / total + DoReMiPolicy.smoothing / 4 }
        for d in 0..<4 { #expect(abs(w[d] - expected[d]) < 1e-9) }
        // A target still far above its reference pulls weight too.
        let behind = try policy.weights(Fixture.state([base, [2.5, 2.6, 7.5, 5.5]]))
        #expect(behind[2] == behind.max()!)
    }

    @Test func doremiTakesTargetReferencesFromTheBestLoggedFinals() throws {
        let refs = try DomainLosses.bestLoggedTargets(space, trajectories: Fixture.trajectories, policy: "doremi")
        #expect(refs[0] == nil && refs[1] == nil)
        #expect(refs[2] == Fixture.trajectories.map { $0.steps.last!.feedback[3] }.min())
        #expect(refs[3] == Fixture.trajectories.map { $0.steps.last!.feedback[5] }.min())
    }

    /// An arm that improves every round (math/add-sub's answer bits per byte drop 3 % a round, the
    /// rest stay put) gains weight, and the run is the same for the same seed.
    @Test func banditMovesTowardTheArmThatKeepsImproving() throws {
        var losses = [base]
        for _ in 0..<30 { var l = losses.last!; l[2] *= 0.97; losses.append(l) }
        let policy = BanditPolicy(space: space, rounds: 30, floor: 0, seed: 7)
        let gamma: Double = (4 * log(4.0) / ((exp(1.0) - 1) * 120)).squareRoot()
        #expect(abs(policy.gamma - gamma) < 1e-12)
        let p0 = try policy.distribution(Fixture.state([base]))
        #expect(p0 == [0.25, 0.25, 0.25, 0.25])
        var previous = p0[2]
        for r in 1...30 {
            let p = try policy.distribution(Fixture.state(Array(losses.prefix(r + 1))))
            #expect(p[2] >= previous - 1e-15, "round \(r): the improving arm lost weight")
            previous = p[2]
        }
        let last = try policy.distribution(Fixture.state(losses))
        #expect(last[2] == last.max()! && last[2] > 0.5)
        // Not degenerate at the real setting's size (17 domains, 10 rounds): γ < 1.
        #expect(BanditPolicy.exploration(arms: 17, rounds: 10) < 0.5)
        let twin = BanditPolicy(space: space, rounds: 30, floor: 0, seed: 7)
        #expect(try twin.distribution(Fixture.state(losses)) == last)
    }

    @Test func banditRewardsAreScaledIntoTheUnitInterval() throws {
        let policy = BanditPolicy(space: space, rounds: 10, floor: 0, seed: 1)
        let f = Fixture.state([base, [2.6, 2.5, 5.0, 6.5], [2.5, 2.6, 5.5, 6.0]])
        let x = try policy.rewards(previous: f.feedback[1], now: f.feedback[2], base: f.feedback[0])
        #expect(x.allSatisfy { (0...1).contains($0) } && x.min() == 0 && x.max() == 1)
        // math/compare-sort's answer loss fell 0.5/6.5 ≈ 7.7 %, the most; source/a's forgetting fell by
        // 0.1/2.5 = 4 % of its base; math/add-sub's loss rose 10 %, the least.
        #expect(x[3] == 1 && x[2] == 0 && x[0] > x[1] && x[0] < 1)
    }
}

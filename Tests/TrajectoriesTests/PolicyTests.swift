import Foundation
import Testing
import Corpus
import Evaluation
@testable import Trajectories

@Suite struct PolicyTests {
    func state(_ space: DomainSpace, mixtures: [Mixture]) -> PolicyState {
        PolicyState(space: space, round: mixtures.count, rounds: 10, mixtures: mixtures, feedback: [], scores: [])
    }

    @Test func dirichletWalkIsSeededAndValid() throws {
        let space = try DomainSpace(name: "s", domains: ["source/a", "source/b", "math/c", "math/d"])
        func walk(_ seed: UInt64) throws -> [Mixture] {
            let w = DirichletWalk(prior: [1, 1, 1, 1], startConcentration: 4, kappa: 20, floor: 0.05, seed: seed)
            var ms: [Mixture] = []
            for _ in 0..<10 { ms.append(try w.nextMixture(state(space, mixtures: ms))) }
            return ms
        }
        let a = try walk(3), b = try walk(3), c = try walk(4)
        #expect(a == b)
        #expect(a != c)
        for m in a { #expect(abs(m.weights.reduce(0, +) - 1) < 1e-9 && m.weights.allSatisfy { $0 >= 0 }) }
    }

    @Test func walkStepSizeShrinksWithKappa() throws {
        let space = try DomainSpace(name: "s", domains: ["source/a", "source/b", "math/c", "math/d"])
        func meanStep(_ kappa: Double) throws -> Double {
            var total = 0.0
            for seed in 1...40 {
                let w = DirichletWalk(prior: [1, 1, 1, 1], startConcentration: 4, kappa: kappa, floor: 0.01, seed: UInt64(seed))
                let m0 = try w.nextMixture(state(space, mixtures: []))
                let m1 = try w.nextMixture(state(space, mixtures: [m0]))
                total += zip(m0.weights, m1.weights).map { abs($0 - $1) }.reduce(0, +)
            }
            return total / 40
        }
        #expect(try meanStep(200) < meanStep(5))
    }

    @Test func schedulePolicyRepeatsLastMixture() throws {
        let space = try DomainSpace(name: "s", domains: ["source/a", "math/b"])
        let p = SchedulePolicy(name: "x", schedule: [try Mixture([1, 0]), try Mixture([0.2, 0.8])])
        #expect(try p.nextMixture(state(space, mixtures: [])).weights == [1, 0])
        #expect(try p.nextMixture(state(space, mixtures: [try Mixture([1, 0]), try Mixture([1, 0]), try Mixture([1, 0])])).weights == [0.2, 0.8])
    }
}

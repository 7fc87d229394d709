import Foundation
import Numerics
@testable import Agent

/// Small networks so the suite stays fast in debug builds.
let smallNetwork = NetworkConfig(tokenHidden: [16, 16], globalHidden: 8, headHidden: [16])
/// The learning tests' networks: wide enough that one-hot tokens do not die in φ's ReLUs.
let learningNetwork = NetworkConfig(tokenHidden: [32, 32], globalHidden: 16, headHidden: [32])

/// One OpenBLAS thread: tests run concurrently, and spinning BLAS threads would oversubscribe the cores.
func singleThreaded() { NumericsRuntime.setThreads(1) }

/// One-hot domain identity tokens (D × D): the only thing that tells domains apart.
func identityTokens(_ D: Int) -> [Float] {
    var t = [Float](repeating: 0, count: D * D)
    for d in 0..<D { t[d * D + d] = 1 }
    return t
}

func l1(_ a: [Float], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + abs(Double($1.0) - $1.1) } }

/// A dataset of one-step bandit episodes on D domains with one-hot tokens and one global.
func banditDataset(D: Int, count: Int, seed: UInt64, alpha: [Double], reward: ([Double]) -> Double) -> OfflineDataset {
    var data = OfflineDataset(domainCount: D, tokenWidth: D, globalWidth: 1)
    let rng = RandomSource(seed: seed)
    let mask = (0..<D).map { $0 < D / 2 ? Float(1) : 0 }
    for e in 0..<count {
        let w = rng.dirichlet(alpha)
        data.append(tokens: identityTokens(D), globals: [0], isSource: mask, action: w.map(Float.init), reward: Float(reward(w)),
                    nextTokens: identityTokens(D), nextGlobals: [0], terminal: true, episode: e)
    }
    return data
}

/// The single state of a bandit dataset as a network input.
func banditState(D: Int) -> NetworkInput {
    NetworkInput(tokens: identityTokens(D), globals: [0], isSource: (0..<D).map { $0 < D / 2 ? Float(1) : 0 }, batch: 1, domains: D)
}

import Foundation
import Numerics
import Testing
@testable import Agent

private func logDensity(_ w: [Double], _ mu: [Double], _ s: [Double], floor: Double) -> Double {
    LogisticNormal.logDensity(mixture: w, mu: mu, logStd: s, D: w.count, floor: floor, dMu: nil, dLogStd: nil)
}

/// Brute force for D = 3: the ALR Gaussian with its explicit 2 × 2 covariance, plus the Jacobians.
private func bruteForce(_ w: [Double], _ mu: [Double], _ s: [Double], floor f: Double) -> Double {
    let scale = 1 - 3 * f
    let wt = w.map { ($0 - f) / scale }
    let y = [log(wt[0] / wt[2]), log(wt[1] / wt[2])]
    let m = [mu[0] - mu[2], mu[1] - mu[2]]
    let v = s.map { exp(2 * $0) }
    let (a, b, c) = (v[0] + v[2], v[2], v[1] + v[2]) // Σ = [[a, b], [b, c]]
    let det = a * c - b * b
    let u = [y[0] - m[0], y[1] - m[1]]
    let quad = (c * u[0] * u[0] - 2 * b * u[0] * u[1] + a * u[1] * u[1]) / det
    let gauss = -log(2 * Double.pi) - 0.5 * log(det) - 0.5 * quad
    return gauss - wt.reduce(0) { $0 + log($1) } - 2 * log(scale)
}

@Test func logDensityMatchesBruteForceALRAndIsReferenceFree() {
    let mu = [0.3, -0.2, 0.1], s = [-0.5, 0.0, -0.3], f = 0.02
    let rng = RandomSource(seed: 3)
    for _ in 0..<20 {
        let w = rng.dirichlet([2, 2, 2]).map { f + (1 - 3 * f) * $0 }
        let ours = logDensity(w, mu, s, floor: f)
        #expect(abs(ours - bruteForce(w, mu, s, floor: f)) < 1e-9)
        // Reordering the domains (another ALR reference) gives the same density.
        let p = [2, 0, 1]
        #expect(abs(ours - logDensity(p.map { w[$0] }, p.map { mu[$0] }, p.map { s[$0] }, floor: f)) < 1e-9)
    }
}

@Test func logDensityIntegratesToOneOnTheThreeSimplex() {
    let mu = [0.4, -0.3, 0.0], s = [-0.2, 0.1, -0.4], f = 0.03, n = 600
    let scale = 1 - 3 * f
    var total = 0.0
    let h = 1.0 / Double(n)
    for i in 0..<n {
        for j in 0..<(n - i) {
            // Midpoint rule on square cells of pre-floor weights (the density vanishes at the edges).
            let u1 = (Double(i) + 0.5) * h, u2 = (Double(j) + 0.5) * h
            guard u1 + u2 < 1 else { continue }
            let w = [f + scale * u1, f + scale * u2, f + scale * (1 - u1 - u2)]
            total += exp(logDensity(w, mu, s, floor: f)) * h * h * scale * scale
        }
    }
    #expect(abs(total - 1) < 0.01, "∫ p = \(total)")
}

@Test func logDensityGradientMatchesFiniteDifferences() {
    let D = 5, f = 0.01
    let rng = RandomSource(seed: 11)
    let mu = (0..<D).map { _ in rng.gaussian() }, s = (0..<D).map { _ in rng.gaussian(sigma: 0.3) }
    let w = rng.dirichlet([Double](repeating: 2, count: D)).map { f + (1 - Double(D) * f) * $0 }
    var dm = [Double](repeating: 0, count: D), ds = dm
    _ = LogisticNormal.logDensity(mixture: w, mu: mu, logStd: s, D: D, floor: f, dMu: &dm, dLogStd: &ds)
    let eps = 1e-6
    for i in 0..<D {
        var a = mu, b = mu; a[i] += eps; b[i] -= eps
        #expect(abs((logDensity(w, a, s, floor: f) - logDensity(w, b, s, floor: f)) / (2 * eps) - dm[i]) < 1e-5)
        var c = s, e = s; c[i] += eps; e[i] -= eps
        #expect(abs((logDensity(w, mu, c, floor: f) - logDensity(w, mu, e, floor: f)) / (2 * eps) - ds[i]) < 1e-5)
    }
}

@Test func reparameterisedSampleGradientMatchesFiniteDifferences() {
    let D = 4, f = 0.02
    let rng = RandomSource(seed: 12)
    let mu = (0..<D).map { _ in rng.gaussian() }, s = (0..<D).map { _ in rng.gaussian(sigma: 0.3) }
    let eps = (0..<D).map { _ in rng.gaussian() }, g = (0..<D).map { _ in rng.gaussian() }
    let alpha = 0.7
    func loss(_ mu: [Double], _ s: [Double]) -> Double {
        var w = [Double](repeating: 0, count: D)
        let lp = LogisticNormal.sample(mu: mu, logStd: s, noise: eps, D: D, floor: f, into: &w)
        // The sample's log-density equals the density evaluated at the sample.
        #expect(abs(lp - logDensity(w, mu, s, floor: f)) < 1e-8)
        return zip(g, w).reduce(0) { $0 + $1.0 * $1.1 } + alpha * lp
    }
    var w = [Double](repeating: 0, count: D), dm = w, ds = w
    _ = LogisticNormal.sampleAndBackward(mu: mu, logStd: s, noise: eps, D: D, floor: f, into: &w, dMixture: g, dLogDensity: alpha, dMu: &dm, dLogStd: &ds)
    let h = 1e-6
    for i in 0..<D {
        var a = mu, b = mu; a[i] += h; b[i] -= h
        #expect(abs((loss(a, s) - loss(b, s)) / (2 * h) - dm[i]) < 1e-5)
        var c = s, e = s; c[i] += h; e[i] -= h
        #expect(abs((loss(mu, c) - loss(mu, e)) / (2 * h) - ds[i]) < 1e-5)
    }
}

@Test func uniformDensityIsTheFlooredSimplexVolume() {
    // Dirichlet(1) on the floored 3-simplex: density 2 / (1 − 3f)².
    #expect(abs(exp(LogisticNormal.uniformLogDensity(D: 3, floor: 0.05)) - 2 / (0.85 * 0.85)) < 1e-12)
}

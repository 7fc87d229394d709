/// The policy's action distribution: a logistic-normal on the simplex with a floor.
///
/// Parameterisation, per state, with μ, s ∈ ℝᴰ from the policy head (s = log σ, clamped):
///
///     z_d = μ_d + σ_d ε_d,  ε ~ N(0, I);   w̃ = softmax(z);   w = f + (1 − D·f)·w̃
///
/// so every weight is at least the floor f and Σ w = 1.
///
/// **Log-density on the simplex** (w.r.t. Lebesgue measure on w_1…w_{D−1}). The additive log-ratio
/// y_i = log(w̃_i / w̃_D) = z_i − z_D (i < D) is Gaussian with mean m_i = μ_i − μ_D and covariance
/// Σ = diag(σ²_1…σ²_{D−1}) + σ²_D·11ᵀ. By Sherman–Morrison, with precisions λ_i = σ_i⁻² and Λ = Σ_{i=1..D} λ_i,
///
///     det Σ = Π_{i=1..D} σ²_i · Λ,     (y − m)ᵀ Σ⁻¹ (y − m) = Σ_{i=1..D} λ_i (e_i − ē)²,
///
/// where e_i = log w̃_i − μ_i (any common shift of e cancels) and ē = Σ λ_i e_i / Λ: symmetric in
/// the domains, so the density is the same whichever domain is the ALR reference, and O(D). Then
///
///     log p(w) = −(D−1)/2·log 2π − Σ s_i − ½ log Λ − ½ Σ λ_i (e_i − ē)²     (ALR Gaussian)
///                − Σ_{i=1..D} log w̃_i                                        (ALR → simplex Jacobian)
///                − (D−1)·log(1 − D·f)                                        (the floor's affine map)
///
/// A given mixture (behaviour cloning, CQL weights) is first mapped back, w̃ = (w − f)/(1 − D·f),
/// clamped at `tiny`. All of it is computed in Double per state.
public enum LogisticNormal {
    /// Smallest pre-floor weight a given mixture is clamped to before its logarithm.
    public static let tiny = 1e-6

    /// log p(mixture | μ, s) and optionally its gradient w.r.t. μ and s (written, not accumulated).
    ///
    /// - Parameters: all of `D` elements; `dMu`, `dLogStd` nil when no gradient is wanted.
    public static func logDensity(mixture w: UnsafePointer<Double>, mu: UnsafePointer<Double>, logStd s: UnsafePointer<Double>,
                                  D: Int, floor f: Double, dMu: UnsafeMutablePointer<Double>?, dLogStd: UnsafeMutablePointer<Double>?) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * D) { buf in
            let e = buf.baseAddress!, lam = e + D
            let scale = 1 - Double(D) * f
            var jac = 0.0, Lam = 0.0, sumS = 0.0, wsum = 0.0
            for i in 0..<D {
                let x = log(max((w[i] - f) / scale, tiny))
                jac -= x
                e[i] = x - mu[i]
                lam[i] = exp(-2 * s[i]); Lam += lam[i]; sumS += s[i]
                wsum += lam[i] * e[i]
            }
            let ebar = wsum / Lam
            var q = 0.0
            for i in 0..<D { let u = e[i] - ebar; q += lam[i] * u * u }
            if let dMu, let dLogStd {
                for i in 0..<D {
                    let u = e[i] - ebar
                    dMu[i] = lam[i] * u
                    dLogStd[i] = -1 + lam[i] / Lam + lam[i] * u * u
                }
            }
            return -0.5 * Double(D - 1) * log(2 * Double.pi) - sumS - 0.5 * log(Lam) - 0.5 * q + jac - Double(D - 1) * log(scale)
        }
    }

    /// The reparameterised sample w(μ, s, ε) (written to `w`) and its log-density.
    public static func sample(mu: UnsafePointer<Double>, logStd s: UnsafePointer<Double>, noise eps: UnsafePointer<Double>,
                              D: Int, floor f: Double, into w: UnsafeMutablePointer<Double>) -> Double {
        sampleAndBackward(mu: mu, logStd: s, noise: eps, D: D, floor: f, into: w, dMixture: nil, dLogDensity: 0, dMu: nil, dLogStd: nil)
    }

    /// `sample`, and with `dMu`/`dLogStd` also the gradient of L = dMixture·w + dLogDensity·log p
    /// w.r.t. μ and s through the reparameterised sample (written, not accumulated): the SAC actor
    /// loss α·log π(a|s) − Q(s, a) with dMixture = −∂Q/∂a, dLogDensity = α.
    public static func sampleAndBackward(mu: UnsafePointer<Double>, logStd s: UnsafePointer<Double>, noise eps: UnsafePointer<Double>,
                                         D: Int, floor f: Double, into w: UnsafeMutablePointer<Double>,
                                         dMixture g: UnsafePointer<Double>?, dLogDensity gl: Double,
                                         dMu: UnsafeMutablePointer<Double>?, dLogStd: UnsafeMutablePointer<Double>?) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 * D) { buf in
            let z = buf.baseAddress!, wt = z + D, e = z + 2 * D, lam = z + 3 * D
            let scale = 1 - Double(D) * f
            var zmax = -Double.infinity
            for i in 0..<D { e[i] = exp(s[i]) * eps[i]; z[i] = mu[i] + e[i]; zmax = max(zmax, z[i]) }
            var total = 0.0
            for i in 0..<D { wt[i] = exp(z[i] - zmax); total += wt[i] }
            let lse = zmax + log(total)
            var jac = 0.0, Lam = 0.0, sumS = 0.0, wsum = 0.0
            for i in 0..<D {
                wt[i] /= total
                w[i] = f + scale * wt[i]
                jac -= z[i] - lse
                lam[i] = exp(-2 * s[i]); Lam += lam[i]; sumS += s[i]; wsum += lam[i] * e[i]
            }
            let ebar = wsum / Lam
            var q = 0.0
            for i in 0..<D { let u = e[i] - ebar; q += lam[i] * u * u }
            let logp = -0.5 * Double(D - 1) * log(2 * Double.pi) - sumS - 0.5 * log(Lam) - 0.5 * q + jac - Double(D - 1) * log(scale)
            if let dMu, let dLogStd {
                // ∂L/∂z_j through the mixture: scale·w̃_j (g_j − Σ g_i w̃_i); through log p (with e = z − μ held
                // as a function of z): −λ_j (e_j − ē) − 1 + D·w̃_j. Explicit partials of log p: ∂/∂μ_j = λ_j (e_j − ē),
                // ∂/∂s_j = −1 + λ_j/Λ + λ_j (e_j − ē)². Then z = μ + e^s ε.
                var gbar = 0.0
                if let g { for i in 0..<D { gbar += g[i] * wt[i] } }
                for j in 0..<D {
                    let u = e[j] - ebar
                    var dz = gl * (-lam[j] * u - 1 + Double(D) * wt[j])
                    if let g { dz += scale * wt[j] * (g[j] - gbar) }
                    dMu[j] = dz + gl * lam[j] * u
                    dLogStd[j] = dz * e[j] + gl * (-1 + lam[j] / Lam + lam[j] * u * u)
                }
            }
            return logp
        }
    }

    /// The deterministic action w = f + (1 − D·f)·softmax(μ), computed in Double (sums to 1 within
    /// rounding of Double; the Float copy a caller keeps sums to 1 within ~D·6e-8).
    public static func mode(mu: UnsafePointer<Double>, D: Int, floor f: Double, into w: UnsafeMutablePointer<Double>) {
        var m = -Double.infinity
        for i in 0..<D { m = max(m, mu[i]) }
        var total = 0.0
        for i in 0..<D { w[i] = exp(mu[i] - m); total += w[i] }
        let scale = 1 - Double(D) * f
        for i in 0..<D { w[i] = f + scale * w[i] / total }
    }

    /// log density of the uniform distribution (Dirichlet(1)) on the floored simplex:
    /// log Γ(D) − (D−1)·log(1 − D·f) (the simplex of pre-floor weights has volume 1/(D−1)!).
    public static func uniformLogDensity(D: Int, floor f: Double) -> Double {
        var lg = 0.0
        for k in 1..<max(D, 1) { lg += log(Double(k)) }
        return lg - Double(D - 1) * log(1 - Double(D) * f)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

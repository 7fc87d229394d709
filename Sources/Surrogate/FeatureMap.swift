import Foundation
import Corpus
import Evaluation

/// Turns a state (current feedback, previous mixture, step) and an action (next mixture) into
/// regression features. A generic block is shared by every signal; a small specific block ties each
/// signal to the weight of its own domain (or field), where most of its change comes from.
///
/// Generic (`genericCount`): one-hot step (T) · action (D) · previous mixture (D) · action source
/// share s, s² · previous source share · mean source bits-per-byte ratio to base − 1 · mean target
/// bits-per-byte ratio to base − 1.
///
/// Specific (`specificCount`) for signal j with own weight w (its domain's action weight, or the
/// field share for field-wide signals), level r = f_j − base_j and field share φ:
/// w · √w · w·t/T · previous own weight · r · r·w · r·φ · r² · w − previous own weight · r·t/T · w².
public struct FeatureMap: Codable, Sendable, Equatable {
    public static let specificCount = 12

    public let domainCount: Int
    public let steps: Int
    public let base: [Double]
    /// Domain indices of the source field (the rest is target).
    public let sourceDomains: [Int]
    /// Per signal: its domain's index, or -1 for a field-wide signal.
    public let ownDomain: [Int]
    /// Per signal: whether it belongs to the source field.
    public let isSource: [Bool]
    /// Per signal: modelled on a log scale (bits per byte: forgetting and learning are
    /// multiplicative, and a log keeps the huge changes of extreme mixtures from swamping the fine
    /// structure near good ones). Changes are then log(next / current) and levels log(f / base).
    public let logScale: [Bool]
    let sourceBPB: [Int]
    let targetBPB: [Int]

    public var signalCount: Int { ownDomain.count }
    public var genericCount: Int { steps + 2 * domainCount + 7 }
    public var featureCount: Int { genericCount + Self.specificCount }

    public init(domains: [DomainName], feedbackNames: [String], steps: Int, base: [Double]) {
        domainCount = domains.count
        self.steps = steps
        self.base = base
        sourceDomains = domains.indices.filter { domains[$0].field == .source }
        var own: [Int] = [], source: [Bool] = [], sBPB: [Int] = [], tBPB: [Int] = [], log: [Bool] = []
        for (j, name) in feedbackNames.enumerated() {
            let signal = Signal(name)
            let domain = signal.domain.flatMap { domains.firstIndex(of: $0) }
            own.append(domain ?? -1)
            // Signals of no domain in the space are taken by their field; unknown ones as source.
            let src = domain.map { domains[$0].field == .source } ?? (signal.field.map { $0 == .source } ?? true)
            source.append(src)
            let bpb = signal.kind == .bitsPerByte
            if bpb { if src { sBPB.append(j) } else { tBPB.append(j) } }
            log.append(bpb && base[j] > 0)
        }
        ownDomain = own
        isSource = source
        logScale = log
        sourceBPB = sBPB
        targetBPB = tBPB
    }

    /// Writes the generic block of one row into `out[0..<genericCount]`.
    @inline(__always)
    public func generic(feedback f: UnsafePointer<Double>, previous p: UnsafePointer<Double>, action a: UnsafePointer<Double>,
                        step: Int, into out: UnsafeMutablePointer<Double>) {
        var k = 0
        for t in 0..<steps { out[k] = t == step ? 1 : 0; k += 1 }
        for d in 0..<domainCount { out[k] = a[d]; k += 1 }
        for d in 0..<domainCount { out[k] = p[d]; k += 1 }
        var s = 0.0, sp = 0.0
        for d in sourceDomains { s += a[d]; sp += p[d] }
        out[k] = s; out[k + 1] = s * s; out[k + 2] = sp
        var src = 0.0, tgt = 0.0
        for j in sourceBPB { src += f[j] / base[j] }
        for j in targetBPB { tgt += f[j] / base[j] }
        out[k + 3] = sourceBPB.isEmpty ? 0 : src / Double(sourceBPB.count) - 1
        out[k + 4] = targetBPB.isEmpty ? 0 : tgt / Double(targetBPB.count) - 1
        // Forgetting and learning blow up as a field's share nears 0: logs give the extremes their own terms.
        out[k + 5] = Foundation.log(s + 0.01)
        out[k + 6] = Foundation.log(1 - s + 0.01)
    }

    /// Writes signal `j`'s specific block into `out[0..<specificCount]`.
    @inline(__always)
    public func specific(_ j: Int, feedback f: UnsafePointer<Double>, previous p: UnsafePointer<Double>, action a: UnsafePointer<Double>,
                         step: Int, into out: UnsafeMutablePointer<Double>) {
        var s = 0.0, sp = 0.0
        for d in sourceDomains { s += a[d]; sp += p[d] }
        let phi = isSource[j] ? s : 1 - s
        let d = ownDomain[j]
        let w = d >= 0 ? a[d] : phi
        let wp = d >= 0 ? p[d] : (isSource[j] ? sp : 1 - sp)
        let r = level(f[j], j)
        out[0] = w
        out[1] = w.squareRoot()
        out[2] = w * Double(step) / Double(steps)
        out[3] = wp
        out[4] = r
        out[5] = r * w
        out[6] = r * phi
        out[7] = r * r
        out[8] = w - wp
        out[9] = r * Double(step) / Double(steps)
        out[10] = w * w
        out[11] = Foundation.log(w + 0.005)
    }

    /// Signal j's level relative to the base, on its modelling scale.
    @inline(__always) public func level(_ value: Double, _ j: Int) -> Double {
        logScale[j] ? Foundation.log(max(value, 1e-9) / base[j]) : value - base[j]
    }

    /// The modelled change of signal j from `current` to `next`.
    @inline(__always) public func delta(from current: Double, to next: Double, _ j: Int) -> Double {
        logScale[j] ? Foundation.log(max(next, 1e-9) / max(current, 1e-9)) : next - current
    }

    /// The level after a modelled change `d` from `current`.
    @inline(__always) public func advance(_ current: Double, by d: Double, _ j: Int) -> Double {
        logScale[j] ? current * Foundation.exp(d) : current + d
    }

    /// How much a modelled-scale standard deviation is worth in the signal's own units at `level`.
    @inline(__always) public func unitScale(at level: Double, _ j: Int) -> Double { logScale[j] ? level : 1 }

    /// The full feature row of signal `j` (generic then specific) into `out[0..<featureCount]`.
    public func row(_ j: Int, feedback f: UnsafePointer<Double>, previous p: UnsafePointer<Double>, action a: UnsafePointer<Double>,
                    step: Int, into out: UnsafeMutablePointer<Double>) {
        generic(feedback: f, previous: p, action: a, step: step, into: out)
        specific(j, feedback: f, previous: p, action: a, step: step, into: out + genericCount)
    }
}

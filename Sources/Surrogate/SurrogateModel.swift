import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Trajectories

/// A fitted surrogate: predicts the next feedback vector from (feedback, previous mixture, step,
/// next mixture) with a bootstrap ensemble. Stored as versioned JSON (`dma-surrogate`) recording the
/// environment and domain space it was fitted on.
public struct SurrogateModel: Codable, Sendable {
    public static let formatName = "dma-surrogate"
    public static let currentVersion = 1

    /// Where the training data came from (environment, base and, for imported runs, their model); a
    /// model only serves this environment.
    public typealias Identity = RunIdentity

    public var format: String
    public var version: Int
    public var identity: Identity
    public var domains: [DomainName]
    public var feedbackNames: [String]
    /// Episode length T.
    public var steps: Int
    /// Distinct logged initial feedback vectors; `reset` draws from them.
    public var startStates: [[Double]]
    public var score: ScoreFormula
    public var features: FeatureMap
    public var config: SurrogateConfig
    /// Per signal: chosen family and out-of-fold error.
    public var selections: [SignalSelection]
    /// Lower-triangular Cholesky factor L (F × F, row-major) of the out-of-fold residual covariance
    /// Σ = LLᵀ: sampled transitions add L·z, so noise is correlated across signals as in real runs
    /// (one data order moves every source domain's bits per byte together).
    public var noiseFactor: [Double]
    /// Range each signal is kept in during simulation: the levels seen in training widened by a
    /// quarter of their span (and accuracies within [0, 1]). Open-loop rollouts of a regression
    /// model can run away outside the data; clamping keeps the simulator, and an agent exploiting it,
    /// near what real runs showed.
    public var lower: [Double]
    public var upper: [Double]
    /// Smallest weight each domain had in the training data. Below it the surrogate extrapolates
    /// (e.g. a math weight of exactly 0, which no logged run used); steps flag it.
    public var actionFloor: [Double]
    /// Largest weight each domain had in the training data. Above it the surrogate extrapolates too:
    /// a mixture piling most weight on one domain (no logged walk put more than ~0.6 anywhere) is
    /// where it over-predicted by 0.078. nil in files fitted before it was recorded: no upper check.
    public var actionCeiling: [Double]?
    /// The shared RBF basis of `ridge+rbf` signals (nil when every signal is plain ridge).
    public var kernel: KernelBasis?
    /// `ensembleSize × signals` regressors of the change.
    public var members: [[SignalRegressor]]
    public var trajectories: Int
    public var fitSeconds: Double

    public var ensembleSize: Int { members.count }
    public var signalCount: Int { feedbackNames.count }
    /// Out-of-fold variance of each signal's change: the noise a single member cannot explain.
    public var residualVariance: [Double] { selections.map(\.cvMSE) }

    /// Identity and score formula for trajectories of `env`, checking the logs belong to it.
    public static func identity(for trajectories: [Trajectory], env: EnvironmentConfig, path: String) throws -> (Identity, ScoreFormula) {
        guard let h = trajectories.first?.header else { throw SurrogateError.data("no trajectories") }
        guard h.environmentHash == env.hash else {
            throw SurrogateError.mismatch(path: path, reason: "trajectories are of environment \(h.environment)@\(h.environmentHash), not \(env.name)@\(env.hash)")
        }
        guard h.domains == (try env.domainSpace()).domains else {
            throw SurrogateError.mismatch(path: path, reason: "trajectories range over another domain space than environment '\(env.name)'")
        }
        // One surrogate models one trainer: runs of another model are refused, as logs of another
        // base checkpoint are (which is how dma's own proxy and target runs are kept apart).
        if let other = trajectories.first(where: { $0.header.modelIdentity != h.modelIdentity }) {
            throw SurrogateError.mismatch(path: path, reason: "trajectory \(other.header.id) is of model \(other.header.modelIdentity.label), trajectory \(h.id) of model \(h.modelIdentity.label); fit one surrogate per model")
        }
        let score = try ScoreFormula(env: env, feedbackNames: h.feedbackNames)
        // The compiled formula must reproduce the logged scores, or rewards would be wrong.
        for t in trajectories {
            for s in t.steps where abs(score.balanced(s.feedback, base: t.baseFeedback) - s.balanced) > 1e-9 {
                throw SurrogateError.mismatch(path: path, reason: "trajectory \(t.header.id): logged balanced score \(s.balanced) does not follow environment '\(env.name)''s score weights")
            }
        }
        return (Identity(environment: h.environment, environmentHash: h.environmentHash, baseCheckpoint: h.baseCheckpoint, model: h.declaredModel), score)
    }

    // MARK: File format

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: path)
    }

    /// Loads and validates a model file and checks it was fitted on `env`.
    public static func load(from path: String, expecting env: EnvironmentConfig) throws -> SurrogateModel {
        let m = try load(from: path)
        try m.check(against: env, path: path)
        return m
    }

    /// Whether `mixture` (D weights) leaves the weights the training data showed for some domain:
    /// below its smallest or above its largest logged weight. There the prediction extrapolates.
    public func isOutOfSupport<C: Collection>(_ mixture: C) -> Bool where C.Element == Double {
        for (d, w) in mixture.enumerated() {
            if w < actionFloor[d] - 1e-12 { return true }
            if let c = actionCeiling, w > c[d] + 1e-12 { return true }
        }
        return false
    }

    /// Throws unless the model was fitted on `env` (same hash and domain space).
    public func check(against env: EnvironmentConfig, path: String) throws {
        guard identity.environmentHash == env.hash else {
            throw SurrogateError.mismatch(path: path, reason: "fitted on environment \(identity.environment)@\(identity.environmentHash), not \(env.name)@\(env.hash); refit it on trajectories of this environment")
        }
        guard domains == (try env.domainSpace()).domains else {
            throw SurrogateError.mismatch(path: path, reason: "fitted on another domain space than environment '\(env.name)'")
        }
    }
}

/// Loaded with `SurrogateModel.load(from:)`: format tag and version first, then shapes and finiteness.
extension SurrogateModel: ValidatedJSON {
    public static let fileKind = "surrogate model"

    /// Checks the format tag and version before decoding the rest, so an old or foreign file says so.
    public static func decode(_ data: Data) throws -> SurrogateModel {
        struct Probe: Decodable { var format: String?; var version: Int? }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: data) else { throw ContentProblem("not a JSON surrogate model") }
        guard probe.format == formatName else { throw ContentProblem("format '\(probe.format ?? "none")' is not '\(formatName)'") }
        guard probe.version == currentVersion else { throw ContentProblem("surrogate format version \(probe.version ?? -1); this dma reads version \(currentVersion)") }
        return try JSONDecoder().decode(SurrogateModel.self, from: data)
    }

    /// Checks every array's shape against the signals, domains and ensemble, and that numbers are finite.
    public func validate() throws {
        func fail(_ r: String) -> ContentProblem { ContentProblem(r) }
        let F = feedbackNames.count, D = domains.count, p = features.featureCount
        guard F > 0, D > 0, steps > 0 else { throw fail("empty domain space, feedback or episode length") }
        guard features.signalCount == F, features.domainCount == D, features.steps == steps, features.base.count == F else {
            throw fail("feature map does not match \(F) signals, \(D) domains and \(steps) steps")
        }
        guard !startStates.isEmpty, startStates.allSatisfy({ $0.count == F && $0.allSatisfy(\.isFinite) }) else {
            throw fail("start states must be \(F) finite values each")
        }
        guard noiseFactor.count == F * F, noiseFactor.allSatisfy(\.isFinite) else { throw fail("noise factor must be \(F)×\(F) finite values") }
        guard actionFloor.count == D, actionFloor.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw fail("needs a finite action floor for each of the \(D) domains") }
        if let c = actionCeiling {
            guard c.count == D, zip(c, actionFloor).allSatisfy({ $0.isFinite && $0 >= $1 && $0 <= 1 }) else {
                throw fail("needs an action ceiling in [floor, 1] for each of the \(D) domains")
            }
        }
        guard lower.count == F, upper.count == F, zip(lower, upper).allSatisfy({ $0.isFinite && $1.isFinite && $0 <= $1 }) else {
            throw fail("needs finite lower ≤ upper bounds for each of the \(F) signals")
        }
        guard selections.count == F, selections.allSatisfy({ $0.cvMSE.isFinite && $0.cvMSE >= 0 }) else { throw fail("needs one selection with a finite error per signal") }
        guard !members.isEmpty, members.allSatisfy({ $0.count == F }) else { throw fail("ensemble members must each hold \(F) regressors") }
        if let k = kernel {
            guard k.columns == features.genericCount, k.count > 0, k.centres.count == k.count * k.columns, k.gamma > 0, k.gamma.isFinite,
                  (k.mean + k.scale + k.centres).allSatisfy(\.isFinite), k.scale.allSatisfy({ $0 > 0 }) else {
                throw fail("RBF basis has wrong shapes or non-finite numbers")
            }
        }
        for (m, member) in members.enumerated() {
            for (j, r) in member.enumerated() where !r.isWellFormed(columns: p, centres: kernel?.count ?? 0) || (r.alpha != nil && kernel == nil) {
                throw fail("member \(m), signal '\(feedbackNames[j])': regressor has wrong shapes or non-finite numbers")
            }
        }
        let maxIndex = (score.retentionTerms + score.gainBPB + score.gainEM).max() ?? 0
        guard maxIndex < F, score.retentionTerms.count == score.retentionWeights.count, score.gainBPB.count == score.gainEM.count else {
            throw fail("score formula refers to signals outside the feedback vector")
        }
    }
}

/// Batched ensemble prediction: the generic feature block of every row goes through one
/// `BLAS.dgemm` against all members' and signals' weights at once, the shared RBF basis through
/// another; only the small per-signal blocks are computed row by row.
public final class SurrogatePredictor {
    public let model: SurrogateModel
    let M: Int, F: Int, D: Int, g: Int
    /// g × (M·F): generic weights of member m, signal j in column m·F + j.
    private var genericWeights: [Double]
    /// m × (M·F): RBF weights, zero for plain-ridge signals.
    private var kernelWeights: [Double]
    private var specificWeights: [Double]
    private var bias: [Double]
    private var generic: [Double] = []
    private var product: [Double] = []

    public init(_ model: SurrogateModel) {
        self.model = model
        M = model.ensembleSize
        F = model.signalCount
        D = model.domains.count
        g = model.features.genericCount
        let s = FeatureMap.specificCount, cols = M * F, centres = model.kernel?.count ?? 0
        genericWeights = [Double](repeating: 0, count: g * cols)
        kernelWeights = [Double](repeating: 0, count: centres * cols)
        specificWeights = [Double](repeating: 0, count: cols * s)
        bias = [Double](repeating: 0, count: cols)
        for m in 0..<M {
            for j in 0..<F {
                let r = model.members[m][j], col = m * F + j
                bias[col] = r.intercept
                for c in 0..<g { genericWeights[c * cols + col] = r.weights[c] }
                for c in 0..<s { specificWeights[col * s + c] = r.weights[g + c] }
                if let alpha = r.alpha { for c in 0..<centres { kernelWeights[c * cols + col] = alpha[c] } }
            }
        }
    }

    /// Changes predicted by every member for `count` rows: `out[(m·count + b)·F + j]`.
    /// Inputs are row-major: feedback `count × F`, previous and action `count × D`.
    public func changes(count B: Int, feedback: UnsafePointer<Double>, previous: UnsafePointer<Double>,
                        action: UnsafePointer<Double>, step: UnsafePointer<Int>, into out: UnsafeMutablePointer<Double>) {
        let map = model.features
        let cols = M * F, s = FeatureMap.specificCount
        if generic.count < B * g { generic = [Double](repeating: 0, count: B * g) }
        if product.count < B * cols { product = [Double](repeating: 0, count: B * cols) }
        generic.withUnsafeMutableBufferPointer { gb in
            for b in 0..<B {
                map.generic(feedback: feedback + b * F, previous: previous + b * D, action: action + b * D, step: step[b], into: gb.baseAddress! + b * g)
            }
        }
        BLAS.dgemm(m: B, n: cols, k: g, a: generic, lda: g, b: genericWeights, ldb: cols, c: &product, ldc: cols)
        if let basis = model.kernel {
            let k = basis.kernel(generic, rows: B)
            BLAS.dgemm(m: B, n: cols, k: basis.count, a: k, lda: basis.count, b: kernelWeights, ldb: cols, beta: 1, c: &product, ldc: cols)
        }
        product.withUnsafeBufferPointer { prod in
            specificWeights.withUnsafeBufferPointer { sw in
                bias.withUnsafeBufferPointer { bias in
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: s) { row in
                        for b in 0..<B {
                            let f = feedback + b * F, pv = previous + b * D, a = action + b * D
                            for j in 0..<F {
                                map.specific(j, feedback: f, previous: pv, action: a, step: step[b], into: row.baseAddress!)
                                for m in 0..<M {
                                    let col = m * F + j
                                    var v = prod[b * cols + col] + bias[col]
                                    for c in 0..<s { v += sw[col * s + c] * row[c] }
                                    out[(m * B + b) * F + j] = v
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

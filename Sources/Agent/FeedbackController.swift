import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Numerics
import Trajectories

/// The closed-loop agent: it reads the run's own gain curve and sets the field balance from it.
///
/// Two responses decide the balance of a CPT run (measured on the committed real runs):
/// - retention: each source domain keeps `ρ_d = c + α·log(m_d + m₀) + γ·log s` of its base bits
///   per byte, with m_d its own weight and s the source share (the rest of the source field
///   transfers). α and γ are about the same in every setting (α 0.034–0.037, γ 0.030–0.038 with
///   any one setting left out), so they are learned offline from logged runs of other settings;
/// - gain: the target gain grows as a power `β` of the target tokens seen, and `β` is what tells
///   fields apart (math saturates early, β ≈ 0.05–0.08; code keeps learning, β ≈ 0.15–0.26). It is
///   identified from the run itself: a least-squares fit of log gain on log cumulative target share
///   over the rounds trained so far, shrunk towards the prior learned offline.
///
/// Each round it picks the source share s maximising `rw·Σ_d ω_d ρ_d(ω_d·s, s) + gw·G((1−s)·T)`, G the
/// run's gain curve (`GainCurve`: a·E^β, or bending with `curvaturePriorRounds`),
/// on a grid (the best constant share for a run that looked like this one so far: recency decides
/// the final state, so a run's last rounds count for more than its first), then splits s over the
/// source domains by their score weights ω (the split that maximises Σ ω_d log m_d) and 1−s evenly
/// over the target domains. The trade-off rw, gw is
/// read from the state's own scores (the base state scores retention 1, gain 0, so its balanced
/// score is rw), so any score weighting is served without retraining.
public struct FeedbackControllerConfig: Codable, Sendable, Equatable {
    /// Rounds of the run's own gain the controller needs before it trusts its fit (before: the prior).
    public var identifyAfter: Int = 2
    /// Weight of the prior exponent, in rounds of evidence (ridge on β towards the prior).
    public var priorRounds: Double = 0.5
    /// With a value: the gain curve bends, log G = log a + β·log E + κ·(log E)², and κ is shrunk
    /// towards 0 (a plain power law) with this weight in rounds. A saturating gain (math) shows as
    /// κ < 0 and a gain still climbing (code) as κ ≈ 0, so the slope at the run's end, not the
    /// average slope so far, prices more target data. Nil (the default): the plain power law.
    public var curvaturePriorRounds: Double?
    /// True (`dma agent fit-feedback`'s default): the run's own gain exponent β is mapped to the across-run elasticity before it prices
    /// more target data, β' = β₀·(β/β₀)^b, with b learned from the training settings' one-mixture
    /// runs (``GainExponentMap``). Why: a run's exponent mixes the data it saw with its LR decay, and
    /// across runs the final gain responds to the target share more steeply than that on code and
    /// less on math. Logged runs of fewer than two settings, or of settings that disagree, cannot
    /// teach the map: the fit then leaves it out (and this nil). Nil or false: the run's own β.
    public var mapsGainExponent: Bool?
    /// The source shares the controller may choose (the logged runs' support).
    public var minShare: Double = 0.2
    public var maxShare: Double = 0.9
    /// Rounds of each training run the offline prior of β is fitted on (as at deployment).
    public var priorFitRounds: Int = 3
    /// Floor inside the log of a domain's mean weight when the retention elasticity is fitted.
    public var weightFloor: Double = 0.005
    /// Largest L1 distance of a round's mixture from the run's mean for the run to count as holding
    /// one mixture (only those fit the retention elasticity).
    public var constantMixtureTolerance: Double = 0.05

    public init() {}
}

/// The learned part of the closed-loop agent (see ``FeedbackControllerConfig``), as written to its
/// policy file by ``FeedbackController/fit(runs:retentionWeights:config:)``.
public struct FeedbackControllerFile: Codable, Sendable, Equatable, ValidatedJSON {
    public static let format = "dma-feedback-controller"
    /// Version 2 adds `config.curvaturePriorRounds`, version 3 `gainExponentMap`; a file with neither
    /// is written as version 1, which every dma that reads controllers reads.
    public static let currentVersion = 3
    public static let fileKind = "feedback-controller policy file"

    public var format: String = Self.format
    public var version: Int = Self.currentVersion
    public var config: FeedbackControllerConfig
    /// α: a source domain's retention (base / final bits per byte) per unit log of its own weight.
    public var retentionShareElasticity: Double
    /// γ: per unit log of the whole source share (transfer within the source field).
    public var retentionFieldElasticity: Double
    /// m₀ inside log(m + m₀) (config.weightFloor when fitted).
    public var weightFloor: Double
    /// Standard errors of α and γ in their fit.
    public var retentionStandardErrors: [Double]
    /// Prior of the gain curve a·E^β (median of the training runs' own fits).
    public var priorGainScale: Double
    public var priorGainExponent: Double
    /// What it was learned from: runs per environment (and model), and how many in all.
    public var trainedOn: [String: Int]
    public var runs: Int
    /// With `config.mapsGainExponent`: how a run's own gain exponent maps to the across-run one.
    public var gainExponentMap: GainExponentMap?

    public func validate() throws {
        guard format == Self.format else { throw ContentProblem("format is '\(format)', not '\(Self.format)'") }
        guard (1...Self.currentVersion).contains(version) else { throw ContentProblem("version \(version) is not supported (this dma reads 1…\(Self.currentVersion))") }
        guard version >= 2 || config.curvaturePriorRounds == nil else {
            throw ContentProblem("config.curvaturePriorRounds needs version 2 (an older dma would ignore it)")
        }
        for (name, v, range) in [("retentionShareElasticity", retentionShareElasticity, -10.0...10.0),
                                 ("retentionFieldElasticity", retentionFieldElasticity, -10.0...10.0), ("weightFloor", weightFloor, 1e-6...0.5), ("priorGainScale", priorGainScale, 1e-6...10.0),
                                 ("priorGainExponent", priorGainExponent, 0.0...3.0), ("config.priorRounds", config.priorRounds, 0.0...1e6)] where !range.contains(v) {
            throw ContentProblem("\(name) is \(v), outside \(range.lowerBound)…\(range.upperBound)")
        }
        guard retentionShareElasticity + retentionFieldElasticity > 0 else {
            throw ContentProblem("retention must rise with the source share (α + γ = \(retentionShareElasticity + retentionFieldElasticity) ≤ 0)")
        }
        guard (0.01...0.99).contains(config.minShare), (0.01...0.99).contains(config.maxShare), config.minShare <= config.maxShare else {
            throw ContentProblem("config.minShare \(config.minShare) and maxShare \(config.maxShare) must satisfy 0.01 ≤ min ≤ max ≤ 0.99")
        }
        if let k = config.curvaturePriorRounds, !(0...1e6).contains(k) {
            throw ContentProblem("config.curvaturePriorRounds is \(k), outside 0…1000000")
        }
        if config.mapsGainExponent == true {
            guard let map = gainExponentMap else { throw ContentProblem("config.mapsGainExponent is set but gainExponentMap is missing") }
            guard version >= 3 else { throw ContentProblem("gainExponentMap needs version 3 (an older dma would ignore it)") }
            guard config.curvaturePriorRounds == nil else { throw ContentProblem("gainExponentMap maps a power law's exponent: it excludes config.curvaturePriorRounds") }
            guard (0.1...10).contains(map.power) else { throw ContentProblem("gainExponentMap.power is \(map.power), outside 0.1…10") }
            guard priorGainExponent > 0 else { throw ContentProblem("gainExponentMap pivots on priorGainExponent, which is 0") }
            for (key, v) in map.settings where !(v.count == 3 && v.allSatisfy { $0.isFinite && $0 > 0 }) {
                throw ContentProblem("gainExponentMap.settings[\"\(key)\"] must be [own exponent, across-run elasticity, runs], all positive: \(v)")
            }
        } else if gainExponentMap != nil {
            throw ContentProblem("gainExponentMap is given but config.mapsGainExponent is not set")
        }
        guard (1...1000).contains(config.identifyAfter), (2...1000).contains(config.priorFitRounds) else {
            throw ContentProblem("config.identifyAfter must be in 1…1000 and priorFitRounds in 2…1000")
        }
    }

    /// A setting's key in `trainedOn` and in `dma agent fit-feedback --exclude`: `environment@model`
    /// (`math-cpt@proxy`, `math-cpt@target`, `code-cpt@proxy`).
    public static func settingKey(environment: String, model: String) -> String { "\(environment)@\(model)" }

    /// Whether `data` is a file of this format (so `agent:FILE` can take either kind of agent).
    public static func isFeedbackController(_ data: Data) -> Bool {
        struct Tag: Decodable { var format: String? }
        return (try? JSONDecoder().decode(Tag.self, from: data))?.format == format
    }
}

/// A run's target gain as a function of the target data it has seen: E in rounds of target share
/// (the cumulative target share), G(E) = a·exp(β·log E + κ·(log E)²); κ = 0 is the power law a·E^β.
public struct GainCurve: Sendable, Equatable {
    public var scale: Double
    public var exponent: Double
    public var curvature: Double

    public init(scale: Double, exponent: Double, curvature: Double = 0) {
        (self.scale, self.exponent, self.curvature) = (scale, exponent, curvature)
    }

    /// G(E), held at its peak beyond it: a bending curve models saturation, not target data that
    /// lowers the gain.
    public func gain(targetRounds e: Double) -> Double {
        var l = Foundation.log(max(e, 1e-9))
        if curvature < 0 { l = min(l, -exponent / (2 * curvature)) }
        return scale * Foundation.exp(exponent * l + curvature * l * l)
    }
}

/// How a run's own gain exponent (the power law fitted over its rounds) maps to the elasticity of the
/// final gain to the target share across runs of a setting: β' = β₀·(β/β₀)^power, β₀ the prior
/// exponent. Learned from the training settings' one-mixture runs: per setting, the mean of its runs'
/// own exponents (each fitted over the whole run: what a run's exponent settles to by its last rounds,
/// the rounds that decide its final state) and the slope of log final gain on log target share across
/// them; `power` is the least-squares slope of log(across/β₀) on log(own/β₀) through 0, one point per
/// setting.
public struct GainExponentMap: Codable, Sendable, Equatable {
    public var power: Double
    /// Per training setting: [mean own exponent, across-run elasticity, runs].
    public var settings: [String: [Double]]

    public init(power: Double, settings: [String: [Double]]) { (self.power, self.settings) = (power, settings) }

    /// β' for a run whose own exponent is `exponent`, pivoting on the prior `pivot`. On a side of the
    /// pivot where no training setting lies the run's own exponent is kept: nothing showed how such a
    /// field responds across runs, and a power learned from math-like settings alone would bet a code
    /// run on its guess. Both branches meet at the pivot, so β' rises with β everywhere.
    public func mapped(_ exponent: Double, pivot: Double) -> Double {
        guard settings.values.contains(where: { ($0[0] - pivot) * (exponent - pivot) > 0 }) else { return exponent }
        return pivot * Foundation.pow(max(exponent, 1e-3) / pivot, power)
    }
}

/// Fitting and acting of the closed-loop agent.
public enum FeedbackController {
    /// The run's gain curve fitted on its first rounds: log G = log a + β·log E (+ κ·(log E)² with
    /// `curvaturePrior`), E_t the cumulative target share (rounds × target share); only rounds with
    /// positive gain count. With a prior (β₀, λ) β is a ridge towards β₀ worth λ rounds; κ is a
    /// ridge towards 0 worth `curvaturePrior` rounds, and a bend may only flatten the curve: a fit
    /// that bends upwards (an accelerating few rounds, which extrapolated would bet the run on them)
    /// or has no residual left gives the power law instead. Nil with fewer than two usable rounds.
    public static func gainCurve(targetShares: [Double], gains: [Double], prior: (exponent: Double, rounds: Double)? = nil,
                                 curvaturePrior: Double? = nil) -> GainCurve? {
        var x: [Double] = [], y: [Double] = []
        var cumulative = 0.0
        for (share, gain) in zip(targetShares, gains) {
            cumulative += share
            if gain > 1e-4, cumulative > 1e-3 { x.append(Foundation.log(cumulative)); y.append(Foundation.log(gain)) }
        }
        guard x.count >= 2 else { return nil }
        let bends = curvaturePrior != nil
        let columns = bends ? 3 : 2
        var design: [Double] = [], target = y
        for v in x { design += bends ? [1, v, v * v] : [1, v] }
        if let prior, prior.rounds > 0 {
            // A pseudo-row on β alone: λ·(β − β₀)² added to the squared residuals.
            let w = prior.rounds.squareRoot()
            design += bends ? [0, w, 0] : [0, w]
            target.append(w * prior.exponent)
        }
        if let k = curvaturePrior, k > 0 {
            design += [0, 0, k.squareRoot()]
            target.append(0)
        }
        let rows = target.count
        if bends, rows <= columns { return gainCurve(targetShares: targetShares, gains: gains, prior: prior) }
        // Two rounds and no prior leave zero residual degrees of freedom: solve the line exactly.
        if rows == 2, !bends {
            let slope = (y[1] - y[0]) / max(x[1] - x[0], 1e-9)
            return GainCurve(scale: Foundation.exp(y[0] - slope * x[0]), exponent: slope)
        }
        guard rows > columns, let fit = try? LeastSquares(design: design, rows: rows, columns: columns, y: target, context: "gain curve"),
              fit.coefficients.allSatisfy(\.isFinite) else { return nil }
        if bends, fit.coefficients[2] > 0 { return gainCurve(targetShares: targetShares, gains: gains, prior: prior) }
        return GainCurve(scale: Foundation.exp(fit.coefficients[0]), exponent: fit.coefficients[1], curvature: bends ? fit.coefficients[2] : 0)
    }

    /// Modelled retention of a mixture with source share s split by ω (field-normalised source weights; target entries ignored).
    public static func retention(share s: Double, sourceWeights omega: [Double], file: FeedbackControllerFile) -> Double {
        omega.reduce(0) { $0 + $1 * (file.retentionShareElasticity * Foundation.log($1 * s + file.weightFloor) + file.retentionFieldElasticity * Foundation.log(s)) }
    }

    /// The source share maximising `rw·R(s) + gw·G((1−s)·T)` over the config's grid (step 0.01).
    public static func bestShare(file: FeedbackControllerFile, sourceWeights omega: [Double], gain curve: GainCurve,
                                 rounds T: Int, retentionWeight rw: Double, gainWeight gw: Double) -> Double {
        let config = file.config
        var best = config.minShare, bestValue = -Double.infinity
        let steps = Int(((config.maxShare - config.minShare) / 0.01).rounded())
        for k in 0...max(steps, 0) {
            let s = min(((config.minShare + 0.01 * Double(k)) * 1e6).rounded() / 1e6, config.maxShare)
            let value = rw * retention(share: s, sourceWeights: omega, file: file)
                + gw * curve.gain(targetRounds: (1 - s) * Double(max(T, 1)))
            if value > bestValue { (best, bestValue) = (s, value) }
        }
        return best
    }

    /// Learns the file from logged runs of other settings: α and γ from the runs that held one
    /// mixture (each source domain's final retention, one intercept per setting), the gain curve's
    /// prior from every such run's first `priorFitRounds` rounds.
    public static func fit(runs: [RunRecord], config: FeedbackControllerConfig = FeedbackControllerConfig()) throws -> FeedbackControllerFile {
        var groups: [String: Int] = [:], rows: [(group: Int, own: Double, field: Double)] = [], y: [Double] = []
        var exponents: [Double] = [], scales: [Double] = [], counts: [String: Int] = [:]
        var responses: [String: [(share: Double, finalGain: Double, ownExponent: Double)]] = [:]
        for run in runs where !run.rounds.isEmpty {
            let isSource = run.domains.map { $0.field == .source }
            let T = Double(run.rounds.count)
            var mean = [Double](repeating: 0, count: run.domains.count)
            for r in run.rounds { for d in mean.indices where d < r.mixture.count { mean[d] += r.mixture[d] / T } }
            let share = mean.indices.filter { isSource[$0] }.reduce(0) { $0 + mean[$1] }
            let group = "\(run.identity.environment)@\(run.identity.model?.label ?? "base " + run.identity.baseCheckpoint)"
            counts[group, default: 0] += 1
            // Only runs that held one mixture: the final state follows the last rounds (recency),
            // and a random schedule's mean weight would blur that.
            let drift = run.rounds.map { r in zip(r.mixture, mean).reduce(0) { $0 + abs($1.0 - $1.1) } }.max() ?? 0
            guard (0.05...0.95).contains(share), drift <= config.constantMixtureTolerance else { continue }
            let g = groups[group] ?? { let n = groups.count; groups[group] = n; return n }()
            let position = Dictionary(run.feedbackNames.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let last = run.rounds[run.rounds.count - 1], final = last.feedback
            for d in run.domains.indices where isSource[d] {
                guard let j = position[Signal.bitsPerByte(run.domains[d]).name], j < final.count, j < run.baseFeedback.count,
                      final[j] > 0, run.baseFeedback[j] > 0 else { continue }
                rows.append((g, Foundation.log(mean[d] + config.weightFloor), Foundation.log(share)))
                y.append(run.baseFeedback[j] / final[j])
            }
            let targetShares = run.rounds.map { 1 - sourceShare($0.mixture, isSource: isSource) }, gains = run.rounds.map(\.gain)
            if config.mapsGainExponent == true, (config.minShare...config.maxShare).contains(share), last.gain > 1e-4,
               let own = gainCurve(targetShares: targetShares, gains: gains), own.exponent.isFinite, own.exponent > 0 {
                responses[group, default: []].append((share, last.gain, own.exponent))
            }
            if run.rounds.count >= config.priorFitRounds,
               let curve = gainCurve(targetShares: Array(targetShares.prefix(config.priorFitRounds)), gains: Array(gains.prefix(config.priorFitRounds))),
               curve.exponent.isFinite, curve.scale.isFinite {
                exponents.append(curve.exponent)
                scales.append(curve.scale)
            }
        }
        let columns = groups.count + 2
        guard y.count > columns + 1 else {
            throw AgentError.data("the feedback controller needs runs that held one mixture with a source share in 0.05…0.95: \(y.count) domain rows for \(groups.count) settings")
        }
        var design: [Double] = []
        for r in rows {
            var row = [Double](repeating: 0, count: columns)
            row[r.group] = 1
            (row[columns - 2], row[columns - 1]) = (r.own, r.field)
            design += row
        }
        let fit = try LeastSquares(design: design, rows: y.count, columns: columns, y: y, context: "retention response")
        guard !exponents.isEmpty else { throw AgentError.data("no run has \(config.priorFitRounds) rounds of positive gain to fit the gain curve's prior on") }
        var file = FeedbackControllerFile(config: config, retentionShareElasticity: fit.coefficients[columns - 2], retentionFieldElasticity: fit.coefficients[columns - 1],
                                          weightFloor: config.weightFloor, retentionStandardErrors: Array(fit.standardErrors.suffix(2)),
                                          priorGainScale: Statistics.quantile(scales, 0.5),
                                          priorGainExponent: min(max(Statistics.quantile(exponents, 0.5), 0), 3), trainedOn: counts, runs: runs.count)
        if config.mapsGainExponent == true {
            // Runs of fewer than two settings cannot teach the map: the file reads the run's own exponent.
            if let map = try? gainExponentMap(responses, pivot: file.priorGainExponent) { file.gainExponentMap = map } else { file.config.mapsGainExponent = nil }
        }
        file.version = file.gainExponentMap != nil ? 3 : config.curvaturePriorRounds == nil ? 1 : 2
        do { try file.validate() } catch { throw AgentError.data("the fitted controller is unusable: \(error)") }
        return file
    }

    /// The map from a run's own gain exponent to the across-run elasticity (``GainExponentMap``): per
    /// setting with one-mixture runs at three or more shares, the slope of log final gain on log target
    /// share and the mean own exponent; then the power through the pivot over the settings.
    static func gainExponentMap(_ responses: [String: [(share: Double, finalGain: Double, ownExponent: Double)]], pivot: Double) throws -> GainExponentMap {
        var settings: [String: [Double]] = [:], sxy = 0.0, sxx = 0.0
        for (key, runs) in responses.sorted(by: { $0.key < $1.key }) {
            let shares = Set(runs.map { ($0.share * 100).rounded() })
            guard runs.count >= 4, shares.count >= 3 else { continue }
            let design = runs.flatMap { [1, Foundation.log(1 - $0.share)] }
            guard let fit = try? LeastSquares(design: design, rows: runs.count, columns: 2, y: runs.map { Foundation.log($0.finalGain) }, context: "across-run gain of \(key)"),
                  fit.coefficients[1] > 0 else { continue }
            let own = runs.reduce(0) { $0 + $1.ownExponent } / Double(runs.count)
            settings[key] = [own, fit.coefficients[1], Double(runs.count)]
            let x = Foundation.log(own / pivot), y = Foundation.log(fit.coefficients[1] / pivot)
            (sxy, sxx) = (sxy + x * y, sxx + x * x)
        }
        guard pivot > 0, settings.count >= 2, sxx > 1e-3 else {
            throw AgentError.data("the gain-exponent map needs a positive prior exponent (\(pivot)) and two or more settings whose one-mixture runs cover three shares and whose own exponents differ from it: found \(settings.count)")
        }
        // Settings that disagree (one steeper across runs, another flatter, on the same side) give a
        // power no file may hold: no map then, rather than no agent.
        guard (0.1...10).contains(sxy / sxx) else { throw AgentError.data("the gain-exponent map's power \(sxy / sxx) is outside 0.1…10: the settings disagree") }
        return GainExponentMap(power: sxy / sxx, settings: settings)
    }

    static func sourceShare(_ mixture: [Double], isSource: [Bool]) -> Double {
        mixture.indices.reduce(0) { $0 + (isSource[$1] ? mixture[$1] : 0) }
    }
}

/// The closed-loop agent as a policy (and a provider for `propose`/`serve`). It keeps no per-run
/// state: everything it uses is in the state it is given.
public final class FeedbackControllerPolicy: FingerprintedPolicy, PolicyProvider {
    public let file: FeedbackControllerFile
    public let name: String
    public let policyFingerprint: String
    public var environmentFingerprint: String? { nil }
    /// When bound to a layout: its domains' fields and field-normalised score weights.
    let bound: (isSource: [Bool], scoreWeights: [Double])?

    init(file: FeedbackControllerFile, name: String, fingerprint: String, bound: (isSource: [Bool], scoreWeights: [Double])? = nil) {
        (self.file, self.name, self.policyFingerprint, self.bound) = (file, name, fingerprint, bound)
    }

    /// Loads and validates a controller file; the policy is named `agent:<file name>`.
    public convenience init(path: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "file not found") }
        try self.init(path: path, bytes: bytes)
    }

    /// The controller file at `path` whose `bytes` were read already: decoded, validated and hashed from them.
    public convenience init(path: String, bytes: Data) throws {
        self.init(file: try FeedbackControllerFile.load(from: path, data: bytes), name: "agent:\((path as NSString).lastPathComponent)",
                  fingerprint: StableHash.hex(of: bytes))
    }

    /// The controller reading states with `layout`'s score weights.
    public func bound(to layout: ObservationLayout) throws -> FeedbackControllerPolicy {
        guard let weights = layout.scoreWeights else { throw AgentError.data("policy \(name) needs the score weights of the domains it mixes") }
        return FeedbackControllerPolicy(file: file, name: name, fingerprint: policyFingerprint, bound: (layout.isSource, weights))
    }

    public func policy(for layout: ObservationLayout, rounds: Int) throws -> MixturePolicy { try bound(to: layout) }

    /// What the controller decides in `state`, with the figures it decided on.
    public struct Decision: Sendable, Equatable {
        public var sourceShare: Double
        /// The gain curve used (the run's own fit once identified, else the prior).
        public var gain: GainCurve
        public var identified: Bool
        public var retentionWeight: Double
        public var gainWeight: Double
    }

    /// The decision in `state`; before binding (no score weights) only the gain side is known, and
    /// the retention side counts 0.
    public func decide(_ state: PolicyState) -> Decision {
        let isSource = bound?.isSource ?? state.space.domains.map { $0.field == .source }
        let (rw, gw) = Self.tradeOff(state.scores)
        var gain = GainCurve(scale: file.priorGainScale, exponent: file.priorGainExponent), identified = false
        let trained = min(state.mixtures.count, max(state.scores.count - 1, 0))
        if trained >= file.config.identifyAfter,
           case let targetShares = state.mixtures.prefix(trained).map({ 1 - FeedbackController.sourceShare($0.weights, isSource: isSource) }),
           let c = FeedbackController.gainCurve(targetShares: targetShares, gains: state.scores[1...trained].map(\.gain),
                                                prior: (file.priorGainExponent, file.config.priorRounds),
                                                curvaturePrior: file.config.curvaturePriorRounds),
           c.scale.isFinite, c.exponent.isFinite, c.curvature.isFinite, c.scale > 0 {
            (gain, identified) = (GainCurve(scale: c.scale, exponent: min(max(c.exponent, 0), 3), curvature: c.curvature), true)
            if let map = file.gainExponentMap {
                // The same gain where the run is now, E_t; the across-run slope beyond it.
                let now = targetShares.reduce(0, +)
                let exponent = min(map.mapped(gain.exponent, pivot: file.priorGainExponent), 3)
                let level = gain.gain(targetRounds: now)
                if now > 1e-3, level > 0 { gain = GainCurve(scale: level / Foundation.pow(now, exponent), exponent: exponent) }
            }
        }
        let omega = bound.map { b in b.scoreWeights.indices.map { b.isSource[$0] ? b.scoreWeights[$0] : 0 } } ?? []
        let s = FeedbackController.bestShare(file: file, sourceWeights: omega, gain: gain, rounds: state.rounds,
                                             retentionWeight: rw, gainWeight: gw)
        return Decision(sourceShare: s, gain: gain, identified: identified, retentionWeight: rw, gainWeight: gw)
    }

    public func nextMixture(_ state: PolicyState) throws -> Mixture {
        guard let (isSource, weights) = bound, weights.count == state.space.domains.count else {
            throw AgentError.data("policy \(name) was not bound to this state's \(state.space.domains.count) domains")
        }
        let s = decide(state).sourceShare
        // Source by the score's retention weights, target evenly (weights are field-normalised).
        var w = weights.indices.map { isSource[$0] ? s * weights[$0] : (1 - s) * weights[$0] }
        // A field whose weights are all 0 (no domain scored) is split evenly instead.
        for field in [true, false] {
            let members = w.indices.filter { isSource[$0] == field }
            if members.reduce(0, { $0 + w[$1] }) <= 0 { for d in members { w[d] = (field ? s : 1 - s) / Double(members.count) } }
        }
        let total = w.reduce(0, +)
        return try Mixture(w.map { $0 / total })
    }

    /// rw and gw of the balanced score, read from the scores: the base scores retention 1 and gain 0,
    /// so its balanced score is rw; a later round with gain ≠ 0 gives gw. Before one: gw = 1 − rw.
    static func tradeOff(_ scores: [BalancedScore]) -> (Double, Double) {
        guard let base = scores.first, abs(base.retention - 1) < 1e-9, abs(base.gain) < 1e-12 else { return (0.5, 0.5) }
        let rw = base.balanced
        if let r = scores.dropFirst().last(where: { abs($0.gain) > 1e-6 }) {
            let gw = (r.balanced - rw * r.retention) / r.gain
            if gw.isFinite, gw >= 0 { return (rw, gw) }
        }
        return (rw, max(1 - rw, 0))
    }
}

/// `agent:FILE` takes either kind of agent file: the trained network (``PolicyFile``) or the
/// closed-loop controller (``FeedbackControllerFile``), told apart by the file's format tag here
/// and nowhere else; the file is read once.
public enum AgentFile {
    case network(AgentPolicy)
    case controller(FeedbackControllerPolicy)

    /// The agent in `path`, loaded and validated; errors name the file.
    public static func load(_ path: String) throws -> AgentFile {
        guard let bytes = FileManager.default.contents(atPath: path) else { throw DataFileError(path: path, problem: "file not found") }
        return FeedbackControllerFile.isFeedbackController(bytes)
            ? .controller(try FeedbackControllerPolicy(path: path, bytes: bytes)) : .network(try AgentPolicy(path: path, bytes: bytes))
    }

    /// The agent in `path` as a provider for proposals from other training loops.
    public static func provider(path: String) throws -> PolicyProvider {
        switch try load(path) {
        case .network(let agent): return agent
        case .controller(let controller): return controller
        }
    }

    /// Real runs of the setting (`environment` with model preset `preset`) the agent in `path` was
    /// trained on: a network counts its trajectories when they were proxy runs of this environment,
    /// a controller its runs of the setting (``FeedbackControllerFile/settingKey(environment:model:)``).
    public static func runsOfSetting(path: String, environment: EnvironmentConfig, preset: String) throws -> Int {
        switch try load(path) {
        case .controller(let controller):
            return controller.file.trainedOn[FeedbackControllerFile.settingKey(environment: environment.name, model: preset)] ?? 0
        case .network(let agent):
            let provenance = agent.file.provenance
            return provenance.environmentHash == environment.hash && preset == "proxy" ? provenance.trajectoryCount : 0
        }
    }

    /// The agent in `path` reading states of real runs of `environment` with its score weights.
    public static func bound(path: String, environment: EnvironmentConfig, domains: [DomainName], feedbackNames: [String]) throws -> FingerprintedPolicy {
        switch try load(path) {
        case .controller(let controller):
            let score = try ScoreFormula(env: environment, feedbackNames: feedbackNames)
            return try controller.bound(to: ObservationLayout(domains: domains, feedbackNames: feedbackNames, score: score))
        case .network(let agent):
            return try agent.bound(to: environment, domains: domains, feedbackNames: feedbackNames)
        }
    }
}

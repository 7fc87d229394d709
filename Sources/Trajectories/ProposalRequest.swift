import Base
import Corpus
import Evaluation
import Foundation
import Numerics

/// A training state sent by a training loop outside dma, asking for the next mixture
/// (`dma propose --state FILE`, `POST /v1/propose`). Schema and example: `docs/serving.md`.
///
/// Domains are the sender's own, in any number: each names its field and its weight in the
/// sender's balanced score. Feedback is keyed by signal name (`bpb/<domain>`, `em/<domain>`, …);
/// every domain needs its bits per byte, and math domains their exact match.
public struct ProposalRequest: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public struct Domain: Codable, Sendable, Equatable {
        public var name: String
        /// `source`, `math` or `code`.
        public var field: String
        /// Weight in the balanced score (source domains: retention weight). Every source domain
        /// needs one unless the request says `"weights": "uniform"`; target domains count equally.
        public var scoreWeight: Double?

        public init(name: String, field: String, scoreWeight: Double? = nil) {
            (self.name, self.field, self.scoreWeight) = (name, field, scoreWeight)
        }
    }

    /// The balanced score's coefficients (defaults: 0.5, 0.5, 0.5, as in the bundled environments).
    public struct Score: Codable, Sendable, Equatable {
        public var retentionWeight: Double?
        public var gainWeight: Double?
        public var exactMatchShare: Double?
        public init(retentionWeight: Double? = nil, gainWeight: Double? = nil, exactMatchShare: Double? = nil) {
            (self.retentionWeight, self.gainWeight, self.exactMatchShare) = (retentionWeight, gainWeight, exactMatchShare)
        }
    }

    public var version: Int
    public var domains: [Domain]
    /// The round about to be trained, 0-based (= the number of mixtures trained so far).
    public var round: Int
    /// Re-weighting steps of the run (T).
    public var rounds: Int
    /// One mixture per trained round, in `domains` order.
    public var mixtures: [[Double]]
    /// The base model's feedback, then the feedback after each trained round (round + 1 entries).
    public var feedback: [[String: Double]]
    public var score: Score?
    /// `"uniform"`: every source domain weighs 1 in the score, and no domain gives a `scoreWeight`.
    /// Absent: every source domain must give its `scoreWeight`. No weight is ever assumed silently.
    public var weights: String?

    /// The one value of `weights`.
    public static let uniformWeights = "uniform"

    public init(version: Int = currentVersion, domains: [Domain], round: Int, rounds: Int, mixtures: [[Double]],
                feedback: [[String: Double]], score: Score? = nil, weights: String? = nil) {
        (self.version, self.domains, self.round, self.rounds, self.mixtures, self.feedback, self.score, self.weights) =
            (version, domains, round, rounds, mixtures, feedback, score, weights)
    }

    /// The ranges a request's numbers must fall in (docs/serving.md). A value outside them is a bug
    /// in the sender's loop: let through, a finite but huge value overflows the score and surfaces
    /// as the policy's fault instead of the request's.
    public enum Bounds {
        /// `bpb/<domain>`: no tokenizer-free model spends more than 8 bits per bit.
        public static let bitsPerByte: ClosedRange<Double> = 0...64
        /// `em/<domain>`: a share of answers.
        public static let exactMatch: ClosedRange<Double> = 0...1
        /// Any other signal, passed on to the policy as is.
        public static let otherSignal: ClosedRange<Double> = -1e9...1e9
        /// A domain's `scoreWeight`, and the score's `retentionWeight` and `gainWeight`.
        public static let weight: ClosedRange<Double> = 0...1e6
        /// The score's `exactMatchShare`.
        public static let exactMatchShare: ClosedRange<Double> = 0...1
    }

    /// The request as dma's policies see it.
    public struct Resolved: Sendable {
        public var state: PolicyState
        /// The encoding of `state`, with the sender's score weights (window 2: a policy that reads
        /// another window re-encodes with `layout.with(window:)`).
        public var layout: ObservationLayout
        public var formula: ScoreFormula
        /// The sender's domain names, in order (dma's names carry a field prefix).
        public var senderNames: [String]
        /// The score the state was resolved with (echoed in the answer).
        public var score: ProposalResponse.Score
    }

    /// Decodes and resolves a request; `source` names it in errors (a file path, "request").
    public static func decode(_ data: Data, source: String) throws -> Resolved {
        let request: ProposalRequest
        do { request = try StrictJSON.decode(ProposalRequest.self, from: data) } catch {
            // Foundation's own message for a NaN says neither where it is nor what to send instead.
            if let nonFinite = StrictJSON.nonFiniteNumber(in: data) { throw ProposalError(source: source, reason: nonFinite.description) }
            throw ProposalError(source: source, reason: "not a proposal request: \(JSONErrorText.describe(error))")
        }
        return try request.resolved(source: source)
    }

    /// Validates the request and builds the policy state: domain names get their field prefix,
    /// signals are renamed with them, and scores are computed with the sender's weights.
    public func resolved(source: String) throws -> Resolved {
        func fail(_ reason: String) -> ProposalError { ProposalError(source: source, reason: reason) }
        guard version == Self.currentVersion else { throw fail("version \(version) is not supported (expected \(Self.currentVersion))") }
        guard !domains.isEmpty else { throw fail("no domains") }
        var names: [DomainName] = []
        var rename: [String: String] = [:]
        for d in domains {
            guard let field = Field(rawValue: d.field) else {
                throw fail("domain '\(d.name)' has field '\(d.field)'; a field is one of \(Field.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard !d.name.isEmpty else { throw fail("domains[\(names.count)] has an empty name") }
            if let w = d.scoreWeight, !Bounds.weight.contains(w) {
                throw fail("domains[\(names.count)].scoreWeight (domain '\(d.name)') is \(w); it must be in \(Self.describe(Bounds.weight))")
            }
            let given = DomainName(d.name)
            if let prefix = given.field, prefix != field { throw fail("domain '\(d.name)' is named for field \(prefix) but says field \(field)") }
            let name = given.field == nil ? DomainName("\(field.rawValue)/\(d.name)") : given
            names.append(name)
            for kind in [Signal.Kind.bitsPerByte, .exactMatch] { rename["\(kind.rawValue)/\(d.name)"] = "\(kind.rawValue)/\(name.rawValue)" }
        }
        let space: DomainSpace
        do { space = try DomainSpace(name: "request", domains: names, context: source) } catch { throw fail("\(error)") }
        guard space.indices(in: .source).count > 0, space.indices(in: .source).count < names.count else {
            throw fail("the domains need at least one source and one target field domain")
        }
        guard rounds >= 1, (0..<rounds).contains(round) else { throw fail("round \(round) is not in 0..<rounds (\(rounds))") }
        guard mixtures.count == round else {
            throw fail("mixtures has \(mixtures.count) entries but must have \(round): round \(round) (0-based) is the next to train, so mixtures holds "
                + "the mixture of each round trained so far, in order\(round == 0 ? " (none yet: [])" : " (rounds 0…\(round - 1))")")
        }
        guard feedback.count == round + 1 else {
            throw fail("feedback has \(feedback.count) entries but must have \(round + 1): the base model's signals first, then one entry "
                + "after each of the \(round) rounds trained so far")
        }
        let mixtureValues: [Mixture] = try mixtures.enumerated().map { k, m in
            do { return try Mixture(m, count: names.count) } catch { throw fail("mixtures[\(k)]: \(error)") }
        }
        let keys = feedback[0].keys.sorted()
        let feedbackNames = keys.map { rename[$0] ?? $0 }
        let bounds = keys.map { Self.bounds(ofSignal: $0) }
        for (k, f) in feedback.enumerated() {
            guard f.keys.sorted() == keys else { throw fail("feedback \(k) has other signals than feedback 0") }
            for (key, range) in zip(keys, bounds) where !range.contains(f[key]!) {
                let value = f[key]!
                throw fail("feedback[\(k)]['\(key)'] is \(value.isFinite ? "\(value)" : "not a finite number"); it must be in \(Self.describe(range))")
            }
        }
        // A set, not `contains` on the array per domain: a request may bring thousands of domains.
        let present = Set(feedbackNames)
        for (d, name) in zip(domains, names) {
            guard present.contains(Signal.bitsPerByte(name).name) else { throw fail("feedback has no 'bpb/\(d.name)' for domain '\(d.name)'") }
            if name.field == .math, !present.contains(Signal.exactMatch(name).name) {
                throw fail("feedback has no 'em/\(d.name)' for math domain '\(d.name)'")
            }
        }
        let stated = try scoreWeights(fail)
        let weights = stated ?? [Double](repeating: 1, count: domains.count)
        let coefficients = score ?? Score()
        for (field, value, range) in [("retentionWeight", coefficients.retentionWeight, Bounds.weight), ("gainWeight", coefficients.gainWeight, Bounds.weight),
                                      ("exactMatchShare", coefficients.exactMatchShare, Bounds.exactMatchShare)] {
            if let value, !range.contains(value) { throw fail("score.\(field) is \(value); it must be in \(Self.describe(range))") }
        }
        let formula = try ScoreFormula(feedbackNames: feedbackNames, source: space.indices(in: .source).map { (names[$0], weights[$0]) },
                                       target: names.filter { $0.field != .source }, exactMatchShare: coefficients.exactMatchShare ?? 0.5,
                                       retentionWeight: coefficients.retentionWeight ?? 0.5, gainWeight: coefficients.gainWeight ?? 0.5,
                                       context: source)
        let values = feedback.map { f in Feedback(names: feedbackNames, values: keys.map { f[$0]! }) }
        let base = values[0].values
        let state = PolicyState(space: space, round: round, rounds: rounds, mixtures: mixtureValues, feedback: values,
                                scores: values.map { formula.components($0.values, base: base) })
        // The score's own weights (source weights; target domains equally): the tokens see what the score rewards.
        let layout = ObservationLayout(domains: names, feedbackNames: feedbackNames, score: formula)
        let echo = ProposalResponse.Score(
            weights: stated == nil ? Self.uniformWeights : "given",
            sourceWeights: Dictionary(space.indices(in: .source).map { (domains[$0].name, weights[$0]) }, uniquingKeysWith: { a, _ in a }),
            retentionWeight: formula.retentionWeight, gainWeight: formula.gainWeight, exactMatchShare: formula.exactMatchShare)
        return Resolved(state: state, layout: layout, formula: formula, senderNames: domains.map(\.name), score: echo)
    }

    /// Each domain's score weight, or nil for `"weights": "uniform"`; a source domain without a
    /// `scoreWeight` and without `"weights": "uniform"` is refused, not weighed 1 silently.
    func scoreWeights(_ fail: (String) -> ProposalError) throws -> [Double]? {
        let sources = domains.indices.filter { domains[$0].field == Field.source.rawValue }
        switch weights {
        case Self.uniformWeights?:
            if let i = domains.indices.first(where: { domains[$0].scoreWeight != nil }) {
                throw fail("weights is \"uniform\" but domains[\(i)] ('\(domains[i].name)') gives a scoreWeight; send one or the other")
            }
            return nil
        case let other?:
            throw fail("weights is \"\(other)\"; its one value is \"uniform\" (or leave it out and give every source domain a scoreWeight)")
        case nil:
            let missing = sources.filter { domains[$0].scoreWeight == nil }
            guard let first = missing.first else { return domains.map { $0.scoreWeight ?? 1 } }
            let more = missing.count > 1 ? " (and \(missing.count - 1) more source domains)" : ""
            throw fail("domains[\(first)] (source domain '\(domains[first].name)') has no scoreWeight\(more): give every source domain "
                + "its scoreWeight in your balanced score, or send \"weights\": \"uniform\" to weigh them all 1")
        }
    }

    /// The range of a feedback key: bits per byte and exact match by prefix, anything else `otherSignal`.
    static func bounds(ofSignal key: String) -> ClosedRange<Double> {
        if key.hasPrefix("\(Signal.Kind.bitsPerByte.rawValue)/") { return Bounds.bitsPerByte }
        if key.hasPrefix("\(Signal.Kind.exactMatch.rawValue)/") { return Bounds.exactMatch }
        return Bounds.otherSignal
    }

    static func describe(_ range: ClosedRange<Double>) -> String {
        func text(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)" }
        return "[\(text(range.lowerBound)), \(text(range.upperBound))]"
    }
}

/// The policy, not the request, failed: it proposed no valid mixture (a server answers 500).
public struct PolicyFault: Error, CustomStringConvertible, Equatable {
    public var policy: String
    public var reason: String
    public var description: String { "policy '\(policy)': \(reason)" }
}

/// A proposal request that cannot be answered, with what is wrong.
public struct ProposalError: DataError, Equatable {
    public var source: String
    public var reason: String
    public init(source: String, reason: String) { (self.source, self.reason) = (source, reason) }
    public var description: String { "\(source): \(reason)" }
}

/// The answer to a proposal: the next mixture, and where it came from.
public struct ProposalResponse: Codable, Sendable, Equatable {
    public var policy: String
    /// Fingerprints of the policy (its file, or its name for rules) and of the environment it was
    /// trained on (nil for rules that were not trained).
    public var policyFingerprint: String
    public var environmentFingerprint: String?
    public var round: Int
    /// The sender's domain names, in request order.
    public var domains: [String]
    /// The next mixture, in `domains` order: non-negative, summing to 1 within 1e-9.
    public var mixture: [Double]
    /// The balanced score the state was read with: what the policy was asked to optimise.
    public var score: Score

    /// The score a request was resolved with, echoed so the sender sees every weight used.
    public struct Score: Codable, Sendable, Equatable {
        /// `given` (each source domain's `scoreWeight`) or `uniform`.
        public var weights: String
        /// Each source domain's weight, by the sender's name.
        public var sourceWeights: [String: Double]
        public var retentionWeight: Double
        public var gainWeight: Double
        public var exactMatchShare: Double

        public init(weights: String, sourceWeights: [String: Double], retentionWeight: Double, gainWeight: Double, exactMatchShare: Double) {
            (self.weights, self.sourceWeights, self.retentionWeight, self.gainWeight, self.exactMatchShare) =
                (weights, sourceWeights, retentionWeight, gainWeight, exactMatchShare)
        }
    }

    public init(policy: String, policyFingerprint: String, environmentFingerprint: String?, round: Int, domains: [String], mixture: [Double],
                score: Score) {
        (self.policy, self.policyFingerprint, self.environmentFingerprint, self.round, self.domains, self.mixture, self.score) =
            (policy, policyFingerprint, environmentFingerprint, round, domains, mixture, score)
    }
}

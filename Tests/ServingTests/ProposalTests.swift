import Baselines
import Foundation
import Base
import Testing
@testable import Trajectories

/// A training state from someone else's loop: accepted with its own domain names and count, refused
/// with a reason naming what is missing.
@Suite struct ProposalTests {
    /// A state of `source` + `target` domains named by the sender, after `round` rounds.
    static func request(source: Int, target: Int, round: Int, field: String = "math") -> ProposalRequest {
        let domains = (0..<source).map { ProposalRequest.Domain(name: "web\($0)", field: "source", scoreWeight: $0 == 0 ? 6 : 0.1) }
            + (0..<target).map { ProposalRequest.Domain(name: "t\($0)", field: field) }
        func feedback(_ k: Int) -> [String: Double] {
            var f: [String: Double] = [:]
            for d in domains {
                f["bpb/\(d.name)"] = d.field == "source" ? 2.5 + 0.1 * Double(k) : 6.0 - 0.3 * Double(k)
                if d.field == "math" { f["em/\(d.name)"] = 0.01 * Double(k) }
            }
            f["cloze/acc"] = 0.6
            return f
        }
        let uniform = [Double](repeating: 1 / Double(domains.count), count: domains.count)
        return ProposalRequest(domains: domains, round: round, rounds: 10, mixtures: [[Double]](repeating: uniform, count: round),
                               feedback: (0...round).map(feedback))
    }

    func encoded(_ r: ProposalRequest) throws -> Data { try JSONEncoder().encode(r) }

    @Test func foreignSpacesOfAnySizeResolve() throws {
        for (s, t, field) in [(6, 8, "math"), (8, 8, "math"), (8, 9, "code")] {
            let resolved = try ProposalRequest.decode(try encoded(Self.request(source: s, target: t, round: 2, field: field)), source: "state.json")
            #expect(resolved.state.space.count == s + t)
            #expect(resolved.state.space.domains[0].rawValue == "source/web0")
            #expect(resolved.senderNames[0] == "web0")
            #expect(resolved.layout.tokens(resolved.state).count == (s + t) * resolved.layout.tokenColumns.count)
            // The sender's score weights reach the tokens, normalised within the field.
            let w = try #require(resolved.layout.scoreWeights)
            #expect(abs(w[0] - 6 / (6 + 0.1 * Double(s - 1))) < 1e-12)
            // Retention falls as source bits per byte rise.
            #expect(resolved.state.scores[2].retention < resolved.state.scores[0].retention)
        }
    }

    @Test func malformedStatesNameWhatIsMissing() throws {
        var noBPB = Self.request(source: 2, target: 2, round: 1)
        noBPB.feedback = noBPB.feedback.map { var f = $0; f["bpb/t1"] = nil; return f }
        var noEM = Self.request(source: 2, target: 2, round: 1)
        noEM.feedback = noEM.feedback.map { var f = $0; f["em/t0"] = nil; return f }
        var badField = Self.request(source: 2, target: 2, round: 0)
        badField.domains[3].field = "biology"
        var shortMixtures = Self.request(source: 2, target: 2, round: 2)
        shortMixtures.mixtures.removeLast()
        var badMixture = Self.request(source: 2, target: 2, round: 1)
        badMixture.mixtures[0] = [0.5, 0.5, 0.5, 0.5]
        var onlySource = Self.request(source: 2, target: 0, round: 0)
        onlySource.version = 1
        let cases: [(ProposalRequest, String)] = [
            (noBPB, "bpb/t1"), (noEM, "em/t0"), (badField, "biology"), (shortMixtures, "mixtures"), (badMixture, "mixtures[0]"),
            (onlySource, "target"),
        ]
        for (request, mention) in cases {
            do {
                _ = try ProposalRequest.decode(try encoded(request), source: "state.json")
                Issue.record("accepted a state that should fail on \(mention)")
            } catch let e as ProposalError {
                #expect(e.description.hasPrefix("state.json: ") && e.description.contains(mention), "\(e)")
            }
        }
        #expect(throws: ProposalError.self) { try ProposalRequest.decode(Data("{\"domains\": 3}".utf8), source: "state.json") }
        #expect(throws: ProposalError.self) { try ProposalRequest.decode(Data("not json".utf8), source: "state.json") }
    }

    @Test func outOfRangeNumbersAreRefusedNamingTheField() throws {
        func with(_ change: (inout ProposalRequest) -> Void) -> ProposalRequest {
            var r = Self.request(source: 2, target: 2, round: 1)
            change(&r)
            return r
        }
        let cases: [(ProposalRequest, String)] = [
            (with { $0.feedback[1]["bpb/web0"] = -0.5 }, "feedback[1]['bpb/web0'] is -0.5; it must be in [0, 64]"),
            (with { $0.feedback[0]["bpb/t1"] = 1e308 }, "feedback[0]['bpb/t1'] is 1e+308; it must be in [0, 64]"),
            (with { $0.feedback[1]["em/t0"] = 5 }, "feedback[1]['em/t0'] is 5.0; it must be in [0, 1]"),
            (with { $0.feedback[0]["cloze/acc"] = 1e308 }, "feedback[0]['cloze/acc']"),
            (with { $0.domains[1].scoreWeight = -1 }, "domains[1].scoreWeight (domain 'web1') is -1.0"),
            (with { $0.domains[1].scoreWeight = 1e300 }, "domains[1].scoreWeight"),
            (with { $0.score = .init(retentionWeight: -0.5) }, "score.retentionWeight is -0.5; it must be in [0, 1000000]"),
            (with { $0.score = .init(gainWeight: -2) }, "score.gainWeight is -2.0"),
            (with { $0.score = .init(exactMatchShare: 1.5) }, "score.exactMatchShare is 1.5; it must be in [0, 1]"),
        ]
        for (request, mention) in cases {
            do {
                _ = try ProposalRequest.decode(try encoded(request), source: "state.json")
                Issue.record("accepted a state that should fail on \(mention)")
            } catch let e as ProposalError {
                #expect(e.description.hasPrefix("state.json: ") && e.description.contains(mention), "\(e)")
            }
        }
        // The edges are accepted.
        _ = try ProposalRequest.decode(try encoded(with { $0.feedback[1]["bpb/web0"] = 64; $0.feedback[1]["em/t0"] = 1; $0.score = .init(exactMatchShare: 0) }), source: "state.json")
    }

    /// A state that states no source weights is refused, not weighed 1 silently; `"weights":
    /// "uniform"` asks for that explicitly, and the answer echoes the weights used.
    @Test func scoreWeightsAreStatedNotAssumed() throws {
        let proposer = Proposer(provider: try NamedPolicyProvider(spec: try PolicySpec(parsing: "uniform")))
        var unstated = Self.request(source: 3, target: 2, round: 1)
        for i in 0..<3 { unstated.domains[i].scoreWeight = nil }
        do {
            _ = try ProposalRequest.decode(try encoded(unstated), source: "request")
            Issue.record("answered a state without score weights")
        } catch let e as ProposalError {
            #expect(e.description.contains("domains[0] (source domain 'web0') has no scoreWeight (and 2 more source domains)"), "\(e)")
            #expect(e.description.contains(#""weights": "uniform""#), "\(e)")
        }
        var partly = Self.request(source: 3, target: 2, round: 1)
        partly.domains[2].scoreWeight = nil
        #expect(throws: ProposalError.self) { try ProposalRequest.decode(try encoded(partly), source: "request") }

        var uniform = unstated
        uniform.weights = "uniform"
        let answer = try proposer.propose(try ProposalRequest.decode(try encoded(uniform), source: "request"))
        #expect(answer.score == .init(weights: "uniform", sourceWeights: ["web0": 1, "web1": 1, "web2": 1], retentionWeight: 0.5, gainWeight: 0.5, exactMatchShare: 0.5))
        let given = try proposer.propose(try ProposalRequest.decode(try encoded(Self.request(source: 2, target: 2, round: 0)), source: "request"))
        #expect(given.score.weights == "given" && given.score.sourceWeights == ["web0": 6, "web1": 0.1])
        // The echo is in the JSON a client reads.
        let json = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(given)) as? [String: Any])
        #expect((json["score"] as? [String: Any])?["sourceWeights"] as? [String: Double] == ["web0": 6, "web1": 0.1])

        var both = Self.request(source: 2, target: 2, round: 0)
        both.weights = "uniform"
        var other = unstated
        other.weights = "equal"
        for (request, mention) in [(both, "gives a scoreWeight; send one or the other"), (other, #"weights is "equal""#)] {
            do { _ = try ProposalRequest.decode(try encoded(request), source: "request"); Issue.record("accepted \(mention)") } catch let e as ProposalError {
                #expect(e.description.contains(mention), "\(e)")
            }
        }
    }

    /// What Python's json.dumps writes for a NaN is named by its field, and what to send instead.
    @Test func nonFiniteTokensNameTheirField() throws {
        var r = Self.request(source: 2, target: 2, round: 1)
        r.feedback[1]["bpb/web0"] = 12345.5
        r.mixtures[0][2] = 0.125
        let text = String(decoding: try encoded(r), as: UTF8.self)
        let cases = [(text.replacingOccurrences(of: "12345.5", with: "NaN"), "request: feedback[1]['bpb/web0'] is NaN"),
                     (text.replacingOccurrences(of: "0.125", with: "-Infinity"), "request: mixtures[0][2] is -Infinity"),
                     (#"{"version": 1, "domains": [{"name": "a", "field": "source", "scoreWeight": Infinity}]}"#, "request: domains[0].scoreWeight is Infinity")]
        for (body, mention) in cases {
            do { _ = try ProposalRequest.decode(Data(body.utf8), source: "request"); Issue.record("accepted \(mention)") } catch let e as ProposalError {
                #expect(e.description.hasPrefix(mention) && e.description.contains("not JSON numbers") && e.description.contains("send a finite number"), "\(e)")
            }
        }
        // A string holding the word is not a number.
        #expect(StrictJSON.nonFiniteNumber(in: Data(#"{"note": "NaN, Infinity", "x": [1, -2.5e3]}"#.utf8)) == nil)
    }

    /// Messages a client reads say what to send, not which Swift function to call.
    @Test func mixtureAndRoundMessagesSayWhatToSend() throws {
        var off = Self.request(source: 2, target: 2, round: 1)
        off.mixtures[0] = [0.3, 0.2, 0.2, 0.2]
        var short = Self.request(source: 2, target: 2, round: 1)
        short.mixtures = []
        var feedback = Self.request(source: 2, target: 2, round: 2)
        feedback.feedback.removeFirst()
        let cases = [(off, "mixtures[0]: invalid mixture: weights sum to 0.8999"), (off, "divide each weight by their sum"),
                     (short, "mixtures has 0 entries but must have 1: round 1 (0-based) is the next to train"),
                     (feedback, "feedback has 2 entries but must have 3: the base model's signals first, then one entry after each of the 2 rounds")]
        for (request, mention) in cases {
            do { _ = try ProposalRequest.decode(try encoded(request), source: "request"); Issue.record("accepted \(mention)") } catch let e as ProposalError {
                #expect(e.description.contains(mention) && !e.description.contains("normalized(_:)"), "\(e)")
            }
        }
    }

    /// 18,000 domains (about 1 MiB of JSON): resolution is linear in the domains, not quadratic.
    @Test func aLargeStateResolvesFast() throws {
        let request = Self.request(source: 9_000, target: 9_000, round: 1, field: "code")
        let started = ContinuousClock.now
        let resolved = try request.resolved(source: "state.json")
        let elapsed = ContinuousClock.now - started
        print("18,000-domain state resolved in \(elapsed)")
        #expect(resolved.state.space.count == 18_000)
        #expect(elapsed < .seconds(10), "the quadratic resolution took 47 s")
    }

    @Test func aRuleProposesAValidMixtureForAForeignSpace() throws {
        let proposer = Proposer(provider: try NamedPolicyProvider(spec: try PolicySpec(parsing: "ratio:0.75")))
        let response = try proposer.propose(try ProposalRequest.decode(try encoded(Self.request(source: 6, target: 8, round: 3)), source: "state.json"))
        #expect(response.domains.count == 14 && response.domains[0] == "web0")
        #expect(abs(response.mixture.reduce(0, +) - 1) <= 1e-9)
        #expect(abs(response.mixture[0] - 0.125) < 1e-12 && abs(response.mixture[13] - 0.25 / 8) < 1e-12)
        #expect(response.policy == "ratio:0.75" && response.round == 3 && !response.policyFingerprint.isEmpty)
    }
}

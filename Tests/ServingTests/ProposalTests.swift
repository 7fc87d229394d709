import Baselines
import Foundation
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
            (noBPB, "bpb/t1"), (noEM, "em/t0"), (badField, "biology"), (shortMixtures, "mixtures"), (badMixture, "mixture 0"),
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

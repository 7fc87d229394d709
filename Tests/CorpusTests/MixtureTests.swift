import Testing
import Numerics
@testable import Corpus

@Suite struct MixtureTests {
    @Test func rejectsInvalidWeights() {
        #expect(throws: CorpusError.self) { try Mixture([0.5, 0.6]) }
        #expect(throws: CorpusError.self) { try Mixture([1.2, -0.2]) }
        #expect(throws: CorpusError.self) { try Mixture([.nan, 1]) }
        #expect(throws: CorpusError.self) { try Mixture([0.5, 0.5], count: 3) }
        #expect(throws: CorpusError.self) { try Mixture([]) }
        #expect(throws: CorpusError.self) { try Mixture.normalized([0, 0]) }
        #expect(throws: Never.self) { try Mixture([0.25, 0.75], count: 2) }
    }

    @Test func errorMessagesNameTheProblem() {
        do { _ = try Mixture([0.5, 0.6]); Issue.record("accepted a mixture summing to 1.1") } catch {
            #expect("\(error)".contains("sum to 1.1"))
        }
        do { _ = try Mixture([1.5, -0.5]); Issue.record("accepted a negative weight") } catch {
            #expect("\(error)".contains("negative"))
        }
    }

    @Test func apportionIsExactAndProportional() throws {
        let m = try Mixture.normalized([0.37, 0.21, 0.0, 0.42, 1e-3])
        for total in [1, 7, 64, 333, 1000] {
            let counts = m.apportion(total)
            #expect(counts.reduce(0, +) == total)
            for (c, w) in zip(counts, m.weights) { #expect(abs(Double(c) - w * Double(total)) < 1.0) }
        }
        #expect(m.apportion(100)[2] == 0)
    }

    @Test func splitPutsShareOnFirstGroup() throws {
        let m = try Mixture.split(count: 5, first: [0, 1], second: [2, 3, 4], share: 0.4)
        #expect(abs(m.mass(of: [0, 1]) - 0.4) < 1e-12)
        #expect(abs(m.weights[3] - 0.2) < 1e-12)
    }
}

@Suite struct DomainSpaceTests {
    @Test func validatesNames() {
        #expect(throws: CorpusError.self) { try DomainSpace(name: "x", domains: ["source/a", "source/a"]) }
        #expect(throws: CorpusError.self) { try DomainSpace(name: "x", domains: ["nofield"]) }
        #expect(throws: CorpusError.self) { try DomainSpace(name: "x", domains: []) }
    }

    @Test func fieldsAndIndices() throws {
        let s = try DomainSpace(name: "x", domains: ["source/a", "math/b", "source/c", "math/d"])
        #expect(s.indices(in: .source) == [0, 2])
        #expect(s.indices(in: .math) == [1, 3])
        #expect(s.fields == [.source, .math])
        #expect(DomainName("math/add-sub").shortName == "add-sub")
        #expect(DomainName("math/add-sub").fileStem == "math.add-sub")
    }
}

@Suite struct MixtureSamplerTests {
    func streams() -> [DomainStream] {
        (0..<3).map { d in
            let docs = (0..<20).map { i in Array("domain\(d)-document-\(i)-".utf8) + [UInt8](repeating: UInt8(65 + d), count: 30) }
            return DomainStream(domain: DomainName("source/d\(d)"), split: .train, documents: docs)
        }
    }

    @Test func rowsMatchMixtureExactly() throws {
        let sampler = try MixtureSampler(streams: streams(), sequenceLength: 17)
        let m = try Mixture([0.5, 0.3, 0.2])
        let s = try sampler.sample(m, sequences: 50, rng: RandomSource(seed: 1))
        #expect(s.rowsPerDomain == [25, 15, 10])
        #expect(s.tokens.count == 50 * 17)
        for d in 0..<3 { #expect(s.rowDomains.filter { $0 == d }.count == s.rowsPerDomain[d]) }
        // Every row is a window of its own domain's stream.
        for (r, d) in s.rowDomains.enumerated() {
            let row = Array(s.tokens[(r * 17)..<((r + 1) * 17)])
            let hay = sampler.streams[d].bytes
            let found = (0...(hay.count - 17)).contains { Array(hay[$0..<($0 + 17)]) == row }
            #expect(found)
        }
    }

    @Test func sameSeedSameSample() throws {
        let sampler = try MixtureSampler(streams: streams(), sequenceLength: 9)
        let m = try Mixture([0.2, 0.2, 0.6])
        let a = try sampler.sample(m, sequences: 40, rng: RandomSource(seed: 5))
        let b = try sampler.sample(m, sequences: 40, rng: RandomSource(seed: 5))
        let c = try sampler.sample(m, sequences: 40, rng: RandomSource(seed: 6))
        #expect(a.tokens == b.tokens && a.rowDomains == b.rowDomains)
        #expect(a.tokens != c.tokens)
    }

    @Test func rejectsTooShortDomainsAndWrongMixtures() throws {
        let tiny = DomainStream(domain: "source/tiny", split: .train, documents: [Array("abc".utf8)])
        #expect(throws: CorpusError.self) { try MixtureSampler(streams: [tiny], sequenceLength: 8) }
        let sampler = try MixtureSampler(streams: streams(), sequenceLength: 9)
        #expect(throws: CorpusError.self) { try sampler.sample(try Mixture([0.5, 0.5]), sequences: 4, rng: RandomSource(seed: 1)) }
    }
}

import Corpus
import Environment
import Foundation
import Numerics

/// Turns a checkpoint into a feedback vector on held-out test data.
///
/// Items are built once (deterministically from the environment's benchmark seed) and every
/// benchmark is scored in one length-sorted batched pass. Items are drawn in a fixed order, so a
/// smaller size (the per-step `feedback` subset) always takes a prefix of the `full` suite's items.
public final class EvaluationSuite {
    public let env: EnvironmentConfig
    public let sizes: EnvironmentConfig.BenchmarkSizes
    public let contextLength: Int

    /// One benchmark's share of the item list and how its items fold into signals.
    private enum Benchmark {
        case bitsPerByte(name: String, range: Range<Int>)
        case exactMatch(name: String, range: Range<Int>)
        /// Each question is `options` consecutive items; option 0 is the right one.
        case multipleChoice(name: String, range: Range<Int>, options: Int)
    }

    /// Items while the suite is being built; batched into `plan` once at the end of `init`.
    private var items: [ScoringItem] = []
    private var plan = ScoringPlan([])
    private var benchmarks: [Benchmark] = []

    /// Number of sequences scored per evaluation.
    public var itemCount: Int { plan.items.count }
    /// Number of bytes fed through the model per evaluation.
    public var tokenCount: Int { plan.items.reduce(0) { $0 + $1.tokens.count } }

    public init(env: EnvironmentConfig, store: CorpusStore, sizes: EnvironmentConfig.BenchmarkSizes, contextLength: Int) throws {
        self.env = env
        self.sizes = sizes
        self.contextLength = contextLength
        try store.requireDomains(env.space.source + env.space.target, context: "environment '\(env.name)'")
        let seed = env.benchmarks.seed

        for d in env.space.source {
            addBitsPerByte(name: Signal.bitsPerByte(d).name, stream: try store.stream(d, .test), seed: seed)
        }
        try addCloze(store: store, seed: seed)
        try addDefinitions(store: store, seed: seed)
        for d in env.space.target {
            switch d.field {
            case .math: try addMath(d, store: store)
            default: addBitsPerByte(name: Signal.bitsPerByte(d).name, stream: try store.stream(d, .test), seed: seed)
            }
        }
        let code = env.space.target.filter { $0.field == .code }
        if !code.isEmpty { try addNextLine(code, store: store, seed: seed) }
        plan = ScoringPlan(items)
        items = []
    }

    // MARK: - Evaluation

    /// Scores `model` on every benchmark.
    public func evaluate(_ model: ScoringModel) -> Feedback {
        precondition(model.contextLength >= contextLength, "the suite was built for context \(contextLength), the model has \(model.contextLength)")
        let scores = plan.score(model)
        var feedback = Feedback()
        for b in benchmarks {
            switch b {
            case let .bitsPerByte(name, range):
                feedback.append(name, scores[range].bitsPerByte)
            case let .exactMatch(name, range):
                feedback.append(name, scores[range].exactMatchRate)
            case let .multipleChoice(name, range, options):
                let questions = range.count / options
                var right = 0
                for q in 0..<questions {
                    let base = range.lowerBound + q * options
                    let means = (0..<options).map { scores[base + $0].meanNats }
                    // Ties count as wrong: a model that cannot tell options apart gets no credit.
                    if means[1...].allSatisfy({ means[0] < $0 }) { right += 1 }
                }
                feedback.append(name, Double(right) / Double(max(questions, 1)))
            }
        }
        return feedback
    }

    // MARK: - Item builders

    private func addBitsPerByte(name: String, stream: DomainStream, seed: UInt64) {
        let ctx = contextLength
        let bytes = stream.bytes
        let windows = max(1, (bytes.count - 1) / ctx)
        var order = Array(0..<windows)
        RandomSource(seed: seed, stream: StableHash.of(name)).shuffle(&order)
        let n = sizes.windowsPerDomain > 0 ? min(sizes.windowsPerDomain, windows) : windows
        let start = items.count
        for w in order.prefix(n) { items.append(ScoringItem(window: bytes, from: w * ctx, context: ctx)) }
        benchmarks.append(.bitsPerByte(name: name, range: start..<items.count))
    }

    /// 4-way cloze: the true continuation of a held-out passage against continuations of other passages.
    private func addCloze(store: CorpusStore, seed: UInt64) throws {
        guard sizes.clozeItems > 0 else { return }
        let continuation = 16
        let need = min(contextLength, 48) + continuation
        var docs: [ArraySlice<UInt8>] = []
        for d in env.space.source {
            let s = try store.stream(d, .test)
            for i in 0..<s.documentCount where s.document(i).count >= need { docs.append(s.document(i)) }
        }
        guard docs.count >= 4 else { return }
        let rng = RandomSource(seed: seed, stream: .clozeItems)
        func cut(_ doc: ArraySlice<UInt8>) -> Int { doc.startIndex + need - continuation + rng.int(below: doc.count - need + 1) }
        let start = items.count
        for _ in 0..<sizes.clozeItems {
            let i = rng.int(below: docs.count)
            let doc = docs[i]
            let p = cut(doc)
            let prompt = Array(doc[max(doc.startIndex, p - (contextLength + 1 - continuation))..<p])
            var options = [Array(doc[p..<(p + continuation)])]
            while options.count < 4 {
                let j = rng.int(below: docs.count)
                guard j != i else { continue }
                let q = cut(docs[j])
                let option = Array(docs[j][q..<(q + continuation)])
                if !options.contains(option) { options.append(option) }
            }
            for o in options { items.append(ScoringItem(prompt: prompt, continuation: o, context: contextLength)) }
        }
        benchmarks.append(.multipleChoice(name: Signal.cloze.name, range: start..<items.count, options: 4))
    }

    /// 4-way definition → term: which candidate headword makes the held-out definition most likely.
    private func addDefinitions(store: CorpusStore, seed: UInt64) throws {
        guard sizes.definitionItems > 0 else { return }
        let all = try store.definitionItems()
        let inSpace = all.filter { env.space.source.contains($0.domain) }
        let pool = inSpace.count >= 50 ? inSpace : all
        guard pool.count >= 4 else { return }
        let rng = RandomSource(seed: seed, stream: .definitionItems)
        var order = Array(pool.indices)
        rng.shuffle(&order)
        let start = items.count
        for k in order.prefix(sizes.definitionItems) {
            let item = pool[k]
            var terms = [item.term]
            while terms.count < 4 {
                let other = pool[rng.int(below: pool.count)].term
                if !terms.contains(other) { terms.append(other) }
            }
            // Every option scores the same definition bytes: the room left by the longest candidate
            // term. (Truncating per option compared different byte spans and biased the choice.)
            let prompts = terms.map { Array("\($0) , ".utf8) }
            let room = max(8, contextLength + 1 - prompts.map(\.count).max()!)
            let definition = Array(item.definition.utf8.prefix(room))
            for prompt in prompts {
                items.append(ScoringItem(prompt: prompt, continuation: definition, context: contextLength))
            }
        }
        benchmarks.append(.multipleChoice(name: Signal.definitions.name, range: start..<items.count, options: 4))
    }

    /// Held-out problems: answer-only bits per byte and exact match of the greedy answer, both from one
    /// teacher-forced pass (greedy decoding reproduces the answer iff every answer byte, and the newline
    /// that ends it, is the argmax given the bytes before it).
    private func addMath(_ domain: DomainName, store: CorpusStore) throws {
        let test = try store.stream(domain, .test)
        let problems = (0..<min(sizes.mathItems, test.documentCount)).compactMap {
            MathProblem(text: String(decoding: test.document($0), as: UTF8.self))
        }
        guard !problems.isEmpty else {
            throw CorpusError.emptyDomain(domain: domain.rawValue, detail: "test split has no problems in `Q: …\\nA: …` form")
        }
        let start = items.count
        for p in problems { items.append(ScoringItem(answering: p, context: contextLength)) }
        benchmarks.append(.bitsPerByte(name: Signal.bitsPerByte(domain).name, range: start..<items.count))
        benchmarks.append(.exactMatch(name: Signal.exactMatch(domain).name, range: start..<items.count))
    }

    /// Next-line exact match on held-out code.
    private func addNextLine(_ domains: [DomainName], store: CorpusStore, seed: UInt64) throws {
        guard sizes.nextLineItems > 0 else { return }
        var candidates: [(prompt: [UInt8], line: [UInt8])] = []
        for d in domains {
            let s = try store.stream(d, .test)
            for i in 0..<s.documentCount {
                let doc = Array(s.document(i))
                var lineStart = 0
                for (j, b) in doc.enumerated() where b == UInt8(ascii: "\n") {
                    let line = Array(doc[lineStart..<j])
                    let trimmed = line.drop { $0 == UInt8(ascii: " ") }
                    if lineStart >= 32, (8...40).contains(trimmed.count), trimmed.first != UInt8(ascii: "#") {
                        candidates.append((Array(doc[max(0, lineStart - contextLength)..<lineStart]), line + [UInt8(ascii: "\n")]))
                    }
                    lineStart = j + 1
                }
            }
        }
        guard !candidates.isEmpty else { return }
        var order = Array(candidates.indices)
        RandomSource(seed: seed, stream: .nextLineItems).shuffle(&order)
        let start = items.count
        for k in order.prefix(sizes.nextLineItems) {
            items.append(ScoringItem(prompt: candidates[k].prompt, continuation: candidates[k].line, context: contextLength))
        }
        benchmarks.append(.exactMatch(name: Signal.nextLine.name, range: start..<items.count))
    }
}

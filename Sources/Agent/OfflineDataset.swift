import Corpus
import Evaluation
import Numerics
import Trajectories

/// Transitions in the agent's encoding: per-domain tokens and global features of the state before
/// and after each re-weighting step (`ObservationLayout`), the step's mixture, its reward (change of
/// the balanced score) and whether it ended the run. Row-major `Float` buffers for the networks;
/// every row of one dataset has the same domain count D.
public struct OfflineDataset: Sendable {
    public let domainCount: Int
    public let tokenWidth: Int
    public let globalWidth: Int
    /// Tokens of each row, N × D × tokenWidth.
    public private(set) var tokens: [Float] = []
    /// Globals of each row, N × globalWidth.
    public private(set) var globals: [Float] = []
    /// Whether each domain is in the source field, N × D (1 or 0), for per-field pooling.
    public private(set) var isSource: [Float] = []
    /// The mixture taken, N × D.
    public private(set) var actions: [Float] = []
    public private(set) var rewards: [Float] = []
    public private(set) var nextTokens: [Float] = []
    public private(set) var nextGlobals: [Float] = []
    /// 1 on a run's last step.
    public private(set) var terminals: [Float] = []
    /// Which trajectory (or rollout) each row comes from.
    public private(set) var episode: [Int] = []

    public var count: Int { rewards.count }

    public init(domainCount: Int, tokenWidth: Int, globalWidth: Int) {
        (self.domainCount, self.tokenWidth, self.globalWidth) = (domainCount, tokenWidth, globalWidth)
    }

    /// Appends one transition from `state` under `action` to `next`.
    public mutating func append(_ state: PolicyState, action: [Double], reward: Double, next: PolicyState, terminal: Bool,
                                layout: ObservationLayout, episode id: Int) {
        precondition(action.count == domainCount && layout.domainCount == domainCount, "transition of another domain count")
        AgentEncoding.append(state, layout: layout, tokens: &tokens, globals: &globals, isSource: &isSource)
        actions += action.map(Float.init)
        rewards.append(Float(reward))
        nextTokens += layout.tokens(next).map(Float.init)
        nextGlobals += layout.globals(next).map(Float.init)
        terminals.append(terminal ? 1 : 0)
        episode.append(id)
    }

    /// Appends one transition given directly in the agent's encoding (synthetic data, tests):
    /// tokens D × tokenWidth, globals globalWidth, isSource D, action D.
    public mutating func append(tokens t: [Float], globals g: [Float], isSource m: [Float], action a: [Float], reward: Float,
                                nextTokens nt: [Float], nextGlobals ng: [Float], terminal: Bool, episode id: Int) {
        precondition(t.count == domainCount * tokenWidth && nt.count == t.count && g.count == globalWidth && ng.count == globalWidth
                     && m.count == domainCount && a.count == domainCount, "transition of another shape")
        tokens += t; globals += g; isSource += m; actions += a; rewards.append(reward)
        nextTokens += nt; nextGlobals += ng; terminals.append(terminal ? 1 : 0); episode.append(id)
    }

    /// Whether row r is the first of its episode (rows of an episode are contiguous and in step order).
    public func isFirst(_ r: Int) -> Bool { r == 0 || episode[r] != episode[r - 1] }

    /// The first row of every episode, in order.
    public var firstRows: [Int] { (0..<count).filter(isFirst) }

    /// The transitions as the learners read them: features standardised by `normalizer`, rewards × `rewardScale`.
    public func prepared(by normalizer: FeatureNormalizer, rewardScale: Float) -> OfflineDataset {
        normalized(by: normalizer).rewardsScaled(by: rewardScale)
    }

    /// The same transitions with every reward multiplied by `factor` (the optimal policy is unchanged).
    public func rewardsScaled(by factor: Float) -> OfflineDataset {
        var out = self
        out.rewards = rewards.map { $0 * factor }
        return out
    }

    /// A copy with tokens and globals (of both states) standardised by `normalizer`.
    public func normalized(by normalizer: FeatureNormalizer) -> OfflineDataset {
        var out = self
        normalizer.apply(tokens: &out.tokens, globals: &out.globals)
        normalizer.apply(tokens: &out.nextTokens, globals: &out.nextGlobals)
        return out
    }

    /// Every step of `trajectories` (one domain space), encoded with `layout`.
    public init(trajectories: [Trajectory], layout: ObservationLayout) throws {
        self.init(domainCount: layout.domainCount, tokenWidth: layout.tokenColumns.count, globalWidth: layout.globalColumns.count)
        for t in trajectories {
            guard t.header.domains == layout.domains, t.header.feedbackNames == layout.feedbackNames else {
                throw AgentError.data("trajectory \(t.header.id) has another domain space or feedback than the layout")
            }
            var state = try PolicyState(t, before: 0)
            for (k, s) in t.steps.enumerated() {
                let next = try PolicyState(t, before: k + 1)
                append(state, action: s.mixture, reward: next.scores[k + 1].balanced - state.scores[k].balanced, next: next,
                       terminal: k == t.steps.count - 1, layout: layout, episode: t.header.id)
                state = next
            }
        }
    }

    /// Appends every row of `other` (same widths), with its episode ids offset by `episodeOffset`.
    public mutating func append(contentsOf other: OfflineDataset, episodeOffset: Int = 0) {
        precondition(other.domainCount == domainCount && other.tokenWidth == tokenWidth && other.globalWidth == globalWidth, "datasets of other widths")
        tokens += other.tokens; globals += other.globals; isSource += other.isSource; actions += other.actions
        rewards += other.rewards; nextTokens += other.nextTokens; nextGlobals += other.nextGlobals
        terminals += other.terminals; episode += other.episode.map { $0 + episodeOffset }
    }

    /// The rows of the given episodes, in order.
    public func rows(ofEpisodes keep: Set<Int>) -> OfflineDataset {
        var out = OfflineDataset(domainCount: domainCount, tokenWidth: tokenWidth, globalWidth: globalWidth)
        let D = domainCount, TW = domainCount * tokenWidth, G = globalWidth
        for r in 0..<count where keep.contains(episode[r]) {
            out.tokens += tokens[(r * TW)..<((r + 1) * TW)]
            out.globals += globals[(r * G)..<((r + 1) * G)]
            out.isSource += isSource[(r * D)..<((r + 1) * D)]
            out.actions += actions[(r * D)..<((r + 1) * D)]
            out.rewards.append(rewards[r])
            out.nextTokens += nextTokens[(r * TW)..<((r + 1) * TW)]
            out.nextGlobals += nextGlobals[(r * G)..<((r + 1) * G)]
            out.terminals.append(terminals[r])
            out.episode.append(episode[r])
        }
        return out
    }
}

/// Per-column standardisation of tokens and globals, fitted on the training data and stored with
/// the policy, so a policy sees features on the scale it was trained on.
public struct FeatureNormalizer: Codable, Sendable, Equatable {
    public var tokenMean: [Float]
    public var tokenScale: [Float]
    public var globalMean: [Float]
    public var globalScale: [Float]

    /// Means and standard deviations over every row (and domain, for tokens) of `data`; a constant
    /// column keeps scale 1.
    public init(fitting data: OfflineDataset) {
        func fit(_ x: [Float], width: Int) -> ([Float], [Float]) {
            let n = x.count / max(width, 1)
            var mean = [Double](repeating: 0, count: width), sq = [Double](repeating: 0, count: width)
            for r in 0..<n { for j in 0..<width { let v = Double(x[r * width + j]); mean[j] += v; sq[j] += v * v } }
            let m = mean.map { $0 / Double(max(n, 1)) }
            let sd = (0..<width).map { j in (max(sq[j] / Double(max(n, 1)) - m[j] * m[j], 0)).squareRoot() }
            return (m.map(Float.init), sd.map { $0 > 1e-8 ? Float($0) : 1 })
        }
        (tokenMean, tokenScale) = fit(data.tokens, width: data.tokenWidth)
        (globalMean, globalScale) = fit(data.globals, width: data.globalWidth)
    }

    /// Standardises `tokens` (rows of tokenMean.count) and `globals` in place.
    public func apply(tokens: inout [Float], globals: inout [Float]) {
        let T = tokenMean.count, G = globalMean.count
        for i in tokens.indices { tokens[i] = (tokens[i] - tokenMean[i % T]) / tokenScale[i % T] }
        for i in globals.indices { globals[i] = (globals[i] - globalMean[i % G]) / globalScale[i % G] }
    }
}

/// Agent inputs or files that cannot be used.
public enum AgentError: Error, CustomStringConvertible, Equatable {
    case data(String)
    public var description: String {
        switch self {
        case let .data(reason): return reason
        }
    }
}

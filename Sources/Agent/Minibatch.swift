import Numerics

/// B transitions gathered from an `OfflineDataset` into buffers allocated once (the offline
/// learners' per-step batch; rows drawn uniformly with replacement, as d3rlpy does).
final class Minibatch {
    let batch: Int, domains: Int, tokenWidth: Int, globalWidth: Int
    var tokens: [Float], globals: [Float], isSource: [Float], actions: [Float]
    var rewards: [Float], nextTokens: [Float], nextGlobals: [Float], terminals: [Float]
    var rows: [Int]

    init(batch B: Int, dataset: OfflineDataset) {
        (batch, domains, tokenWidth, globalWidth) = (B, dataset.domainCount, dataset.tokenWidth, dataset.globalWidth)
        let D = domains
        tokens = .init(repeating: 0, count: B * D * tokenWidth); nextTokens = tokens
        globals = .init(repeating: 0, count: B * globalWidth); nextGlobals = globals
        isSource = .init(repeating: 0, count: B * D); actions = isSource
        rewards = .init(repeating: 0, count: B); terminals = rewards
        rows = .init(repeating: 0, count: B)
    }

    /// Draws `batch` rows of `pool` (dataset row indices) with `rng` and gathers them.
    func draw(from dataset: OfflineDataset, pool: [Int], rng: RandomSource) {
        for i in 0..<batch { rows[i] = pool[rng.int(below: pool.count)] }
        gather(from: dataset)
    }

    /// Gathers the rows in `rows` (their count must be `batch`).
    func gather(from dataset: OfflineDataset) {
        let D = domains, TW = D * tokenWidth, G = globalWidth
        for (i, r) in rows.enumerated() {
            for j in 0..<TW { tokens[i * TW + j] = dataset.tokens[r * TW + j]; nextTokens[i * TW + j] = dataset.nextTokens[r * TW + j] }
            for j in 0..<G { globals[i * G + j] = dataset.globals[r * G + j]; nextGlobals[i * G + j] = dataset.nextGlobals[r * G + j] }
            for d in 0..<D { isSource[i * D + d] = dataset.isSource[r * D + d]; actions[i * D + d] = dataset.actions[r * D + d] }
            rewards[i] = dataset.rewards[r]; terminals[i] = dataset.terminals[r]
        }
    }
}

extension PolicyNetwork {
    /// Forward on raw state buffers (B × D × tokenWidth tokens, B × G globals, B × D masks).
    func forward(tokens: [Float], globals: [Float], isSource: [Float], _ ws: SetWorkspace) {
        tokens.withUnsafeBufferPointer { ws.x0.update(from: $0.baseAddress!, count: ws.rows * tokenWidth) }
        globals.withUnsafeBufferPointer { g in
            isSource.withUnsafeBufferPointer { m in ws.setStates(globals: g.baseAddress!, isSource: m.baseAddress!, globalWidth: globalWidth) }
        }
        net.forward(ws)
    }
}

import Foundation
import Numerics

/// Softmax followed by the negative log-likelihood of a target class, fused (forward and backward
/// in one pass over the logits).
public enum CrossEntropy {
    /// For each of the N rows of logits: loss = −log softmax(row)[target]; with `dlogits` it also
    /// writes the gradient (softmax − onehot) · `gradScale`.
    ///
    /// The targets are next bytes of token rows: row n = b·T + t reads `targets[b·rowStride + t + 1]`.
    ///
    /// - Parameters:
    ///   - logits: (N,V) scores.
    ///   - targets: byte rows (see above); with rowStride T + 1 this is a `TokenBatch`'s layout.
    ///   - losses: (N) per-row loss in nats.
    ///   - hits: (N) whether the row's first maximal logit is the target, or nil.
    ///   - dlogits: (N,V) gradient (overwritten), or nil for forward only.
    ///   - gradScale: factor of the gradient, e.g. 1 / rows for a mean loss.
    public static func forwardBackward(_ logits: ConstFloatPtr, targets: UnsafePointer<UInt8>, rowStride: Int, T: Int, losses: FloatPtr,
                                       hits: UnsafeMutablePointer<Bool>?, dlogits: FloatPtr?, gradScale: Float, N: Int, V: Int) {
        Parallel.forEachChunk(N, chunks: KernelChunks.count) { _, rows in
            // Forward-only rows still need somewhere to put the exps: one V-float row per chunk.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: V) { tmp in
                for n in rows {
                    let y = Int(targets[(n / T) * rowStride + n % T + 1])
                    let row = logits + n * V
                    let mx = vectorMax(row, V)
                    let e = dlogits.map { $0 + n * V } ?? tmp.baseAddress!
                    let sum = expShiftedSum(e, row, shift: mx, V)
                    if dlogits != nil {
                        let inv = gradScale / sum
                        for v in 0..<V { e[v] *= inv }
                        e[y] -= gradScale
                    }
                    losses[n] = logf(sum) + mx - row[y]
                    if let hits {
                        // The argmax is the first maximal logit (the tie rule greedy decoding uses);
                        // the bound only matters for an all-NaN row.
                        var arg = 0
                        while row[arg] != mx && arg < V - 1 { arg += 1 }
                        hits[n] = arg == y
                    }
                }
            }
        }
    }
}

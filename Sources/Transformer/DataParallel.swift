import Kernels
import Numerics

// Data parallelism within one step, the way a training run uses more than one core.
//
// Measured on the 2-core EPYC (`dma bench`): letting OpenBLAS use both cores speeds `target`
// training up only ~1.1–1.25× and `proxy` not at all, because the elementwise kernels (LayerNorm,
// GELU, softmax, cross-entropy, AdamW) stay on one thread while OpenBLAS's threads spin; putting
// those loops on Dispatch threads as well made `target` 2× slower (both pools spin against each
// other). Splitting the batch instead keeps every kernel and every sgemm single-threaded and busy:
// each worker runs the whole forward and backward on its rows with its own activations and
// gradient buffer, and nothing is shared but the read-only parameters.
//
// Determinism: the row split depends only on the batch size and the worker count, each shard's
// float operations are those of a 1-worker pass over its rows, and gradients are summed per element
// in worker order. So a worker count gives the same result every run; 1 worker is exactly the
// single-pass code (the shards are never used).

/// One data-parallel worker's share of a batch.
final class BatchShard: @unchecked Sendable {
    /// Batch rows of this worker.
    var rows: Range<Int> = 0..<0
    var acts = ActivationBuffer()
    /// Worker 0 accumulates straight into the model's gradient buffer; the others own one each.
    let grads: FloatPtr
    private let ownsGrads: Bool

    init(count: Int, sharing grads: FloatPtr?) {
        if let grads {
            self.grads = grads
            ownsGrads = false
        } else {
            self.grads = .allocate(capacity: count)
            self.grads.initialize(repeating: 0, count: count)
            ownsGrads = true
        }
    }

    deinit {
        acts.release()
        if ownsGrads { grads.deallocate() }
    }
}

extension GPT {
    /// The shards for a batch of B rows, or nil when the batch runs as one pass. Worker w takes
    /// rows w·B/k ..< (w+1)·B/k of k = min(workers, B).
    func dataParallelShards(_ B: Int) -> [BatchShard]? {
        let k = min(workers, B)
        guard k > 1 else { return nil }
        if shards.count != k {
            shards = (0..<k).map { BatchShard(count: layout.count, sharing: $0 == 0 ? grads : nil) }
        }
        for (w, s) in shards.enumerated() { s.rows = (w * B / k)..<((w + 1) * B / k) }
        return shards
    }

    /// Forward (and with `withGrad` backward into each shard's zeroed gradients) on every shard at
    /// once; `hits`, when given, is (B, T) for the whole batch.
    func runShards(_ shards: [BatchShard], _ tokens: UnsafePointer<UInt8>, rowStride: Int, T: Int, withGrad: Bool,
                   hits: UnsafeMutablePointer<Bool>?) {
        let gradScale = 1 / Float(shards.last!.rows.upperBound * T)
        let count = layout.count
        Parallel.workers(shards.count) { w in
            let s = shards[w], B = s.rows.count
            let tok = tokens + s.rows.lowerBound * rowStride
            s.acts.reserve(config, B: B, T: T, training: withGrad)
            if withGrad { s.grads.update(repeating: 0, count: count) }
            forward(tok, rowStride: rowStride, B: B, T: T, withGrad: withGrad, hits: hits.map { $0 + s.rows.lowerBound * T },
                    gradScale: gradScale, acts: s.acts)
            if withGrad { backward(tok, rowStride: rowStride, B: B, T: T, acts: s.acts, grads: s.grads) }
        }
    }

    /// grads = Σ_w shard w's gradients, per element in worker order; the parameter range is split
    /// across the workers (disjoint slices, so the split does not change any sum).
    func sumShardGradients(_ shards: [BatchShard]) {
        let total = grads, P = layout.count, k = shards.count
        Parallel.workers(k) { w in
            let range = (w * P / k)..<((w + 1) * P / k)
            for r in 1..<k {
                let g = shards[r].grads
                for i in range { total[i] += g[i] }
            }
        }
    }

    /// Mean per-position loss over all shards, summed in row order.
    func shardMeanLoss(_ shards: [BatchShard], T: Int) -> Float {
        var sum: Float = 0
        for s in shards {
            let l = s.acts.ptr(.losses)
            for i in 0..<(s.rows.count * T) { sum += l[i] }
        }
        return sum / Float(shards.last!.rows.upperBound * T)
    }
}

import Numerics

// Conventions of every kernel in this module (llm.c style):
// - each layer is a `forward`/`backward` pair of static functions over raw Float pointers (Double
//   where the caller computes in Double: CQL's log-sum-exp and TD targets), with the
//   shape of each argument in its doc comment: B batch, T time, C channels, OC output channels,
//   NH heads, V vocabulary, N rows, K columns;
// - backward passes accumulate (+=) into gradients, so callers zero them once per step (GELU's and
//   ReLU's input gradients, which overwrite, say so);
// - nothing allocates: scratch space is the caller's, sized by the kernel's `…ScratchCount`;
// - row-independent loops run in `Parallel` chunks, and reductions across rows sum per-chunk
//   partials in chunk order, so results do not depend on the loop thread count.

/// A mutable view of a float tensor (activation, gradient or parameter storage).
public typealias FloatPtr = UnsafeMutablePointer<Float>
/// A read-only view of a float tensor.
public typealias ConstFloatPtr = UnsafePointer<Float>

/// How kernels cut their row loops into `Parallel.forEachChunk` slices.
///
/// The count is fixed whatever the thread count, so per-chunk partial sums (reduced in chunk
/// order) and therefore results are identical with 1 or more loop threads.
public enum KernelChunks {
    /// Slices per parallel loop; scratch sizes of the reducing kernels scale with it.
    public static let count = 8
}

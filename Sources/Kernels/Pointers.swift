import Numerics

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

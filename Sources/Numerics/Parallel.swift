import Dispatch
import Foundation

/// Splits loops over independent rows across cores.
///
/// Work is cut into a fixed number of chunks whatever the thread count, so results (including
/// per-chunk partial sums reduced in chunk order) are identical with 1 or 2 threads.
public enum Parallel {
    nonisolated(unsafe) private static var threadCount = 1

    /// Worker threads for `forEachChunk` (the CLI sets it together with the BLAS thread count).
    public static var threads: Int {
        get { threadCount }
        set { threadCount = max(1, newValue) }
    }

    /// Calls `body(chunk, range)` for `chunks` contiguous slices of 0..<n, concurrently when threads > 1.
    public static func forEachChunk(_ n: Int, chunks: Int = 8, _ body: (Int, Range<Int>) -> Void) {
        let k = max(1, min(chunks, n))
        if threads > 1 && n >= 2 {
            // The body writes disjoint slices of caller-owned buffers; Dispatch cannot see that.
            withoutActuallyEscaping(body) { body in
                nonisolated(unsafe) let work = body
                DispatchQueue.concurrentPerform(iterations: k) { c in work(c, (c * n / k)..<((c + 1) * n / k)) }
            }
        } else {
            for c in 0..<k { body(c, (c * n / k)..<((c + 1) * n / k)) }
        }
    }

    /// Runs `body(worker)` on `count` concurrent threads and waits for all. The caller guarantees
    /// the workers share nothing mutable except under its own lock.
    public static func workers(_ count: Int, _ body: (Int) -> Void) {
        guard count > 1 else { body(0); return }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: count) { w in work(w) }
        }
    }

    /// A work queue: `workers` threads take `items` in order and run `work(worker, item)`; each
    /// result is handed to `collect` one at a time (serialised, in completion order). The first
    /// error stops the queue (items in flight finish) and is rethrown.
    public static func process<Item, Result>(_ items: [Item], workers: Int,
                                             work: (_ worker: Int, _ item: Item) throws -> Result,
                                             collect: (Result) throws -> Void) throws {
        let lock = NSLock()
        var next = 0
        var failure: Error?
        Parallel.workers(max(1, min(workers, items.count))) { w in
            while true {
                lock.lock()
                guard failure == nil, next < items.count else { lock.unlock(); return }
                let item = items[next]
                next += 1
                lock.unlock()
                do {
                    let result = try work(w, item)
                    lock.lock()
                    defer { lock.unlock() }
                    if failure == nil { try collect(result) }
                } catch {
                    lock.lock()
                    if failure == nil { failure = error }
                    lock.unlock()
                }
            }
        }
        if let failure { throw failure }
    }
}

import CNumerics

/// A GSL routine reported a failure (GSL's abort-on-error handler is replaced at start-up).
public struct GSLError: Error, CustomStringConvertible, Sendable {
    /// GSL status code (`GSL_EDOM`, `GSL_ESING`, …).
    public let status: Int32
    /// What we were doing when it failed.
    public let context: String

    public init(status: Int32, context: String) {
        self.status = status
        self.context = context
    }

    public var description: String {
        let reason = String(cString: gsl_strerror(status))
        return "GSL error \(status) in \(context): \(reason)"
    }
}

/// Process-wide GSL and OpenBLAS set-up.
public enum NumericsRuntime {
    /// Replaces GSL's default error handler (which aborts the process) so that failures surface as
    /// status codes we turn into `GSLError`. Idempotent; call before any GSL routine.
    public static func installErrorHandling() {
        _ = gslSetup
    }

    private static let gslSetup: Void = {
        gsl_set_error_handler_off()
    }()

    /// Sets the OpenBLAS thread count (process-wide).
    public static func setBLASThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// Sets the threads dma computes with: OpenBLAS gets `count`; our own loops (`Parallel`) get
    /// `loopThreads`. Measured on 2 cores: giving both 2 threads made the `target` preset train 2×
    /// slower (OpenBLAS's idle threads spin while Dispatch workers run the elementwise loops), so
    /// loops default to 1. Training and scoring use a second core through data parallelism instead
    /// (`GPT.workers`, with `count` 1 here): each worker calls single-threaded OpenBLAS.
    public static func setThreads(_ count: Int, loopThreads: Int = 1) {
        setBLASThreads(count)
        Parallel.threads = loopThreads
    }

    /// OpenBLAS's build configuration string (shows which kernel runs).
    public static var blasConfig: String { String(cString: openblas_get_config()) }

    /// Throws a `GSLError` when `status` is not `GSL_SUCCESS`.
    public static func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        if status != Int32(GSL_SUCCESS) { throw GSLError(status: status, context: context()) }
    }
}

/// An error caused by the data a command was given (an input file that is missing, malformed or
/// does not fit the other inputs), as opposed to a wrong argument or a failure of the machine.
///
/// `dma` prints such an error's description alone, without usage text, and exits with
/// ``DataErrorExit/code``. Error types that also have other cases say which are data errors.
public protocol DataError: Error, CustomStringConvertible {
    /// Whether this value is about input data; mixed error types return false for their other
    /// cases (I/O failures, misuse). Defaults to true.
    var isDataError: Bool { get }
}

extension DataError {
    public var isDataError: Bool { true }
}

/// The exit status of a command that stopped on a ``DataError``.
public enum DataErrorExit {
    /// `EX_DATAERR` from BSD's sysexits.h: the input data was incorrect in some way.
    public static let code: Int32 = 65
}

/// A file whose contents cannot be used: the file, optionally the line or row, and the problem.
public struct DataFileError: DataError, Equatable {
    public var path: String
    /// 1-based line (JSON Lines) or row (CSV, header = 1) the problem is on, if it is on one.
    public var line: Int?
    public var problem: String

    public init(path: String, line: Int? = nil, problem: String) {
        self.path = path
        self.line = line
        self.problem = problem
    }

    /// `path: problem` or `path:line: problem`.
    public var description: String { line.map { "\(path):\($0): \(problem)" } ?? "\(path): \(problem)" }
}

/// A problem found in decoded contents, before the file is known (``ValidatedJSON/validate()``
/// throws it; ``ValidatedJSON/load(from:)`` adds the path).
public struct ContentProblem: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

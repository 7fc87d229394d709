import Base
import Foundation
import Trajectories

/// One invocation of `dma validate run`, appended to OUT/invocations.jsonl: the report's record of
/// the exact commands, the machine and the time taken.
public struct ValidationInvocation: Codable, Sendable, Equatable {
    public var command: String
    public var started: Date
    public var seconds: Double
    public var newRuns: Int
    public var machine: String

    /// An invocation that started at `started` and ends now.
    public init(command: String, started: Date, newRuns: Int, machine: String = MachineDescription.current) {
        (self.command, self.started, self.newRuns, self.machine) = (command, started, newRuns, machine)
        seconds = Date().timeIntervalSince(started)
    }

    public func append(to path: String) throws { try AppendLog<ValidationInvocation>(path: path).append(self) }

    /// The invocations logged at `path` (none if the file does not exist).
    public static func read(_ path: String) throws -> [ValidationInvocation] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try AppendLog<ValidationInvocation>(path: path).read().records
    }
}

import ArgumentParser
import Base
import Foundation
import Numerics

@main
struct DMA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dma",
        abstract: "Data Mixing Agent: learn how to re-weight training-data domains during continual pre-training.",
        discussion: """
        Exit status: 0 on success; 64 for wrong arguments (the message and usage); 65 when an input \
        file is missing, malformed or does not fit the other inputs (one line, "Error: <file>: <problem>"); \
        1 for any other failure.
        """,
        subcommands: [
            DataCommand.self,
            PretrainCommand.self,
            GenerateCommand.self,
            EvalCommand.self,
            CheckpointCommand.self,
            CPTCommand.self,
            EnvCommand.self,
            CollectCommand.self,
            TrajectoriesCommand.self,
            SurrogateCommand.self,
            AgentCommand.self,
            ProposeCommand.self,
            ServeCommand.self,
            ValidateCommand.self,
            AnalyzeCommand.self,
            BenchCommand.self,
        ]
    )

    /// `ParsableCommand.main()`, except that a data error (a bad input file, not a bad argument)
    /// prints its one line without usage text and exits with `DataErrorExit.code` (65, EX_DATAERR).
    /// Argument errors keep argument-parser's usage text and 64; other errors print their message and exit 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as DataError where error.isDataError {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(DataErrorExit.code)
        } catch {
            exit(withError: error)
        }
    }
}

import ArgumentParser
import Numerics

@main
struct DMA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dma",
        abstract: "Data Mixing Agent: learn how to re-weight training-data domains during continual pre-training.",
        subcommands: [
            DataCommand.self,
            PretrainCommand.self,
            GenerateCommand.self,
            EvalCommand.self,
            CPTCommand.self,
            EnvCommand.self,
            CollectCommand.self,
            TrajectoriesCommand.self,
            SurrogateCommand.self,
            ProposeCommand.self,
            ServeCommand.self,
            BenchCommand.self,
        ]
    )
}

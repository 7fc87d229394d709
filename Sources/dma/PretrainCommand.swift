import ArgumentParser

struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pretrain", abstract: "(in progress)")
    func run() throws { throw ValidationError("not built yet") }
}

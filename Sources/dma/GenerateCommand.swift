import ArgumentParser

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "(in progress)")
    func run() throws { throw ValidationError("not built yet") }
}

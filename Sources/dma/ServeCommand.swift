import Agent
import ArgumentParser
import Baselines
import Dispatch
import Environment
import Foundation
import Serving
import Trajectories
import Validation

/// `--policy`: what answers proposals (a rule by name, or `agent:FILE`).
struct ProposalPolicyOptions: ParsableArguments {
    @Option(help: "Policy: agent:FILE (a trained agent) or \(PolicySpec.help).") var policy: String
    @Option(help: "Environment file, for the policies that read one: score-weighted:R (its score's source weights, by full domain name, and its collection floor).") var env: String?

    func proposer() throws -> Proposer {
        let spec = try policySpec(policy)
        let environment = try env.map { try EnvironmentConfig.load(from: $0) }
        return Proposer(provider: try usage { try PolicyCatalog.provider(for: spec, environment: environment) })
    }
}

struct ProposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "propose",
        abstract: "Print the next mixture for a training state (JSON) from your own training loop.",
        discussion: """
        The state's schema and an example are in docs/serving.md. Every source domain needs a \
        scoreWeight, or the state says "weights": "uniform"; no weight is assumed. Prints the answer \
        as JSON, with the score weights it used.
        """
    )

    @OptionGroup var choice: ProposalPolicyOptions
    @Option(help: "Training state JSON ('-' for standard input).") var state: String

    func run() throws {
        let proposer = try choice.proposer()
        let source = state == "-" ? "standard input" : state
        let data = state == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: state)
        guard let data else { throw ProposalError(source: source, reason: "file not found") }
        let response = try proposer.propose(try ProposalRequest.decode(data, source: source))
        try writeJSON(response, to: "-")
    }
}

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer proposals over HTTP: POST /v1/propose, GET /v1/health, GET /v1/policy.",
        discussion: "Binds loopback by default. A malformed, oversized or slow request gets a 4xx with a JSON error; limits and timeouts are in docs/serving.md, with a Python client."
    )

    @OptionGroup var choice: ProposalPolicyOptions
    @Option(help: "IPv4 address to bind (0.0.0.0 for every interface).") var host = "127.0.0.1"
    @Option(help: "Port (0 picks a free one).") var port: UInt16 = 8080
    @Option(help: "Largest request body in bytes.") var maxBody = 1 << 20

    func validate() throws {
        guard PolicyServer.isIPv4Address(host) else { throw ValidationError(PolicyServer.StartError.invalidHost(host).description) }
        guard maxBody > 0 else { throw ValidationError("--max-body must be positive") }
    }

    func run() throws {
        var config = PolicyServer.Configuration()
        (config.host, config.port, config.maxBodyBytes) = (host, port, maxBody)
        let server = PolicyServer(proposer: try choice.proposer(), configuration: config)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        // The server is async; the CLI's root command is not, so this thread waits for it.
        Task {
            do {
                try await server.run { [host] port in
                    FileHandle.standardOutput.write(Data("serving policy '\(server.metadata.policy)' on http://\(host):\(port)/v1/ (Ctrl-C stops)\n".utf8))
                }
            } catch { failure = error }
            done.signal()
        }
        done.wait()
        if let failure { throw failure }
    }
}

import ArgumentParser
import Corpus
import Environment
import Evaluation
import Transformer

/// `--env`, `--base`, `--model`: what every command running CPT from a base model needs.
struct BaseRunOptions: ParsableArguments {
    @Option(help: "Environment file.") var env: String
    @Option(help: "Base checkpoint.") var base: String
    @Option(name: .customLong("model"), help: "Model preset the base must match.") var preset = "proxy"

    /// The environment, the base checkpoint (checked against the preset) and the corpus.
    func load() throws -> (EnvironmentConfig, Checkpoint, CorpusStore) {
        let environment = try EnvironmentConfig.load(from: env)
        let checkpoint = try Checkpoint.load(from: base, expecting: try environment.model(preset))
        return (environment, checkpoint, try CorpusStore(directory: environment.corpusDirectory))
    }
}

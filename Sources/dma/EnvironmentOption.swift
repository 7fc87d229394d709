import ArgumentParser
import Environment

/// `--env` when given, else the file `EnvironmentConfig.locate` finds for `environment` near
/// `input` (the first of comma-separated paths). None found is a usage error (64): the way out is
/// an argument, and the message names every path tried.
func environmentPath(_ env: String?, for environment: String, near input: String) throws -> String {
    if let env { return env }
    let first = input.split(separator: ",").first.map(String.init) ?? input
    do { return try EnvironmentConfig.locate(environment, near: first) } catch let e as EnvironmentLookupError {
        throw ValidationError(e.description)
    }
}

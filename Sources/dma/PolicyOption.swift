import ArgumentParser
import Baselines

/// `--policy` text parsed into a spec; a name that is no policy is a usage error (64) naming it.
func policySpec(_ text: String) throws -> PolicySpec {
    try usage { try PolicySpec(parsing: text) }
}

/// `body`, with a `PolicySpecError` (an unknown policy, or one whose inputs are missing) reported as a usage error.
func usage<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as PolicySpecError { throw ValidationError(e.description) }
}

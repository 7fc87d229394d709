import Corpus
import DMATestSupport
import Environment
@testable import Evaluation
import Numerics

/// The fixture corpus and environment with a tiny CPT budget (batch 4, LR 3e-3 → 3e-4), one BLAS thread.
func tinyCPT(rounds: Int, stepsPerRound: Int) throws -> (env: EnvironmentConfig, store: CorpusStore) {
    NumericsRuntime.setThreads(1)
    let dir = try makeFixtureCorpus()
    var env = try fixtureEnvironment(corpus: dir)
    env.cpt = .init(rounds: rounds, stepsPerRound: stepsPerRound, batch: 4, peakLR: 3e-3, minLR: 3e-4, warmupSteps: 1)
    return (env, try CorpusStore(directory: dir))
}

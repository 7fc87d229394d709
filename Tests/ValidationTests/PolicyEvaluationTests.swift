import Baselines
import DMATestSupport
import Numerics
import Surrogate
import Testing
import Trajectories
@testable import Validation

@Suite struct PolicyEvaluationTests {
    static let environment = try! Synthetic.environment()
    static let model: SurrogateModel = {
        NumericsRuntime.installErrorHandling()
        return try! Synthetic.fit(try! Synthetic.trajectories(30)).0
    }()
    static func catalog(seed: UInt64 = 0) throws -> PolicyCatalog {
        try PolicyCatalog(model: model, inputs: BaselineInputs(environment: environment, surrogate: model, seed: seed))
    }

    /// The report is what the rollouts give, summarised as the commands printed them.
    @Test func summariesAreTheRolloutsStatistics() throws {
        let evaluation = PolicyEvaluation(episodes: 6, seed: 2, transition: .sampled)
        let report = try evaluation.run([.uniform, .ratio(0.3)], catalog: try Self.catalog(), model: Self.model, labels: ["u", "r"])
        #expect(report.map(\.label) == ["u", "r"] && report.map(\.spec) == [.uniform, .ratio(0.3)])
        let make = try Self.catalog().maker(.ratio(0.3))
        let eps = try PolicyRollout.run(Self.model, episodes: 6, seed: 2, transition: .sampled, makePolicy: make)
        let (mean, sd) = Statistics.meanAndSD(eps.map(\.finalBalanced))
        #expect(report[1].mean == mean && report[1].sd == sd && report[1].episodes == 6 && report[1].transition == .sampled)
        #expect(report[1].meanRewardSD == eps.flatMap(\.rewardSD).reduce(0, +) / Double(6 * Self.model.steps))
        #expect((0...1).contains(report[1].outOfSupportShare))
    }

    /// `best-fixed-under-surrogate` is the grid's argmax under the evaluation's own transition.
    @Test func bestFixedUnderTheSurrogateIsTheGridsBest() throws {
        for mode in [SurrogateEnvironment.Transition.mean, .sampled] {
            let evaluation = PolicyEvaluation(episodes: 4, seed: 1, transition: mode)
            let grid = (1...9).map { Double($0) / 10 }
            let ratios = try evaluation.run(grid.map { .ratio($0) }, catalog: try Self.catalog(), model: Self.model)
            let best = try evaluation.run([.bestFixedUnderSurrogate], catalog: try Self.catalog(), model: Self.model)[0]
            let argmax = zip(grid, ratios).max { $0.1.mean < $1.1.mean }!
            #expect(best.chosenShare == argmax.0 && best.mean == argmax.1.mean, "\(mode)")
        }
    }

    /// Labelled policies without a spec (the distilled rule) run the same way.
    @Test func policiesWithoutASpecAreEvaluatedToo() throws {
        let evaluation = PolicyEvaluation(episodes: 3, seed: 0, transition: .mean)
        let make = try Self.catalog().maker(.uniform)
        let bySpec = try evaluation.run([.uniform], catalog: try Self.catalog(), model: Self.model)[0]
        let byLabel = try evaluation.run([.init(label: "rule", make: make)], model: Self.model)[0]
        #expect(byLabel.spec == nil && byLabel.label == "rule" && byLabel.mean == bySpec.mean && byLabel.sd == bySpec.sd)
    }

    @Test func anAgentFileThatIsNotThereIsAnErrorNamingIt() throws {
        #expect(throws: (any Error).self) { try Self.catalog().resolve(.agent(path: "/nonexistent/agent.policy.json")) }
    }
}

import DMATestSupport
import Base
import Foundation
import Numerics
@testable import Surrogate
import Testing
import Trajectories

@Suite struct SurrogateFitTests {
    /// A surrogate of imported runs records their model in its identity (and its file); dma's own
    /// runs record none, as before. Runs of two models are not fitted together.
    @Test func theIdentityCarriesAnImportedModel() throws {
        let byom = ModelIdentity(name: "byom", description: "PyTorch GPT, 391k params, 3 layers")
        let own = try Synthetic.trajectories(12)
        let foreign = Synthetic.foreign(own, model: byom)
        let env = try Synthetic.environment()
        #expect(try SurrogateModel.identity(for: own, env: env, path: "own").0.model == nil)
        #expect(try SurrogateModel.identity(for: foreign, env: env, path: "foreign").0.model == byom)
        let fitted = try Synthetic.fit(foreign).0
        let path = NSTemporaryDirectory() + "dma-surrogate-\(UUID().uuidString).json"
        try fitted.write(to: path)
        #expect(try SurrogateModel.load(from: path).identity.model == byom)
        #expect(fitted.identity.description.contains("model 'byom' (PyTorch GPT, 391k params, 3 layers)"))

        do { _ = try SurrogateModel.identity(for: foreign + own.dropFirst(), env: env, path: "mixed"); Issue.record("mixed two models") } catch {
            #expect("\(error)".contains("model 'proxy'") && "\(error)".contains("model 'byom' (PyTorch GPT, 391k params, 3 layers)"), "\(error)")
        }
    }

    /// Known dynamics are learned: high out-of-fold R² on the changes, ridge where the features are
    /// linear enough, the RBF correction where the change is a bump in a weight.
    @Test func learnsKnownDynamicsAndChoosesFamiliesByCV() throws {
        NumericsRuntime.installErrorHandling()
        let trajectories = try Synthetic.trajectories(80, noise: 0.005)
        let (model, data) = try Synthetic.fit(trajectories)
        let family = Dictionary(uniqueKeysWithValues: zip(model.feedbackNames, model.selections.map(\.choice.family)))
        #expect(family["cloze/acc"] == .ridgeRBF)
        #expect(family["bpb/source/b"] == .ridge)
        #expect(model.kernel != nil)
        // The RBF correction clearly beats ridge out of fold on the bump.
        let cloze = model.selections[Synthetic.names.firstIndex(of: "cloze/acc")!]
        #expect(cloze.cvMSE < 0.8 * cloze.ridgeMSE)
        let report = try Fidelity.report(data, identity: model.identity, score: model.score, config: .small, repeats: nil, folds: 4, curve: [], samples: 8)
        for s in report.signals where s.name.hasPrefix("bpb/") { #expect(s.r2Change > 0.95, "\(s.name): R² \(s.r2Change)") }
        #expect(report.signals.first { $0.name == "cloze/acc" }!.r2Change > 0.5)
        #expect(report.rollouts.spearman > 0.8)
        #expect(FidelityReport.coverageRange.contains(report.coverage90), "coverage \(report.coverage90)")
        // The per-signal CSV: one row per signal, six significant digits, no noise column without repeats.
        let table = report.signalTable
        #expect(table.rows.map { $0[0] } == report.signals.map(\.name) && table.rows.allSatisfy { $0.count == table.header.count })
        let r2 = table.column("r2_change")!, noise = table.column("noise_sd")!
        #expect(table.rows.allSatisfy { $0[noise].isEmpty && ["0", "1"].contains($0[table.column("qualifies")!]) })
        #expect(zip(table.rows, report.signals).allSatisfy { abs(Double($0[r2])! - $1.r2Change) <= 1e-5 * max(1, abs($1.r2Change)) })
        #expect(try CSVTable(parsing: try table.encoded(), path: "fidelity.csv") == table)
    }

    /// Fitting is a pure function of data and seed.
    @Test func sameSeedSameModel() throws {
        let trajectories = try Synthetic.trajectories(20)
        let (a, _) = try Synthetic.fit(trajectories)
        let (b, _) = try Synthetic.fit(trajectories)
        #expect(a.members == b.members && a.selections == b.selections && a.kernel == b.kernel)
    }

    /// Seed repeats with known noise give that noise back.
    @Test func noiseFloorFromRepeats() throws {
        // Groups of 4 share a schedule (schedule seed id / 4) and differ only in noise.
        let trajectories = try Synthetic.trajectories(120, steps: 4, noise: 0.05, scheduleSeedOf: { UInt64($0 / 4) })
        let (variance, groups) = Fidelity.noiseVariance(try TransitionSet(trajectories))
        #expect(groups == 30)
        // bpb/source/b's change has exactly the injected noise (sd 0.05); a's adds 0.2·r feedback, so it is a bit larger.
        #expect(abs(variance[1].squareRoot() - 0.05) < 0.005)
        #expect(variance[4] == 0)
    }

    @Test func tooFewTrajectoriesIsAClearError() throws {
        let trajectories = try Synthetic.trajectories(1)
        #expect(throws: SurrogateError.self) { try Synthetic.fit(trajectories) }
    }

    @Test func trajectoriesOfAnotherEnvironmentAreRejected() throws {
        var trajectories = try Synthetic.trajectories(3)
        trajectories[0].header.environmentHash = "other"
        trajectories = trajectories.map { var t = $0; t.header.environmentHash = "other"; return t }
        #expect(throws: SurrogateError.self) { try SurrogateModel.identity(for: trajectories, env: try Synthetic.environment(), path: "x") }
    }
}

import Base
import Corpus
import Environment
import Evaluation
import Foundation
import Transformer

/// Reads a user's own logged CPT runs (CSV) into trajectories, so the rest of the pipeline works on
/// trajectories from their GPUs.
///
/// CSV schema (RFC 4180: one header row, comma-separated, fields with commas, quotes or line
/// breaks in double quotes; errors name the row, counting the header as row 1):
///
///     trajectory,step,mixture:<domain>…,feedback:<signal>…[,tokens:<domain>…][,lr][,train_loss][,seconds]
///
/// `step` 0 is the base model (its mixture cells are empty), steps 1…T follow the re-weighting
/// steps in order. Domains are those of the environment's space (all of them, any order); feedback
/// signals are free-form but must include what the balanced score needs: `bpb/<domain>` for every
/// domain and `em/<domain>` for every math domain.
///
/// `<domain>` is the environment's name (`source/humor`, `math/add-sub`) or its bare name, as
/// `dma serve` takes it (`humor`, `add-sub`), when exactly one domain of the space has that bare
/// name; an ambiguous bare name is an error naming the candidates. Both forms name the same
/// column: giving one domain two columns is an error.
public enum TrajectoryImport {
    /// The model imported runs trained, as their headers record it.
    public struct Model: Sendable, Equatable {
        /// The environment preset's config when `name` names one; nil for your own model.
        public var config: ModelConfig?
        public var identity: ModelIdentity

        /// A preset's config as the model (how collected runs record it).
        public init(preset config: ModelConfig, description: String? = nil) {
            (self.config, identity) = (config, ModelIdentity(name: config.name, description: description))
        }

        /// `name` as the model: the environment's preset of that name if there is one (its config is
        /// recorded), else your own model, recorded by name and `description` only.
        public init(name: String, description: String?, env: EnvironmentConfig) throws {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { throw ImportModelError.emptyName }
            if let d = description, d.trimmingCharacters(in: .whitespaces).isEmpty { throw ImportModelError.emptyDescription }
            config = env.models[name]
            identity = ModelIdentity(name: name, description: description)
        }
    }

    public static func read(csv path: String, env: EnvironmentConfig, model: ModelConfig, baseID: String) throws -> [Trajectory] {
        try read(csv: path, env: env, model: Model(preset: model), baseID: baseID)
    }

    /// The runs of `path` as trajectories of `env` that trained `model` from the base `baseID`.
    public static func read(csv path: String, env: EnvironmentConfig, model: Model, baseID: String) throws -> [Trajectory] {
        let table = try CSVTable.read(from: path)
        let columns = table.header.map { $0.trimmingCharacters(in: .whitespaces) }
        func fail(_ line: Int, _ reason: String) -> TrajectoryError { .invalid(path: path, line: line, reason: reason) }
        let space = try env.domainSpace()
        guard let idCol = columns.firstIndex(of: "trajectory"), let stepCol = columns.firstIndex(of: "step") else {
            throw fail(1, "header needs 'trajectory' and 'step' columns")
        }
        var mixCol = [Int](repeating: -1, count: space.count), tokCol = [Int](repeating: -1, count: space.count)
        var feedbackNames: [String] = [], feedbackCols: [Int] = []
        let optional = ["lr", "train_loss", "seconds"]
        for (i, c) in columns.enumerated() where i != idCol && i != stepCol {
            if c.hasPrefix("mixture:") || c.hasPrefix("tokens:") {
                let given = String(c.drop { $0 != ":" }.dropFirst())
                let d: Int
                do { d = try resolve(given, in: space) } catch let reason as UnresolvedDomain {
                    throw fail(1, "column '\(c)': \(reason.description(environment: env.name, space: space))")
                }
                let kind = c.hasPrefix("mixture:") ? "mixture" : "tokens"
                guard (kind == "mixture" ? mixCol[d] : tokCol[d]) == -1 else {
                    throw fail(1, "column '\(c)': domain '\(space.domains[d])' already has a \(kind) column ('\(columns[kind == "mixture" ? mixCol[d] : tokCol[d]])')")
                }
                if kind == "mixture" { mixCol[d] = i } else { tokCol[d] = i }
            } else if c.hasPrefix("feedback:") {
                let signal = try signalName(String(c.dropFirst("feedback:".count)), in: space) { reason in
                    fail(1, "column '\(c)': \(reason.description(environment: env.name, space: space))")
                }
                if let j = feedbackNames.firstIndex(of: signal) {
                    throw fail(1, "column '\(c)': signal '\(signal)' already has a column ('\(columns[feedbackCols[j]])')")
                }
                feedbackNames.append(signal)
                feedbackCols.append(i)
            } else if !optional.contains(c) {
                throw fail(1, "unknown column '\(c)' (expected trajectory, step, mixture:<domain>, feedback:<signal>, tokens:<domain>, lr, train_loss, seconds)")
            }
        }
        if let missing = mixCol.firstIndex(of: -1) { throw fail(1, "no 'mixture:\(space.domains[missing])' column") }
        var rows: [Int: [(line: Int, step: Int, cells: [String])]] = [:]
        // Row k of the table is row k + 2 of the file (the header is row 1); the table is rectangular.
        for (k, row) in table.rows.enumerated() {
            let cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
            guard let id = Int(cells[idCol]), let step = Int(cells[stepCol]), step >= 0 else { throw fail(k + 2, "trajectory and step must be integers ≥ 0") }
            rows[id, default: []].append((k + 2, step, cells))
        }
        let score = { (f: Feedback, base: Feedback, line: Int) throws -> BalancedScore in
            do { return try BalancedScore.compute(f, base: base, env: env) } catch { throw fail(line, "\(error)") }
        }
        return try rows.keys.sorted().map { id in
            let r = rows[id]!.sorted { $0.step < $1.step }
            guard r.map(\.step) == Array(0..<r.count), r.count >= 2 else {
                throw fail(r[0].line, "trajectory \(id): steps must run 0, 1, …, T without gaps (0 = base model), T ≥ 1")
            }
            func numbers(_ row: (line: Int, step: Int, cells: [String]), _ cols: [Int], what: String) throws -> [Double] {
                try cols.map { c in
                    guard let v = Double(row.cells[c]), v.isFinite else { throw fail(row.line, "\(what) '\(columns[c])' is '\(row.cells[c])', not a finite number") }
                    return v
                }
            }
            let baseValues = try numbers(r[0], feedbackCols, what: "feedback")
            let base = Feedback(names: feedbackNames, values: baseValues)
            let baseScore = try score(base, base, r[0].line)
            let steps: [Trajectory.Step] = try r.dropFirst().map { row in
                let weights = try numbers(row, mixCol, what: "mixture")
                do { _ = try Mixture(weights, count: space.count) } catch { throw fail(row.line, "\(error)") }
                let values = try numbers(row, feedbackCols, what: "feedback")
                let s = try score(Feedback(names: feedbackNames, values: values), base, row.line)
                let tokens = tokCol.contains(-1) ? [Int](repeating: 0, count: space.count) : try numbers(row, tokCol, what: "tokens").map { Int($0) }
                func opt(_ name: String) -> Double { columns.firstIndex(of: name).flatMap { Double(row.cells[$0]) } ?? 0 }
                return Trajectory.Step(mixture: weights, tokensPerDomain: tokens, feedback: values, balanced: s.balanced, retention: s.retention,
                                       gain: s.gain, lr: opt("lr"), trainLoss: opt("train_loss"), seconds: opt("seconds"))
            }
            var header = Trajectory.Header(format: Trajectory.Header.formatName, version: Trajectory.Header.currentVersion, id: id,
                                           environment: env.name, environmentHash: env.hash, domains: space.domains, feedbackNames: feedbackNames,
                                           model: model.config, baseCheckpoint: baseID, sampler: SampledSchedule(family: "imported", parameters: [:]),
                                           dataSeed: 0, scheduleSeed: 0, codeVersion: DMAVersion.string)
            if model.config == nil { header.modelName = model.identity.name }
            header.modelDescription = model.identity.description
            let trajectory = Trajectory(header: header, baseFeedback: baseValues, baseBalanced: baseScore.balanced, steps: steps)
            // The same checks a collected log passes, before anything is written.
            try TrajectoryReader.validate(trajectory, against: nil, path: path, line: r[0].line)
            return trajectory
        }
    }

    /// A `--model` or `--model-description` that cannot name a model.
    public enum ImportModelError: Error, Equatable, CustomStringConvertible {
        case emptyName, emptyDescription
        public var description: String {
            switch self {
            case .emptyName: return "the model name is empty: name the model your runs trained (--model NAME)"
            case .emptyDescription: return "the model description is empty: describe the model or leave --model-description out"
            }
        }
    }

    /// A column's domain that names no domain of the space, or more than one.
    struct UnresolvedDomain: Error {
        var name: String
        /// Domains with that bare name (more than one: ambiguous; none: unknown).
        var candidates: [DomainName]

        func description(environment: String, space: DomainSpace) -> String {
            if candidates.count > 1 {
                return "domain '\(name)' is ambiguous in environment '\(environment)': it could be \(candidates.map { "'\($0)'" }.joined(separator: " or ")); write the full name"
            }
            return "domain '\(name)' is not in environment '\(environment)' (\(space.domains.map(\.rawValue).joined(separator: ", ")))"
        }
    }

    /// The index of `name` in `space`: the full name (`source/humor`), or a bare one (`humor`, as
    /// `dma serve` takes it) that exactly one domain of the space has.
    static func resolve(_ name: String, in space: DomainSpace) throws -> Int {
        if let d = space.index(of: DomainName(name)) { return d }
        let candidates = DomainName(name).field == nil ? space.domains.indices.filter { space.domains[$0].shortName == name } : []
        guard candidates.count == 1 else { throw UnresolvedDomain(name: name, candidates: candidates.map { space.domains[$0] }) }
        return candidates[0]
    }

    /// A feedback column's signal with its domain's full name: `bpb/humor` → `bpb/source/humor`.
    /// Signals of other kinds, and `bpb/`/`em/` of a name no domain has, pass unchanged (free-form
    /// signals; the score then reports the missing one); an ambiguous bare name is an error.
    static func signalName(_ signal: String, in space: DomainSpace, fail: (UnresolvedDomain) -> Error) throws -> String {
        for kind in [Signal.Kind.bitsPerByte, .exactMatch] where signal.hasPrefix("\(kind.rawValue)/") {
            let domain = String(signal.dropFirst(kind.rawValue.count + 1))
            do { return "\(kind.rawValue)/\(space.domains[try resolve(domain, in: space)])" } catch let reason as UnresolvedDomain {
                if reason.candidates.count > 1 { throw fail(reason) }
            }
        }
        return signal
    }
}

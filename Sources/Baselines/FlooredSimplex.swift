import Corpus

/// The simplex with every weight at least `floor`: the affine image floor + (1 − D·floor)·p of the
/// plain simplex. Baselines build their mixtures as points p of the plain simplex and map them
/// here, so every domain keeps the floor exactly and the weights still sum to 1.
public struct FlooredSimplex: Sendable, Equatable {
    public let dimension: Int
    public let floor: Double

    /// A floor of D·floor ≥ 1 leaves only the uniform mixture; it is kept at 1/D then.
    public init(dimension: Int, floor: Double) {
        precondition(dimension >= 1 && floor >= 0 && floor.isFinite, "a floored simplex needs D ≥ 1 and a finite floor ≥ 0")
        self.dimension = dimension
        self.floor = min(floor, 1 / Double(dimension))
    }

    /// The mass left after every domain's floor.
    public var free: Double { max(0, 1 - Double(dimension) * floor) }

    /// Maps non-negative weights (normalised first) into the floored simplex.
    public func point(_ raw: [Double]) -> [Double] {
        precondition(raw.count == dimension, "a point of a \(dimension)-domain simplex needs \(dimension) weights")
        let total = raw.reduce(0) { $0 + max($1, 0) }
        let p = total > 0 ? raw.map { max($0, 0) / total } : [Double](repeating: 1 / Double(dimension), count: dimension)
        var w = p.map { floor + free * $0 }
        // Rounding: renormalise so the sum is 1 to the last bit the division allows.
        let sum = w.reduce(0, +)
        for i in w.indices { w[i] /= sum }
        return w
    }

    /// `point(raw)` as a validated `Mixture`.
    public func mixture(_ raw: [Double]) throws -> Mixture { try Mixture(point(raw)) }
}

import Corpus
import Trajectories

/// The named scalar features a distilled rule may use, read from a state through the policy's own
/// encoding (`ObservationLayout`): every global column (`progress`, `retention@0`, …) and every
/// domain-token column per domain (`source/jargon feedback_bpb@0`, …), except the constant
/// `is_source`.
public struct RuleFeatures: Sendable {
    /// The layout the features are read with (the studied policy's).
    public let layout: ObservationLayout
    /// Feature names, in `values` order.
    public let names: [String]
    private let tokenColumns: [String]
    private let globalColumns: [String]

    /// The features of `layout` (which must carry score weights).
    public init(layout: ObservationLayout) {
        precondition(layout.scoreWeights != nil, "rule features read domain tokens, which need the layout's score weights")
        self.layout = layout
        tokenColumns = layout.tokenColumns
        globalColumns = layout.globalColumns
        let kept = tokenColumns.filter { $0 != "is_source" }
        names = globalColumns + layout.domains.flatMap { d in kept.map { "\(d.rawValue) \($0)" } }
    }

    /// The features of `state`, in `names` order.
    public func values(_ state: PolicyState) -> [Double] {
        let tokens = layout.tokens(state), width = tokenColumns.count
        var out = layout.globals(state)
        out.reserveCapacity(names.count)
        for d in 0..<layout.domainCount {
            for (c, column) in tokenColumns.enumerated() where column != "is_source" { out.append(tokens[d * width + c]) }
        }
        return out
    }
}

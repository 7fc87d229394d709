import Corpus

/// The scalar a user wants high: source retention and target gain, both relative to the base model.
///
///     retention = Σ_d w_d · bpb_base(d) / bpb_now(d)  /  Σ_d w_d          over source domains d
///     gain_d    = (1 − s) · (abpb_base(d) − abpb_now(d)) / abpb_base(d)
///               +      s  · (em_now(d) − em_base(d))                       for a math domain d
///     gain_d    = (bpb_base(d) − bpb_now(d)) / bpb_base(d)                 for a code domain d
///     gain      = mean_d gain_d                                           over target domains d
///     balanced  = a · retention + b · gain
///
/// with `w_d` = `score.sourceWeights` (default 1), `s` = `score.exactMatchShare`,
/// `a`, `b` = `score.retentionWeight`, `score.gainWeight`. Retention is 1 with no forgetting, below 1
/// when the source field is forgotten; gain is 0 at the base model and approaches 1 when the target
/// field's answers are learned perfectly.
public struct BalancedScore: Codable, Sendable, Equatable {
    public var balanced: Double
    public var retention: Double
    public var gain: Double

    public init(balanced: Double, retention: Double, gain: Double) {
        self.balanced = balanced
        self.retention = retention
        self.gain = gain
    }

    public static func compute(_ now: Feedback, base: Feedback, env: EnvironmentConfig) throws -> BalancedScore {
        func value(_ f: Feedback, _ name: String, _ which: String) throws -> Double {
            guard let v = f[name] else {
                throw EnvironmentError.invalid(path: "environment '\(env.name)'", reason: "\(which) feedback has no '\(name)' signal; was it produced by this environment?")
            }
            return v
        }
        var weighted = 0.0, totalWeight = 0.0
        for d in env.space.source {
            let w = env.score.sourceWeights[d.rawValue] ?? 1
            let name = "bpb/\(d.rawValue)"
            weighted += w * (try value(base, name, "base")) / max(try value(now, name, "current"), 1e-9)
            totalWeight += w
        }
        let retention = totalWeight > 0 ? weighted / totalWeight : 1
        var gains: [Double] = []
        let s = env.score.exactMatchShare
        for d in env.space.target {
            let name = "bpb/\(d.rawValue)"
            let b = try value(base, name, "base"), n = try value(now, name, "current")
            let bpbGain = (b - n) / max(b, 1e-9)
            if d.field == .math {
                let em = "em/\(d.rawValue)"
                gains.append((1 - s) * bpbGain + s * (try value(now, em, "current") - value(base, em, "base")))
            } else {
                gains.append(bpbGain)
            }
        }
        let gain = gains.reduce(0, +) / Double(max(gains.count, 1))
        return BalancedScore(balanced: env.score.retentionWeight * retention + env.score.gainWeight * gain,
                             retention: retention, gain: gain)
    }
}

import Numerics

/// One generated math problem: a question line and its answer.
public struct MathProblem: Equatable, Codable, Sendable {
    public let question: String
    public let answer: String

    /// The training/evaluation text: `Q: <question>\nA: <answer>`.
    public var text: String { "\(MathProblem.questionPrefix)\(question)\n\(MathProblem.answerPrefix)\(answer)" }
    /// What the model sees before it must produce the answer.
    public var prompt: String { "\(MathProblem.questionPrefix)\(question)\n\(MathProblem.answerPrefix)" }

    public static let questionPrefix = "Q: "
    public static let answerPrefix = "A: "

    /// Parses `Q: …\nA: …` (the inverse of `text`), or nil.
    public init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count == 2, lines[0].hasPrefix(Self.questionPrefix), lines[1].hasPrefix(Self.answerPrefix) else { return nil }
        question = String(lines[0].dropFirst(Self.questionPrefix.count))
        answer = String(lines[1].dropFirst(Self.answerPrefix.count))
        guard !question.isEmpty, !answer.isEmpty else { return nil }
    }

    public init(question: String, answer: String) {
        self.question = question
        self.answer = answer
    }
}

/// The math target field's modules: school-level problems of graded difficulty.
///
/// Modules differ on purpose in how fast a small model learns them (comparison saturates early,
/// multi-digit multiplication and polynomial evaluation keep paying), which is what gives
/// domain-level mixing decisions something to decide.
public enum MathModule: String, CaseIterable, Codable, Sendable {
    case addSub = "add-sub"
    case mulDiv = "mul-div"
    case compareSort = "compare-sort"
    case numberTheory = "number-theory"
    case linearEquations = "linear-equations"
    case polynomials
    case units
    case probability

    /// The domain this module fills.
    public var domain: DomainName { DomainName("math/\(rawValue)") }

    /// A random problem at `difficulty` (1 = easiest … 3 = hardest).
    public func problem(difficulty: Int, rng: RandomSource) -> MathProblem {
        let d = max(1, min(3, difficulty))
        func n(_ lo: Int, _ hi: Int) -> Int { lo + rng.int(below: hi - lo + 1) }
        switch self {
        case .addSub:
            let hi = [99, 999, 9999][d - 1]
            let a = n(0, hi), b = n(0, hi)
            if rng.uniform() < 0.5 { return MathProblem(question: "What is \(a) + \(b)?", answer: "\(a + b)") }
            return MathProblem(question: "What is \(a) - \(b)?", answer: "\(a - b)")
        case .mulDiv:
            let (ha, hb) = [(9, 99), (99, 99), (999, 99)][d - 1]
            let a = n(2, ha), b = n(2, hb)
            if rng.uniform() < 0.5 { return MathProblem(question: "What is \(a) * \(b)?", answer: "\(a * b)") }
            return MathProblem(question: "What is \(a * b) / \(a)?", answer: "\(b)")
        case .compareSort:
            let hi = [99, 999, 9999][d - 1]
            switch rng.int(below: 3) {
            case 0:
                var a = n(0, hi), b = n(0, hi)
                while b == a { b = n(0, hi) }
                return MathProblem(question: "Which is larger: \(a) or \(b)?", answer: "\(max(a, b))")
            case 1:
                var a = n(0, hi), b = n(0, hi)
                while b == a { b = n(0, hi) }
                return MathProblem(question: "Which is smaller: \(a) or \(b)?", answer: "\(min(a, b))")
            default:
                let k = d + 2
                let xs = (0..<k).map { _ in n(0, [9, 99, 99][d - 1]) }
                return MathProblem(question: "Sort: \(xs.map(String.init).joined(separator: ", "))",
                                   answer: xs.sorted().map(String.init).joined(separator: ", "))
            }
        case .numberTheory:
            let hi = [50, 200, 1000][d - 1]
            switch rng.int(below: 5) {
            case 0:
                let g = n(1, 12), a = g * n(1, hi / 10 + 2), b = g * n(1, hi / 10 + 2)
                return MathProblem(question: "What is gcd(\(a), \(b))?", answer: "\(gcd(a, b))")
            case 1:
                let a = n(2, [12, 20, 40][d - 1]), b = n(2, [12, 20, 40][d - 1])
                return MathProblem(question: "What is lcm(\(a), \(b))?", answer: "\(a / gcd(a, b) * b)")
            case 2:
                let x = n(2, hi)
                return MathProblem(question: "Is \(x) prime?", answer: isPrime(x) ? "yes" : "no")
            case 3:
                let x = n(100, hi * 20), unit = [10, 100, 1000][rng.int(below: d)]
                let rounded = Int((Double(x) / Double(unit)).rounded(.toNearestOrAwayFromZero)) * unit
                return MathProblem(question: "Round \(x) to the nearest \(unit).", answer: "\(rounded)")
            default:
                let a = n(10, hi * 5), m = n(2, [9, 13, 29][d - 1])
                return MathProblem(question: "What is \(a) mod \(m)?", answer: "\(a % m)")
            }
        case .linearEquations:
            let x = n(-[9, 20, 50][d - 1], [9, 20, 50][d - 1])
            let a = n(2, [5, 9, 15][d - 1]) * (rng.uniform() < 0.3 ? -1 : 1)
            let b = n(-30, 30)
            let c = a * x + b
            let bText = b < 0 ? "- \(-b)" : "+ \(b)"
            return MathProblem(question: "Solve \(a)x \(bText) = \(c).", answer: "x = \(x)")
        case .polynomials:
            let x = n(-[3, 5, 9][d - 1], [3, 5, 9][d - 1])
            let a = n(1, [3, 5, 9][d - 1]), b = n(-9, 9), c = n(-9, 9)
            let bText = b < 0 ? " - \(-b)x" : " + \(b)x"
            let cText = c < 0 ? " - \(-c)" : " + \(c)"
            return MathProblem(question: "Let f(x) = \(a)x^2\(bText)\(cText). f(\(x))?", answer: "\(a * x * x + b * x + c)")
        case .units:
            let conversions: [(String, String, Int)] = [
                ("m", "cm", 100), ("km", "m", 1000), ("kg", "g", 1000), ("h", "min", 60),
                ("min", "s", 60), ("L", "mL", 1000), ("days", "h", 24), ("weeks", "days", 7),
                ("cm", "mm", 10), ("dollars", "cents", 100), ("years", "months", 12), ("feet", "inches", 12),
                ("yards", "feet", 3), ("dozens", "eggs", 12), ("t", "kg", 1000), ("m", "mm", 1000),
                ("h", "s", 3600), ("pounds", "ounces", 16), ("gallons", "quarts", 4), ("decades", "years", 10),
            ]
            let (big, small, factor) = conversions[rng.int(below: conversions.count)]
            let q = n(1, [199, 999, 9999][d - 1])
            if rng.uniform() < 0.5 { return MathProblem(question: "How many \(small) in \(q) \(big)?", answer: "\(q * factor)") }
            return MathProblem(question: "How many \(big) in \(q * factor) \(small)?", answer: "\(q)")
        case .probability:
            switch rng.int(below: 3) {
            case 0:
                let hi = [19, 49, 99][d - 1]
                let r = n(1, hi), b = n(1, hi), g = n(1, hi)
                let (color, count) = [("red", r), ("blue", b), ("green", g)][rng.int(below: 3)]
                return MathProblem(question: "Bag: \(r) red, \(b) blue, \(g) green. P(\(color))?", answer: fraction(count, r + b + g))
            case 1:
                let sides = [6, 8, 12][d - 1]
                let k = n(1, sides - 1)
                return MathProblem(question: "A fair \(sides)-sided die. P(roll > \(k))?", answer: fraction(sides - k, sides))
            default:
                let flips = n(1, d + 1)
                return MathProblem(question: "Flip \(flips) fair coins. P(all heads)?", answer: fraction(1, 1 << flips))
            }
        }
    }

    private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
    private func isPrime(_ x: Int) -> Bool {
        if x < 2 { return false }
        var p = 2
        while p * p <= x { if x % p == 0 { return false }; p += 1 }
        return true
    }
    private func fraction(_ num: Int, _ den: Int) -> String {
        let g = gcd(num, den)
        return den / g == 1 ? "\(num / g)" : "\(num / g)/\(den / g)"
    }
}

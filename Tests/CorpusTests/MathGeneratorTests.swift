import Testing
import Numerics
@testable import Corpus

@Suite struct MathGeneratorTests {
    @Test func answersAreCorrect() throws {
        let rng = RandomSource(seed: 11)
        for _ in 0..<300 {
            let p = MathModule.addSub.problem(difficulty: 3, rng: rng)
            let parts = p.question.dropFirst("What is ".count).dropLast().split(separator: " ")
            let a = Int(parts[0])!, b = Int(parts[2])!
            #expect(Int(p.answer)! == (parts[1] == "+" ? a + b : a - b))
        }
        for _ in 0..<300 {
            let p = MathModule.linearEquations.problem(difficulty: 2, rng: rng)
            // "Solve A x ± B = C." with answer "x = X": check A*X ± B == C.
            let t = p.question.dropFirst("Solve ".count).dropLast().split(separator: " ")
            let a = Int(t[0].dropLast())!, sign = t[1] == "+" ? 1 : -1, b = Int(t[2])!, c = Int(t[4])!
            let x = Int(p.answer.dropFirst("x = ".count))!
            #expect(a * x + sign * b == c)
        }
        for _ in 0..<200 {
            let p = MathModule.compareSort.problem(difficulty: 2, rng: rng)
            if p.question.hasPrefix("Sort: ") {
                let xs = p.question.dropFirst(6).split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! }
                #expect(p.answer == xs.sorted().map(String.init).joined(separator: ", "))
            }
        }
    }

    @Test func everyModuleFitsTheProxyContext() {
        let rng = RandomSource(seed: 2)
        for m in MathModule.allCases {
            for d in 1...3 {
                for _ in 0..<200 {
                    let p = m.problem(difficulty: d, rng: rng)
                    #expect(p.text.utf8.count <= 64, "\(m) d\(d): \(p.text)")
                    #expect(MathProblem(text: p.text) == p)
                }
            }
        }
    }

    @Test func sameSeedSameProblems() {
        let a = RandomSource(seed: 9), b = RandomSource(seed: 9)
        for m in MathModule.allCases {
            #expect(m.problem(difficulty: 2, rng: a) == m.problem(difficulty: 2, rng: b))
        }
    }
}

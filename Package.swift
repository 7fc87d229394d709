// swift-tools-version:6.0
import PackageDescription

/// Hot numeric loops (layer norm, attention softmax, GELU, AdamW) are plain Swift over
/// unsafe pointers; `-Ounchecked` drops the overflow and bounds traps that would
/// otherwise dominate them. Shapes are validated once at the API boundary instead.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-Xcc", "-march=x86-64-v3"], .when(configuration: .release))]

let package = Package(
    name: "dma",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dma", targets: ["dma"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // GSL + OpenBLAS headers and link settings (see Sources/CNumerics/module.modulemap).
        .systemLibrary(name: "CNumerics", path: "Sources/CNumerics"),
        // What every stage shares: atomic writes, validated JSON loading, CSV tables, data errors, versions.
        .target(name: "Base", dependencies: [.product(name: "CSV", package: "CSV.swift")]),
        .target(name: "Numerics", dependencies: ["CNumerics"], swiftSettings: fastMath),
        // Forward/backward pairs, the flat parameter buffer and AdamW: shared by the GPT and the agent's networks.
        // Optimised in debug builds too: the agent's tests train small networks for real and -Onone
        // element loops (bias gradients, ReLU) dominated them ~30×. -O keeps IEEE semantics (no fast-math).
        .target(name: "Kernels", dependencies: ["Numerics"], swiftSettings: fastMath + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "Transformer", dependencies: ["Base", "Numerics", "Kernels"], swiftSettings: fastMath),
        .target(name: "Corpus", dependencies: ["Base", "Numerics"], swiftSettings: fastMath),
        // The environment definition: domain space, model presets, pre-training, CPT and collection settings, benchmark sizes, score weights.
        .target(name: "Environment", dependencies: ["Base", "Numerics", "Transformer", "Corpus"], swiftSettings: fastMath),
        .target(name: "Evaluation", dependencies: ["Base", "Numerics", "Transformer", "Corpus", "Environment"], swiftSettings: fastMath),
        .target(name: "Pretraining", dependencies: ["Base", "Numerics", "Transformer", "Corpus", "Environment", "Evaluation"], swiftSettings: fastMath),
        .target(name: "Trajectories", dependencies: ["Base", "Numerics", "Transformer", "Corpus", "Environment", "Evaluation"], swiftSettings: fastMath),
        .target(name: "Surrogate", dependencies: ["Base", "Numerics", "Corpus", "Environment", "Evaluation", "Trajectories"], swiftSettings: fastMath),
        // The agent's learners loop per element over B·D rows; -Onone makes them ~30× slower, so the
        // debug build optimises this module too (AgentTests train small networks for real).
        .target(name: "Agent", dependencies: ["Base", "Numerics", "Kernels", "Corpus", "Environment", "Evaluation", "Trajectories", "Surrogate"],
                swiftSettings: fastMath + [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(name: "Baselines", dependencies: ["Numerics", "Corpus", "Environment", "Evaluation", "Trajectories", "Surrogate"], swiftSettings: fastMath),
        // Real CPT runs of the agent against the baselines over seeds: plan, resumable harness, paired summary, results CSV and report.
        .target(name: "Validation", dependencies: ["Base", "Numerics", "Corpus", "Environment", "Evaluation", "Trajectories", "Surrogate", "Agent", "Baselines"], swiftSettings: fastMath),
        // Analyses of the validation results, the agent and the logged data → CSV, SVG plots, the HTML report.
        .target(name: "Analysis", dependencies: ["Base", "Numerics", "Corpus", "Evaluation", "Trajectories", "Surrogate", "Validation"], swiftSettings: fastMath),
        .target(name: "Serving", dependencies: ["Trajectories", .product(name: "FlyingFox", package: "FlyingFox")]),
        .executableTarget(
            name: "dma",
            dependencies: [
                "Base", "Numerics", "Transformer", "Corpus", "Environment", "Evaluation", "Pretraining", "Trajectories", "Surrogate", "Agent", "Baselines", "Validation", "Analysis", "Serving",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath
        ),
        .target(name: "DMATestSupport", dependencies: ["Base", "Corpus", "Environment", "Evaluation", "Transformer", "Numerics", "Trajectories", "Surrogate"], path: "Tests/Support"),
        .testTarget(name: "BaseTests", dependencies: ["Base"]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "Numerics"]),
        .testTarget(name: "TransformerTests", dependencies: ["Base", "Transformer", "Kernels", "Numerics"]),
        .testTarget(name: "CorpusTests", dependencies: ["Base", "Corpus", "Numerics"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Base", "DMATestSupport", "Environment", "Evaluation", "Transformer", "Corpus", "Numerics"]),
        .testTarget(name: "SurrogateTests", dependencies: ["Base", "DMATestSupport", "Surrogate", "Trajectories", "Environment", "Evaluation", "Corpus", "Numerics"]),
        .testTarget(name: "PretrainingTests", dependencies: ["Base", "Pretraining", "Transformer", "Numerics"]),
        .testTarget(name: "AgentTests", dependencies: ["DMATestSupport", "Agent", "Kernels", "Surrogate", "Trajectories", "Evaluation", "Corpus", "Numerics"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Base", "DMATestSupport", "Analysis", "Validation", "Agent", "Surrogate", "Trajectories", "Evaluation", "Corpus", "Numerics"]),
        .testTarget(name: "BaselinesTests", dependencies: ["Base", "DMATestSupport", "Baselines", "Trajectories", "Surrogate", "Environment", "Evaluation", "Corpus", "Numerics"]),
        .testTarget(name: "ValidationTests", dependencies: ["Base", "DMATestSupport", "Validation", "Trajectories", "Environment", "Evaluation", "Transformer", "Corpus", "Numerics"]),
        .testTarget(name: "ServingTests", dependencies: ["Base", "Serving", "Baselines", "Trajectories"]),
        // The command-line options' mapping onto library settings (imports the executable target).
        .testTarget(name: "dmaTests", dependencies: ["dma", "Agent", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "TrajectoriesTests", dependencies: ["Base", "DMATestSupport", "Trajectories", "Surrogate", "Environment", "Evaluation", "Transformer", "Corpus", "Numerics"]),
    ]
)

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
    ],
    targets: [
        // GSL + OpenBLAS headers and link settings (see Sources/CNumerics/module.modulemap).
        .systemLibrary(name: "CNumerics", path: "Sources/CNumerics"),
        .target(name: "Numerics", dependencies: ["CNumerics"], swiftSettings: fastMath),
        // Forward/backward pairs, the flat parameter buffer and AdamW: shared by the GPT and the agent's networks.
        .target(name: "Kernels", dependencies: ["Numerics"], swiftSettings: fastMath),
        .target(name: "Transformer", dependencies: ["Numerics", "Kernels"], swiftSettings: fastMath),
        .target(name: "Corpus", dependencies: ["Numerics"], swiftSettings: fastMath),
        .target(name: "Evaluation", dependencies: ["Numerics", "Transformer", "Corpus"], swiftSettings: fastMath),
        .target(name: "Trajectories", dependencies: ["Numerics", "Transformer", "Corpus", "Evaluation"], swiftSettings: fastMath),
        .target(name: "Surrogate", dependencies: ["Numerics", "Transformer", "Corpus", "Evaluation", "Trajectories"], swiftSettings: fastMath),
        .executableTarget(
            name: "dma",
            dependencies: [
                "Numerics", "Transformer", "Corpus", "Evaluation", "Trajectories", "Surrogate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fastMath
        ),
        .target(name: "DMATestSupport", dependencies: ["Corpus", "Evaluation", "Transformer", "Numerics"], path: "Tests/Support"),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "Numerics"]),
        .testTarget(name: "TransformerTests", dependencies: ["Transformer", "Kernels", "Numerics"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Numerics"]),
        .testTarget(name: "EvaluationTests", dependencies: ["DMATestSupport", "Evaluation", "Transformer", "Corpus", "Numerics"]),
        .testTarget(name: "SurrogateTests", dependencies: ["DMATestSupport", "Surrogate", "Trajectories", "Evaluation", "Corpus", "Numerics"]),
        .testTarget(name: "TrajectoriesTests", dependencies: ["DMATestSupport", "Trajectories", "Surrogate", "Evaluation", "Transformer", "Corpus", "Numerics"]),
    ]
)

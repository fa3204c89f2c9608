// swift-tools-version:6.1
// Ferry's benchmarks, kept out of the main package so `swift test` at the root never builds the
// benchmark dependencies.
//
//   swift package benchmark                      # every package-benchmark suite (Benchmarks/*)
//   swift package benchmark --target LineSplitting
//   swift run -c release ferry-bench lines FILE  # the raw tools the peer comparison times
//   peers/run                                    # Ferry vs wc -l and iconv on the same generated input
import PackageDescription

let package = Package(
    name: "FerryBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Ferry", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Deterministic inputs shared by the tools and the suites.
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "FerryCore", package: "Ferry")],
            path: "Sources/BenchSupport"
        ),
        // Command-line tools timed by peers/run against wc -l and iconv.
        .executableTarget(
            name: "ferry-bench",
            dependencies: ["BenchSupport", .product(name: "FerryCore", package: "Ferry")],
            path: "Sources/ferry-bench"
        ),
        .executableTarget(
            name: "LineSplitting",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FerryCore", package: "Ferry"),
            ],
            path: "Benchmarks/LineSplitting",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CharsetDecoding",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FerryCore", package: "Ferry"),
            ],
            path: "Benchmarks/CharsetDecoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

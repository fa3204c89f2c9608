// swift-tools-version:6.1
// The Ferry side of Benchmarks/peers/mime: parses an mbox with FerryMIME the way the GMime and
// Python harnesses do. Built in release by ../run.
import PackageDescription

let package = Package(
    name: "FerryMIMEBench",
    dependencies: [.package(name: "Ferry", path: "../../../..")],
    targets: [
        .executableTarget(
            name: "ferry-mime-bench",
            dependencies: [.product(name: "FerryMIME", package: "Ferry"), .product(name: "FerryCore", package: "Ferry")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

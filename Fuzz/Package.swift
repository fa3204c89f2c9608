// swift-tools-version:6.1
// libFuzzer targets for Ferry's decoders, one executable per decoder. Built by `Fuzz/run` with
// -sanitize=fuzzer,address; a separate package, so the main build and tests never need the sanitizers.
//
// SwiftPM links an executable with `main` aliased to `<Target>_main`, so each target defines that
// symbol and hands over to libFuzzer's driver (FuzzSupport).
import PackageDescription

let targets = ["FuzzTimeSpec", "FuzzLines", "FuzzCharsets", "FuzzGzip", "FuzzMIME", "FuzzMbox", "FuzzICalendar", "FuzzVCard", "FuzzCSV", "FuzzMeta", "FuzzEntryNames", "FuzzFeeds", "FuzzZimbraCalendar"]

/// The Ferry modules each target fuzzes (FerryCore for all).
let modules: [String: [String]] = [
    "FuzzMIME": ["FerryMIME"],
    "FuzzMbox": ["FerryArchive"],
    "FuzzICalendar": ["FerryCalendar", "FerryText"],
    "FuzzVCard": ["FerryContacts"],
    "FuzzCSV": ["FerryContacts"],
    "FuzzMeta": ["FerryArchive"],
    "FuzzEntryNames": ["FerryArchive"],
    "FuzzFeeds": ["FerryFeeds"],
    "FuzzZimbraCalendar": ["FerryArchive", "FerryCalendar"],
]

let package = Package(
    name: "FerryFuzz",
    dependencies: [.package(name: "Ferry", path: "..")],
    targets: [.target(name: "FuzzSupport")] + targets.map { name in
        .executableTarget(name: name,
                          dependencies: ["FuzzSupport", .product(name: "FerryCore", package: "Ferry")]
                              + (modules[name] ?? []).map { .product(name: $0, package: "Ferry") },
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])])
    }
)

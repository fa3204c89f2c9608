// swift-tools-version:6.1
// Ferry — carries mail, contacts and calendars between servers and formats.
//
// Module map (arrows point down only; see shared design):
//   FerryCore      bytes, lines, atomic output, diagnostics, charsets, time ranges, item model, registry protocols
//   CICU           C shim: ICU converters + charset detection (ICU ucsdet, uchardet), plain C functions
//   CArchive       system library: libarchive (pkg-config)
//   CZlib          system library: zlib (pkg-config)
//   CXML2          system library: libxml2 (pkg-config), the SAX parser under the feed reader
//   CSupport       C shim: async-signal-safe cleanup of temporary output files
//   CDigest        C: SHA-256 (x86 SHA extensions when present) for Zimbra blob digests
//   FerryText      RFC 2425/5545/6350 content lines (folding, parameters, escaping), quoted-printable, base64
//   FerryCalendar  iCalendar components, typed values, validation rules, recurrence, time zones, free/busy
//   FerryFeeds     Atom 1.0 / RSS 2.0 writers, tolerant Atom/RSS/RDF reader (libxml2 SAX, streaming)
//   FerryPipeline  the format registry, sniffing, routing items to writers
//   FerryMigration whole accounts: explode an export into a folder tree, assemble it back, batch runs
//   ferry          the CLI (one file per subcommand)
import PackageDescription

let package = Package(
    name: "Ferry",
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .library(name: "FerryCore", targets: ["FerryCore"]),
        .library(name: "FerryPipeline", targets: ["FerryPipeline"]),
        .library(name: "FerryContacts", targets: ["FerryContacts"]),
        .library(name: "FerryText", targets: ["FerryText"]),
        .library(name: "FerryCalendar", targets: ["FerryCalendar"]),
        .library(name: "FerryMIME", targets: ["FerryMIME"]),
        .library(name: "FerryArchive", targets: ["FerryArchive"]),
        .library(name: "FerryMigration", targets: ["FerryMigration"]),
        .library(name: "FerryFeeds", targets: ["FerryFeeds"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C shims
        .target(
            name: "CICU",
            linkerSettings: [
                .linkedLibrary("icuuc"), .linkedLibrary("icui18n"), .linkedLibrary("icudata"),
                .linkedLibrary("uchardet"),
            ]
        ),
        .target(name: "CSupport"),
        .target(name: "CDigest"),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),

        // Swift modules
        // Line readers run per line: run-time exclusivity checks on their state cost about 5 % of
        // reading vCards (the compile-time checks remain).
        .target(name: "FerryCore", dependencies: ["CICU", "CSupport", "CZlib"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "FerryText", dependencies: ["FerryCore"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "FerryCalendar", dependencies: ["FerryCore", "FerryText"]),
        .target(name: "FerryContacts", dependencies: ["FerryCore", "FerryText"], resources: [.copy("Resources")],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "FerryMIME", dependencies: ["FerryCore"]),
        .target(name: "FerryArchive", dependencies: ["FerryCore", "FerryText", "FerryContacts", "CArchive", "CZlib", "FerryMIME", "FerryCalendar", "CSupport", "CDigest"]),
        .target(name: "FerryFeeds", dependencies: ["FerryCore", "FerryMIME", "FerryCalendar", "CXML2", "CSupport"],
                // The SAX callbacks touch the reader's state per element and per text run: the run-time
                // exclusivity checks cost about 5 % of reading a feed (the compile-time checks remain).
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        .target(name: "FerryPipeline", dependencies: ["FerryCore", "FerryContacts", "FerryCalendar", "FerryMIME", "FerryArchive", "FerryFeeds"]),
        .target(name: "FerryMigration", dependencies: ["FerryCore", "FerryContacts", "FerryArchive", "FerryPipeline"]),
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryPipeline", "FerryCore", "FerryMigration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Tests
        // Test-only helpers (a seeded generator) shared by the test targets.
        .target(name: "FerryTestSupport", path: "Tests/FerryTestSupport"),
        .testTarget(name: "FerryCoreTests", dependencies: ["FerryTestSupport", "FerryCore"], resources: [.copy("Samples")]),
        .testTarget(name: "FerryTextTests", dependencies: ["FerryTestSupport", "FerryText", "FerryCore"]),
        .testTarget(name: "FerryCalendarTests", dependencies: ["FerryTestSupport", "FerryCalendar", "FerryText", "FerryCore"]),
        .testTarget(name: "FerryContactsTests", dependencies: ["FerryTestSupport", "FerryContacts", "FerryCore", "FerryText"]),
        .testTarget(name: "FerryMIMETests", dependencies: ["FerryTestSupport", "FerryMIME", "FerryCore"]),
        .testTarget(name: "FerryArchiveTests", dependencies: ["FerryTestSupport", "FerryArchive", "FerryCore", "FerryMIME", "FerryCalendar"]),
        .testTarget(name: "FerryFeedsTests", dependencies: ["FerryTestSupport", "FerryFeeds", "FerryMIME", "FerryCalendar", "FerryCore", "CSupport"]),
        .testTarget(name: "FerryCLITests", dependencies: ["FerryTestSupport", "FerryPipeline", "FerryCore"]),
        .testTarget(name: "FerryMigrationTests", dependencies: ["FerryTestSupport", "FerryMigration", "FerryPipeline", "FerryArchive", "FerryCore"]),
    ],
    swiftLanguageModes: [.v6]
)

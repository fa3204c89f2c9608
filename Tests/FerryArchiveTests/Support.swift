import FerryArchive
import FerryCore
import FerryTestSupport
import Foundation

enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Fixtures/archives")
    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func temporaryDirectory() throws -> String {
        try TestDirectory.makePath("ferry-archive-test")
    }
}

/// Reads every item of a reader.
func readAll(_ reader: any ItemReader) throws -> [Item] {
    var items: [Item] = []
    while let item = try reader.next() { items.append(item) }
    return items
}

func messages(_ items: [Item]) -> [Item] { items.filter { $0.kind == .message } }

func text(_ item: Item) -> String { String(decoding: item.payload.originalBytes ?? [], as: UTF8.self) }

func subject(_ item: Item) -> String? { MessageHeader(item.payload.originalBytes ?? []).decoded("Subject") }

/// Runs a program when it is installed; nil when it is not.
func runTool(_ path: String, _ arguments: [String], stdin: Data? = nil) throws -> (status: Int32, output: String)? {
    guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try? input.fileHandleForWriting.close()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// python3's path, when there is one.
let python3: String? = ["/usr/bin/python3", "/usr/local/bin/python3", "/root/.pyenv/shims/python3"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

func runPython(_ script: String, _ arguments: [String] = []) throws -> (status: Int32, output: String)? {
    guard let python3 else { return nil }
    return try runTool(python3, ["-c", script] + arguments)
}

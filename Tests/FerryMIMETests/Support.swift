import Foundation
import FerryCore
@testable import FerryMIME
import FerryTestSupport

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/mime")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".eml") }.sorted()
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func message(_ name: String, options: MIMEParserOptions = MIMEParserOptions()) throws -> MIMEMessage {
        try MIMEParser.parse(bytes(name), options: options)
    }
}

/// Checks the lossless invariants: the bytes come back, and the tree's ranges tile the message.
func losslessProblems(_ message: MIMEMessage, _ raw: [UInt8]) -> String? {
    if message.bytes != raw { return "bytes differ" }
    var cursor = 0
    for segment in message.segments() {
        if segment.lowerBound != cursor { return "gap or overlap at \(cursor) (next segment \(segment))" }
        cursor = segment.upperBound
    }
    if cursor != raw.count { return "segments end at \(cursor), message has \(raw.count) bytes" }
    var rebuilt: [UInt8] = []
    for segment in message.segments() { rebuilt += raw[segment] }
    if rebuilt != raw { return "rebuilt bytes differ" }
    var problem: String?
    message.root.walk { part in
        if problem == nil && (part.range.lowerBound > part.bodyRange.lowerBound || part.bodyRange.upperBound != part.range.upperBound) {
            problem = "part \(part.number ?? "-") has inconsistent ranges \(part.range) / \(part.bodyRange)"
        }
    }
    return problem
}

/// The tree's shape as "number type" lines, for comparisons.
func shape(_ message: MIMEMessage) -> [String] {
    message.parts.map { "\($0.number ?? "-") \($0.contentType.mimeType)" }
}

typealias SeededRandom = SplitMix64

extension Array where Element == UInt8 {
    var lf: [UInt8] { var out: [UInt8] = []; for b in self where b != 0x0D { out.append(b) }; return out }
    var crlf: [UInt8] {
        var out: [UInt8] = []
        for b in self.lf { if b == 0x0A { out.append(0x0D) }; out.append(b) }
        return out
    }
}

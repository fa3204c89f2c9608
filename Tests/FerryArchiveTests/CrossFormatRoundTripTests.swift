import FerryArchive
import FerryCore
import Foundation
import Testing

/// Every pair of mailbox formats on one generated mailbox: each message's SHA-256, folder, flags,
/// tags and received date must come out as they went in (as far as the target format can hold them:
/// a folder of .eml files has no flags or tags).
@Suite struct CrossFormatRoundTripTests {
    static let count = Int(ProcessInfo.processInfo.environment["FERRY_ROUNDTRIP_MESSAGES"] ?? "") ?? 10_000

    struct Expected: Equatable {
        var folder: String?
        var flags: Set<String>
        var tags: [String]
        var date: Date?
    }

    static func mailbox() -> [Item] {
        var rng = SeededGenerator(seed: 2024)
        let flags = [MailFlag.unread, MailFlag.flagged, MailFlag.replied, MailFlag.forwarded, MailFlag.draft, MailFlag.deleted]
        let folders = ["Inbox", "Sent", "Inbox/Projects", "Archive/2023", "Café ☕", "Drafts"]
        let lines = ["From the start", ">From quoted", "plain", "", "From: x", "=?UTF-8?Q?x?=", "a longer line of text here"]
        return (0..<count).map { i in
            let nl = i % 3 == 0 ? "\r\n" : "\n"
            var message = "From: User \(i) <u\(i)@example.org>\(nl)To: team@example.org\(nl)Subject: Message \(i) about things\(nl)"
                + "Date: Mon, 8 Jan 2024 09:00:00 +0000\(nl)Message-ID: <m\(i)@example.org>\(nl)\(nl)"
            for _ in 0..<Int.random(in: 1...8, using: &rng) { message += lines.randomElement(using: &rng)! + nl }
            var metadata = ItemMetadata()
            metadata.folder = folders.randomElement(using: &rng)
            metadata.flags = Set(flags.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 })
            metadata.tags = ["work", "family"].filter { _ in Int.random(in: 0..<6, using: &rng) == 0 }
            metadata.date = Date(timeIntervalSince1970: TimeInterval(1_500_000_000 + i * 7919))
            return Item(RawMessage(Array(message.utf8)), metadata: metadata)
        }
    }

    static let formats: [(name: String, format: any Format, directory: Bool, flagsAndTags: Bool)] = [
        ("tgz", ArchiveFormat(.tgz), false, true), ("tar", ArchiveFormat(.tar), false, true),
        ("zip", ArchiveFormat(.zip), false, true), ("mbox", MboxFormat(), false, true),
        ("maildir", MaildirFormat(), true, true), ("emldir", EmlFolderFormat(), true, false),
    ]

    static func write(_ items: [Item], as index: Int, to path: String) throws {
        let entry = formats[index]
        let log = DiagnosticLog()
        if entry.directory {
            let writer = try entry.format.makeWriter(.directory(path), options: WriteOptions(), log: log)
            for item in items { _ = try writer.write(item) }
            try writer.finish()
        } else {
            let sink = try AtomicFileSink(path: path)
            let writer = try entry.format.makeWriter(.stream(sink), options: WriteOptions(), log: log)
            for item in items { _ = try writer.write(item) }
            try writer.finish()
            try sink.finish()
        }
    }

    static func read(as index: Int, from path: String) throws -> [Item] {
        let entry = formats[index]
        let input: FormatInput = entry.directory ? .directory(path) : .stream(try FileSource(path: path))
        return messages(try readAll(entry.format.makeReader(input, options: ReadOptions(), log: DiagnosticLog())))
    }

    static func table(_ items: [Item], flagsAndTags: Bool) -> [String: Expected] {
        var out: [String: Expected] = [:]
        for item in items {
            let key = SHA256.hex(SHA256.hash(item.payload.originalBytes ?? []))
            out[key] = Expected(folder: item.metadata.folder, flags: flagsAndTags ? item.metadata.flags : [],
                                tags: flagsAndTags ? item.metadata.tags.sorted() : [], date: item.metadata.date)
        }
        return out
    }

    static func compare(_ got: [Item], _ expected: [String: Expected], flagsAndTags: Bool, label: String) {
        #expect(got.count == expected.count, "\(label): \(got.count) of \(expected.count) messages")
        var mismatches = 0
        for (key, value) in table(got, flagsAndTags: flagsAndTags) where expected[key] != value {
            if mismatches < 3 {
                Issue.record("\(label): \(key.prefix(12)) came back as \(value), expected \(String(describing: expected[key]))")
            }
            mismatches += 1
        }
        #expect(mismatches == 0, "\(label): \(mismatches) messages differ")
    }

    @Test func everyPairOfFormats() throws {
        let original = Self.mailbox()
        let full = Self.table(original, flagsAndTags: true)
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (i, source) in Self.formats.enumerated() {
            let sourcePath = "\(dir)/source.\(source.name)"
            try Self.write(original, as: i, to: sourcePath)
            let fromSource = try Self.read(as: i, from: sourcePath)
            Self.compare(fromSource, Self.table(original, flagsAndTags: source.flagsAndTags), flagsAndTags: source.flagsAndTags,
                         label: source.name)
            for (j, target) in Self.formats.enumerated() where j != i {
                let targetPath = "\(dir)/\(source.name)-to.\(target.name)"
                try Self.write(fromSource, as: j, to: targetPath)
                let back = try Self.read(as: j, from: targetPath)
                let both = source.flagsAndTags && target.flagsAndTags
                Self.compare(back, both ? full : Self.table(original, flagsAndTags: false), flagsAndTags: both,
                             label: "\(source.name) → \(target.name)")
                try? FileManager.default.removeItem(atPath: targetPath)
            }
            try? FileManager.default.removeItem(atPath: sourcePath)
        }
    }
}

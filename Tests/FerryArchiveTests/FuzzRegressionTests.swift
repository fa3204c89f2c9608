import FerryArchive
import FerryCore
import Foundation
import Testing

/// Inputs the fuzzers (Fuzz/) found; each once broke the property named.
@Suite struct ArchiveFuzzRegressionTests {
    /// FuzzMbox: a message whose first line break is a lone CR but whose header ends in LF. The writer
    /// added `Status: RO\r` before the blank line's `\n`, which read back as one CRLF line: the header/body
    /// boundary vanished and the message changed on every round trip.
    @Test func statusHeadersEndLikeTheHeaderTheyJoin() throws {
        let message = Array("From: Alice <al\rce@example.org>\nSubject: lone CR\n\nbody line\nSubject: not a header\n".utf8)
        var metadata = ItemMetadata()
        metadata.flags = [MailFlag.flagged]
        var items = [Item(RawMessage(message), metadata: metadata)]
        var previous: [UInt8]?
        for _ in 0..<3 {
            let sink = MemorySink()
            let writer = try MboxWriter(sink: sink, options: WriteOptions(), log: DiagnosticLog())
            for item in items { #expect(try writer.write(item) == .written) }
            try writer.finish()
            items = try readAll(MboxReader(source: MemorySource(sink.bytes), options: ReadOptions(), log: DiagnosticLog()))
            #expect(items.count == 1)
            #expect(items.first?.payload.originalBytes == message, "the message comes back as it was")
            #expect(items.first?.metadata.flags.contains(MailFlag.flagged) == true)
            if let previous { #expect(sink.bytes == previous, "writing is stable") }
            previous = sink.bytes
        }
    }

    /// FuzzEntryNames: an archive libarchive cannot open made ArchiveReader free its handle twice
    /// (once on the error path, once in deinit) and the process abort — `ferry convert damaged.tgz` crashed.
    @Test func unopenableArchiveIsANamedError() throws {
        let damaged: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03] + [UInt8](repeating: 0xA5, count: 300)
        #expect(throws: FerryError.self) {
            _ = try ArchiveReader(source: MemorySource(damaged), log: DiagnosticLog())
        }
        #expect(throws: FerryError.self) {
            _ = try ArchiveReader(source: MemorySource(Array("plain text, not an archive\n".utf8)), log: DiagnosticLog())
        }
    }

    /// FuzzMbox: mboxcl2 wrote Content-Length before adding the line break a message without one gets,
    /// so the header undercounted the body by one and reading it back warned and re-split.
    @Test func contentLengthCountsTheAddedLineBreak() throws {
        let message = Array("From: a@example.org\nSubject: cl2\n\nno final newline".utf8)
        var options = WriteOptions()
        options.mboxVariant = "cl2"
        let sink = MemorySink()
        let writer = try MboxWriter(sink: sink, options: options, log: DiagnosticLog())
        _ = try writer.write(Item(RawMessage(message)))
        try writer.finish()
        #expect(String(decoding: sink.bytes, as: UTF8.self).contains("Content-Length: 17\n"))
        var readOptions = ReadOptions()
        readOptions.mboxVariant = "cl2"
        let log = DiagnosticLog()
        let back = try readAll(MboxReader(source: MemorySource(sink.bytes), options: readOptions, log: log))
        #expect(back.count == 1)
        #expect(!log.diagnostics.contains { $0.code == "mbox.content-length" }, "\(log.diagnostics)")
    }

    /// FuzzMbox: a tag named `unread` (or `starred`, `Inbox`, `Category Social`…) was written bare into
    /// X-Gmail-Labels and read back as the flag or folder it names; a message with tags and no folder had
    /// its first tag turned into its folder. Labels that would read back as something else are now
    /// quoted (quoted labels are taken literally) and `""` first says "no folder".
    @Test func tagsNamedLikeGmailSystemLabelsStayTags() throws {
        let cases: [(folder: String?, tags: [String], flags: Set<String>)] = [
            (nil, ["unread"], []),
            (nil, ["work", "family"], []),
            ("inbox", ["Starred", "opened", "Archived", "Important", "Category Social", "Sent"], [MailFlag.flagged]),
            ("Archived", ["a,b", "say \"hi\"", "back\\slash", "=?UTF-8?B?eA==?=", "line\nbreak", "Café"], [MailFlag.unread]),
            ("Inbox", ["Unread"], [MailFlag.unread]),
            (nil, [], []),
        ]
        for (index, c) in cases.enumerated() {
            var metadata = ItemMetadata()
            metadata.folder = c.folder
            metadata.tags = c.tags
            metadata.flags = c.flags
            let message = Array("From: a@example.org\nSubject: case \(index)\n\nbody\n".utf8)
            var items = [Item(RawMessage(message), metadata: metadata)]
            var previous: [UInt8]?
            for pass in 0..<3 {
                let sink = MemorySink()
                let writer = try MboxWriter(sink: sink, options: WriteOptions(), log: DiagnosticLog())
                #expect(try writer.write(items[0]) == .written)
                try writer.finish()
                items = try readAll(MboxReader(source: MemorySource(sink.bytes), options: ReadOptions(), log: DiagnosticLog()))
                #expect(items.count == 1)
                guard let back = items.first else { break }
                #expect(back.metadata.folder == c.folder, "case \(index) pass \(pass): \(String(decoding: sink.bytes, as: UTF8.self))")
                #expect(back.metadata.tags == c.tags, "case \(index) pass \(pass): \(String(decoding: sink.bytes, as: UTF8.self))")
                #expect(back.metadata.flags == c.flags, "case \(index) pass \(pass): \(String(decoding: sink.bytes, as: UTF8.self))")
                #expect(back.payload.originalBytes == message)
                if let previous { #expect(sink.bytes == previous, "writing is stable") }
                previous = sink.bytes
            }
        }
    }

    /// Labels as Gmail writes them keep their meaning: bare system labels are flags and folders, a
    /// quoted label with a comma is one label, and a raw label list that no longer matches the
    /// message's flags (a user cleared `Starred`) is not copied back.
    @Test func gmailLabelsKeepTheirMeaning() throws {
        let labels = GmailLabels.parse("Unread,\"Work, 2024\",Inbox,Starred,\"\"")
        #expect(labels.map(\.text) == ["Unread", "Work, 2024", "Inbox", "Starred"])
        let meaning = GmailLabels.interpret(labels)
        #expect(meaning.folder == "Work, 2024")
        #expect(meaning.tags == ["Inbox"])
        #expect(meaning.read == false)
        #expect(meaning.flags == [MailFlag.flagged])
        var metadata = ItemMetadata()
        metadata.folder = "Inbox"
        metadata.extra["mbox.gmail-labels"] = "Inbox,Starred"
        #expect(MboxStatusHeaders.lines(for: metadata).last == "X-Gmail-Labels: Inbox")
        metadata.flags = [MailFlag.flagged]
        #expect(MboxStatusHeaders.lines(for: metadata).last == "X-Gmail-Labels: Inbox,Starred")
    }

    /// FuzzMbox: a message whose last line ends in a lone CR (old Mac mail, or CR-only header lines
    /// mixed with LF) got the writer's LF separator right after that CR; reading back joined them into
    /// one CRLF, the message grew by a byte on every pass and mboxcl2's Content-Length no longer held.
    @Test(arguments: ["rd", "o", "cl2"])
    func messageEndingInALoneCRKeepsItsBoundary(variant: String) throws {
        let messages = [
            Array("From: Bob <bob@example.org>\nSubject: mixed\nC\rSubject: read one\r\rHow you doin'?\r".utf8),
            Array("From: a@example.org\rSubject: all CR\r\rbody\rFrom the start\r".utf8),
            Array("From: c@example.org\nSubject: last\n\nplain LF body\n".utf8),
        ]
        var readOptions = ReadOptions()
        readOptions.mboxVariant = variant
        var writeOptions = WriteOptions()
        writeOptions.mboxVariant = variant
        var items = messages.map { Item(RawMessage($0)) }
        var previous: [UInt8]?
        for pass in 0..<3 {
            let sink = MemorySink()
            let writer = try MboxWriter(sink: sink, options: writeOptions, log: DiagnosticLog())
            for item in items { #expect(try writer.write(item) == .written) }
            try writer.finish()
            let log = DiagnosticLog()
            items = try readAll(MboxReader(source: MemorySource(sink.bytes), options: readOptions, log: log))
            #expect(items.count == messages.count, "\(variant) pass \(pass)")
            #expect(!log.diagnostics.contains { $0.code == "mbox.content-length" }, "\(log.diagnostics)")
            for (item, message) in zip(items, messages) {
                var bytes = item.payload.originalBytes ?? []
                // mboxcl2 keeps its Content-Length header in the message it reads.
                if variant == "cl2", let text = String(bytes: bytes, encoding: .utf8), let r = text.range(of: "Content-Length: ") {
                    let end = text[r.upperBound...].firstIndex { $0 == "\r" || $0 == "\n" }!
                    var t = text
                    t.removeSubrange(r.lowerBound...end)
                    bytes = Array(t.utf8)
                }
                #expect(bytes == message, "\(variant) pass \(pass): \(String(reflecting: String(decoding: item.payload.originalBytes ?? [], as: UTF8.self)))")
            }
            if let previous { #expect(sink.bytes == previous, "\(variant): writing is stable") }
            previous = sink.bytes
        }
    }

    /// A stored zip (CRC left 0: libarchive's streaming reader is not asked to check data here) with Unix modes.
    static func storedZip(_ entries: [(name: String, data: [UInt8], mode: UInt32)]) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func crc32(_ data: [UInt8]) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for b in data {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return c ^ 0xFFFF_FFFF
        }
        var body: [UInt8] = []
        var central: [UInt8] = []
        for e in entries {
            let name = Array(e.name.utf8)
            let crc = crc32(e.data)
            let offset = UInt32(body.count)
            body += [0x50, 0x4B, 3, 4] + le16(10) + le16(0x800) + le16(0) + le16(0) + le16(0x21) + le32(crc)
                + le32(UInt32(e.data.count)) + le32(UInt32(e.data.count)) + le16(name.count) + le16(0) + name + e.data
            central += [0x50, 0x4B, 1, 2] + le16(0x031E) + le16(10) + le16(0x800) + le16(0) + le16(0) + le16(0x21)
                + le32(crc) + le32(UInt32(e.data.count)) + le32(UInt32(e.data.count)) + le16(name.count) + le16(0)
                + le16(0) + le16(0) + le16(0) + le32(e.mode << 16) + le32(offset) + name
        }
        return body + central + [0x50, 0x4B, 5, 6, 0, 0, 0, 0] + le16(entries.count) + le16(entries.count)
            + le32(UInt32(central.count)) + le32(UInt32(body.count)) + [0, 0]
    }

    /// Hostile suite: a zip symlink was read as a small file holding its target's text (the mode is only
    /// in the central directory). Read from memory or a file, the central directory is looked at first
    /// (in windows: here a directory of several MiB), and links, devices and FIFOs carry their types.
    @Test func zipEntryTypesComeFromTheCentralDirectory() throws {
        var entries: [(name: String, data: [UInt8], mode: UInt32)] = (0..<40_000).map {
            ("Inbox/a-rather-long-folder-name-for-the-window/\($0).eml", Array("Subject: \($0)\n\nx\n".utf8), 0o100644)
        }
        entries.append(("Inbox/link.eml", Array("../../etc/passwd".utf8), 0o120777))
        entries.append(("Inbox/pipe.eml", [], 0o010644))
        entries.append(("Inbox/last.eml", Array("Subject: last\n\nx\n".utf8), 0o100644))
        let bytes = Self.storedZip(entries)
        let reader = try ArchiveReader(source: MemorySource(bytes), log: DiagnosticLog())
        var types: [String: ArchiveEntryInfo.EntryType] = [:]
        var targets: [String: String] = [:]
        while let entry = try reader.nextEntry() {
            if entry.type != .file || entry.name.hasSuffix("last.eml") { types[entry.name] = entry.type }
            if let target = entry.linkTarget { targets[entry.name] = target }
        }
        #expect(types == ["Inbox/link.eml": .symlink, "Inbox/pipe.eml": .fifo, "Inbox/last.eml": .file])
        #expect(targets == ["Inbox/link.eml": "../../etc/passwd"])
    }

    /// A zip whose end records claim a directory at 2⁶³ or past the end: the central directory is
    /// ignored (entries read as the stream says), never a trap on the arithmetic.
    @Test func hostileZipEndRecordsAreIgnored() throws {
        let good = Self.storedZip([("a.eml", Array("Subject: a\n\nx\n".utf8), 0o120777)])
        var huge = good
        let eocd = huge.count - 22
        for i in 12..<20 { huge[eocd + i] = 0xFF }  // size and offset 0xFFFFFFFF: look for zip64
        var zip64 = Array(good[..<eocd])
        let record = zip64.count
        zip64 += [0x50, 0x4B, 6, 6] + [UInt8](repeating: 0xFF, count: 52)
        zip64 += [0x50, 0x4B, 6, 7, 0, 0, 0, 0] + (0..<8).map { UInt8((record >> (8 * $0)) & 0xFF) } + [1, 0, 0, 0]
        zip64 += Array(huge[eocd...])
        for bytes in [huge, zip64] {
            let reader = try ArchiveReader(source: MemorySource(bytes), log: DiagnosticLog())
            while let entry = try reader.nextEntry() { #expect(entry.type == .file) }
        }
    }

    /// FuzzMbox: a status header (X-Mozilla-Status2) between a lone-CR header line and the LF blank
    /// line was taken out by the reader, and the CR and LF around it joined into one CRLF: the header
    /// lost its end, the body's own `X-Mozilla-Status:` lines became header lines on the next pass and
    /// vanished. The blank line now ends like the line before it.
    @Test(arguments: ["rd", "o", "cl2"])
    func removedStatusHeaderDoesNotJoinCRAndLF(variant: String) throws {
        let mbox = Array(("From - Mon Jul 11 19:00:00 2022\nX-Mozilla-Statuk: 1004\rX-Mozilla-Status2: 00000000\n\n"
            + "second\rX-Mozilla-Status: 0000\rX-Mozilla-Status2: 00000000\rbody\n").utf8)
        var readOptions = ReadOptions()
        readOptions.mboxVariant = variant
        var writeOptions = WriteOptions()
        writeOptions.mboxVariant = variant
        var items = try readAll(MboxReader(source: MemorySource(mbox), options: readOptions, log: DiagnosticLog()))
        #expect(items.count == 1)
        let first = items.first?.payload.originalBytes ?? []
        #expect(String(decoding: first, as: UTF8.self).hasSuffix("\rsecond\rX-Mozilla-Status: 0000\rX-Mozilla-Status2: 00000000\rbody\n"),
                "the body keeps its own status-looking lines: \(String(reflecting: String(decoding: first, as: UTF8.self)))")
        var previous: [UInt8]?
        for pass in 0..<3 {
            let sink = MemorySink()
            let writer = try MboxWriter(sink: sink, options: writeOptions, log: DiagnosticLog())
            for item in items { #expect(try writer.write(item) == .written) }
            try writer.finish()
            items = try readAll(MboxReader(source: MemorySource(sink.bytes), options: readOptions, log: DiagnosticLog()))
            #expect(items.count == 1)
            let text = String(decoding: items.first?.payload.originalBytes ?? [], as: UTF8.self)
            #expect(text.contains("second\rX-Mozilla-Status: 0000\rX-Mozilla-Status2: 00000000\rbody\n"),
                    "\(variant) pass \(pass): \(String(reflecting: text))")
            if let previous { #expect(sink.bytes == previous, "\(variant): writing is stable") }
            previous = sink.bytes
        }
    }
}

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
}

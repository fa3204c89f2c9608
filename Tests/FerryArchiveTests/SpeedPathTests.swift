import CZlib
@testable import FerryArchive
import FerryCore
import Foundation
import Testing
import FerryTestSupport

/// Every speed path of the archive conversions gives what the general path gives, on the fixtures and
/// on generated data.
@Suite struct ArchiveSpeedPathTests {
    // MARK: From_ line dates

    /// From_ lines of every fixture mbox plus generated lines full of traps (signs, overflow, colons,
    /// zones, month-like words, repeated fields).
    static func fromLines() throws -> [String] {
        var lines: [String] = []
        for name in ["escaping.mboxrd", "legacy.mboxo", "solaris.mboxcl2", "takeout.mbox", "thunderbird.mbox",
                     "thunderbird-cr.mbox"] {
            let text = String(decoding: try FileSource(path: Paths.fixture(name)).readAll(), as: UTF8.self)
            lines += text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter { $0.hasPrefix("From ") }
        }
        #expect(lines.count > 10)
        let tokens = ["Mon", "jan", "FEB", "Janx", "ja", "Dec", "Sept", "1", "31", "32", "0", "-1", "+5", "2024", "1899",
                      "10000", "99999999999999999999", "-9223372036854775808", "10:05", "10:05:07", "23:59:60", "24:00",
                      "1:60", "-1:-5", "+1:+2:+3", "10::05", ":", "::5:6", "a:b", "10:05:x", "+0200", "-0530", "+-100",
                      "++100", "+02000", "-0000", "UTC", "remote", "from", "?@?", "x", "08", "007"]
        var seeded = SplitMix(seed: 20261123)
        let templates = [["Mon", "Jan", "8", "08:00:00", "2024"], ["Thu", "Nov", "23", "08:05:00", "+0000", "2023"],
                         ["Sat", "Feb", "29", "23:59", "2020", "-0530"], ["Tue", "Dec", "31", "00:00:01", "1999"]]
        for n in 0..<20_000 {
            var fields: [String]
            if n % 2 == 0 {
                // Random tokens.
                fields = (0..<Int(seeded.next() % 8)).map { _ in tokens[Int(seeded.next() % UInt64(tokens.count))] }
            } else {
                // A real date with up to two tokens replaced or added.
                fields = templates[Int(seeded.next() % UInt64(templates.count))]
                for _ in 0..<Int(seeded.next() % 3) {
                    let token = tokens[Int(seeded.next() % UInt64(tokens.count))]
                    if seeded.next() % 2 == 0 { fields[Int(seeded.next() % UInt64(fields.count))] = token } else { fields.append(token) }
                }
            }
            var line = "From " + ["MAILER-DAEMON", "-", "a@b.c", "???@???"][Int(seeded.next() % 4)]
            for field in fields { line += String(repeating: " ", count: 1 + Int(seeded.next() % 2)) + field }
            lines.append(line)
        }
        return lines
    }

    @Test func fromLineASCIIPathMatchesTheGeneralPath() throws {
        var dated = 0
        for line in try Self.fromLines() {
            let general = FromLine.parseDateGeneral(line)
            var copy = line
            let fast = copy.withUTF8 { FromLine.parseDateASCII(UnsafeRawBufferPointer($0)) }
            #expect(fast == .parsed(general), "\(line)")
            #expect(FromLine.parseDate(line) == general)
            #expect(FromLine.isSeparator(Array(line.utf8)) == (line.utf8.count >= 17 && general != nil), "\(line)")
            if general != nil { dated += 1 }
        }
        #expect(dated > 1000, "the generated lines include real dates")
        // Lines that are not printable ASCII take the general path.
        for line in ["From a@b Mon Jan  8 08:00:00 2024 ü", "From a@b\tMon Jan 8 08:00:00 2024"] {
            var copy = line
            #expect(copy.withUTF8 { FromLine.parseDateASCII(UnsafeRawBufferPointer($0)) } == .notASCII)
            #expect(FromLine.parseDate(line) == FromLine.parseDateGeneral(line))
        }
    }

    // MARK: Envelope sender

    /// The byte-level sender scan gives what the String rules give, on every printable-ASCII value;
    /// anything else is left to the String rules.
    @Test func senderASCIIPathMatchesTheGeneralPath() throws {
        var seeded = SplitMix(seed: 23)
        let alphabet = Array("ab@<> \t.x-\"(),;:".utf8) + [0x09]
        var values: [[UInt8]] = ["Jane <jane@example.org>", "<>", "< a@b >", "a@b", "  x@y  z@w", "<a b@c>",
                                 "Jane <jane@x> <bob@y>", "no address", "", "<a@b", "a@b>", "\"A <q>\" a@b",
                                 "Name\t<t@x>", "<\ta@b\t>", "x <y> z@w"].map { Array($0.utf8) }
        for _ in 0..<20_000 {
            values.append((0..<Int(seeded.next() % 24)).map { _ in alphabet[Int(seeded.next() % UInt64(alphabet.count))] })
        }
        var found = 0
        for raw in values {
            let fast = FromLine.senderASCII(raw)
            let general = FromLine.senderGeneral(raw)
            #expect(fast == (general.map { .found($0) } ?? .none), "\(String(decoding: raw, as: UTF8.self))")
            if general != nil { found += 1 }
        }
        #expect(found > 1000, "the generated values include real senders")
        for raw in ["Zoë <z@x>", "a@b\r", "<a\u{301}@b>"].map({ Array($0.utf8) }) {
            #expect(FromLine.senderASCII(raw) == .notASCII)
        }
        let header = MessageHeader(Array("From: Zoë <zoe@example.org>\r\nReturn-Path: <>\r\n\r\n".utf8))
        #expect(FromLine.sender(header) == "zoe@example.org")
    }

    // MARK: Zimbra .meta

    /// The flat `.meta` index answers every accessor as the dictionary parsed by JSONSerialization does.
    @Test func flatMetaIndexMatchesJSONSerialization() throws {
        var seeded = SplitMix(seed: 5)
        let keys = ["id", "type", "date", "size", "subject", "Path", "FlagStr", "TagNames", "unread", "flags", "x", "name"]
        let strings = ["Inbox", "/Inbox/Sub", "uf", "a\\\\,b", "/", "Caf\\u00e9 \\\"q\\\"", "\\ud83d\\udce1", "", "12", "-3", "fx"]
        for _ in 0..<2_000 {
            var members: [String] = []
            for _ in 0..<Int(seeded.next() % 10) {
                let key = keys[Int(seeded.next() % UInt64(keys.count))]
                let value: String
                switch seeded.next() % 4 {
                case 0: value = "\"" + strings[Int(seeded.next() % UInt64(strings.count))] + "\""
                case 1: value = String(Int64(bitPattern: seeded.next()) >> Int64(seeded.next() % 64))
                case 2: value = "null"
                default: value = String(Int(seeded.next() % 2000) - 1000)
                }
                members.append("\"\(key)\":\(value)")
            }
            let text = "{" + members.joined(separator: seeded.next() % 2 == 0 ? "," : " , ") + "}"
            let meta = try ZimbraMeta(json: Array(text.utf8))
            let reference = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(Set(meta.fields.keys) == Set(reference.keys), "\(text)")
            for key in keys {
                let expected = reference[key]
                switch expected {
                case let s as String:
                    #expect(meta.string(key) == s, "\(text) \(key)")
                    #expect(meta.int(key) == Int64(s), "\(text) \(key)")
                case let n as NSNumber:
                    #expect(meta.int(key) == n.int64Value, "\(text) \(key)")
                    #expect(meta.string(key) == n.stringValue, "\(text) \(key)")
                    #expect((meta[key] as? NSNumber)?.int64Value == n.int64Value)
                case is NSNull:
                    #expect(meta[key] is NSNull)
                    #expect(meta.string(key) == nil && meta.int(key) == nil)
                default:
                    #expect(meta[key] == nil && meta.string(key) == nil, "\(text) \(key)")
                }
            }
            let path = (reference["Path"] as? String) ?? (reference["Path"] as? NSNumber)?.stringValue
            #expect(meta.path == path.flatMap { p in
                let t = p.trimmingCharacters(in: CharacterSet(charactersIn: "/")); return t.isEmpty ? nil : t })
            #expect(meta.jsonBytes() == Array(text.utf8))
            var changed = meta
            changed["id"] = 7
            #expect(changed.int("id") == 7 && changed.original == nil)
            #expect(Set(changed.fields.keys) == Set(reference.keys).union(["id"]))
        }
    }

    // MARK: Read-ahead

    /// A read-ahead source gives the same bytes, in any read sizes, and its source's error in place.
    @Test func readAheadSourceGivesTheSameBytesAndErrors() throws {
        var seeded = SplitMix(seed: 11)
        for size in [0, 1, 4095, 4096, 4097, 100_000, 3 << 20] {
            let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: seeded.next()) }
            let ahead = ReadAheadSource(MemorySource(bytes, maxChunk: 777), chunkSize: 4096, depth: 3)
            var out: [UInt8] = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10_000, alignment: 1)
            defer { buffer.deallocate() }
            while true {
                let want = 1 + Int(seeded.next() % 9_999)
                let n = try ahead.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<want]))
                if n == 0 { break }
                out += buffer[..<n]
            }
            #expect(out == bytes)
            #expect(try ahead.read(upTo: 10).isEmpty)
        }
        final class Failing: ByteSource {
            let name = "failing"
            var left = 10_000
            func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
                if left == 0 { throw FerryError.io("test.fail", "broken input") }
                let n = min(left, buffer.count, 333)
                for i in 0..<n { buffer[i] = 7 }
                left -= n
                return n
            }
        }
        let ahead = ReadAheadSource(Failing(), chunkSize: 4096, depth: 2)
        var got = 0
        #expect(throws: FerryError.self) { try ahead.forEachChunk(size: 1000) { got += $0.count } }
        #expect(got == 10_000)
        // Dropped early: the helper stops (nothing to check but that this returns).
        _ = ReadAheadSource(MemorySource([UInt8](repeating: 1, count: 1 << 20)), chunkSize: 4096, depth: 2)
    }

    /// A tgz read through the read-ahead inflater gives the entries and bytes libarchive's own gzip
    /// filter gives, and a corrupt or truncated one fails with a named error.
    @Test func tgzThroughReadAheadMatchesAPlainTar() throws {
        let fixtures = Paths.fixtures
        let tgzs = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".tgz") }
        #expect(!tgzs.isEmpty)
        for name in tgzs {
            let compressed = try Array(Data(contentsOf: fixtures.appendingPathComponent(name)))
            let tar = try GzipSource(MemorySource(compressed)).readAll()
            func listing(_ bytes: [UInt8]) throws -> [String] {
                let reader = try ArchiveReader(source: MemorySource(bytes, name: name), log: DiagnosticLog())
                var out: [String] = []
                while let entry = try reader.nextEntry() {
                    let data = try reader.entryData().readAll()
                    out.append("\(entry.name) \(entry.type) \(entry.mode) \(entry.groupName ?? "-") \(SHA256.hash(data))")
                }
                return out
            }
            let viaGzip = try listing(compressed)
            #expect(!viaGzip.isEmpty)
            #expect(viaGzip == (try listing(tar)), "\(name)")
            // Cut short: an error naming the problem, not a crash or a silent end.
            #expect(throws: FerryError.self) { _ = try listing(Array(compressed.prefix(compressed.count * 2 / 3))) }
        }
    }

    // MARK: Encoded words

    @Test func utf8EncodedWordsMatchTheCharsetDecoder() throws {
        var seeded = SplitMix(seed: 7)
        let samples: [[UInt8]] = [Array("Grüße aus Köln".utf8), [0xEF, 0xBB, 0xBF] + Array("BOM first".utf8),
                                  [0x66, 0xFF, 0x6F], [0xC3], [], Array("plain".utf8), Array("日本語".utf8)]
            + (0..<300).map { _ in (0..<Int(seeded.next() % 12)).map { _ in UInt8(truncatingIfNeeded: seeded.next()) } }
        for bytes in samples {
            let expected = (try? CharsetDecoder(Charset("UTF-8")).decode(bytes)).map { $0 }
            for label in ["UTF-8", "utf-8", "Utf-8"] {
                let word = "=?\(label)?B?\(Data(bytes).base64EncodedString())?="
                let decoded = EncodedWords.decode(Array(word.utf8))
                if let expected { #expect(decoded == expected, "\(bytes)") } else { #expect(decoded == word) }
            }
        }
        // Text without `=?` is returned as it is; a lone `=?` stays.
        #expect(EncodedWords.decode(Array("Hello = ? world".utf8)) == "Hello = ? world")
        #expect(EncodedWords.decode(Array("a =? b".utf8)) == "a =? b")
    }

    // MARK: Zimbra digests

    @Test func blobDigestIsBase64WithCommas() throws {
        var seeded = SplitMix(seed: 99)
        for count in [0, 1, 2, 3, 31, 32, 33, 64] {
            for _ in 0..<50 {
                let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: seeded.next()) }
                #expect(ZimbraMeta.blobDigest(bytes)
                        == Data(bytes).base64EncodedString().replacingOccurrences(of: "/", with: ","))
            }
        }
    }

    // MARK: Parallel gzip

    /// Collects what is written.
    final class Collect: ByteSink {
        var bytes: [UInt8] = []
        let name = "collect"
        func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
        func finish() throws {}
        func abort() {}
    }

    static func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
        try GzipSource(MemorySource(bytes)).readAll()
    }

    @Test func parallelGzipDecompressesToTheInputAndMatchesGzipSink() throws {
        var seeded = SplitMix(seed: 3)
        // Text-like data (compressible, with matches across block cuts) and noise.
        let words = ["the ", "of ", "From ", "Grüße ", "\n", "meeting ", "report ", "=?UTF-8?B?", "a", "0123456789"]
        var text: [UInt8] = []
        while text.count < 700_000 { text += Array(words[Int(seeded.next() % UInt64(words.count))].utf8) }
        let noise = (0..<300_000).map { _ in UInt8(truncatingIfNeeded: seeded.next()) }
        let inputs: [[UInt8]] = [[], [0x41], text, noise, Array(text.prefix(65_536)), text + noise + text]
        for input in inputs {
            for (blockSize, slots) in [(1, 2), (1000, 2), (65_536, 3), (100_000, 4), (512 * 1024, nil)] as [(Int, Int?)] {
                if blockSize < 1000 && input.count > 10_000 { continue }
                for piece in [1, 4096, 1 << 20] {
                    if piece == 1 && input.count > 70_000 { continue }
                    let out = Collect()
                    let gzip = try ParallelGzipSink(out, blockSize: blockSize, slotCount: slots)
                    var offset = 0
                    while offset < input.count {
                        let end = min(input.count, offset + piece)
                        try input[offset..<end].withUnsafeBytes { try gzip.write($0) }
                        offset = end
                    }
                    try gzip.finish()
                    #expect(try Self.gunzip(out.bytes) == input, "\(input.count) bytes, block \(blockSize), piece \(piece)")
                    // The header is zlib's, and the trailer's CRC and size are right.
                    #expect(Array(out.bytes.prefix(10)) == [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3])
                    let crc = input.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
                    let trailer = Array(out.bytes.suffix(8))
                    #expect(trailer[0..<4].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) } == crc)
                    #expect(trailer[4..<8].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                            == UInt32(truncatingIfNeeded: input.count))
                }
            }
            // Compression stays as good as one stream's (within 1 %, plus the flush markers).
            if input.count > 100_000 {
                let parallel = Collect(), single = Collect()
                let p = try ParallelGzipSink(parallel)
                try input.withUnsafeBytes { try p.write($0) }
                try p.finish()
                let s = try GzipSink(single)
                try input.withUnsafeBytes { try s.write($0) }
                try s.finish()
                #expect(Double(parallel.bytes.count) <= Double(single.bytes.count) * 1.01 + 64)
            }
        }
    }

    @Test func gzipToolsAcceptParallelGzip() throws {
        let dir = try Paths.temporaryDirectory()
        let out = Collect()
        let gzip = try ParallelGzipSink(out, blockSize: 4096)
        let input = Array(String(repeating: "From the archive, line by line.\n", count: 5000).utf8)
        try input.withUnsafeBytes { try gzip.write($0) }
        try gzip.finish()
        try Data(out.bytes).write(to: URL(fileURLWithPath: dir + "/x.gz"))
        if let result = try runTool("/usr/bin/gzip", ["-t", dir + "/x.gz"]) { #expect(result.status == 0, "\(result.output)") }
        if let result = try runPython("import gzip,sys; sys.stdout.write(str(len(gzip.open(sys.argv[1]).read())))", [dir + "/x.gz"]) {
            #expect(result.output == String(input.count))
        }
    }

    // MARK: Maildir staging

    static func maildirItems() -> [Item] {
        (0..<40).map { n in
            var metadata = ItemMetadata(folder: ["Inbox", "Work", "Work/Reports", "Trash"][n % 4])
            metadata.date = Date(timeIntervalSince1970: TimeInterval(1_700_000_000 + n * 3600))
            if n % 3 == 0 { metadata.flags.insert(MailFlag.flagged) }
            if n % 5 == 0 { metadata.tags = ["work", "later"] }
            let body = "From: a@example.org\nSubject: message \(n)\n\n" + String(repeating: "line \(n)\n", count: n * 37)
            return Item(RawMessage(Array(body.utf8)), metadata: metadata)
        }
    }

    /// Every file under `root`: relative path with the unique part of Maildir names cut, bytes, mtime.
    static func snapshot(_ root: String) throws -> [String: ([UInt8], Int)] {
        var out: [String: ([UInt8], Int)] = [:]
        let files = FileManager.default.enumerator(atPath: root)!.allObjects as! [String]
        for path in files {
            var st = stat()
            guard lstat(root + "/" + path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            // `<sec>.M<usec>P<pid>Q<n>.<host>,S=<size>:2,<flags>` → `<sec>.Q<n>,S=<size>:2,<flags>`
            var key = path
            if let m = key.range(of: ".M"), let q = key.range(of: "Q", range: m.upperBound..<key.endIndex),
               let dot = key.range(of: ".", range: q.upperBound..<key.endIndex),
               let size = key.range(of: ",S=", range: dot.upperBound..<key.endIndex) {
                key = String(key[..<m.lowerBound]) + "." + String(key[q.lowerBound..<dot.lowerBound]) + String(key[size.lowerBound...])
            }
            out[key] = (try FileSource(path: root + "/" + path).readAll(), Int(st.st_mtim.tv_sec))
        }
        return out
    }

    @Test func stagedMaildirEqualsOneDeliveredInPlace() throws {
        let dir = try Paths.temporaryDirectory()
        // In place: the target exists (tmp/ then rename into cur/).
        try FileManager.default.createDirectory(atPath: dir + "/live", withIntermediateDirectories: false)
        let live = try MaildirWriter(directory: dir + "/live/", log: DiagnosticLog())
        // Staged: the target does not exist yet.
        let staged = try MaildirWriter(directory: dir + "/fresh/", log: DiagnosticLog())
        #expect(!FileManager.default.fileExists(atPath: dir + "/fresh"), "nothing under the target name before finish")
        for item in Self.maildirItems() {
            #expect(try live.write(item) == .written)
            #expect(try staged.write(item) == .written)
        }
        try live.finish()
        try staged.finish()
        let a = try Self.snapshot(dir + "/live"), b = try Self.snapshot(dir + "/fresh")
        #expect(a.keys.filter { $0.contains("cur/") }.count == 40, "40 messages")
        #expect(a.keys.contains("dovecot-keywords") && a.keys.contains(".Work/maildirfolder"))
        #expect(a.keys.sorted() == b.keys.sorted())
        for (key, value) in a {
            #expect(b[key]?.0 == value.0, "\(key)")
            #expect(b[key]?.1 == value.1, "\(key) mtime")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["fresh", "live"], "no staging left")
        for root in ["live", "fresh"] {
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/\(root)/tmp").isEmpty)
        }
        var st = stat()
        #expect(stat(dir + "/fresh", &st) == 0 && st.st_mode & 0o777 == 0o700, "made as mkdir(0700) makes it")
        // And it reads back as the same messages.
        let read = try readAll(MaildirReader(directory: dir + "/fresh", log: DiagnosticLog())).filter { $0.kind == .message }
        #expect(read.count == 40)
    }

    @Test func unfinishedStagedMaildirLeavesNothing() throws {
        let dir = try Paths.temporaryDirectory()
        do {
            let writer = try MaildirWriter(directory: dir + "/out", log: DiagnosticLog())
            for item in Self.maildirItems().prefix(5) { _ = try writer.write(item) }
            let during = try FileManager.default.contentsOfDirectory(atPath: dir)
            withExtendedLifetime(writer) {}
            #expect(during.count == 1 && during[0].hasPrefix(".out.ferry-"), "the staging directory: \(during)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "no target, no staging directory")
    }
}

typealias SplitMix = SplitMix64

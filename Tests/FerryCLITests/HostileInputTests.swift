import Foundation
import Testing

/// Hostile inputs, generated at test time in a temporary directory, through the real `ferry` binary.
/// Each case has its expected outcome — converted, or a named error with its exit code — and never a
/// crash, a hang or a file written outside the target.
@Suite(.serialized) struct HostileInputTests {
    static func message(_ subject: String, _ body: String = "body") -> [UInt8] {
        Array("From: a@example.org\r\nSubject: \(subject)\r\nMessage-ID: <\(subject)@example.org>\r\n\r\n\(body)\r\n".utf8)
    }

    // MARK: Archive entries

    /// A tar full of escapes: `..`, absolute paths, symbolic links (to a file, to a directory that a later
    /// entry goes through), hard links, devices and a FIFO. Only the two harmless messages arrive, inside
    /// the target, and each refusal is named on stderr.
    @Test(arguments: ["emldir", "maildir"])
    func hostileTarNeverWritesOutsideTheTarget(format: String) throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var tar = TarBuilder()
        tar.add("../../outside.eml", data: Self.message("dotdot"))
        tar.add("/tmp/absolute.eml", data: Self.message("absolute"))
        tar.add("Inbox/../../climb.eml", data: Self.message("climb"))
        tar.add(String(repeating: "../", count: 60) + "deep.eml", data: Self.message("pax-climb"))
        tar.add("Inbox/passwd.eml", .symlink, link: "../../../../etc/passwd")
        tar.add("escape", .symlink, link: dir.path)
        tar.add("escape/pwned.eml", data: Self.message("through-link"))
        tar.add("Inbox/ok.eml", data: Self.message("ok"))
        tar.add("Inbox/hard.eml", .hardlink, link: "Inbox/ok.eml")
        tar.add("Inbox/hard-out.eml", .hardlink, link: "/etc/passwd")
        tar.add("Inbox/tty.eml", .character)
        tar.add("Inbox/disk.eml", .block)
        tar.add("Inbox/pipe.eml", .fifo)
        let input = dir.appendingPathComponent("evil.tar")
        try Data(tar.finish()).write(to: input)
        let target = dir.appendingPathComponent("out")
        let result = try FerryCLI.run(["convert", input.path, "--from", "tar", "--to", format, "-o", target.path + "/"])
        #expect(result.status == 0, "skipped entries are warnings; the harmless items convert: \(result.stderr)")
        for code in ["archive.path-traversal", "archive.absolute-path", "archive.link-outside", "archive.link",
                     "archive.special-file"] {
            #expect(result.stderr.contains("[\(code)]"), "\(code) named: \(result.stderr)")
        }
        // Nothing but the input and the target in the test directory, and only two messages in the target.
        let top = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(top == ["evil.tar", "out"])
        let files = Hostile.tree(target).filter {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: target.appendingPathComponent($0).path, isDirectory: &isDirectory)
            return !isDirectory.boolValue && !$0.hasSuffix("maildirfolder") && !$0.hasSuffix("dovecot-keywords")
        }
        #expect(files.count == 2, "\(files)")
        let subjects = try files.map { String(decoding: try Data(contentsOf: target.appendingPathComponent($0)), as: UTF8.self) }
        #expect(subjects.contains { $0.contains("Subject: ok\r\n") })
        #expect(subjects.contains { $0.contains("Subject: through-link\r\n") })
        for file in Hostile.tree(target) {
            let attributes = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent(file).path)
            #expect(attributes[.type] as? FileAttributeType != .typeSymbolicLink, "\(file) is a link")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.deletingLastPathComponent().appendingPathComponent("outside.eml").path))
    }

    /// The same escapes in a zip. A zip keeps an entry's Unix mode (symlink or not) only in its central
    /// directory, which a streaming reader sees last; Ferry looks at the central directory first when the
    /// input is a file, so a symlink entry is refused with a warning like a tar link (it was once read as
    /// a small message holding the link's target text). Nothing lands outside the target.
    @Test func hostileZipWithLinksNeverWritesOutsideTheTarget() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var zip = ZipBuilder()
        zip.add("../../outside.eml", data: Self.message("dotdot"))
        zip.add("/abs.eml", data: Self.message("absolute"))
        zip.add("Inbox/link.eml", data: Array("../../../../etc/passwd".utf8), mode: 0o120777)
        zip.add("Inbox/near.eml", data: Array("ok.eml".utf8), mode: 0o120777)
        zip.add("Inbox/pipe.eml", data: [], mode: 0o010644)
        zip.add("Inbox/ok.eml", data: Self.message("ok"))
        let input = dir.appendingPathComponent("evil.zip")
        try Data(zip.finish()).write(to: input)
        let target = dir.appendingPathComponent("out")
        let result = try FerryCLI.run(["convert", input.path, "--to", "emldir", "-o", target.path + "/"])
        #expect(result.status == 0, "\(result.stderr)")
        for code in ["archive.path-traversal", "archive.absolute-path", "archive.link-outside", "archive.link",
                     "archive.special-file"] {
            #expect(result.stderr.contains("[\(code)]"), "\(code) named: \(result.stderr)")
        }
        #expect(result.stderr.contains("link to '../../../../etc/passwd' points outside"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["evil.zip", "out"])
        let files = Hostile.tree(target).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 1, "only the real message: \(files)")
        for file in files {
            let url = target.appendingPathComponent(file)
            #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.type] as? FileAttributeType == .typeRegular)
            #expect(String(decoding: try Data(contentsOf: url), as: UTF8.self).contains("Subject: ok"))
        }
        // Read from a pipe the central directory comes too late: the link is then a small file holding
        // its target's text, never the target's content.
        let piped = try FerryCLI.run(["convert", "-", "--from", "zip", "--to", "emldir", "-o", dir.appendingPathComponent("piped").path + "/"],
                                     stdin: try Data(contentsOf: input))
        #expect(piped.status == 0 || piped.status == 1, "\(piped.stderr)")
        for file in Hostile.tree(dir.appendingPathComponent("piped")).filter({ $0.hasSuffix(".eml") }) {
            let text = String(decoding: try Data(contentsOf: dir.appendingPathComponent("piped").appendingPathComponent(file)), as: UTF8.self)
            #expect(text.contains("Subject: ok") || text == "../../../../etc/passwd" || text == "ok.eml" || text.isEmpty, "\(text)")
        }
    }

    /// A tgz cut short or with a damaged gzip stream: a named error, never a crash (libarchive's handle
    /// was once freed twice on this path).
    @Test func damagedArchiveIsANamedError() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var tar = TarBuilder()
        for i in 0..<20 { tar.add("Inbox/\(i).eml", data: Self.message("m\(i)", String(repeating: "text \(i) ", count: 200))) }
        let tgz = try Hostile.gzip(tar.finish())
        var damaged = tgz
        for i in stride(from: 10, to: damaged.count, by: 7) { damaged[i] ^= 0x5A }
        for (name, bytes) in [("cut.tgz", Array(tgz.prefix(tgz.count / 2))), ("damaged.tgz", damaged),
                              ("header-only.tgz", Array(tgz.prefix(12)))] {
            let input = dir.appendingPathComponent(name)
            try Data(bytes).write(to: input)
            let target = dir.appendingPathComponent("out.mbox")
            let result = try FerryCLI.run(["convert", input.path, "-o", target.path])
            #expect(result.status == 2, "an unreadable input: \(name): \(result.stderr)")
            // libarchive's codes for the tar inside, or the inflater's (it runs ahead of libarchive).
            #expect(["[archive.open]", "[archive.corrupt]", "[gzip.truncated]", "[gzip.corrupt]"].contains { result.stderr.contains($0) },
                    "\(name): \(result.stderr)")
            #expect(result.stderr.contains(name), "the error names the file: \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target.path), "\(name): no partial target")
        }
    }

    // MARK: Sizes

    /// 200,000 tiny messages in one tgz (1 M takes minutes in a debug build, too long for CI: the reader
    /// holds one entry at a time, so the count changes time, not memory) all arrive in the mbox.
    @Test func archiveWithAHugeEntryCountConvertsEveryEntry() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = 200_000
        var tar: [UInt8] = []
        tar.reserveCapacity(count * 1024 + 1024)
        let body = Array("Subject: m\n\nx\n".utf8)
        for i in 0..<count {
            tar += TarBuilder.header(name: "Inbox/\(i).eml", type: .file, size: body.count)
            tar += body + TarBuilder.padding(body.count)
        }
        tar += [UInt8](repeating: 0, count: 1024)
        let input = dir.appendingPathComponent("many.tgz")
        try Data(try Hostile.gzip(tar)).write(to: input)
        tar = []
        let output = dir.appendingPathComponent("many.mbox")
        let result = try FerryCLI.run(["convert", input.path, "-o", output.path, "--json"])
        #expect(result.status == 0, "\(result.stderr.prefix(2000))")
        let mbox = try Data(contentsOf: output)
        let separators = mbox.withUnsafeBytes { raw -> Int in
            var n = 0
            let p = raw.bindMemory(to: UInt8.self)
            for i in 0..<(p.count - 5) where p[i] == 0x46 && p[i + 1] == 0x72 && p[i + 2] == 0x6F && p[i + 3] == 0x6D
                && p[i + 4] == 0x20 && (i == 0 || p[i - 1] == 0x0A) { n += 1 }
            return n
        }
        #expect(separators == count)
        #expect(result.out.contains("\"written\":{\"message\":\(count)}") || result.stderr.contains("\"written\":{\"message\":\(count)}"),
                "summary: \(result.out)\(result.stderr.suffix(500))")
    }

    /// A tgz holding one 8 GiB entry of zeros (8 MB compressed: concatenated gzip members). Ferry refuses
    /// it at the configured message-size limit (FERRY_MAX_MESSAGE_SIZE) with a named error, reads no
    /// further than the limit, and leaves no target behind.
    @Test func gzipBombIsRefusedAtTheConfiguredLimit() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let size = 8 << 30
        let zeros = try Hostile.gzip([UInt8](repeating: 0, count: 1 << 20))
        var bomb = try Hostile.gzip(TarBuilder.header(name: "Inbox/bomb.eml", type: .file, size: size))
        for _ in 0..<(size >> 20) { bomb += zeros }
        bomb += try Hostile.gzip([UInt8](repeating: 0, count: 1024))
        let input = dir.appendingPathComponent("bomb.tgz")
        try Data(bomb).write(to: input)
        let target = dir.appendingPathComponent("out.mbox")
        let result = try FerryCLI.run(["convert", input.path, "-o", target.path],
                                      environment: ["FERRY_MAX_MESSAGE_SIZE": "64M"])
        #expect(result.status == 2, "a fatal data error: \(result.stderr)")
        #expect(result.stderr.contains("[message.too-large]"), "\(result.stderr)")
        #expect(result.stderr.contains("FERRY_MAX_MESSAGE_SIZE"), "the message names the setting")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bomb.tgz"], "no target, no temporary file")
        // A bad setting is a usage error, not a silent default.
        let bad = try FerryCLI.run(["convert", input.path, "-o", target.path], environment: ["FERRY_MAX_MESSAGE_SIZE": "lots"])
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("FERRY_MAX_MESSAGE_SIZE"))
    }

    // MARK: MIME

    /// Converts `message` (an .eml) to mbox and back to an .eml directory: the message's bytes arrive
    /// exactly, whatever its shape. Returns inspect's stdout and stderr.
    static func convertsLosslessly(_ message: [UInt8], in dir: URL) throws -> FerryCLI.Result {
        let input = dir.appendingPathComponent("m.eml")
        try Data(message).write(to: input)
        let mbox = dir.appendingPathComponent("m.mbox")
        let toMbox = try FerryCLI.run(["convert", input.path, "-o", mbox.path])
        #expect(toMbox.status == 0, "\(toMbox.stderr.prefix(1000))")
        let back = dir.appendingPathComponent("back")
        let toDir = try FerryCLI.run(["convert", mbox.path, "--to", "emldir", "-o", back.path + "/"])
        #expect(toDir.status == 0, "\(toDir.stderr.prefix(1000))")
        let files = Hostile.tree(back).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 1)
        if let file = files.first {
            let bytes = try Data(contentsOf: back.appendingPathComponent(file))
            #expect(bytes == Data(message), "message bytes changed")
        }
        let inspect = try FerryCLI.run(["inspect", input.path, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr.prefix(1000))")
        return inspect
    }

    @Test func mimeNestedTenThousandDeep() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let depth = 10_000
        var text = "From: a@example.org\r\nSubject: nested\r\nMIME-Version: 1.0\r\n"
        for level in 0..<depth {
            text += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n"
        }
        text += "Content-Type: text/plain\r\n\r\ninnermost\r\n"
        for level in (0..<depth).reversed() { text += "--b\(level)--\r\n" }
        let inspect = try Self.convertsLosslessly(Array(text.utf8), in: dir)
        #expect(inspect.out.contains("message"), "\(inspect.out.prefix(500))")
        // The deepest part can still be written out: --part on a depth past the parser's limit is a named error.
        let part = try FerryCLI.run(["convert", dir.appendingPathComponent("m.eml").path, "--part", "1.1.1", "-o", "-"])
        #expect(Hostile.exitedCleanly(part.status, reason: .exit), "\(part.stderr)")
    }

    @Test func hundredMegabyteHeaderLine() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var message = Array("From: a@example.org\r\nSubject: ".utf8)
        message += [UInt8](repeating: 0x78, count: 100 << 20)
        message += Array("\r\nMessage-ID: <long@example.org>\r\n\r\nbody\r\n".utf8)
        _ = try Self.convertsLosslessly(message, in: dir)
    }

    @Test func millionTinyParts() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var message = Array("From: a@example.org\r\nSubject: parts\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n".utf8)
        let part = Array("--b\r\n\r\nx\r\n".utf8)
        message.reserveCapacity(message.count + part.count * 1_000_000 + 16)
        for _ in 0..<1_000_000 { message += part }
        message += Array("--b--\r\n".utf8)
        _ = try Self.convertsLosslessly(message, in: dir)
    }

    // MARK: Invalid UTF-8 and NUL bytes in every text format

    static let garbage: [UInt8] = [0xFF, 0xFE, 0x00, 0xC3, 0x28, 0xE2, 0x82, 0x00, 0xED, 0xA0, 0x80, 0xF8, 0x88]

    @Test func invalidUTF8AndNULInMail() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let message = Array("From: a@example.org\r\nSubject: bad ".utf8) + Self.garbage
            + Array("\r\nX-Nul: a\0b\r\n\r\nbody ".utf8) + Self.garbage + Array("\r\n".utf8)
        _ = try Self.convertsLosslessly(message, in: dir)
        // And as an mbox input.
        let mbox = dir.appendingPathComponent("bad.mbox")
        try Data(Array("From a@example.org Mon Jan  1 10:00:00 2024\n".utf8) + message + [0x0A]).write(to: mbox)
        let out = dir.appendingPathComponent("mbox-out")
        let result = try FerryCLI.run(["convert", mbox.path, "--to", "emldir", "-o", out.path + "/"])
        #expect(result.status == 0, "\(result.stderr)")
        let files = Hostile.tree(out).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 1)
        if let file = files.first {
            #expect(try [UInt8](Data(contentsOf: out.appendingPathComponent(file))) == message)
        }
    }

    @Test func invalidUTF8AndNULInContacts() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("bad.csv")
        try Data(Array("First Name,Last Name,E-mail Address\r\nAnn".utf8) + Self.garbage
                 + Array(",Lee\0x,ann@example.org\r\nBob,Roe,bob@example.org\r\n".utf8)).write(to: csv)
        let vcf = dir.appendingPathComponent("out.vcf")
        let fromCSV = try FerryCLI.run(["convert", csv.path, "--charset", "UTF-8", "-o", vcf.path])
        #expect(Hostile.exitedCleanly(fromCSV.status, reason: .exit), "\(fromCSV.stderr)")
        let cards = String(decoding: (try? Data(contentsOf: vcf)) ?? Data(), as: UTF8.self)
        #expect(cards.components(separatedBy: "BEGIN:VCARD").count - 1 == 2, "both contacts converted: \(fromCSV.stderr)")
        #expect(cards.contains("bob@example.org"))
        let strict = try FerryCLI.run(["convert", csv.path, "--charset", "UTF-8", "--charset-errors", "strict",
                                       "-o", dir.appendingPathComponent("strict.vcf").path])
        #expect(strict.status != 0 && Hostile.exitedCleanly(strict.status, reason: .exit), "strict charset errors stop: \(strict.stderr)")

        let badVCF = dir.appendingPathComponent("bad.vcf")
        try Data(Array("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann ".utf8) + Self.garbage
                 + Array("\r\nN:Lee;Ann;;;\r\nEMAIL:ann@example.org\r\nNOTE:a\0b\r\nEND:VCARD\r\n".utf8)).write(to: badVCF)
        let csvOut = dir.appendingPathComponent("out.csv")
        let fromVCF = try FerryCLI.run(["convert", badVCF.path, "--to", "google-csv", "-o", csvOut.path])
        #expect(Hostile.exitedCleanly(fromVCF.status, reason: .exit), "\(fromVCF.stderr)")
        #expect(String(decoding: (try? Data(contentsOf: csvOut)) ?? Data(), as: UTF8.self).contains("ann@example.org"))
    }

    @Test func invalidUTF8AndNULInCalendars() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ics = dir.appendingPathComponent("bad.ics")
        let bytes = Array("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:1@x\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240101T100000Z\r\nSUMMARY:bad ".utf8)
            + Self.garbage + Array("\r\nDESCRIPTION:a\0b\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8)
        try Data(bytes).write(to: ics)
        let out = dir.appendingPathComponent("out.ics")
        let result = try FerryCLI.run(["convert", ics.path, "-o", out.path])
        #expect(Hostile.exitedCleanly(result.status, reason: .exit), "\(result.stderr)")
        #expect(try [UInt8](Data(contentsOf: out)) == bytes, "an unchanged calendar is written back as it was")
        let validate = try FerryCLI.run(["validate", ics.path, "--report", "json"])
        #expect(validate.status == 1, "invalid UTF-8 is a validation error: \(validate.out)\(validate.stderr)")
        #expect((validate.out + validate.stderr).lowercased().contains("utf-8"), "\(validate.out)")
    }

    // MARK: A 2 GB line

    /// A contact CSV whose second line is one unquoted 2 GiB field, streamed through stdin (never on disk):
    /// the record is refused by its size limit with a named error, the other contacts convert, memory stays flat.
    @Test func twoGigabyteCSVLineFromStdin() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let total = 2 << 30
        let state = ChunkState(total: total)
        let out = dir.appendingPathComponent("out.vcf")
        let result = try Hostile.runStreaming(["convert", "-", "--from", "csv", "-o", out.path]) { state.next() }
        #expect(result.reason == .exit, "no crash: \(result.stderr.prefix(2000))")
        #expect(result.status == 1, "\(result.stderr.prefix(2000))")
        #expect(result.stderr.contains("[csv.record-too-long]"), "\(result.stderr.prefix(2000))")
        let cards = String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self)
        #expect(cards.contains("first@example.org") && cards.contains("last@example.org"), "the other rows convert")
    }
}

/// Produces: a header, a good row, a 2 GiB line of `a`, a good row; 1 MiB at a time.
final class ChunkState: @unchecked Sendable {
    private var sent = 0
    private let total: Int
    private var stage = 0
    private let block = [UInt8](repeating: 0x61, count: 1 << 20)
    init(total: Int) { self.total = total }
    func next() -> [UInt8]? {
        switch stage {
        case 0:
            stage = 1
            return Array("First Name,Last Name,E-mail Address\r\nAnn,First,first@example.org\r\nHuge,".utf8)
        case 1:
            if sent >= total { stage = 2; return Array(",x@example.org\r\nZed,Last,last@example.org\r\n".utf8) }
            sent += block.count
            return block
        default:
            return nil
        }
    }
}

/// Found by FuzzEntryNames: Swift's Character-wise split treats `/` + a combining mark as one Character,
/// so a folder `../\u{301}x` (from a `.meta` Path or an mbox X-Gmail-Labels) kept its `..`, and the file
/// system, which splits bytes, climbed out of the target.
@Suite struct CombiningMarkEscapeTests {
    @Test(arguments: ["emldir", "maildir"])
    func folderWithACombiningMarkAfterTheSlashStaysInside(format: String) throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mbox = dir.appendingPathComponent("in.mbox")
        try Data(("From a@example.org Mon Jan  1 10:00:00 2024\nX-Gmail-Labels: ../\u{301}escaped,Inbox/../\u{301}../\u{301}up\n"
                  + "Subject: x\n\nbody\n\nFrom b@example.org Mon Jan  1 10:00:00 2024\nX-Gmail-Labels: /../\u{301}abs\n"
                  + "Subject: y\n\nbody\n").utf8).write(to: mbox)
        let target = dir.appendingPathComponent("deep/t")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let result = try FerryCLI.run(["convert", mbox.path, "--to", format, "-o", target.path + "/"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["deep", "in.mbox"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("deep").path) == ["t"],
                "nothing next to the target")
        let messages = Hostile.tree(target).filter { $0.hasSuffix(".eml") || $0.contains("/cur/") }
        #expect(messages.count == 2, "\(Hostile.tree(target))")
    }
}

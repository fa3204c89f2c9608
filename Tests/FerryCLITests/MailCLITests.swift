import Foundation
import Testing

@Suite struct MailCLITests {
    static let mime = FerryCLI.fixtures.appendingPathComponent("mime")

    func fixture(_ name: String) -> String { Self.mime.appendingPathComponent(name).path }

    @Test func emlToEmlIsByteIdentical() throws {
        let dir = try FerryCLI.temporaryDirectory()
        for name in ["outlook-mixed-alternative.eml", "latin1-8bit-headers.eml", "missing-final-boundary.eml",
                     "thunderbird-rfc2231.eml", "from-line-no-separator.eml"] {
            let out = dir.appendingPathComponent(name)
            let r = try FerryCLI.run(["convert", fixture(name), "-o", out.path])
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(try Data(contentsOf: out) == Data(contentsOf: URL(fileURLWithPath: fixture(name))), "\(name)")
        }
    }

    @Test func brokenMailIsReportedWithLineAndKept() throws {
        let r = try FerryCLI.run(["convert", fixture("missing-final-boundary.eml"), "--to", "eml", "-o", "-"])
        #expect(r.status == 0)
        #expect(r.stderr.contains("missing-final-boundary.eml:"))
        #expect(r.stderr.contains("[mime.missing-close-boundary]"))
        #expect(r.stdout == (try Data(contentsOf: URL(fileURLWithPath: fixture("missing-final-boundary.eml")))))
    }

    @Test func partExtraction() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let pdf = dir.appendingPathComponent("invoice.pdf")
        let r = try FerryCLI.run(["convert", fixture("outlook-mixed-alternative.eml"), "--part", "2", "-o", pdf.path])
        #expect(r.status == 0, "\(r.stderr)")
        let expected = String(repeating: "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", count: 3)
        #expect(try String(contentsOf: pdf, encoding: .utf8) == expected)

        // A nested part to stdout: the decoded bytes in the part's own charset.
        let html = try FerryCLI.run(["convert", fixture("apple-mail-related.eml"), "--part", "2.1", "-o", "-"])
        #expect(html.status == 0)
        #expect(html.out.hasPrefix("<html><head>"))
        let png = try FerryCLI.run(["convert", fixture("apple-mail-related.eml"), "--part", "2.2"])
        #expect(png.stdout.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(png.stdout.count == 33 + 256)

        // message/rfc822: the embedded message as it lies.
        let embedded = try FerryCLI.run(["convert", fixture("forwarded-rfc822.eml"), "--part", "2"])
        #expect(embedded.out.hasPrefix("From: CFO <cfo@example.com>\r\n"))

        // Broken base64: decoded around the garbage, with a warning and exit 1.
        let broken = try FerryCLI.run(["convert", fixture("broken-base64.eml"), "--part", "2"])
        #expect(broken.out == "The quick brown fox jumps over the lazy dog. 0123456789")
        #expect(broken.stderr.contains("[part.bad-encoding]"))

        let missing = try FerryCLI.run(["convert", fixture("outlook-mixed-alternative.eml"), "--part", "7", "-o", "-"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no part 7 in the message (parts: 1, 1.1, 1.2, 2)"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("none.bin").path) == false)
    }

    @Test func jsonView() throws {
        let r = try FerryCLI.run(["convert", fixture("outlook-mixed-alternative.eml"), "--to", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "message")
        #expect(object["subject"] as? String == "Rechnung für März")
        #expect(object["date"] as? String == "2024-03-04T08:15:01Z")
        let from = try #require(object["from"] as? [[String: Any]])
        #expect(from.first?["name"] as? String == "Anna Müller")
        let mime = try #require(object["mime"] as? [String: Any])
        #expect(mime["contentType"] as? String == "multipart/mixed")
        let parts = try #require(mime["parts"] as? [[String: Any]])
        #expect(parts.map { $0["part"] as? String } == ["1", "2"])
        #expect(parts[1]["filename"] as? String == "Rechnung März 2024.pdf")
        #expect(parts[1]["encoding"] as? String == "base64")
        let alternative = try #require(parts[0]["parts"] as? [[String: Any]])
        #expect(alternative.map { $0["charset"] as? String } == ["iso-8859-1", "windows-1252"])
        let headers = try #require(object["headers"] as? [[String: Any]])
        #expect(headers.contains { $0["name"] as? String == "To" && $0["value"] as? String == "Jürgen Schröder <juergen.schroeder@corp.example.com>" })
    }

    @Test func syncFormat() throws {
        let dir = try FerryCLI.temporaryDirectory()
        let sync = fixture("zimbra-sync-message.txt")
        // Sniffed as sync; the meta headers become metadata.
        let json = try FerryCLI.run(["convert", sync, "--to", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["id"] as? String == "257")
        #expect(metadata["folder"] as? String == "Inbox")
        #expect(metadata["flags"] as? [String] == ["flagged", "replied", "unread"])
        #expect(metadata["tags"] as? [String] == ["Projekt, alt", "Wichtig"])
        #expect(metadata["date"] as? String == "2024-04-10T09:11:07Z")
        #expect(object["subject"] as? String == "Status")

        // sync → eml drops the meta headers; eml → sync puts them back only if known (none here).
        let eml = dir.appendingPathComponent("m.eml")
        #expect(try FerryCLI.run(["convert", sync, "-o", eml.path]).status == 0)
        let original = try String(contentsOf: URL(fileURLWithPath: sync), encoding: .utf8)
        let message = String(original[original.range(of: "Return-Path:")!.lowerBound...])
        #expect(try String(contentsOf: eml, encoding: .utf8) == message)

        // sync → sync is byte-identical.
        let again = try FerryCLI.run(["convert", sync, "--to", "sync", "-o", "-"])
        #expect(again.out == original)

        // Headers only (body=0).
        let headers = try FerryCLI.run(["convert", sync, "--to", "sync-headers", "-o", "-"])
        #expect(headers.out.hasPrefix("X-Zimbra-ItemId: 257\r\n"))
        #expect(headers.out.hasSuffix("Content-Type: text/plain; charset=UTF-8\r\n\r\n"))
        #expect(!headers.out.contains("All green."))
    }

    @Test func emlHoldsOneMessage() throws {
        let r = try FerryCLI.run(["convert", fixture("digest.eml"), fixture("gmail-alternative.eml"), "--to", "eml", "-o", "-"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("an .eml file holds one message"))
        #expect(r.stdout == (try Data(contentsOf: URL(fileURLWithPath: fixture("digest.eml")))))
    }

    @Test func formatsListsMail() throws {
        let r = try FerryCLI.run(["formats", "--json"])
        let rows = try JSONSerialization.jsonObject(with: r.stdout) as? [[String: Any]] ?? []
        for name in ["eml", "sync", "json"] {
            let row = rows.first { $0["name"] as? String == name }
            #expect(row?["write"] as? Bool == true, "\(name)")
        }
        #expect(rows.first { $0["name"] as? String == "eml" }?["read"] as? Bool == true)
    }

    @Test func largeAttachmentPartStreamsInFlatMemory() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.eml")
        FileManager.default.createFile(atPath: path.path, contents: nil)
        let handle = try FileHandle(forWritingTo: path)
        handle.write(Data("From: a@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=BIG\r\n\r\n--BIG\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n--BIG\r\nContent-Type: application/octet-stream; name=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8))
        // 1 MiB of 'A's base64 per chunk: "QUFB" repeated, 76-character lines.
        let line = Data((String(repeating: "QUFB", count: 19) + "\r\n").utf8)
        var chunk = Data()
        for _ in 0..<10_000 { chunk.append(line) }
        for _ in 0..<130 { handle.write(chunk) }  // ≈ 101 MB of base64
        handle.write(Data("--BIG--\r\n".utf8))
        try handle.close()
        let out = dir.appendingPathComponent("big.bin")
        let outcome = try Measure.run(FerryCLI.executable.path, ["convert", path.path, "--part", "2", "-o", out.path])
        #expect(outcome.status == 0)
        let size = try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? Int
        #expect(size == 130 * 10_000 * 57)
        #expect(outcome.maxResidentKiB < 64 * 1024, "peak RSS \(outcome.maxResidentKiB) KiB")
    }
}

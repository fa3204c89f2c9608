#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// A message far larger than any buffer crosses every archive format in flat memory: mbox → tgz,
/// tgz → mbox, mbox → Maildir, zip → emldir, each run's peak RSS under 64 MB, and the message's
/// bytes come out exactly.
@Suite struct LargeMessageTests {
    /// ~300 MiB of base64 lines (deterministic), after a text part holding `From ` traps.
    static let blocks = 300
    static let header = """
        From: Ross Geller <ross@example.com>\r
        To: Rachel Green <rachel@example.com>\r
        Subject: The whole dinosaur\r
        Date: Tue, 14 Nov 2023 22:18:00 +0000\r
        MIME-Version: 1.0\r
        Content-Type: multipart/mixed; boundary="b1"\r
        \r
        --b1\r
        Content-Type: text/plain\r
        \r
        From here on, the bones.\r
        >From there too.\r
        --b1\r
        Content-Type: application/octet-stream; name="skeleton.bin"\r
        Content-Disposition: attachment; filename="skeleton.bin"\r
        Content-Transfer-Encoding: base64\r
        \r

        """
    static let trailer = "--b1--\r\n"

    /// About a MiB of base64 lines (76 characters + CRLF), each block the base block rotated by a
    /// different number of lines.
    static func block(_ index: Int) -> [UInt8] {
        let lines = base.count / 78
        let cut = (index * 7919 % lines) * 78
        return Array(base[cut...] + base[..<cut])
    }

    static let base: [UInt8] = {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        while out.count + 78 <= 1 << 20 {
            for _ in 0..<76 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                out.append(alphabet[Int(state >> 58)])
            }
            out += [0x0D, 0x0A]
        }
        return out
    }()

    /// The message's bytes, piece by piece (`escaped`: as an mboxrd holds it).
    static func forEachPiece(escaped: Bool, _ body: ([UInt8]) throws -> Void) rethrows {
        var head = header
        if escaped {
            head = head.replacingOccurrences(of: "\r\nFrom here", with: "\r\n>From here")
                .replacingOccurrences(of: "\r\n>From there", with: "\r\n>>From there")
        }
        try body(Array(head.utf8))
        for i in 0..<blocks { try body(block(i)) }
        try body(Array(trailer.utf8))
    }

    static let messageSize = header.utf8.count + blocks * base.count + trailer.utf8.count

    static func writeMbox(_ path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let small = "From: a@example.com\nSubject: small\n\nA small one.\n"
        handle.write(Data("From a@example.com Mon Nov 13 10:00:00 2023\n\(small)\n".utf8))
        handle.write(Data("From ross@example.com Tue Nov 14 22:18:00 2023\n".utf8))
        try forEachPiece(escaped: true) { handle.write(Data($0)) }
        handle.write(Data("\r\n".utf8))
        handle.write(Data("From b@example.com Wed Nov 15 10:00:00 2023\n\(small)\n".utf8))
        try handle.close()
    }

    /// True when the file holds exactly the message (compared a piece at a time).
    static func holdsMessage(_ path: String) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var same = true
        try forEachPiece(escaped: false) { piece in
            guard same else { return }
            let read = try handle.read(upToCount: piece.count) ?? Data()
            if read.count != piece.count || !read.elementsEqual(piece) { same = false }
        }
        let rest = try handle.read(upToCount: 1) ?? Data()
        return same && rest.isEmpty
    }

    /// The largest regular file under `directory`.
    static func largestFile(in directory: String) -> (path: String, size: Int)? {
        var best: (String, Int)?
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            let path = directory + "/" + relative
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int,
               size > (best?.1 ?? -1) { best = (path, size) }
        }
        return best
    }

    static func convert(_ input: String, _ output: String) throws -> Int {
        let outcome = try Measure.run(FerryCLI.executable.path, ["convert", input, "-o", output])
        #expect(outcome.status == 0, "ferry convert \(input) -o \(output)")
        return outcome.maxResidentKiB
    }

    @Test func aHugeMessageCrossesEveryFormatInFlatMemory() throws {
        let dir = try FerryCLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let limit = 64 * 1024
        try Self.writeMbox(path("big.mbox"))

        let toTgz = try Self.convert(path("big.mbox"), path("big.tgz"))
        #expect(toTgz < limit, "mbox → tgz peak RSS \(toTgz) KiB")
        #expect(toTgz > 1024)

        let toMaildir = try Self.convert(path("big.mbox"), path("Maildir") + "/")
        #expect(toMaildir < limit, "mbox → Maildir peak RSS \(toMaildir) KiB")
        let delivered = try #require(Self.largestFile(in: path("Maildir")))
        #expect(delivered.size == Self.messageSize)
        #expect(delivered.path.contains(",S=\(Self.messageSize):2,"))
        #expect(try Self.holdsMessage(delivered.path))
        try FileManager.default.removeItem(atPath: path("Maildir"))
        try FileManager.default.removeItem(atPath: path("big.mbox"))

        let toMbox = try Self.convert(path("big.tgz"), path("back.mbox"))
        #expect(toMbox < limit, "tgz → mbox peak RSS \(toMbox) KiB")
        try FileManager.default.removeItem(atPath: path("big.tgz"))

        _ = try Self.convert(path("back.mbox"), path("big.zip"))
        try FileManager.default.removeItem(atPath: path("back.mbox"))
        let toEml = try Self.convert(path("big.zip"), path("eml") + "/")
        #expect(toEml < limit, "zip → emldir peak RSS \(toEml) KiB")
        let eml = try #require(Self.largestFile(in: path("eml")))
        #expect(eml.size == Self.messageSize)
        #expect(try Self.holdsMessage(eml.path))   // mbox → tgz → mbox → zip → eml kept every byte
    }
}

import Foundation
import FerryTestSupport
import Testing
@testable import FerryCore

@Suite struct AtomicOutputTests {
    func tempDir() throws -> URL {
        try TestDirectory.make("ferry-out")
    }

    func entries(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    @Test func finishRenamesIntoPlace() throws {
        let dir = try tempDir()
        let target = dir.appendingPathComponent("out.vcf").path
        let sink = try AtomicFileSink(path: target)
        try sink.write("BEGIN:VCARD\r\n")
        // While writing, only the temporary file exists and it does not carry the target's name.
        #expect(try entries(dir).count == 1)
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(sink.temporaryPath?.hasPrefix(dir.path + "/.out.vcf.ferry-") == true)
        try sink.write(Array(repeating: UInt8(ascii: "x"), count: 1 << 20))  // larger than the buffer
        try sink.finish()
        #expect(try entries(dir) == ["out.vcf"])
        let data = try Data(contentsOf: URL(fileURLWithPath: target))
        #expect(data.count == 13 + (1 << 20))
        #expect(data.prefix(13) == Data("BEGIN:VCARD\r\n".utf8))
    }

    @Test func abortLeavesNothingAndKeepsAnExistingTarget() throws {
        let dir = try tempDir()
        let target = dir.appendingPathComponent("contacts.csv")
        try Data("old content".utf8).write(to: target)
        let sink = try AtomicFileSink(path: target.path)
        try sink.write("new partial content")
        sink.abort()
        #expect(try entries(dir) == ["contacts.csv"])
        #expect(try String(contentsOf: target, encoding: .utf8) == "old content")
        #expect(throws: FerryError.self) { try sink.write("more") }
    }

    /// `-o /dev/null` must write into the device, not rename a file over it (as root, that rename
    /// succeeds and leaves the machine without a /dev/null).
    @Test func aDeviceIsWrittenDirectlyNotReplaced() throws {
        let sink = try AtomicFileSink(path: "/dev/null")
        #expect(sink.temporaryPath == nil)
        try sink.write(Array(repeating: UInt8(ascii: "x"), count: 1 << 19))
        try sink.finish()
        var st = stat()
        #expect(stat("/dev/null", &st) == 0)
        #expect(st.st_mode & S_IFMT == S_IFCHR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "/dev").filter { $0.hasPrefix(".null.ferry-") }.isEmpty)
    }

    @Test func aNamedPipeIsWrittenDirectly() throws {
        let dir = try tempDir()
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let payload = Array(repeating: UInt8(ascii: "p"), count: 300_000)   // more than a pipe holds
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            var got = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                got += n
            }
            close(fd)
            try? Data(String(got).utf8).write(to: dir.appendingPathComponent("count"))
        }
        reader.start()
        let sink = try AtomicFileSink(path: fifo)
        try sink.write(payload)
        try sink.finish()
        var count: String?
        for _ in 0..<500 where count == nil {
            count = try? String(contentsOf: dir.appendingPathComponent("count"), encoding: .utf8)
            if count == nil { usleep(10_000) }
        }
        #expect(count == String(payload.count))
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect(try entries(dir) == ["count", "pipe"])
    }

    @Test func aSymbolicLinkKeepsPointingAtTheNewContent() throws {
        let dir = try tempDir()
        let target = dir.appendingPathComponent("real.vcf").path
        let link = dir.appendingPathComponent("link.vcf").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: target))
        #expect(symlink(target, link) == 0)
        let sink = try AtomicFileSink(path: link)
        try sink.write("new")
        try sink.finish()
        var st = stat()
        #expect(lstat(link, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        #expect(try entries(dir) == ["link.vcf", "real.vcf"])
    }

    @Test func droppingWithoutFinishRemovesTheTemporaryFile() throws {
        let dir = try tempDir()
        do {
            let sink = try AtomicFileSink(path: dir.appendingPathComponent("x.ics").path)
            try sink.write("BEGIN:VCALENDAR\r\n")
        }
        #expect(try entries(dir).isEmpty)
    }

    @Test func outputModeFollowsUmask() throws {
        let dir = try tempDir()
        let target = dir.appendingPathComponent("m.txt").path
        let sink = try AtomicFileSink(path: target)
        try sink.finish()
        let attributes = try FileManager.default.attributesOfItem(atPath: target)
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        let mask = umask(0); umask(mask)
        #expect(mode == 0o666 & ~Int(mask))
    }

    @Test func unwritableDirectoryIsAnIOError() throws {
        do {
            _ = try AtomicFileSink(path: "/nonexistent-dir-for-ferry/out.csv")
            Issue.record("expected an error")
        } catch let error as FerryError {
            #expect(error.kind == .io)
            #expect(error.diagnostic.file == "/nonexistent-dir-for-ferry/out.csv")
        }
    }

    @Test func fileSourceIsReadOnlyAndStreams() throws {
        let dir = try tempDir()
        let path = dir.appendingPathComponent("in.txt")
        let content = Data((0..<100_000).map { UInt8($0 % 251) })
        try content.write(to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: path.path)
        let source = try FileSource(path: path.path)
        #expect(source.size == 100_000)
        var collected = Data()
        try source.forEachChunk(size: 4096) { collected.append(contentsOf: $0) }
        #expect(collected == content)
        #expect(throws: FerryError.self) { try FileSource(path: dir.path) }  // a directory
    }

    @Test func prefixedSourceReplaysTheSniffedBytes() throws {
        let inner = MemorySource("hello, world", maxChunk: 3)
        let prefix = try inner.read(upTo: 5)
        #expect(prefix == Array("hello".utf8))
        let whole = try PrefixedSource(prefix: prefix, rest: inner).readAll()
        #expect(String(decoding: whole, as: UTF8.self) == "hello, world")
    }
}

@Suite struct DiagnosticTests {
    @Test func compilerStyle() {
        let d = Diagnostic.error("csv.ragged-row", "row has 3 fields, header has 5", file: "c.csv", line: 12, column: 40)
        #expect(d.description == "c.csv:12:40: error: row has 3 fields, header has 5 [csv.ragged-row]")
        #expect(Diagnostic.warning("x", "m").description == "ferry: warning: m [x]")
        #expect(Diagnostic.note("x", "m", file: "f").description == "f: note: m [x]")
    }

    @Test func jsonLineRoundTrips() throws {
        let d = Diagnostic.warning("ics.tzid-unknown", "TZID \"Foo\" not found", file: "a.ics", line: 3, column: 1)
        let decoded = try JSONDecoder().decode(Diagnostic.self, from: Data(d.jsonLine.utf8))
        #expect(decoded == d)
        #expect(!d.jsonLine.contains("\n"))
    }

    @Test func logCountsBySeverityPastItsLimit() {
        let log = DiagnosticLog(limit: 2)
        for i in 0..<5 { log.emit(.warning("w", "\(i)")) }
        log.emit(.error("e", "bad"))
        #expect(log.count(.warning) == 5)
        #expect(log.count(.error) == 1)
        #expect(log.diagnostics.count == 2)
        #expect(log.hasErrors)
    }
}

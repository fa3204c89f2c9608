#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writers for hostile inputs generated at test time: tar (ustar with pax records, any entry type),
/// zip (stored, with Unix modes, so symlinks too), gzip through the system's `gzip`.
struct TarBuilder {
    enum EntryType: UInt8 {
        case file = 0x30, hardlink = 0x31, symlink = 0x32, character = 0x33, block = 0x34, directory = 0x35, fifo = 0x36
    }

    private(set) var bytes: [UInt8] = []

    static func octal(_ value: Int, _ width: Int) -> [UInt8] {
        let digits = Array(String(value, radix: 8).utf8)
        return [UInt8](repeating: 0x30, count: max(0, width - 1 - digits.count)) + digits + [0]
    }

    /// One 512-byte ustar header.
    static func header(name: String, type: EntryType, size: Int, link: String = "", mtime: Int = 1_700_000_000,
                       rawType: UInt8? = nil) -> [UInt8] {
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ bytes: [UInt8], _ at: Int, _ max: Int) { for (i, b) in bytes.prefix(max).enumerated() { h[at + i] = b } }
        put(Array(name.utf8), 0, 100)
        put(octal(type == .directory ? 0o755 : 0o644, 8), 100, 8)
        put(octal(1000, 8), 108, 8)
        put(octal(1000, 8), 116, 8)
        put(octal(size, 12), 124, 12)
        put(octal(mtime, 12), 136, 12)
        h[156] = rawType ?? type.rawValue
        put(Array(link.utf8), 157, 100)
        put(Array("ustar\u{0}00".utf8), 257, 8)
        put(Array("user".utf8), 265, 32)
        put(Array("message".utf8), 297, 32)
        for i in 148..<156 { h[i] = 0x20 }
        put(octal(h.reduce(0) { $0 + Int($1) }, 7), 148, 7)
        return h
    }

    static func padding(_ count: Int) -> [UInt8] { [UInt8](repeating: 0, count: (512 - count % 512) % 512) }

    static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = Array(" \(key)=\(value)\n".utf8)
        var length = body.count + 1
        while String(length).utf8.count + body.count != length { length = String(length).utf8.count + body.count }
        return Array(String(length).utf8) + body
    }

    /// Adds an entry; names longer than 100 bytes (or any name when `pax` is set) go in a pax record.
    mutating func add(_ name: String, _ type: EntryType = .file, data: [UInt8] = [], link: String = "", pax: Bool = false) {
        if pax || name.utf8.count > 100 || link.utf8.count > 100 {
            var records = TarBuilder.paxRecord("path", name)
            if !link.isEmpty { records += TarBuilder.paxRecord("linkpath", link) }
            bytes += TarBuilder.header(name: "PaxHeader", type: .file, size: records.count, rawType: 0x78)
            bytes += records + TarBuilder.padding(records.count)
        }
        bytes += TarBuilder.header(name: name, type: type, size: data.count, link: link)
        bytes += data + TarBuilder.padding(data.count)
    }

    mutating func finish() -> [UInt8] {
        bytes += [UInt8](repeating: 0, count: 1024)
        return bytes
    }
}

/// A stored (uncompressed) zip with Unix modes, enough for hostile names and symlinks.
struct ZipBuilder {
    private var body: [UInt8] = []
    private var central: [UInt8] = []
    private var count = 0

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in data { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    private static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    private static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    /// `mode` is the Unix mode with its file type (0o100644 a file, 0o120777 a symlink whose data is the target).
    mutating func add(_ name: String, data: [UInt8], mode: UInt32 = 0o100644) {
        let nameBytes = Array(name.utf8)
        let crc = ZipBuilder.crc32(data)
        let offset = UInt32(body.count)
        body += [0x50, 0x4B, 0x03, 0x04] + ZipBuilder.le16(10) + ZipBuilder.le16(0x800) + ZipBuilder.le16(0)
            + ZipBuilder.le16(0) + ZipBuilder.le16(0x21) + ZipBuilder.le32(crc) + ZipBuilder.le32(UInt32(data.count))
            + ZipBuilder.le32(UInt32(data.count)) + ZipBuilder.le16(nameBytes.count) + ZipBuilder.le16(0) + nameBytes + data
        central += [0x50, 0x4B, 0x01, 0x02] + ZipBuilder.le16(0x031E) + ZipBuilder.le16(10) + ZipBuilder.le16(0x800)
            + ZipBuilder.le16(0) + ZipBuilder.le16(0) + ZipBuilder.le16(0x21) + ZipBuilder.le32(crc)
            + ZipBuilder.le32(UInt32(data.count)) + ZipBuilder.le32(UInt32(data.count)) + ZipBuilder.le16(nameBytes.count)
            + ZipBuilder.le16(0) + ZipBuilder.le16(0) + ZipBuilder.le16(0) + ZipBuilder.le16(0)
            + ZipBuilder.le32(mode << 16) + ZipBuilder.le32(offset) + nameBytes
        count += 1
    }

    func finish() -> [UInt8] {
        body + central + [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0] + ZipBuilder.le16(count) + ZipBuilder.le16(count)
            + ZipBuilder.le32(UInt32(central.count)) + ZipBuilder.le32(UInt32(body.count)) + [0, 0]
    }
}

enum Hostile {
    /// Compresses `data` with the system's gzip (level 1: fast, and zeros still shrink a thousandfold).
    static func gzip(_ data: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-1", "-c"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        nonisolated(unsafe) var result = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            result = output.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        input.fileHandleForWriting.write(Data(data))
        try input.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        return [UInt8](result)
    }

    /// Every regular file and directory under `dir`, relative, sorted.
    static func tree(_ dir: URL) -> [String] {
        (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []).sorted()
    }

    /// True when `result` ended by itself with one of Ferry's exit codes (not a signal, not a trap).
    static func exitedCleanly(_ status: Int32, reason: Process.TerminationReason) -> Bool {
        reason == .exit && (0...2).contains(status)
    }

    /// Runs ferry with standard input produced chunk by chunk by `produce` (so gigabytes never sit in
    /// memory or on disk); `produce` returns nil at the end.
    static func runStreaming(_ arguments: [String], environment: [String: String] = [:],
                             produce: @escaping @Sendable () -> [UInt8]?) throws
        -> (status: Int32, reason: Process.TerminationReason, stdout: Data, stderr: String) {
        let process = Process()
        process.executableURL = FerryCLI.executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        nonisolated(unsafe) var errData = Data()
        nonisolated(unsafe) var outData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = errors.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            outData = output.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let fd = input.fileHandleForWriting.fileDescriptor
        writing: while let chunk = produce() {
            var offset = 0
            while offset < chunk.count {
                let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress! + offset, chunk.count - offset) }
                if n <= 0 { break writing }  // ferry stopped reading (EPIPE): it has decided
                offset += n
            }
        }
        try? input.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason, outData, String(decoding: errData, as: UTF8.self))
    }
}

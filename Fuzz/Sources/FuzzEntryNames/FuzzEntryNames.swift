// Fuzzes archive entry-name handling end to end: a tar is built around the fuzzed entry name, link
// target and type (pax records carry any bytes), or the input is read as an archive as it is; every
// entry goes through libarchive, ArchiveReader and EntrySafety. Whatever comes out, an accepted name
// never holds a `..`, `.` or empty component, never starts with `/` or a drive letter, never holds a
// `\`, and stays under the target directory; links, devices and directories are never accepted; safe
// folder components never climb or hold NUL or `/`.
import FerryArchive
import FerryCore
import Foundation
import FuzzSupport

private func octal(_ value: Int, _ width: Int) -> [UInt8] {
    let digits = Array(String(value, radix: 8).utf8)
    return [UInt8](repeating: 0x30, count: max(0, width - 1 - digits.count)) + digits + [0]
}

private func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
    let body = Array(" \(key)=".utf8) + value + [0x0A]
    var length = body.count + 1
    while String(length).utf8.count + body.count != length { length = String(length).utf8.count + body.count }
    return Array(String(length).utf8) + body
}

private func header(name: [UInt8], type: UInt8, size: Int, link: [UInt8]) -> [UInt8] {
    var h = [UInt8](repeating: 0, count: 512)
    func put(_ bytes: [UInt8], _ at: Int, _ max: Int) { for (i, b) in bytes.prefix(max).enumerated() { h[at + i] = b } }
    put(name, 0, 100)
    put(octal(0o644, 8), 100, 8)
    put(octal(0, 8), 108, 8)
    put(octal(0, 8), 116, 8)
    put(octal(size, 12), 124, 12)
    put(octal(1_700_000_000, 12), 136, 12)
    h[156] = type
    put(link, 157, 100)
    put(Array("ustar\u{0}00".utf8), 257, 8)
    for i in 148..<156 { h[i] = 0x20 }
    put(octal(h.reduce(0) { $0 + Int($1) }, 7), 148, 7)
    return h
}

private func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512) }

private func check(_ info: ArchiveEntryInfo) {
    if case .accept(let clean) = EntrySafety.check(info) {
        if info.type != .file && info.type != .other { ferry_fuzz_fail("a link, device or directory was accepted") }
        // Bytes, as the file system sees them (Character-wise, `/` + a combining mark is not a `/`).
        let bytes = Array(clean.utf8)
        if bytes.first == 0x2F { ferry_fuzz_fail("accepted name starts with /") }
        if bytes.contains(0x5C) { ferry_fuzz_fail("accepted name holds a backslash") }
        if bytes.count >= 2 && bytes[1] == 0x3A && (bytes[0] | 0x20) >= 0x61 && (bytes[0] | 0x20) <= 0x7A {
            ferry_fuzz_fail("accepted name starts with a drive")
        }
        for component in bytes.split(separator: 0x2F, omittingEmptySubsequences: false) {
            if component.elementsEqual([0x2E, 0x2E]) || component.elementsEqual([0x2E]) || component.isEmpty {
                ferry_fuzz_fail("accepted name holds a '..', '.' or empty component")
            }
        }
    }
    for component in EntrySafety.safeFolderComponents(info.name) {
        let b = Array(component.utf8)
        if b.elementsEqual([0x2E, 0x2E]) || b.elementsEqual([0x2E]) || b.isEmpty || b.contains(0x2F) || b.contains(0) {
            ferry_fuzz_fail("unsafe folder component")
        }
    }
}

@_cdecl("FuzzEntryNames_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        guard size > 0, let data else { return 0 }
        let control = data[0]
        let raw = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
        let archive: [UInt8]
        if control & 0x80 != 0 {
            archive = raw
        } else {
            // name NUL target: a pax-extended ustar entry of the chosen type.
            let cut = raw.firstIndex(of: 0) ?? raw.count
            let name = Array(raw[..<cut])
            let target = cut < raw.count ? Array(raw[(cut + 1)...]) : []
            let type = Array("0123456L5".utf8)[Int(control % 9)]  // file, hard, sym, char, block, dir, fifo, …
            var pax = paxRecord("path", name)
            if !target.isEmpty { pax += paxRecord("linkpath", target) }
            let body: [UInt8] = type == 0x30 ? Array("Subject: x\n\nbody\n".utf8) : []
            archive = header(name: Array("PaxHeader/x".utf8), type: 0x78, size: pax.count, link: []) + padded(pax)
                + header(name: control & 0x40 != 0 ? name : Array("short".utf8), type: type, size: body.count, link: target)
                + padded(body) + [UInt8](repeating: 0, count: 1024)
        }
        guard let reader = try? ArchiveReader(source: MemorySource(archive), log: DiagnosticLog()) else { return 0 }
        var entries = 0
        while let info = try? reader.nextEntry() {
            check(info)
            entries += 1
            if entries > 100_000 { ferry_fuzz_fail("more entries than the input can hold") }
        }
        return 0
    }
}

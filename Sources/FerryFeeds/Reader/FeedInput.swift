import CSupport
import CXML2
import FerryCore

/// HTML 4 entity names, from libxml2's own table.
enum HTMLEntities {
    static func scalar(_ name: String) -> Unicode.Scalar? {
        let found: UInt32? = name.withCString { pointer in
            pointer.withMemoryRebound(to: xmlChar.self, capacity: name.utf8.count + 1) { htmlEntityLookup($0)?.pointee.value }
        }
        return found.flatMap(Unicode.Scalar.init)
    }
}

/// A feed's bytes as UTF-8, whatever it was written in: the byte-order mark or the XML declaration's
/// `encoding` when the bytes agree with it; otherwise FerryCore's charset detection decides and the
/// wrong declaration is reported (with the line and column of the first byte that contradicts it).
final class FeedInput {
    let source: ByteSource
    let name: String
    let log: DiagnosticLog
    private var first: [UInt8]?
    private var decoder: CharsetDecoder?
    private var validator = UTF8Validator()
    private var invalidUTF8 = 0
    private(set) var charsetName = "UTF-8"
    private var done = false

    init(source: ByteSource, name: String, log: DiagnosticLog, declaredByUser: Charset?, fastUTF8: Bool = true,
         pieceSize: Int = 1 << 16) throws {
        self.fastUTF8 = fastUTF8
        self.pieceSize = pieceSize
        self.source = source
        self.name = name
        self.log = log
        var prefix = try source.read(upTo: CharsetDetector.sampleSize)
        if let declaredByUser {
            if !declaredByUser.isUTF8 { decoder = try CharsetDecoder(declaredByUser, policy: .replace, sourceName: name) }
            charsetName = declaredByUser.label
            first = prefix
            return
        }
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { prefix.removeFirst(3) }
        if let bom = CharsetDetector.byteOrderMark(prefix), !bom.charset.uppercased().hasPrefix("UTF-8") {
            decoder = try CharsetDecoder(try Charset(bom.charset), policy: .replace, sourceName: name)
            charsetName = bom.charset
            prefix.removeFirst(bom.bomLength)
            first = prefix
            return
        }
        if prefix.count >= 4, prefix[0] == 0x3C, prefix[1] == 0, prefix[2] == 0x3F, prefix[3] == 0 {
            decoder = try CharsetDecoder(try Charset("UTF-16LE"), policy: .replace, sourceName: name)
            charsetName = "UTF-16LE"
        } else if prefix.count >= 4, prefix[0] == 0, prefix[1] == 0x3C, prefix[2] == 0, prefix[3] == 0x3F {
            decoder = try CharsetDecoder(try Charset("UTF-16BE"), policy: .replace, sourceName: name)
            charsetName = "UTF-16BE"
        } else {
            try decide(prefix)
        }
        first = prefix
    }

    /// The `encoding` of the XML declaration, if any.
    static func declaredEncoding(_ prefix: [UInt8]) -> String? {
        guard prefix.starts(with: Array("<?xml".utf8)) else { return nil }
        let head = prefix.prefix(512)
        guard let end = head.firstIndex(of: 0x3E) else { return nil }
        let decl = String(decoding: head[..<end], as: UTF8.self)
        guard let range = decl.range(of: "encoding") else { return nil }
        let rest = decl[range.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\t" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let value = rest.dropFirst().prefix { $0 != quote }
        return value.isEmpty ? nil : String(value)
    }

    private func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1, start = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A { line += 1; start = i + 1 }
        return (line, offset - start + 1)
    }

    private func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var v = UTF8Validator()
        let r = bytes.withUnsafeBytes { v.process($0, final: bytes.count < CharsetDetector.sampleSize, policy: .strict) { _ in } }
        return r.invalidAt
    }

    private func decide(_ prefix: [UInt8]) throws {
        let declared = Self.declaredEncoding(prefix)
        let declaredCharset = declared.flatMap { try? Charset($0) }
        let invalid = firstInvalidUTF8(prefix)
        let hasNonASCII = prefix.contains { $0 >= 0x80 }
        func use(_ label: String) throws {
            let charset = try Charset(label)
            decoder = charset.isUTF8 ? nil : try CharsetDecoder(charset, policy: .replace, sourceName: name)
            charsetName = label
        }
        if let declared, declaredCharset == nil {
            let guess = invalid == nil ? "UTF-8" : CharsetDetector.detect(prefix).charset
            log.emit(.warning("feed.charset", "the declared encoding '\(declared)' is unknown; read as \(guess)\(invalid == nil ? "" : " (detected)")",
                              file: name, line: 1, column: 1))
            try use(guess)
            return
        }
        if declaredCharset == nil || declaredCharset!.isUTF8 {
            if let bad = invalid {
                let guess = CharsetDetector.detect(prefix).charset
                let (line, column) = position(of: bad, in: prefix)
                log.emit(.warning("feed.charset", "\(declared.map { "declared encoding '\($0)'" } ?? "no encoding declared (UTF-8)") "
                                  + "but the bytes are not UTF-8; read as \(guess) (detected)", file: name, line: line, column: column))
                try use(guess)
            } else {
                try use("UTF-8")
            }
            return
        }
        // A legacy charset declared: UTF-8 content under it is a common mistake.
        let declaredLabel = declared!
        if hasNonASCII, invalid == nil {
            let offset = prefix.firstIndex { $0 >= 0x80 } ?? 0
            let (line, column) = position(of: offset, in: prefix)
            log.emit(.warning("feed.charset", "declared encoding '\(declaredLabel)' but the bytes are UTF-8; read as UTF-8",
                              file: name, line: line, column: column))
            try use("UTF-8")
            return
        }
        if hasNonASCII {
            let guess = CharsetDetector.detect(prefix)
            let multiByte = ["SHIFT_JIS", "WINDOWS-31J", "EUC-JP", "GBK", "GB18030", "GB2312", "BIG5", "EUC-KR", "ISO-2022-JP"]
            let declaredSingleByte = !multiByte.contains(declaredLabel.uppercased())
            if declaredSingleByte, multiByte.contains(guess.charset.uppercased()), !guess.isLowConfidence {
                let offset = prefix.firstIndex { $0 >= 0x80 } ?? 0
                let (line, column) = position(of: offset, in: prefix)
                log.emit(.warning("feed.charset", "declared encoding '\(declaredLabel)' but the bytes read as \(guess.charset) "
                                  + "(detected, confidence \(guess.confidence)); read as \(guess.charset)", file: name, line: line, column: column))
                try use(guess.charset)
                return
            }
        }
        try use(declaredLabel)
    }

    /// While the input is valid UTF-8, pieces are checked by `ferry_utf8_valid` (vector code, several
    /// times the validator's speed on text that is non-ASCII every few words) and passed on as they
    /// are; the bytes of a sequence cut by the end of a piece wait in `pending` for the next one. At the
    /// first piece that is not valid, the validator takes over for good, from a sequence boundary (the
    /// pending bytes first): what it writes is then the same as if it had read everything.
    private var fastUTF8 = true
    private let pieceSize: Int
    private var pending: [UInt8] = []

    /// The piece, when it (after the pending bytes) is valid UTF-8 but for a sequence cut at its end;
    /// nil when the validator must decide.
    private func fastPath(_ raw: [UInt8], final: Bool) -> [UInt8]? {
        var data = raw
        if !pending.isEmpty { data = pending + raw }
        if data.isEmpty { return [] }
        // size_t: SIZE_MAX (invalid) reads as -1.
        let k = data.withUnsafeBufferPointer { ferry_utf8_complete_prefix($0.baseAddress!, $0.count) }
        guard k >= 0 else { return nil }
        if k == data.count {
            pending = []
            return data
        }
        if final { return nil }  // a sequence cut short at the very end: the validator replaces it
        pending = Array(data[k...])
        return Array(data[..<k])
    }

    /// The next piece of UTF-8; `final` with the last (possibly empty) piece.
    func next() throws -> (bytes: [UInt8], final: Bool) {
        var raw: [UInt8]
        if let f = first {
            first = nil
            raw = f
        } else {
            guard !done else { return ([], true) }
            raw = try source.read(upTo: pieceSize)
        }
        let final = raw.isEmpty
        if final { done = true }
        var out: [UInt8] = []
        if let decoder {
            out.reserveCapacity(raw.count + 16)
            try raw.withUnsafeBytes { try decoder.decode($0, final: final, into: &out) }
        } else if fastUTF8, let valid = fastPath(raw, final: final) {
            out = valid
        } else {
            fastUTF8 = false
            if !pending.isEmpty {
                raw = pending + raw
                pending = []
            }
            // Valid UTF-8 (the usual case) comes out of the validator as one run, the whole piece:
            // the piece itself is passed on, not a copy. Anything else (a sequence split at the end
            // of the piece or carried in from the last one, a replacement) is copied run by run.
            var whole = false
            let r = raw.withUnsafeBytes { input in
                var first: UnsafeRawBufferPointer?
                var copied = false
                let r = validator.process(input, final: final, policy: .replace) { run in
                    // Only a run that starts the input is held back uncopied (a completed sequence
                    // carried in lives in the validator's own buffer, gone after this call).
                    if !copied, first == nil, run.baseAddress == input.baseAddress {
                        first = run
                        return
                    }
                    if !copied {
                        copied = true
                        out.reserveCapacity(raw.count + 16)
                        if let f = first { out.append(contentsOf: f) }
                    }
                    out.append(contentsOf: run)
                }
                if !copied, let f = first {
                    if f.baseAddress == input.baseAddress, f.count == input.count { whole = true } else { out.append(contentsOf: f) }
                }
                return r
            }
            if whole { out = raw }
            invalidUTF8 += r.replacements
        }
        if final {
            let replaced = invalidUTF8 + (decoder?.replacements ?? 0)
            if replaced > 0 {
                log.emit(.warning("feed.charset", "\(replaced) byte sequence(s) invalid in \(charsetName) replaced by U+FFFD", file: name))
            }
        }
        return (out, final)
    }
}

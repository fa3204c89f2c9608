import FerryCore
import FerryMIME
import Foundation

/// Reads an mbox: mboxrd (default; also right for mboxo files without original `>From` lines),
/// mboxo, mboxcl and mboxcl2 (Content-Length trusted); LF, CRLF, CR-only and mixed line ends are
/// kept in the messages as they are. A `From ` line separates messages only when it carries a date
/// (so `From the museum:` in a body never splits one). The blank line before a From_ line belongs to
/// the separator. Status headers become flags (and are taken out of the message; the writer puts
/// them back), `X-Gmail-Labels` a folder and tags, the From_ date the received date.
/// Memory: one line at a time, plus the message being handed out.
public final class MboxReader: ItemReader {
    fileprivate let lines: LineReader
    fileprivate let variant: MboxVariant
    private let log: DiagnosticLog
    private let name: String
    fileprivate var pendingFrom: (text: String, line: Int)?
    private var started = false

    public init(source: ByteSource, options: ReadOptions, log: DiagnosticLog) throws {
        lines = LineReader(source: source)
        variant = try MboxVariant(option: options.mboxVariant)
        self.log = log
        self.name = source.name
    }

    public func next() throws -> Item? {
        if !started {
            started = true
            var skipped = 0
            while let line = try lines.next() {
                if FromLine.isSeparator(line.bytes) {
                    pendingFrom = (line.string, line.number)
                    break
                }
                if line.bytes.count > 0 { skipped += 1 }
            }
            if skipped > 0 {
                log.emit(.warning("mbox.leading-garbage", "\(skipped) line(s) before the first From_ line ignored",
                                  file: name, line: 1))
            }
            if pendingFrom == nil && skipped > 0 {
                throw FerryError.data("mbox.no-separator", "no From_ line: this is not an mbox", file: name, line: 1)
            }
        }
        guard let from = pendingFrom else { return nil }
        pendingFrom = nil
        let source = MboxMessageSource(reader: self, name: "\(name):\(from.line)")
        let payload = RawMessage(spool: try source.spoolAll())
        var metadata = ItemMetadata()
        metadata.date = FromLine.parseDate(from.text)
        MboxStatusHeaders.interpret(source.managedFields, into: &metadata)
        if source.contentLengthMismatch {
            log.emit(.warning("mbox.content-length", "Content-Length does not match the message; separated at the next From_ line",
                              file: name, line: from.line))
        }
        let envelope = from.text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        if envelope.count > 1 { metadata.extra["mbox.sender"] = String(envelope[1]) }
        return Item(payload, metadata: metadata, origin: "\(name):\(from.line)")
    }
}

/// One message's bytes, unescaped, pulled line by line from the mbox until the next From_ line into
/// a spool (memory, then an unlinked temporary file past its limit: its size is known at the end).
final class MboxMessageSource {
    private let reader: MboxReader
    let name: String
    private let spool = MessageSpool()
    private var finished = false
    private var inHeader = true
    private var skipping = false
    private var heldBlank: [UInt8]?
    private var heldEndsHeader = false
    /// The last bytes given to the message ended a line with a lone CR.
    private var spooledLoneCR = false
    private var contentLength: Int?
    private var bodyCount = 0
    private(set) var managedFields: [(name: String, value: String)] = []
    private(set) var contentLengthMismatch = false

    init(reader: MboxReader, name: String) {
        self.reader = reader
        self.name = name
    }

    func spoolAll() throws -> MessageSpool {
        while !finished { try pull() }
        try spool.seal()
        return spool
    }

    private func terminatorBytes(_ t: LineTerminator) -> [UInt8] {
        switch t {
        case .none: return []
        case .lf: return [0x0A]
        case .crlf: return [0x0D, 0x0A]
        case .cr: return [0x0D]
        }
    }

    /// Moves at least one line forward (or finishes).
    private func pull() throws {
        guard let line = try reader.lines.next() else {
            finished = true  // a held blank line at the end is the last separator
            return
        }
        let bytes = line.bytes
        let trusting = (reader.variant == .cl || reader.variant == .cl2) && contentLength != nil && !inHeader
        if !(trusting && bodyCount < contentLength!), FromLine.isSeparator(bytes) {
            if trusting && bodyCount != contentLength! { contentLengthMismatch = true }
            reader.pendingFrom = (line.string, line.number)
            finished = true
            return
        }
        if bytes.count == 0 {
            if let held = heldBlank { try emit(held) }
            heldBlank = terminatorBytes(line.terminator)
            // A status header taken out between a lone-CR line and the LF blank line would join the
            // two into one CRLF line break: the header would lose its end (and the message change on
            // every pass). The blank line then ends like the line before it.
            if inHeader && spooledLoneCR && line.terminator == .lf { heldBlank = [0x0D] }
            heldEndsHeader = inHeader
            if inHeader { inHeader = false; skipping = false }
            return
        }
        if let held = heldBlank {
            try emit(held)
            heldBlank = nil
        }
        if inHeader {
            let first = bytes[0]
            if first == 0x20 || first == 0x09 {
                if skipping {
                    managedFields[managedFields.count - 1].value += String(decoding: bytes, as: UTF8.self)
                    return
                }
            } else if let colon = bytes.firstIndex(of: 0x3A) {
                var nameEnd = colon
                while nameEnd > 0 && (bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09) { nameEnd -= 1 }
                // Only names as long as a managed one are turned into strings.
                if MboxStatusHeaders.managedLengths.contains(nameEnd) {
                    let fieldName = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<nameEnd]), as: UTF8.self)
                    let lower = fieldName.lowercased()
                    if lower == "content-length" {
                        contentLength = Int(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(colon + 1)...]), as: UTF8.self)
                            .trimmingCharacters(in: .whitespaces))
                    }
                    skipping = MboxStatusHeaders.managed.contains(lower)
                    if skipping {
                        let value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(colon + 1)...]), as: UTF8.self)
                            .trimmingCharacters(in: .whitespaces)
                        managedFields.append((fieldName, value))
                        return
                    }
                } else {
                    skipping = false
                }
            } else {
                skipping = false
            }
        }
        var start = 0
        switch reader.variant {
        case .rd:
            var i = 0
            while i < bytes.count && bytes[i] == 0x3E { i += 1 }
            if i > 0 && isFrom(bytes, at: i) { start = 1 }
        case .o, .cl:
            if bytes.count > 5 && bytes[0] == 0x3E && isFrom(bytes, at: 1) { start = 1 }
        case .cl2:
            break
        }
        // The line and its terminator are contiguous in the reader's buffer.
        let length = bytes.count - start + line.terminator.byteCount
        try spool.append(UnsafeRawBufferPointer(start: bytes.baseAddress.map { $0 + start }, count: length))
        spooledLoneCR = line.terminator == .cr
        if !inHeader { bodyCount += length }
    }

    private func emit(_ bytes: [UInt8]) throws {
        try spool.append(bytes)
        spooledLoneCR = bytes == [0x0D]
        if heldEndsHeader { heldEndsHeader = false } else if !inHeader { bodyCount += bytes.count }
    }

    private func isFrom(_ b: UnsafeRawBufferPointer, at i: Int) -> Bool {
        b.count >= i + 5 && b[i] == 0x46 && b[i + 1] == 0x72 && b[i + 2] == 0x6F && b[i + 3] == 0x6D && b[i + 4] == 0x20
    }
}

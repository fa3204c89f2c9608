#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore

/// Limits of the parser. Past a limit nothing is lost: the bytes stay in the message exactly and a
/// warning says what was not interpreted.
public struct MIMEParserOptions: Sendable {
    /// Deepest nesting of multiparts and embedded messages that is interpreted.
    public var maxDepth = 100
    /// Parts per message that are interpreted.
    public var maxParts = 50_000
    /// Header fields per header block that are interpreted.
    public var maxHeaderFields = 10_000
    /// Bytes per header block that are interpreted.
    public var maxHeaderBytes = 4 << 20
    /// Longest header line that is interpreted.
    public var maxLineLength = 1 << 20
    /// Bytes of a message kept in memory before it spills to a temporary file.
    public var memoryLimit = MessageSpool.defaultMemoryLimit
    /// Charset for raw 8-bit header bytes that are not UTF-8 (default Windows-1252).
    public var headerFallback: Charset?

    public init() {}
}

/// A problem the parser worked around, at a byte offset of the message.
public struct MIMEWarning: Sendable, Equatable {
    public var code: String
    public var message: String
    public var offset: Int
}

/// How an entity ended.
enum Termination {
    case eof
    /// A delimiter line of the boundary at `level` of the stack; `contentEnd` is where the content
    /// before it ends (its line break belongs to the delimiter), `lineEnd` after the delimiter line.
    case delimiter(level: Int, close: Bool, contentEnd: Int, lineEnd: Int)
}

/// The streaming RFC 5322/MIME parser: one pass over the input, bodies skipped by jumping from one
/// `--` line to the next, every byte kept in the message's spool.
public final class MIMEParser {
    public let options: MIMEParserOptions
    private var scanner: StreamScanner!
    private var stack: [[UInt8]] = []
    private var warnings: [MIMEWarning] = []
    private var partCount = 0

    public init(options: MIMEParserOptions = MIMEParserOptions()) {
        self.options = options
    }

    /// Parses one message: the whole of `source`.
    public func parse(_ source: ByteSource, sizeHint: Int = 0) throws -> MIMEMessage {
        try parse(source, spool: MessageSpool(memoryLimit: options.memoryLimit, reserve: sizeHint))
    }

    /// Parses one message whose bytes also lie in `file` at `offset` (an mbox): the message keeps
    /// referring to the file instead of copying its bytes.
    public func parse(_ source: ByteSource, file: SharedFile, offset: Int) throws -> MIMEMessage {
        try parse(source, spool: MessageSpool(file: file, offset: offset))
    }

    private func parse(_ source: ByteSource, spool: MessageSpool) throws -> MIMEMessage {
        scanner = StreamScanner(source: source, spool: spool)
        defer { scanner = nil }
        stack = []
        warnings = []
        partCount = 1
        var (root, _) = try parseEntity(depth: 0, defaultType: .textPlain)
        try scanner.drain()
        try spool.seal()
        if root.range.upperBound != spool.count {
            // Cannot happen for a top-level entity (it ends only at the end of input); keep the tiling exact.
            root.range = root.range.lowerBound..<spool.count
        }
        MIMEPart.numberMessage(&root, prefix: "")
        return MIMEMessage(spool: spool, root: root, warnings: warnings, headerFallback: options.headerFallback)
    }

    /// Parses a message held in memory.
    public static func parse(_ bytes: [UInt8], options: MIMEParserOptions = MIMEParserOptions()) throws -> MIMEMessage {
        try MIMEParser(options: options).parse(MemorySource(bytes), sizeHint: bytes.count)
    }

    private func warn(_ code: String, _ message: String, at offset: Int) {
        if warnings.count < 200 { warnings.append(MIMEWarning(code: code, message: message, offset: offset)) }
    }

    // MARK: Headers

    private func parseHeader(start: Int, depth: Int) throws
        -> (HeaderBlock, bodyStart: Int, termination: Termination?, separated: Bool) {
        var builder = HeaderBuilder(offset: start, maxFields: options.maxHeaderFields, maxBytes: options.maxHeaderBytes)
        var first = true
        var previousBreak = 0
        var warnedLimit = false
        defer {
            if !builder.complete && !warnedLimit {
                warn("mime.header-limit", "header block past the limits (\(options.maxHeaderFields) fields, "
                     + "\(options.maxHeaderBytes) bytes, \(options.maxLineLength)-byte lines): the rest is kept "
                     + "but not interpreted", at: start)
            }
        }
        while true {
            guard let line = try scanner.readLine(maxLength: options.maxLineLength) else {
                if !first {
                    warn("mime.header-unterminated", "the input ends inside a header block", at: scanner.offset)
                }
                return (builder.finish(), scanner.offset, .eof, false)
            }
            let content = line.content
            if content.isEmpty, let full = line.full {
                builder.appendSeparator(full)
                return (builder.finish(), line.end, nil, true)
            }
            if !stack.isEmpty, !line.truncated, content.count >= 2, content[0] == 0x2D, content[1] == 0x2D,
               let (level, close) = matchDelimiter(content) {
                let brk = first ? 0 : previousBreak
                builder.dropTrailingBreak(brk)
                let contentEnd = max(start, line.start - brk)
                if !first {
                    warn("mime.header-unterminated", "a boundary interrupts a header block", at: line.start)
                }
                return (builder.finish(), contentEnd, .delimiter(level: level, close: close, contentEnd: contentEnd,
                                                                 lineEnd: line.end), false)
            }
            let isEnvelope = first && depth == 0 && content.count >= 5 && content[0] == 0x46 && content[1] == 0x72
                && content[2] == 0x6F && content[3] == 0x6D && content[4] == 0x20
            if builder.isContinuation(content) {
                if first { warn("mime.header-continuation", "the header starts with a continuation line", at: line.start) }
            } else if !isEnvelope && !builder.isFieldStart(content) {
                // Not a header line: the body starts here without the blank line.
                if !first || depth == 0 {
                    warn("mime.missing-separator", "a line that is not a header field ends the header block "
                         + "(no blank line before the body)", at: line.start)
                }
                return (builder.finish(), line.start, nil, false)
            }
            builder.append(full: line.full, content: content, isFirst: first)
            if !builder.complete && !warnedLimit {
                warnedLimit = true
                warn("mime.header-limit", "header block past the limits (\(options.maxHeaderFields) fields, "
                     + "\(options.maxHeaderBytes) bytes, \(options.maxLineLength)-byte lines): the rest is kept "
                     + "but not interpreted", at: line.start)
            }
            previousBreak = line.terminatorLength
            first = false
        }
    }

    /// The stack level (innermost first) and close flag of a delimiter line, if it is one.
    private func matchDelimiter(_ content: UnsafeBufferPointer<UInt8>) -> (Int, Bool)? {
        var level = stack.count - 1
        while level >= 0 {
            let b = stack[level]
            if content.count >= b.count && b.withUnsafeBufferPointer({ memcmp($0.baseAddress!, content.baseAddress!, b.count) == 0 }) {
                var k = b.count
                var close = false
                if k + 1 < content.count && content[k] == 0x2D && content[k + 1] == 0x2D {
                    close = true
                    k += 2
                }
                var rest = true
                while k < content.count {
                    let c = content[k]
                    if c != 0x20 && c != 0x09 && c != 0x0D { rest = false; break }
                    k += 1
                }
                if rest { return (level, close) }
            }
            level -= 1
        }
        return nil
    }

    // MARK: Bodies

    /// Skips body bytes up to the next delimiter of any open boundary (or the end).
    private func scanBody(regionStart: Int) throws -> (end: Int, termination: Termination) {
        if stack.isEmpty {
            try scanner.drain()
            return (scanner.offset, .eof)
        }
        while let candidate = try scanner.nextCandidate() {
            guard let line = try scanner.readLine(maxLength: 1024) else { break }
            if !line.truncated, let (level, close) = matchDelimiter(line.content) {
                let contentEnd = max(regionStart, candidate.offset - candidate.breakBefore)
                return (contentEnd, .delimiter(level: level, close: close, contentEnd: contentEnd, lineEnd: line.end))
            }
        }
        return (scanner.offset, .eof)
    }

    private func parseEntity(depth: Int, defaultType: ContentType) throws -> (MIMEPart, Termination) {
        let start = scanner.offset
        let (header, bodyStart, headerTermination, separated) = try parseHeader(start: start, depth: depth)
        var contentType = defaultType
        if let field = header.first("Content-Type") {
            if let parsed = ContentType.parse(field.unfoldedValue, fallback: options.headerFallback) {
                contentType = parsed
            } else {
                warn("mime.bad-content-type", "unreadable Content-Type '\(field.text())'; read as \(defaultType.mimeType)",
                     at: header.offset)
            }
        }
        let encoding = TransferEncoding(header.first("Content-Transfer-Encoding").map { $0.text() })
        var part = MIMEPart(kind: .leaf, header: header, contentType: contentType, range: start..<bodyStart,
                            bodyRange: bodyStart..<bodyStart)
        if let headerTermination {
            return (part, headerTermination)
        }
        var kind = MIMEPart.Kind.leaf
        if contentType.isMultipart {
            if contentType.boundary?.isEmpty ?? true {
                warn("mime.no-boundary", "\(contentType.mimeType) without a boundary parameter: read as one part",
                     at: header.offset)
            } else if depth >= options.maxDepth {
                warn("mime.depth-limit", "multipart nested deeper than \(options.maxDepth): kept as one part", at: start)
            } else {
                kind = .multipart
            }
        } else if contentType.isEmbeddedMessage && encoding.isIdentity && separated {
            if depth >= options.maxDepth {
                warn("mime.depth-limit", "message nested deeper than \(options.maxDepth): kept as one part", at: start)
            } else {
                kind = .message
            }
        }
        switch kind {
        case .leaf:
            let (end, termination) = try scanBody(regionStart: bodyStart)
            part.bodyRange = bodyStart..<end
            part.range = start..<end
            return (part, termination)
        case .message:
            part.kind = .message
            partCount += 1
            let (inner, termination) = try parseEntity(depth: depth + 1, defaultType: .textPlain)
            part.children = [inner]
            part.bodyRange = bodyStart..<inner.range.upperBound
            part.range = start..<inner.range.upperBound
            return (part, termination)
        case .multipart:
            part.kind = .multipart
            return try parseMultipart(part, depth: depth)
        }
    }

    private func parseMultipart(_ container: MIMEPart, depth: Int) throws -> (MIMEPart, Termination) {
        var part = container
        let boundary = part.contentType.boundary!
        stack.append(Array("--".utf8) + Array(boundary.utf8))
        let level = stack.count - 1
        let bodyStart = part.bodyRange.lowerBound
        let childType: ContentType = part.contentType.subtype == "digest" ? .messageRFC822 : .textPlain
        var (cursor, termination) = try scanBody(regionStart: bodyStart)
        part.preamble = bodyStart..<cursor
        var end = cursor
        var outer = Termination.eof
        loop: while true {
            switch termination {
            case .eof:
                if part.children.isEmpty {
                    warn("mime.boundary-not-found", "no '--\(boundary)' line in the \(part.contentType.mimeType) body: "
                         + "its bytes are kept as the preamble", at: bodyStart)
                } else {
                    warn("mime.missing-close-boundary", "the input ends before '--\(boundary)--'", at: cursor)
                }
                stack.removeLast()
                end = cursor
                outer = .eof
                break loop
            case .delimiter(let found, let close, _, let lineEnd):
                if found < level {
                    warn(part.children.isEmpty ? "mime.boundary-not-found" : "mime.missing-close-boundary",
                         "an enclosing boundary ends \(part.contentType.mimeType) before '--\(boundary)--'", at: cursor)
                    stack.removeLast()
                    end = cursor
                    outer = termination
                    break loop
                }
                part.delimiters.append(cursor..<lineEnd)
                if close || partCount >= options.maxParts {
                    if !close {
                        warn("mime.part-limit", "more than \(options.maxParts) parts: the rest of this multipart is "
                             + "kept but not interpreted", at: lineEnd)
                    }
                    stack.removeLast()
                    let (epilogueEnd, next) = try scanBody(regionStart: lineEnd)
                    part.epilogue = lineEnd..<epilogueEnd
                    end = epilogueEnd
                    outer = next
                    break loop
                }
                partCount += 1
                let (child, next) = try parseEntity(depth: depth + 1, defaultType: childType)
                part.children.append(child)
                cursor = child.range.upperBound
                termination = next
            }
        }
        part.bodyRange = bodyStart..<end
        part.range = part.range.lowerBound..<end
        return (part, outer)
    }
}

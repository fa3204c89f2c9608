import CSupport
import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Repairs the breakage real feeds carry before the XML parser sees it, streaming (chunks in, chunks
/// out, a few bytes carried between them), and says what it repaired with line and column:
///
/// - a bare `&` (`AT&T`, `?a=1&b=2`) becomes `&amp;`;
/// - HTML entities XML does not define (`&nbsp;`, `&eacute;`) become character references;
///   unknown entity names are kept as text (`&amp;foo;`); entities the document declares are left alone;
/// - a `<` that cannot start markup (`a < b`) becomes `&lt;`;
/// - end tags are balanced: an element left open inside another (`<title>a <b>bold</title>`) is closed
///   where its parent closes, a stray end tag is dropped, and elements still open at the end are closed.
///
/// Comments, CDATA sections, processing instructions and the DOCTYPE pass through untouched.
final class Repairer {
    struct Repair {
        var code: String
        var message: String
        var line: Int
        var column: Int
    }

    private enum State {
        case text
        /// Inside a start tag after its name; `quote` is the open quote character or 0.
        case tag(quote: UInt8)
        case comment, cdata, pi
        case doctype(depth: Int, quote: UInt8)
    }

    private var state = State.text
    private var carry: [UInt8] = []
    private var stack = NameStack()
    private var openName: [UInt8] = []
    private var lastTagByte: UInt8 = 0
    private var tail: (UInt8, UInt8) = (0, 0)
    /// Internal general entities the DOCTYPE declares, with their literal values (substituted here:
    /// the SAX handler has no entity table of its own).
    private var declaredEntities: [[UInt8]: [UInt8]] = [:]
    private(set) var line = 1
    private var lineStart = 0        // offset of the current line's start, relative to `base`
    private var base = 0             // stream offset of the buffer being processed
    private var lineStartStream = 0
    /// Called for every repair.
    var report: (Repair) -> Void = { _ in }
    /// True once the root element has closed (text after it is left to the parser to judge).
    private var rootClosed = false

    /// Repairs `input`; `final` flushes what was held back and closes elements left open.
    func process(_ input: [UInt8], final: Bool, into out: inout [UInt8]) {
        out += process(input, final: final)
    }

    /// Repairs `input`: the repaired bytes, or (when nothing in it needed repairing or holding back,
    /// the usual case) `input` itself, not a copy.
    func process(_ input: [UInt8], final: Bool) -> [UInt8] {
        var buf: [UInt8]
        if carry.isEmpty { buf = input } else { buf = carry + input; carry = [] }
        var out: [UInt8] = []
        let unchanged = buf.withUnsafeBufferPointer { run($0, final: final, out: &out) }
        if unchanged { out = buf }
        if final {
            while let name = stack.popLast() {
                emit("feed.unclosed", "<\(String(decoding: name, as: UTF8.self))> is never closed; closed at the end", column: column(0))
                out += [0x3C, 0x2F] + name + [0x3E]
            }
        }
        return out
    }

    /// Lines are counted lazily: only up to where a repair is reported, and per chunk at its end.
    private var lineScan = 0

    private func syncLines(to index: Int) {
        guard index > lineScan, let base = b.baseAddress else { return }
        // 32 bytes at a time (CSupport): the LFs and the offset of the last one.
        var lastLF = 0
        let count = ferry_count_byte(base + lineScan, index - lineScan, 0x0A, &lastLF)
        if count > 0 {
            line += count
            lineStartStream = self.base + lineScan + lastLF + 1
        }
        lineScan = index
    }

    private func column(_ index: Int) -> Int {
        syncLines(to: index)
        return base + index - lineStartStream + 1
    }

    private func emit(_ code: String, _ message: String, column: Int) {
        report(Repair(code: code, message: message, line: line, column: column))
    }

    private static func isNameStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F || c == 0x3A || c >= 0x80
    }

    private static func isNameChar(_ c: UInt8) -> Bool {
        isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2E
    }

    /// amp, lt, gt, quot, apos.
    private static func isPredefined(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Bool {
        switch to - from {
        case 2: return (b[from] == 0x6C || b[from] == 0x67) && b[from + 1] == 0x74
        case 3: return b[from] == 0x61 && b[from + 1] == 0x6D && b[from + 2] == 0x70
        case 4: return (b[from] == 0x71 && b[from + 1] == 0x75 && b[from + 2] == 0x6F && b[from + 3] == 0x74)
            || (b[from] == 0x61 && b[from + 1] == 0x70 && b[from + 2] == 0x6F && b[from + 3] == 0x73)
        default: return false
        }
    }

    private var out: [UInt8] = []
    private var runStart = 0
    private var b = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var final = false

    private func flush(_ upTo: Int) {
        if upTo > runStart { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[runStart..<upTo])) }
    }

    /// Holds back b[from...] for the next chunk (a decision needs bytes not here yet).
    private func hold(_ from: Int) -> Bool {
        guard !final else { return false }
        flush(from)
        carry = Array(b[from..<b.count])
        runStart = b.count
        return true
    }

    /// True when the whole buffer passes unchanged (nothing written to `result`).
    private func run(_ buffer: UnsafeBufferPointer<UInt8>, final: Bool, out result: inout [UInt8]) -> Bool {
        swap(&out, &result)
        defer { swap(&out, &result); b = UnsafeBufferPointer(start: nil, count: 0) }
        b = buffer
        self.final = final
        runStart = 0
        lineScan = 0
        let n = b.count
        var i = 0
        outer: while i < n {
            switch state {
            case .text:
                // Fast scan to the next byte of interest ('<' or '&'), eight bytes at a time: the lowest
                // flagged byte of the zero-byte test is exact, so it gives the position itself.
                let p = b.baseAddress!
                while i + 8 <= n {
                    let w = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                    let lt = w ^ 0x3C3C_3C3C_3C3C_3C3C, amp = w ^ 0x2626_2626_2626_2626
                    let hit = (((lt &- 0x0101_0101_0101_0101) & ~lt) | ((amp &- 0x0101_0101_0101_0101) & ~amp)) & 0x8080_8080_8080_8080
                    if hit != 0 {
                        i += hit.trailingZeroBitCount >> 3
                        break
                    }
                    i += 8
                }
                while i < n {
                    let c = p[i]
                    if c == 0x3C || c == 0x26 { break }
                    i += 1
                }
                guard i < n else { break outer }
                if b[i] == 0x26 {
                    if !entity(&i) { break outer }
                    continue
                }
                // '<'
                guard i + 1 < n else { if hold(i) { break outer }; escapeLT(i); i += 1; continue }
                let next = b[i + 1]
                if next == 0x21 {  // <!
                    let rest = n - i
                    if rest >= 4, b[i + 2] == 0x2D, b[i + 3] == 0x2D { state = .comment; tail = (0, 0); i += 4; continue }
                    if rest >= 9, b[i + 2] == 0x5B, Array(b[(i + 2)..<(i + 9)]) == Array("[CDATA[".utf8) { state = .cdata; tail = (0, 0); i += 9; continue }
                    if rest >= 9, Array(b[(i + 2)..<(i + 9)]).map({ $0 & 0xDF }) == Array("DOCTYPE".utf8) { state = .doctype(depth: 0, quote: 0); i += 9; continue }
                    if rest < 9 && hold(i) { break outer }
                    escapeLT(i); i += 1; continue
                }
                if next == 0x3F { state = .pi; tail = (0, 0); i += 2; continue }
                if next == 0x2F {
                    // End tag: read its name up to '>'.
                    var j = i + 2
                    while j < n, j - i < 1024, b[j] != 0x3E, b[j] != 0x3C { j += 1 }
                    if j >= n { if hold(i) { break outer } }
                    guard j < n, b[j] == 0x3E else { escapeLT(i); i += 1; continue }
                    var nameEnd = i + 2
                    while nameEnd < j, Self.isNameChar(b[nameEnd]) { nameEnd += 1 }
                    // The usual case, the end tag of the innermost open element, compares in place.
                    if stack.topEquals(UnsafeBufferPointer(rebasing: b[(i + 2)..<nameEnd])) {
                        stack.drop()
                        if stack.isEmpty { rootClosed = true }
                        i = j + 1
                        continue
                    }
                    let name = Array(b[(i + 2)..<nameEnd])
                    if stack.topEquals(name) {
                        stack.drop()
                        if stack.isEmpty { rootClosed = true }
                    } else if let depth = stack.lastIndex(of: name) {
                        flush(i)
                        while stack.count > depth + 1 {
                            let open = stack.removeLast()
                            emit("feed.unclosed", "<\(String(decoding: open, as: UTF8.self))> is not closed before </\(String(decoding: name, as: UTF8.self))>; closed there", column: column(i))
                            out += [0x3C, 0x2F] + open + [0x3E]
                        }
                        stack.drop()
                        if stack.isEmpty { rootClosed = true }
                        runStart = i
                    } else {
                        flush(i)
                        emit("feed.stray-end-tag", "</\(String(decoding: name, as: UTF8.self))> closes nothing that is open; dropped", column: column(i))
                        runStart = j + 1
                    }
                    i = j + 1
                    continue
                }
                if Self.isNameStart(next) {
                    var j = i + 1
                    while j < n, Self.isNameChar(b[j]) { j += 1 }
                    if j >= n, hold(i) { break outer }
                    openName.removeAll(keepingCapacity: true)
                    openName.append(contentsOf: UnsafeBufferPointer(rebasing: b[(i + 1)..<j]))
                    lastTagByte = 0
                    state = .tag(quote: 0)
                    i = j
                    continue
                }
                flush(i)
                emit("feed.bare-lt", "'<' that starts no markup; read as text", column: column(i))
                out += Array("&lt;".utf8)
                i += 1
                runStart = i
            case .tag(let quote):
                // Ordinary bytes of the tag in a tight loop (one dispatch on the state per special byte).
                let p = b.baseAddress!
                if quote != 0 {
                    while i < n {
                        let c = p[i]
                        if c == quote || c == 0x26 || c == 0x3C { break }
                        i += 1
                    }
                } else {
                    while i < n {
                        let c = p[i]
                        if c == 0x22 || c == 0x27 || c == 0x3E { break }
                        if c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { lastTagByte = c }
                        i += 1
                    }
                }
                guard i < n else { break outer }
                let c = b[i]
                if quote != 0 {
                    if c == quote {
                        state = .tag(quote: 0)
                    } else if c == 0x26 {
                        if !entity(&i) { break outer }
                        continue
                    } else if c == 0x3C {
                        flush(i)
                        emit("feed.bare-lt", "'<' inside an attribute value; read as text", column: column(i))
                        out += Array("&lt;".utf8)
                        runStart = i + 1
                    }
                    i += 1
                    continue
                }
                if c == 0x22 || c == 0x27 {
                    state = .tag(quote: c)
                } else if c == 0x3E {
                    if lastTagByte != 0x2F { stack.append(openName) }
                    state = .text
                } else if c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D {
                    lastTagByte = c
                }
                i += 1
            case .comment, .cdata, .pi:
                // Only a '>' can end these: jump to the next one and look at the two bytes before it.
                let p = b.baseAddress!
                let gt = Self.find(0x3E, p, from: i, to: n)
                guard gt < n else {
                    tail = n - i >= 2 ? (p[n - 2], p[n - 1]) : (tail.1, p[n - 1])
                    i = n
                    break outer
                }
                if gt > i {
                    tail = gt - i >= 2 ? (p[gt - 2], p[gt - 1]) : (tail.1, p[gt - 1])
                    i = gt
                }
                let c = b[i]
                let done: Bool
                switch state {
                case .comment: done = c == 0x3E && tail == (0x2D, 0x2D)
                case .cdata: done = c == 0x3E && tail == (0x5D, 0x5D)
                default: done = c == 0x3E && tail.1 == 0x3F
                }
                tail = (tail.1, c)
                if done { state = .text }
                i += 1
            case .doctype(let depth, let quote):
                let c = b[i]
                if quote != 0 {
                    if c == quote { state = .doctype(depth: depth, quote: 0) }
                } else if c == 0x22 || c == 0x27 {
                    state = .doctype(depth: depth, quote: c)
                } else if c == 0x5B {
                    state = .doctype(depth: depth + 1, quote: 0)
                } else if c == 0x5D {
                    state = .doctype(depth: max(0, depth - 1), quote: 0)
                } else if c == 0x3E && depth == 0 {
                    state = .text
                } else if c == 0x3C, n - i < 9 {
                    if hold(i) { break outer }
                } else if c == 0x3C, Array(b[i..<(i + 8)]) == Array("<!ENTITY".utf8) {
                    // The whole declaration must be in the buffer: hold it back until it is.
                    guard let gt = b[i..<n].firstIndex(of: 0x3E) else {
                        if hold(i) { break outer }
                        i += 1
                        continue
                    }
                    var j = i + 8
                    while j < gt, b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0A || b[j] == 0x25 { j += 1 }
                    let parameter = b[i + 8..<j].contains(0x25)
                    let start = j
                    while j < gt, Self.isNameChar(b[j]) { j += 1 }
                    let name = Array(b[start..<j])
                    while j < gt, b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0A { j += 1 }
                    if !parameter, j < gt, b[j] == 0x22 || b[j] == 0x27 {
                        let quote = b[j]
                        var k = j + 1
                        while k < gt, b[k] != quote { k += 1 }
                        if k < gt { declaredEntities[name] = Array(b[(j + 1)..<k]) }
                    }
                }
                i += 1
            }
        }
        // Nothing repaired or held back: the caller passes the buffer on as it is.
        let unchanged = runStart == 0 && out.isEmpty
        if !unchanged { flush(n) }
        syncLines(to: n - carry.count)
        // Line starts are kept in stream offsets; `base` advances by what was consumed.
        base += n - carry.count
        return unchanged
    }

    /// The index of the first `byte` in p[from..<to], or `to`; eight bytes at a time.
    @inline(__always)
    private static func find(_ byte: UInt8, _ p: UnsafePointer<UInt8>, from: Int, to n: Int) -> Int {
        var i = from
        let pattern = UInt64(byte) &* 0x0101_0101_0101_0101
        while i + 8 <= n {
            let x = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) ^ pattern
            let hit = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
            if hit != 0 { return i + hit.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n, p[i] != byte { i += 1 }
        return i
    }

    private func escapeLT(_ i: Int) {
        flush(i)
        emit("feed.bare-lt", "'<' that starts no markup; read as text", column: column(i))
        out += Array("&lt;".utf8)
        runStart = i + 1
    }

    /// Handles the `&` at `i`; returns false when it held the rest back for the next chunk.
    private func entity(_ i: inout Int) -> Bool {
        let n = b.count
        var j = i + 1
        let limit = min(n, i + 40)
        if j < limit, b[j] == 0x23 {
            j += 1
            let hex = j < limit && (b[j] == 0x78 || b[j] == 0x58)
            if hex { j += 1 }
            let digitsStart = j
            while j < limit, hex ? (b[j] >= 0x30 && b[j] <= 0x39) || ((b[j] | 0x20) >= 0x61 && (b[j] | 0x20) <= 0x66) : (b[j] >= 0x30 && b[j] <= 0x39) { j += 1 }
            if j >= n, hold(i) { return false }
            if j > digitsStart, j < n, b[j] == 0x3B {
                i = j + 1
                return true
            }
        } else {
            while j < limit, j == i + 1 ? Self.isNameStart(b[j]) : Self.isNameChar(b[j]) { j += 1 }
            if j >= n, hold(i) { return false }
            if j > i + 1, j < n, b[j] == 0x3B {
                if Self.isPredefined(b, from: i + 1, to: j) {
                    i = j + 1
                    return true
                }
                if !declaredEntities.isEmpty, let value = declaredEntities[Array(b[(i + 1)..<j])] {
                    flush(i)
                    out += value
                    i = j + 1
                    runStart = i
                    return true
                }
                let name = Array(b[(i + 1)..<j])
                flush(i)
                let text = String(decoding: name, as: UTF8.self)
                if let scalar = HTMLEntities.scalar(text) {
                    emit("feed.html-entity", "HTML entity &\(text); is not defined in XML; read as U+\(String(scalar.value, radix: 16, uppercase: true))", column: column(i))
                    out += Array("&#\(scalar.value);".utf8)
                } else {
                    emit("feed.unknown-entity", "unknown entity &\(text); kept as text", column: column(i))
                    out += Array("&amp;".utf8) + name + [0x3B]
                }
                i = j + 1
                runStart = i
                return true
            }
        }
        flush(i)
        emit("feed.bare-ampersand", "'&' that starts no entity; read as text", column: column(i))
        out += Array("&amp;".utf8)
        i += 1
        runStart = i
        return true
    }
}

/// The names of the open elements, innermost last, in one byte array (no allocation per element).
struct NameStack {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    var isEmpty: Bool { ends.isEmpty }
    var count: Int { ends.count }

    private func range(_ k: Int) -> Range<Int> { (k == 0 ? 0 : ends[k - 1])..<ends[k] }

    mutating func append(_ name: [UInt8]) {
        bytes.append(contentsOf: name)
        ends.append(bytes.count)
    }

    func topEquals<C: Collection>(_ name: C) -> Bool where C.Element == UInt8 {
        guard !ends.isEmpty else { return false }
        return bytes[range(ends.count - 1)].elementsEqual(name)
    }

    /// `topEquals` for bytes in memory: one length check and a memcmp.
    func topEquals(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let last = ends.last else { return false }
        let start = ends.count >= 2 ? ends[ends.count - 2] : 0
        guard last - start == name.count else { return false }
        guard let p = name.baseAddress, name.count > 0 else { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + start, p, name.count) == 0 }
    }

    func lastIndex(of name: [UInt8]) -> Int? {
        var k = ends.count - 1
        while k >= 0 {
            if bytes[range(k)].elementsEqual(name) { return k }
            k -= 1
        }
        return nil
    }

    /// Removes the innermost name.
    mutating func drop() {
        ends.removeLast()
        bytes.removeLast(bytes.count - (ends.last ?? 0))
    }

    mutating func removeLast() -> [UInt8] {
        let name = Array(bytes[range(ends.count - 1)])
        drop()
        return name
    }

    mutating func popLast() -> [UInt8]? { isEmpty ? nil : removeLast() }
}

import Foundation
import FerryCore

/// A Content-Transfer-Encoding.
public enum TransferEncoding: Sendable, Equatable {
    case sevenBit, eightBit, binary, base64, quotedPrintable
    /// Anything else (`x-uuencode`, typos): the body is passed through as it is.
    case other(String)

    public init(_ value: String?) {
        guard let value else { self = .sevenBit; return }
        var bytes = Substring(value).utf8[...]
        while let f = bytes.first, f == 0x20 || f == 0x09 || f == 0x22 { bytes = bytes.dropFirst() }
        while let l = bytes.last, l == 0x20 || l == 0x09 || l == 0x22 { bytes = bytes.dropLast() }
        @inline(__always) func equals(_ name: StaticString) -> Bool {
            bytes.count == name.utf8CodeUnitCount
                && zip(bytes, UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
                    .allSatisfy { asciiLower($0) == $1 }
        }
        if equals("base64") { self = .base64; return }
        if equals("quoted-printable") { self = .quotedPrintable; return }
        if equals("7bit") || bytes.isEmpty { self = .sevenBit; return }
        if equals("8bit") { self = .eightBit; return }
        switch String(Substring(bytes)).lowercased() {
        case "7bit", "": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "base64": self = .base64
        case "quoted-printable": self = .quotedPrintable
        case let other: self = .other(other)
        }
    }

    public var name: String {
        switch self {
        case .sevenBit: "7bit"
        case .eightBit: "8bit"
        case .binary: "binary"
        case .base64: "base64"
        case .quotedPrintable: "quoted-printable"
        case .other(let name): name
        }
    }

    /// True when the body is stored as it is meant (no decoding step).
    public var isIdentity: Bool {
        switch self {
        case .base64, .quotedPrintable: false
        default: true
        }
    }

    /// A fresh streaming decoder for this encoding.
    public func makeDecoder() -> TransferDecoder {
        switch self {
        case .base64: Base64Decoder()
        case .quotedPrintable: QuotedPrintableDecoder()
        default: IdentityDecoder()
        }
    }
}

/// A streaming transfer decoder: feed chunks, then `finish`. Never throws: bad input is counted in
/// `invalidBytes` and skipped (base64) or kept literally (quoted-printable).
public protocol TransferDecoder: AnyObject {
    func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8])
    func finish(into output: inout [UInt8])
    var invalidBytes: Int { get }
}

extension TransferDecoder {
    /// Decodes a whole buffer (small inputs).
    public func decodeAll(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        Array(bytes).withUnsafeBytes { decode($0, into: &out) }
        finish(into: &out)
        return out
    }
}

public final class IdentityDecoder: TransferDecoder {
    public init() {}
    public let invalidBytes = 0
    public func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) { output.append(contentsOf: input) }
    public func finish(into output: inout [UInt8]) {}
}

/// Base64 that tolerates what real mail holds: line breaks anywhere, garbage characters (skipped and
/// counted), missing or early padding (each `=` run ends a group; decoding goes on after it).
public final class Base64Decoder: TransferDecoder {
    /// 0–63: value; 0x40: skipped silently (white space); 0x41: `=`; 0xFF: garbage.
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8).enumerated() {
            t[Int(c)] = UInt8(i)
        }
        // URL-safe alphabet too (seen in the wild).
        t[Int(UInt8(ascii: "-"))] = 62
        t[Int(UInt8(ascii: "_"))] = 63
        for c in [0x20, 0x09, 0x0D, 0x0A, 0x0B, 0x0C] { t[c] = 0x40 }
        t[Int(UInt8(ascii: "="))] = 0x41
        return t
    }()

    private var accumulator: UInt32 = 0
    private var count = 0
    public private(set) var invalidBytes = 0

    public init() {}

    public func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        guard input.count > 0 else { return }
        let start = output.count
        output.reserveCapacity(start + input.count / 4 * 3 + 3)
        var acc = accumulator
        var n = count
        var bad = 0
        let src = input.bindMemory(to: UInt8.self)
        let total = src.count
        // Room for the whole output, then trimmed.
        output.append(contentsOf: repeatElement(0, count: total / 4 * 3 + 3))
        let produced = output.withUnsafeMutableBufferPointer { outBuffer -> Int in
            Base64Decoder.table.withUnsafeBufferPointer { table -> Int in
                var i = 0
                var o = start
                let out = outBuffer.baseAddress!
                while i < total {
                    // Fast path: four valid characters in a row at a group start.
                    if n == 0 && i + 4 <= total {
                        let a = table[Int(src[i])], b = table[Int(src[i + 1])]
                        let c = table[Int(src[i + 2])], d = table[Int(src[i + 3])]
                        if (a | b | c | d) < 0x40 {
                            let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                            out[o] = UInt8(truncatingIfNeeded: v >> 16)
                            out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                            out[o + 2] = UInt8(truncatingIfNeeded: v)
                            o += 3
                            i += 4
                            continue
                        }
                    }
                    let v = table[Int(src[i])]
                    i += 1
                    if v < 0x40 {
                        acc = acc << 6 | UInt32(v)
                        n += 1
                        if n == 4 {
                            out[o] = UInt8(truncatingIfNeeded: acc >> 16)
                            out[o + 1] = UInt8(truncatingIfNeeded: acc >> 8)
                            out[o + 2] = UInt8(truncatingIfNeeded: acc)
                            o += 3
                            acc = 0
                            n = 0
                        }
                    } else if v == 0x40 {
                        continue
                    } else if v == 0x41 {
                        // Padding: flush a partial group.
                        if n == 2 {
                            out[o] = UInt8(truncatingIfNeeded: acc >> 4)
                            o += 1
                        } else if n == 3 {
                            out[o] = UInt8(truncatingIfNeeded: acc >> 10)
                            out[o + 1] = UInt8(truncatingIfNeeded: acc >> 2)
                            o += 2
                        } else if n == 1 {
                            bad += 1
                        }
                        acc = 0
                        n = 0
                    } else {
                        bad += 1
                    }
                }
                return o
            }
        }
        output.removeSubrange(produced...)
        accumulator = acc
        count = n
        invalidBytes += bad
    }

    public func finish(into output: inout [UInt8]) {
        // Missing padding: decode what is there.
        if count == 2 {
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        } else if count == 3 {
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        } else if count == 1 {
            invalidBytes += 1
        }
        accumulator = 0
        count = 0
    }
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` (either case), soft line breaks (`=` before CR LF or LF,
/// with or without trailing white space), trailing white space on lines dropped; a malformed `=`
/// sequence is kept literally and counted.
public final class QuotedPrintableDecoder: TransferDecoder {
    private var machine = QPMachine()
    public var invalidBytes: Int { machine.invalid }

    public init() {}

    public func decode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var m = machine  // a local copy: no exclusivity checks in the loop
        output.reserveCapacity(output.count + input.count)
        let src = input.bindMemory(to: UInt8.self)
        var i = 0
        let n = src.count
        while i < n {
            // Fast path: a run of ordinary bytes in the normal state.
            if m.state == .normal && m.pendingSpace.isEmpty {
                var j = i
                while j < n {
                    let c = src[j]
                    if c == 0x3D || c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { break }
                    j += 1
                }
                if j > i {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: src[i..<j]))
                    i = j
                    continue
                }
            }
            m.feed(src[i], &output)
            i += 1
        }
        machine = m
    }

    public func finish(into output: inout [UInt8]) {
        machine.finish(&output)
    }
}

struct QPMachine {
    enum State: Equatable { case normal, equals, hex(UInt8), softCR, equalsSpace }
    var state = State.normal
    var pendingSpace: [UInt8] = []
    var pendingAfterEquals: [UInt8] = []
    var invalid = 0

    mutating func feed(_ c: UInt8, _ out: inout [UInt8]) {
        switch state {
        case .normal:
            switch c {
            case 0x3D: state = .equals
            case 0x20, 0x09: pendingSpace.append(c)
            case 0x0D, 0x0A:
                if !pendingSpace.isEmpty { pendingSpace.removeAll(keepingCapacity: true) }
                out.append(c)
            default:
                if !pendingSpace.isEmpty { out.append(contentsOf: pendingSpace); pendingSpace.removeAll(keepingCapacity: true) }
                out.append(c)
            }
        case .equals:
            if !pendingSpace.isEmpty { out.append(contentsOf: pendingSpace); pendingSpace.removeAll(keepingCapacity: true) }
            if hexValue(c) != nil {
                state = .hex(c)
            } else if c == 0x0D {
                state = .softCR
            } else if c == 0x0A {
                state = .normal
            } else if c == 0x20 || c == 0x09 {
                pendingAfterEquals = [c]
                state = .equalsSpace
            } else {
                invalid += 1
                out.append(0x3D)
                state = .normal
                feed(c, &out)
            }
        case .hex(let first):
            if let l = hexValue(c), let h = hexValue(first) {
                out.append(h << 4 | l)
                state = .normal
            } else {
                invalid += 1
                out.append(0x3D)
                out.append(first)
                state = .normal
                feed(c, &out)
            }
        case .softCR:
            state = .normal
            if c != 0x0A { feed(c, &out) }
        case .equalsSpace:
            if c == 0x20 || c == 0x09 {
                pendingAfterEquals.append(c)
            } else if c == 0x0D {
                pendingAfterEquals = []
                state = .softCR
            } else if c == 0x0A {
                pendingAfterEquals = []
                state = .normal
            } else {
                invalid += 1
                out.append(0x3D)
                let spaces = pendingAfterEquals
                pendingAfterEquals = []
                state = .normal
                for s in spaces { feed(s, &out) }
                feed(c, &out)
            }
        }
    }

    mutating func finish(_ output: inout [UInt8]) {
        if case .hex(let first) = state {
            // `=X` at the very end: kept literally. (`=` alone at the end is a soft break.)
            invalid += 1
            output.append(0x3D)
            output.append(first)
        }
        // Trailing white space at the end of the body is transport padding too.
        pendingSpace.removeAll()
        state = .normal
    }
}

/// Whole-buffer helpers.
public enum Base64 {
    public static func decodeTolerant(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Base64Decoder().decodeAll(bytes)
    }
}

import FerryCore

/// Parses one unfolded logical line into a `ContentLine`.
///
/// Tolerant where real files are sloppy (spaces around `=`, lower-case names, empty values,
/// parameters without `=`), strict where the structure would be lost: a line without a `:` after its
/// name and parameters, or with an unterminated quoted parameter value, is an error naming its column.
public enum ContentLineParser {
    public struct Failure: Error, Equatable {
        public var column: Int
        public var message: String
    }

    public static func parse(_ bytes: ArraySlice<UInt8>, line: Int = 0, raw: [UInt8]? = nil) throws(Failure) -> ContentLine {
        let start = bytes.startIndex
        var i = start
        let end = bytes.endIndex
        func column(_ index: Int) -> Int { index - start + 1 }

        // Name, with an optional group prefix: [group "."] name
        var nameStart = i
        var group: String?
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: ".") {
                group = String(decoding: bytes[nameStart..<i], as: UTF8.self)
                i += 1
                nameStart = i
                continue
            }
            if b == UInt8(ascii: ";") || b == UInt8(ascii: ":") { break }
            i += 1
        }
        let name = String(decoding: bytes[nameStart..<i], as: UTF8.self).trimmingSpaces
        guard !name.isEmpty else {
            throw Failure(column: column(nameStart), message: i < end ? "content line has no property name"
                                                                       : "line is not a content line (no ':')")
        }
        guard i < end else {
            throw Failure(column: column(end), message: "no ':' after the property name '\(name)'")
        }

        // Parameters
        var parameters: [Parameter] = []
        while i < end && bytes[i] == UInt8(ascii: ";") {
            i += 1
            let pStart = i
            while i < end, bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ";"), bytes[i] != UInt8(ascii: ":") {
                i += 1
            }
            let pName = String(decoding: bytes[pStart..<i], as: UTF8.self).trimmingSpaces
            guard i < end else {
                throw Failure(column: column(end), message: "no ':' after the parameters of '\(name)'")
            }
            if bytes[i] != UInt8(ascii: "=") {
                // vCard 2.1 bare parameter (TEL;HOME;VOICE:).
                if !pName.isEmpty { parameters.append(Parameter(pName, [], hasValue: false)) }
                continue
            }
            i += 1  // '='
            var values: [String] = []
            while true {
                while i < end && bytes[i] == UInt8(ascii: " ") { i += 1 }
                if i < end && bytes[i] == UInt8(ascii: "\"") {
                    let qStart = i + 1
                    var j = qStart
                    while j < end && bytes[j] != UInt8(ascii: "\"") { j += 1 }
                    guard j < end else {
                        throw Failure(column: column(i), message: "unterminated quoted value of parameter '\(pName)'")
                    }
                    values.append(decodeCaret(String(decoding: bytes[qStart..<j], as: UTF8.self)))
                    i = j + 1
                    // Tolerate junk between the closing quote and the next delimiter.
                    while i < end, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: ";"), bytes[i] != UInt8(ascii: ":") {
                        i += 1
                    }
                } else {
                    let vStart = i
                    while i < end, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: ";"), bytes[i] != UInt8(ascii: ":") {
                        i += 1
                    }
                    values.append(decodeCaret(String(decoding: bytes[vStart..<i], as: UTF8.self).trimmingSpaces))
                }
                guard i < end else {
                    throw Failure(column: column(end), message: "no ':' after the parameters of '\(name)'")
                }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                break
            }
            parameters.append(Parameter(pName, values))
        }
        guard i < end, bytes[i] == UInt8(ascii: ":") else {
            throw Failure(column: column(i), message: "expected ':' before the value of '\(name)'")
        }
        let value = Array(bytes[(i + 1)...])
        return ContentLine(group: group, name: name, parameters: parameters, valueBytes: value, raw: raw, line: line)
    }

    /// RFC 6868: `^n` newline, `^^` caret, `^'` double quote; other carets stay.
    static func decodeCaret(_ s: String) -> String {
        guard s.contains("^") else { return s }
        var out = ""
        var it = s.makeIterator()
        while let c = it.next() {
            guard c == "^" else { out.append(c); continue }
            switch it.next() {
            case "n"?, "N"?: out.append("\n")
            case "^"?: out.append("^")
            case "'"?: out.append("\"")
            case let other?: out.append("^"); out.append(other)
            case nil: out.append("^")
            }
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

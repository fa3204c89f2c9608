/// Just enough XML to read the dialect tables: elements with attributes, comments, the prolog.
/// (The files are data we ship; no DTDs, CDATA or text content is needed.)
struct MiniXMLTag {
    var name: String
    var attributes: [String: String]
    var isClosing: Bool
    var isSelfClosing: Bool
}

enum MiniXML {
    static func tags(_ text: String) -> [MiniXMLTag] {
        var tags: [MiniXMLTag] = []
        forEachTag(Array(text.utf8)) { body in
            if body.first == UInt8(ascii: "?") || body.first == UInt8(ascii: "!") { return }
            tags.append(parseTag(Array(body)))
        }
        return tags
    }

    /// Calls `body` with the bytes between `<` and `>` of every tag outside comments, in order
    /// (quoted `>` in attribute values does not end a tag).
    static func forEachTag(_ u: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        let comment = Array("<!--".utf8)
        var i = 0
        while i < u.count {
            guard u[i] == UInt8(ascii: "<") else { i += 1; continue }
            if u[i...].starts(with: comment) {
                var j = i + 4
                while j + 2 < u.count && !(u[j] == 0x2D && u[j + 1] == 0x2D && u[j + 2] == 0x3E) { j += 1 }
                i = j + 3
                continue
            }
            var j = i + 1
            var quote: UInt8 = 0
            while j < u.count {
                let c = u[j]
                if quote != 0 { if c == quote { quote = 0 } }
                else if c == 0x22 || c == 0x27 { quote = c }
                else if c == UInt8(ascii: ">") { break }
                j += 1
            }
            body(u[(i + 1)..<min(j, u.count)])
            i = j + 1
        }
    }

    static func parseTag(_ body: [UInt8]) -> MiniXMLTag {
        var b = body[...]
        let closing = b.first == UInt8(ascii: "/")
        if closing { b = b.dropFirst() }
        let selfClosing = b.last == UInt8(ascii: "/")
        if selfClosing { b = b.dropLast() }
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        let nameEnd = b.firstIndex(where: isSpace) ?? b.endIndex
        let name = String(decoding: b[b.startIndex..<nameEnd], as: UTF8.self)
        var attributes: [String: String] = [:]
        var k = nameEnd
        while k < b.endIndex {
            while k < b.endIndex && isSpace(b[k]) { k += 1 }
            guard k < b.endIndex, let eq = b[k...].firstIndex(of: UInt8(ascii: "=")) else { break }
            let key = String(decoding: b[k..<eq], as: UTF8.self).trimming(" \t\r\n")
            var v = eq + 1
            while v < b.endIndex && isSpace(b[v]) { v += 1 }
            guard v < b.endIndex else { break }
            let q = b[v]
            guard let close = b[(v + 1)...].firstIndex(of: q) else { break }
            attributes[key] = unescape(String(decoding: b[(v + 1)..<close], as: UTF8.self))
            k = close + 1
        }
        return MiniXMLTag(name: name, attributes: attributes, isClosing: closing, isSelfClosing: selfClosing)
    }

    static func unescape(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: UInt32?
                if entity.hasPrefix("#x") { scalar = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { scalar = UInt32(entity.dropFirst()) }
                if let scalar, let u = Unicode.Scalar(scalar) { out.unicodeScalars.append(u) }
                else { out += "&" + entity + ";" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}

extension String {
    func trimming(_ set: String) -> String {
        // Fast path: nothing to trim at either end (ASCII sets only need a byte look).
        if let f = utf8.first, let l = utf8.last, f < 0x80, l < 0x80, set.utf8.allSatisfy({ $0 < 0x80 }),
           !set.utf8.contains(f), !set.utf8.contains(l) {
            return self
        }
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}

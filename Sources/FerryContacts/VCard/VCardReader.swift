import FerryCore
import FerryText

/// Reads vCards (2.1, 3.0, 4.0) one card at a time from a stream of content lines (FerryText).
///
/// Known properties become Zimbra attributes (`N` → lastName/firstName/…, `TEL;TYPE=cell` →
/// mobilePhone, `ADR;TYPE=work` → workStreet/workCity/…); every other property (X-, IMPP, GEO, Apple's
/// `itemN.X-ABLabel`, …) is kept raw in `Contact.properties` so it writes back unchanged.
public final class VCardReader: ItemReader {
    private let lines: ContentLineReader
    private let log: DiagnosticLog
    private let name: String
    /// Bytes of the previous card.
    private var lastRawCount = 1024
    /// Attributes of the previous card (the next one's fields are reserved alike, not grown one by one).
    private var lastFieldCount = 16

    public init(source: ByteSource, options: ReadOptions = ReadOptions(), log: DiagnosticLog) {
        self.lines = ContentLineReader(source: source, options: .init(quotedPrintableSoftBreaks: true))
        self.log = log
        self.name = source.name
    }

    public func next() throws -> Item? {
        // The card's physical bytes (with the blank or stray lines before it), for a byte-identical
        // write-back while the contact is unchanged.
        var raw: [UInt8] = []
        raw.reserveCapacity(lastRawCount)  // sized like the card before: not grown line by line
        defer { lastRawCount = max(256, raw.count) }
        // Find BEGIN:VCARD.
        var beginLine = 0
        while true {
            guard let line = try lines.next() else { return nil }
            line.appendRaw(to: &raw)
            if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            guard let cl = try? ContentLine(parsing: line) else {
                log.emit(.warning("vcf.outside-card", "a line outside BEGIN:VCARD … END:VCARD was ignored",
                                  file: name, line: line.line))
                continue
            }
            if cl.name == "BEGIN", cl.valueString.uppercased() == "VCARD" {
                beginLine = line.line
                break
            }
            log.emit(.warning("vcf.outside-card", "\(cl.name) outside BEGIN:VCARD … END:VCARD was ignored",
                              file: name, line: line.line))
        }
        var builder = VCardContactBuilder()
        builder.contact.reserveFields(lastFieldCount)
        var depth = 0  // nested AGENT cards (2.1) are skipped
        var ended = false
        while let line = try lines.next() {
            line.appendRaw(to: &raw)
            if line.bytes.isEmpty { continue }
            if let first = line.bytes.first, first == 0x20 || first == 0x09 {
                // A space- or tab-led line after a blank line unfolds onto nothing: kept as a property
                // (name `   X`), it would be written right after another line and read back as part of it.
                log.emit(.warning("vcf.bad-line", "a continuation line follows a blank line (nothing to continue); the line was ignored",
                                  file: name, line: line.line))
                continue
            }
            let cl: ContentLine
            do {
                cl = try ContentLine(parsing: line)
            } catch {
                let loc = line.location(ofByte: min(error.index, max(line.bytes.count - 1, 0)))
                log.emit(.warning("vcf.bad-line", "\(error.message); the line was ignored",
                                  file: name, line: loc.line, column: loc.column))
                continue
            }
            let upper = cl.name  // ContentLine upper-cases names
            let nameLength = upper.utf8.count  // most lines are neither BEGIN nor END: no compare
            if nameLength == 5 && upper == "BEGIN" && cl.valueString.uppercased() == "VCARD" { depth += 1; continue }
            if nameLength == 3 && upper == "END" && cl.valueString.uppercased() == "VCARD" {
                if depth > 0 { depth -= 1; continue }
                ended = true
                break
            }
            if depth > 0 { continue }
            if let problem = builder.add(cl) {
                log.emit(.warning(problem.code, problem.message, file: name, line: line.line))
            }
        }
        if !ended {
            log.emit(.error("vcf.unterminated", "the vCard begun here has no END:VCARD", file: name, line: beginLine))
        }
        var contact = builder.finish()
        lastFieldCount = max(8, contact.fields.count)
        if contact.isEmpty {
            log.emit(.warning("vcf.empty", "an empty vCard was skipped", file: name, line: beginLine))
            return try next()
        }
        contact.originalFormat = "vcf-" + builder.version
        // An unterminated card is rewritten (with its END:VCARD), not copied.
        if ended { contact.originalBytes = raw }
        var metadata = ItemMetadata()
        metadata.tags = contact.tags
        return Item(contact, metadata: metadata, origin: "\(name):\(beginLine)")
    }
}

/// Turns the content lines of one card into a `Contact`.
struct VCardContactBuilder {
    var contact = Contact()
    var version = "3.0"

    struct Problem { var code: String; var message: String }

    /// The attributes of N's components, in order.
    private static let nameParts = ["lastName", "firstName", "middleName", "namePrefix", "nameSuffix"]

    /// True when N held only a family name (`N:X;;;;`).
    private var nameIsFamilyOnly = false
    /// Set while adding a grouped property already kept raw: a second `keep` (its attribute slot taken)
    /// would store it twice, and every vcf → vcf pass would double it.
    private var keptAlready = false

    /// Ends the card: `N:<FN>;;;;` is what Zimbra (and this writer) put when a contact has no name
    /// parts, so it does not become a last name.
    mutating func finish() -> Contact {
        if nameIsFamilyOnly, let last = contact["lastName"], last == contact["fullName"] { contact["lastName"] = nil }
        return contact
    }

    /// The properties `add` maps (everything else is `.other`).
    enum Property {
        case version, prodidOrRev, fn, n, nickname, title, note, org, bday, anniversary, maidenName, imAddress
        case uid, email, tel, url, adr, categories, photo, custom, other

        /// The property an upper-cased name is. Short ASCII names (nearly every line) are packed into
        /// an integer and matched without string compares; others go through `named`, the same answer.
        @inline(__always)
        static func of(_ name: String) -> Property {
            let u = name.utf8
            guard u.count <= 8 else { return named(name) }
            var key: UInt64 = 0, shift: UInt64 = 0
            for c in u {
                // NUL (would pack like a shorter name) and non-ASCII (compared canonically by String)
                // take the general way.
                if c == 0 || c >= 0x80 { return named(name) }
                key |= UInt64(c) << shift
                shift &+= 8
            }
            switch key {
            case 0x4E46: return .fn                   // FN
            case 0x4E: return .n                      // N
            case 0x4C4554: return .tel                // TEL
            case 0x4C49414D45: return .email          // EMAIL
            case 0x524441: return .adr                // ADR
            case 0x444955: return .uid                // UID
            case 0x47524F: return .org                // ORG
            case 0x454C544954: return .title          // TITLE
            case 0x59414442: return .bday             // BDAY
            case 0x45544F4E: return .note             // NOTE
            case 0x4E4F4953524556: return .version    // VERSION
            case 0x4449444F5250, 0x564552: return .prodidOrRev  // PRODID, REV
            case 0x454D414E4B43494E: return .nickname // NICKNAME
            case 0x4C5255: return .url                // URL
            case 0x4F544F4850: return .photo          // PHOTO
            default: return .other
            }
        }

        /// The general match (every name `of` hands over, and the reference for its table).
        static func named(_ name: String) -> Property {
            switch name {
            case "VERSION": return .version
            case "PRODID", "REV": return .prodidOrRev
            case "FN": return .fn
            case "N": return .n
            case "NICKNAME": return .nickname
            case "TITLE": return .title
            case "NOTE": return .note
            case "ORG": return .org
            case "BDAY": return .bday
            case "ANNIVERSARY", "X-ZIMBRA-ANNIVERSARY", "X-ANNIVERSARY": return .anniversary
            case "X-ZIMBRA-MAIDENNAME": return .maidenName
            case "X-ZIMBRA-IMADDRESS": return .imAddress
            case "UID": return .uid
            case "EMAIL": return .email
            case "TEL": return .tel
            case "URL": return .url
            case "ADR": return .adr
            case "CATEGORIES": return .categories
            case "PHOTO": return .photo
            case VCardExtensions.customName: return .custom
            default: return .other
            }
        }
    }

    /// Adds one property; returns a problem worth a warning (the property is then kept raw).
    mutating func add(_ cl: ContentLine) -> Problem? {
        let prop = cl.name  // upper case already
        let property = Property.of(prop)
        if property == .version { version = cl.valueString.trimmingSpaces; return nil }
        if property == .prodidOrRev { return nil }  // rewritten by the writer
        var types: TypeSet { TypeSet(cl) }
        // Apple's `item1.EMAIL` + `item1.X-ABLabel`: the value becomes an attribute as usual, and the
        // property is also kept raw so the group (and its label) survives vcf → vcf; the writer then
        // writes the raw property instead of the attribute.
        keptAlready = false
        if cl.group != nil, property == .email || property == .tel || property == .url || property == .adr {
            keep(cl)
            keptAlready = true
        }
        defer { keptAlready = false }
        switch property {
        case .fn: setOrKeep("fullName", text(cl), cl)
        case .n:
            let p = components(cl)
            let names = Self.nameParts
            nameIsFamilyOnly = contact["lastName"] == nil && p.count >= 1 && !p[0].isEmpty
                && p.dropFirst().allSatisfy(\.isEmpty)
            for (i, n) in names.enumerated() where i < p.count { contact.setIfAbsent(n, p[i]) }
        case .nickname: setOrKeep("nickname", text(cl), cl)
        case .title: setOrKeep("jobTitle", text(cl), cl)
        case .note: setOrKeep("notes", text(cl), cl)
        case .org:
            let p = components(cl)
            if let c = p.first { contact.setIfAbsent("company", c) }
            if p.count > 1 { contact.setIfAbsent("department", p[1...].filter { !$0.isEmpty }.joined(separator: ", ")) }
        case .bday: setOrKeep("birthday", VCardDates.normalise(text(cl)), cl)
        case .anniversary:
            setOrKeep("anniversary", VCardDates.normalise(text(cl)), cl)
        case .maidenName: setOrKeep("maidenName", text(cl), cl)
        case .imAddress: contact.appendNumbered("imAddress", text(cl), numberedFrom: 1)
        case .uid: setOrKeep("vCardUID", text(cl), cl)
        case .email: contact.appendNumbered("email", text(cl))
        case .tel: contact.appendNumbered(VCardTypes.phoneField(types), telValue(cl))
        case .url:
            let types = types
            let base = types.contains("home") ? "homeURL" : types.contains("work") ? "workURL" : "otherURL"
            if contact[base] == nil { contact[base] = text(cl) } else { keep(cl) }
        case .adr:
            let types = types
            let prefix = types.contains("home") ? "home" : types.contains("work") ? "work" : "other"
            if contact[prefix + "Street"] != nil || contact[prefix + "City"] != nil { keep(cl); break }
            let p = components(cl)
            func part(_ i: Int) -> String { i < p.count ? p[i] : "" }
            let street = [part(1), part(2)].filter { !$0.isEmpty }.joined(separator: "\n")
            contact.setIfAbsent(prefix + "Street", street)
            contact.setIfAbsent(prefix + "City", part(3))
            contact.setIfAbsent(prefix + "State", part(4))
            contact.setIfAbsent(prefix + "PostalCode", part(5))
            contact.setIfAbsent(prefix + "Country", part(6))
            if !part(0).isEmpty { contact.setIfAbsent(prefix == "other" ? "otherPOBox" : prefix + "POBox", part(0)) }
        case .categories:
            for t in components(cl, separator: 0x2C) where !t.isEmpty && !contact.tags.contains(t) { contact.tags.append(t) }
        case .photo:
            guard contact.photo == nil, let photo = photo(cl) else { keep(cl); break }
            contact.photo = photo
        case .custom:
            // X-FERRY-FIELD;X-NAME=Shoe Size:42 — an attribute no vCard property holds.
            if let n = cl.parameter(VCardExtensions.nameParameter)?.decodedValues.joined(separator: ","), !n.isEmpty {
                setOrKeep(n, text(cl, trim: false), cl)
            } else {
                keep(cl)
            }
        case .version, .prodidOrRev, .other:
            if let field = VCardExtensions.attribute(forZimbraProperty: prop) {
                setOrKeep(field, text(cl, trim: false), cl)
            } else {
                keep(cl)
            }
        }
        return nil
    }

    private mutating func setOrKeep(_ field: String, _ value: String, _ cl: ContentLine) {
        if value.isEmpty { return }
        if !contact.setIfAbsent(field, value) { keep(cl) }
    }

    private mutating func keep(_ cl: ContentLine) {
        if keptAlready { return }
        let params = cl.parameters.map { p in
            ContactProperty.Parameter(p.name, p.hasValue ? p.values : [])
        }
        // The name as written (`X-ABLabel`), not upper-cased, so it writes back unchanged.
        let bytes = cl.line.bytes
        let end = cl.nameStart + cl.name.utf8.count
        let written = end <= bytes.count ? String(decoding: bytes[cl.nameStart..<end], as: UTF8.self) : cl.name
        let name = written.equalsIgnoringASCIICase(cl.name) || written.uppercased() == cl.name.uppercased()
            ? written : cl.name
        contact.properties.append(ContactProperty(group: cl.group, name: name, parameters: params,
                                                  rawValue: cl.valueString))
    }

    /// TYPE values and vCard 2.1 bare parameters (`TEL;HOME;VOICE`), lower case.
    private func typeTokenStrings(_ cl: ContentLine) -> Set<String> {
        var out = Set<String>()
        for p in cl.parameters {
            if !p.hasValue {
                out.insert(p.name.lowercased())
            } else if p.name.uppercased() == "TYPE" {
                for v in p.values { for t in v.split(separator: ",") { out.insert(t.lowercased()) } }
            } else if p.name.uppercased() == "PREF" {
                out.insert("pref")
            }
        }
        return out
    }

    /// The value bytes after transfer decoding (quoted-printable) and charset decoding, as UTF-8.
    /// The value bytes, transfer- and charset-decoded when parameters say so (nil: use `cl.value`).
    private func decodedIfNeeded(_ cl: ContentLine) -> [UInt8]? {
        if cl.parameters.isEmpty { return nil }
        // Parameter names are upper case already (ContentParameter); only ENCODING, CHARSET and a bare
        // QUOTED-PRINTABLE change the bytes, so a line without them is used as it is.
        for p in cl.parameters {
            // Lengths first: most parameters are TYPE or VALUE, and unequal strings compare slowly.
            let n = p.name.utf8.count
            if p.hasValue ? (n == 8 && p.name == "ENCODING") || (n == 7 && p.name == "CHARSET")
                : n == 16 && p.name == "QUOTED-PRINTABLE" {
                return decodedBytes(cl)
            }
        }
        return nil
    }

    private func decodedBytes(_ cl: ContentLine) -> [UInt8] {
        var bytes = Array(cl.value)
        let encoding = (cl.parameterValue("ENCODING") ?? cl.parameters.first { !$0.hasValue
            && $0.name.uppercased() == "QUOTED-PRINTABLE" }?.name)?.uppercased()
        if encoding == "QUOTED-PRINTABLE" { bytes = QuotedPrintable.decode(bytes).bytes }
        if let cs = cl.parameterValue("CHARSET"), cs.uppercased() != "UTF-8", cs.uppercased() != "US-ASCII",
           let charset = try? Charset(cs), let decoder = try? CharsetDecoder(charset),
           let s = try? decoder.decode(bytes) {
            return Array(s.utf8)
        }
        return bytes
    }

    private func text(_ cl: ContentLine, trim: Bool = true) -> String {
        // 2.1 has no TEXT escaping beyond `\;`; unescaping is harmless there.
        if let bytes = decodedIfNeeded(cl) {
            return bytes.withUnsafeBufferPointer { VCardText.unescape($0, trim: trim, joinCRLF: true) }
        }
        return cl.value.withUnsafeBufferPointer { VCardText.unescape($0, trim: trim, joinCRLF: true) }
    }

    /// `TEL;VALUE=uri:tel:+1-555` (4.0) → `+1-555`.
    private func telValue(_ cl: ContentLine) -> String {
        let t = text(cl)
        // Without `tel:` in ASCII at the start (nearly every value) nothing is dropped; the general
        // test stays for values whose first bytes are not plain ASCII (a combining mark after `:`).
        let u = t.utf8
        if u.count < 4 { return t }
        var i = u.startIndex
        var ascii = true, matches = true
        for want in "tel:".utf8 {
            let c = u[i]
            if c >= 0x80 { ascii = false; break }
            if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != want { matches = false }
            i = u.index(after: i)
        }
        if ascii && !matches { return t }
        return t.lowercased().hasPrefix("tel:") ? String(t.dropFirst(4)) : t
    }

    /// Components of a structured value (`;`), each unescaped.
    private func components(_ cl: ContentLine, separator: UInt8 = 0x3B) -> [String] {
        if let bytes = decodedIfNeeded(cl) {
            return bytes.withUnsafeBufferPointer { VCardText.components($0, separator: separator) }
        }
        return cl.value.withUnsafeBufferPointer { VCardText.components($0, separator: separator) }
    }

    private func photo(_ cl: ContentLine) -> ContactPhoto? {
        let value = cl.valueString.trimmingSpaces
        let encoding = (cl.parameterValue("ENCODING") ?? cl.parameters.first { !$0.hasValue
            && $0.name.uppercased() == "BASE64" }?.name)?.uppercased()
        let type = typeTokenStrings(cl).first { !["pref", "base64", "internet"].contains($0) }
        if encoding == "B" || encoding == "BASE64" {
            guard let bytes = Base64.decode(value.filter { !$0.isWhitespace }) else { return nil }
            return ContactPhoto(data: bytes, mediaType: type.map { $0.contains("/") ? $0 : "image/" + $0 })
        }
        if value.lowercased().hasPrefix("data:") { return ContactPhoto(text: value) }
        if cl.parameterValue("VALUE")?.lowercased() == "uri" || value.contains("://") {
            return ContactPhoto(uri: value, mediaType: cl.parameterValue("MEDIATYPE"))
        }
        return nil
    }
}

enum VCardTypes {
    /// Zimbra's phone attribute for a set of TEL types.
    static func phoneField(_ types: TypeSet) -> String {
        let fax = types.contains("fax")
        if fax && types.contains("home") { return "homeFax" }
        if fax && types.contains("work") { return "workFax" }
        if fax { return "otherFax" }
        if types.contains("cell") || types.contains("mobile") || types.contains("iphone") { return "mobilePhone" }
        if types.contains("pager") { return "pager" }
        if types.contains("car") { return "carPhone" }
        if types.contains("home") { return "homePhone" }
        if types.contains("work") { return "workPhone" }
        if types.contains("main") { return "companyPhone" }
        return "otherPhone"
    }
}

enum VCardDates {
    /// `19680314` → `1968-03-14`; `--0314` → `--03-14`; anything else unchanged (time parts dropped).
    static func normalise(_ s: String) -> String {
        // Fast path: ASCII without `T`, not `--…`, with a byte that is not a digit (`1968-03-14`)
        // comes back unchanged below; so it is returned at once.
        let u = s.utf8
        if u.count >= 2, u.allSatisfy({ $0 < 0x80 && $0 != 0x54 }), !u.starts(with: [0x2D, 0x2D]),
           u.contains(where: { $0 < 0x30 || $0 > 0x39 }) {
            return s
        }
        var d = s
        // A date-time (`19680314T120000Z`, `1968-03-14T12:00:00`): the date part; other text as is.
        if let t = d.firstIndex(of: "T"), d[..<t].count >= 8, d[..<t].allSatisfy({ $0.isNumber || $0 == "-" }) {
            d = String(d[..<t])
        }
        let digits = d.allSatisfy(\.isNumber)
        if digits && d.count == 8 {
            let a = Array(d)
            return String(a[0..<4]) + "-" + String(a[4..<6]) + "-" + String(a[6..<8])
        }
        if d.hasPrefix("--"), d.count == 6, d.dropFirst(2).allSatisfy(\.isNumber) {
            let a = Array(d)
            return "--" + String(a[2..<4]) + "-" + String(a[4..<6])
        }
        return d
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

/// TEXT values on bytes (the reader's hot path): the same results as `TextEscaping.unescape`
/// followed by CRLF → LF and trimming spaces and tabs, without Foundation or generic collections.
enum VCardText {
    /// `\\ \; \, \n \N` unescaped (other escapes and a trailing backslash kept as written); with
    /// `joinCRLF` a CR LF pair in the result becomes LF; `trim` drops spaces and tabs at both ends.
    static func unescape(_ b: UnsafeBufferPointer<UInt8>, trim: Bool, joinCRLF: Bool) -> String {
        var plain = true
        for c in b where c == 0x5C || c == 0x0D { plain = false; break }
        var lo = 0, hi = b.count
        if plain {
            if trim {
                while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
                while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 { hi -= 1 }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        func newline() {
            if joinCRLF, out.last == 0x0D { out[out.count - 1] = 0x0A } else { out.append(0x0A) }
        }
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x5C, i + 1 < b.count {
                let e = b[i + 1]
                switch e {
                case 0x6E, 0x4E: newline()
                case 0x5C, 0x3B, 0x2C: out.append(e)
                default: out.append(c); out.append(e)
                }
                i += 2
            } else if c == 0x0A {
                newline()
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        if trim {
            while lo < out.count, out[lo] == 0x20 || out[lo] == 0x09 { lo += 1 }
            hi = out.count
            while hi > lo, out[hi - 1] == 0x20 || out[hi - 1] == 0x09 { hi -= 1 }
            return String(decoding: out[lo..<hi], as: UTF8.self)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A structured value's components (split at `separator` not escaped), each unescaped and trimmed.
    static func components(_ b: UnsafeBufferPointer<UInt8>, separator: UInt8) -> [String] {
        var out: [String] = []
        var parts = 1  // an upper bound (escaped separators count too): one allocation, not one per doubling
        for c in b where c == separator { parts &+= 1 }
        out.reserveCapacity(parts)
        var start = 0, i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x5C { i += 2; continue }
            if c == separator {
                out.append(unescape(UnsafeBufferPointer(rebasing: b[start..<i]), trim: true, joinCRLF: false))
                start = i + 1
            }
            i += 1
        }
        out.append(unescape(UnsafeBufferPointer(rebasing: b[start..<min(i, b.count)]), trim: true, joinCRLF: false))
        return out
    }
}

/// The TYPE tokens the reader maps (TYPE values, 2.1 bare parameters, PREF), as bits: built without
/// allocating, for every TEL, URL and ADR.
struct TypeSet {
    private static let known = ["home", "work", "fax", "cell", "mobile", "iphone", "pager", "car", "main", "pref"]
    private var bits: UInt16 = 0

    init(_ cl: ContentLine) {
        for p in cl.parameters {
            if !p.hasValue {
                add(p.name)
            } else if p.name == "TYPE" {
                for v in p.values { addList(v) }
            } else if p.name == "PREF" {
                bits |= 1 << 9
            }
        }
    }

    private mutating func add(_ token: String) {
        var token = token
        token.withUTF8 { add(bytes: $0) }
    }

    /// Adds each comma-separated token of a TYPE value.
    private mutating func addList(_ value: String) {
        var value = value
        value.withUTF8 { b in
            var start = 0, i = 0
            while i <= b.count {
                if i == b.count || b[i] == 0x2C {
                    if i > start { add(bytes: UnsafeBufferPointer(rebasing: b[start..<i])) }
                    start = i + 1
                }
                i += 1
            }
        }
    }

    /// The known tokens as lower-case bytes and their length, packed in a UInt64 each (3 to 6 bytes).
    private static let packed: [UInt64] = known.map { k in
        var v = UInt64(k.utf8.count) << 56
        for (i, c) in k.utf8.enumerated() { v |= UInt64(c) << (8 * i) }
        return v
    }

    private mutating func add(bytes b: UnsafeBufferPointer<UInt8>) {
        let n = b.count
        guard n >= 3 && n <= 6 else { return }
        var v = UInt64(n) << 56
        for i in 0..<n {
            var c = b[i]
            if c >= 0x41 && c <= 0x5A { c |= 0x20 }
            v |= UInt64(c) << (8 * i)
        }
        for (i, k) in Self.packed.enumerated() where k == v {
            bits |= 1 << i
            return
        }
    }

    func contains(_ token: String) -> Bool {
        guard let i = Self.known.firstIndex(of: token) else { return false }
        return bits & (1 << i) != 0
    }
}

import FerryCore
import FerryText

/// Writes contacts as vCard 3.0 in the property order of Zimbra's `fmt=vcf` export (reference §5.7),
/// or as vCard 4.0 (RFC 6350). UTF-8, CRLF, lines folded at 75 octets. Properties kept raw on reading
/// (`Contact.properties`: X- properties, IMPP, Apple labels, …) follow the known ones unchanged.
public final class VCardWriter: ItemWriter {
    public enum Version: Sendable { case v3, v4 }

    let sink: ByteSink
    private let version: Version
    /// False when the version was named (`--vcard-version`): then only cards read in that version are
    /// copied, and every other card is written in it.
    private let keepsVersions: Bool
    /// The card being written (its bytes in `card.out`), buffers reused from card to card.
    private var card = CardOutput(out: [])
    /// The last byte written, so a copied card that ended the file without a line break is not glued
    /// to the next one.
    var lastByte: UInt8 = 0x0A { didSet { wroteCard = true } }
    /// True once a card was written: a copied card that starts with a space or tab (an input's first
    /// line, read as an orphan continuation) is then re-emitted, as copied it would fold into the
    /// END:VCARD before it.
    private var wroteCard = false

    /// True when the bytes start with a space or tab.
    static func startsWithContinuation(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first else { return false }
        return first == 0x20 || first == 0x09
    }

    /// `version` nil: an unchanged card is copied byte for byte whatever its version, a changed one is
    /// written in its own version (4.0 stays 4.0; 2.1 and 3.0 become 3.0).
    public init(sink: ByteSink, version: Version? = nil) {
        self.sink = sink
        self.version = version ?? .v3
        self.keepsVersions = version == nil
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard var contact = item.payload as? Contact else { return .skipped(reason: "vcf holds contacts only") }
        for t in item.metadata.tags where !contact.tags.contains(t) { contact.tags.append(t) }
        card.out.removeAll(keepingCapacity: true)
        // A card copied as read may end its END:VCARD line with a lone CR: that is a line end too
        // (adding CRLF after it made a blank line that the next card took in, growing on every pass).
        if lastByte != 0x0A && lastByte != 0x0D { card.out.append(contentsOf: [0x0D, 0x0A]) }
        let read = contact.originalFormat
        if let original = contact.originalBytes, let read,
           keepsVersions ? read.hasPrefix("vcf-") : read == (version == .v4 ? "vcf-4.0" : "vcf-3.0"),
           !(wroteCard && VCardWriter.startsWithContinuation(original)) {
            // Read and not changed since: the card's own bytes.
            card.out.append(contentsOf: original)
        } else {
            let v: Version = keepsVersions ? (read == "vcf-4.0" ? .v4 : .v3) : version
            VCardWriter.emit(contact, version: v, into: &card)
        }
        guard let last = card.out.last else { return .written }
        lastByte = last
        try card.out.withUnsafeBytes { try sink.write($0) }
        return .written
    }

    public func finish() throws { try sink.finish() }

    /// The version of a card not read from a vCard (one from a CSV row).
    var versionForNewCards: Version { keepsVersions ? .v3 : version }

    /// The unfolded content lines of one card, BEGIN to END.
    public static func lines(for c: Contact, version: Version) -> [String] {
        var o = CardOutput(out: [])
        o.collected = []
        emit(c, version: version, into: &o)
        return o.collected ?? []
    }

    /// Writes one card: BEGIN to END, folded, CRLF. Attributes are found through one pass over the
    /// contact's fields (`FieldSlots`), values escaped straight into the line's bytes.
    static func emit(_ c: Contact, version: Version, into o: inout CardOutput) {
        var slots = FieldSlots(c)
        emit(&slots, tags: c.tags, photo: c.photo, properties: c.properties, version: version, into: &o)
    }

    /// The one card writer, over any source of attributes: a contact's fields (`FieldSlots`) or the
    /// cells of a CSV row (`RowFields`, csv → vcf without a `Contact`); both give the same bytes for
    /// the same attributes in the same order.
    static func emit<F: CardFieldSource>(_ slots: inout F, tags: [String], photo: ContactPhoto?,
                                         properties: [ContactProperty], version: Version, into o: inout CardOutput) {
        let v4 = version == .v4
        o.whole("BEGIN:VCARD")
        o.whole(v4 ? "VERSION:4.0" : "VERSION:3.0")
        func types(_ t: String) {
            o.add(";TYPE=")
            if v4 && t.utf8.contains(0x2C) { o.add("\""); o.add(t); o.add("\"") } else { o.add(t) }
        }

        // Values carried by grouped raw properties (Apple's item1.EMAIL) are written there, not twice.
        // Each grouped property stands for one attribute occurrence: the first `email` with a value
        // takes the first group carrying that value, the next `email` the next group (two groups with
        // the same value keep their order, and a second, ungrouped copy of the value is still written).
        var grouped: [String: [String: [String]]] = [:]  // property → value → groups, in card order
        var written = Set<String>()
        if !properties.isEmpty {
            for p in properties where p.group != nil {
                let key = p.name.uppercased()
                if key == "ADR" {
                    let parts = TextEscaping.split(Array(p.rawValue.utf8), separator: 0x3B).map { TextEscaping.unescape($0) }
                    grouped["ADR", default: [:]][parts.count > 3 ? parts[2] + "\u{0}" + parts[3] : "", default: []].append(p.group!)
                } else {
                    var v = TextEscaping.unescape(p.rawValue)
                    if key == "TEL", v.lowercased().hasPrefix("tel:") { v = String(v.dropFirst(4)) }
                    grouped[key, default: [:]][v, default: []].append(p.group!)
                }
            }
        }
        /// When a grouped raw property carries this value, writes that group's properties here (in the
        /// attribute's place, so `email` stays first) and returns true.
        func inGroup(_ key: String, _ value: String) -> Bool {
            guard !grouped.isEmpty, var groups = grouped[key]?[value], !groups.isEmpty else { return false }
            let g = groups.removeFirst()
            grouped[key]?[value] = groups
            if written.insert(g.lowercased()).inserted {
                for p in properties where p.group?.lowercased() == g.lowercased() { o.whole(VCardWriter.keptLine(p)) }
            }
            return true
        }
        func inGroup(_ key: String, value: F.Value) -> Bool {
            guard !grouped.isEmpty else { return false }
            return inGroup(key, slots.string(value))
        }

        // FN: the full name, else the name parts joined by spaces, else file-as, e-mail or company.
        let fn = slots.take(.fullName)
        var nameParts: [F.Value] = []
        if fn == nil {
            for s in [FieldSlots.Slot.namePrefix, .firstName, .middleName, .lastName, .nameSuffix] {
                if let v = slots.peek(s) { nameParts.append(v) }
            }
        }
        let single = fn ?? (nameParts.isEmpty ? slots.peek(.fileAs) ?? slots.peek(.email) ?? slots.peek(.company) : nil)
        func name() {
            if let single { slots.escape(single, into: &o); return }
            for (i, part) in nameParts.enumerated() {
                if i > 0 { o.add(" ") }
                slots.escape(part, into: &o)
            }
        }
        o.start("FN:"); name(); o.end()
        let n = [FieldSlots.Slot.lastName, .firstName, .middleName, .namePrefix, .nameSuffix].map { slots.take($0) }
        o.start("N:")
        if n.allSatisfy({ $0 == nil }) {
            name(); o.add(";;;;")
        } else {
            for (i, part) in n.enumerated() {
                if i > 0 { o.add(";") }
                if let part { slots.escape(part, into: &o) }
            }
        }
        o.end()
        if let nick = slots.take(.nickname) { o.start("NICKNAME:"); slots.escape(nick, into: &o); o.end() }
        if let uri = photo?.uri, photo?.data == nil {
            o.whole((v4 ? "PHOTO:" : "PHOTO;VALUE=URI:") + uri)
        }
        if let b = slots.take(.birthday) { o.whole(date("BDAY", slots.string(b), v4)) }
        for (box, street, city, state, code, country, t3, t4) in addressSlots {
            // Zimbra turns newlines in the street into commas; Ferry keeps them (escaped as \n) so
            // "Street 2"/"Street 3" columns come back apart.
            let parts = [slots.take(box), nil, slots.take(street), slots.take(city), slots.take(state), slots.take(code),
                         slots.take(country)]
            if parts.allSatisfy({ $0 == nil }) { continue }
            if !grouped.isEmpty, inGroup("ADR", (parts[2].map { slots.string($0) } ?? "") + "\u{0}"
                                         + (parts[3].map { slots.string($0) } ?? "")) { continue }
            o.start("ADR")
            if v4 { if !t4.isEmpty { types(t4) } } else { types(t3) }
            o.add(":")
            for (i, part) in parts.enumerated() {
                if i > 0 { o.add(";") }
                if let part { slots.escape(part, into: &o) }
            }
            o.end()
        }
        /// The family's values in `Contact.numbered`'s order: the base (when numbering starts at 2), then
        /// numbers from `numberedFrom` up.
        func family(_ s: FieldSlots.Slot, numberedFrom: Int = 2, _ body: (F.Value) -> Void) {
            if numberedFrom > 1, let v = slots.take(s) { body(v) }
            for v in slots.takeNumbered(s, numberedFrom: numberedFrom) { body(v) }
        }
        for (slot, t) in phoneSlots {
            family(slot) { value in
                if inGroup("TEL", value: value) { return }
                o.start("TEL"); types(t); o.add(":"); slots.escape(value, into: &o); o.end()
            }
        }
        family(.email) { value in
            if inGroup("EMAIL", value: value) { return }
            o.start("EMAIL"); if !v4 { types("internet") }; o.add(":"); slots.escape(value, into: &o); o.end()
        }
        if let u = slots.take(.homeURL), !inGroup("URL", value: u) {
            o.start("URL"); types("home"); o.add(":"); slots.add(u, into: &o); o.end()
        }
        if let u = slots.take(.otherURL), !inGroup("URL", value: u) { o.start("URL:"); slots.add(u, into: &o); o.end() }
        if let u = slots.take(.workURL), !inGroup("URL", value: u) {
            o.start("URL"); types("work"); o.add(":"); slots.add(u, into: &o); o.end()
        }
        if let company = slots.take(.company) {
            o.start("ORG:"); slots.escape(company, into: &o)
            if let d = slots.take(.department) { o.add(";"); slots.escape(d, into: &o) }
            o.end()
        } else if let d = slots.take(.department) {
            o.start("ORG:;"); slots.escape(d, into: &o); o.end()
        }
        if let t = slots.take(.jobTitle) { o.start("TITLE:"); slots.escape(t, into: &o); o.end() }
        if let note = slots.take(.notes) { o.start("NOTE:"); slots.escape(note, into: &o); o.end() }
        if let photo, let data = photo.data {
            if v4 {
                o.whole("PHOTO:" + photo.text)
            } else {
                let sub = photo.mediaType.map { t in t.split(separator: "/").last.map { $0.uppercased() } ?? t } ?? "JPEG"
                o.whole("PHOTO;ENCODING=b;TYPE=" + sub + ":" + Base64.encode(data))
            }
        }
        if !tags.isEmpty {
            o.start("CATEGORIES:")
            for (i, t) in tags.enumerated() { if i > 0 { o.add(",") }; o.esc(t) }
            o.end()
        }
        if let uid = slots.take(.vCardUID) { o.start("UID:"); slots.escape(uid, into: &o); o.end() }
        family(.imAddress, numberedFrom: 1) { im in
            o.start("X-ZIMBRA-IMADDRESS:"); slots.escape(im, into: &o); o.end()
        }
        if let a = slots.take(.anniversary) {
            if v4 { o.whole(date("ANNIVERSARY", slots.string(a), true)) } else {
                o.start("X-ZIMBRA-ANNIVERSARY:"); slots.escape(a, into: &o); o.end()
            }
        }
        if let m = slots.take(.maidenName) { o.start("X-ZIMBRA-MAIDENNAME:"); slots.escape(m, into: &o); o.end() }
        // Every other attribute as an X- property, so nothing is dropped (see `VCardExtensions`).
        slots.writeUntaken(into: &o)
        for p in properties where !written.contains(p.group?.lowercased() ?? "\u{0}") { o.whole(VCardWriter.keptLine(p)) }
        o.whole("END:VCARD")
    }

    private static let addressSlots: [(FieldSlots.Slot, FieldSlots.Slot, FieldSlots.Slot, FieldSlots.Slot, FieldSlots.Slot, FieldSlots.Slot, String, String)] = [
        (.homePOBox, .homeStreet, .homeCity, .homeState, .homePostalCode, .homeCountry, "home,postal,parcel", "home"),
        (.workPOBox, .workStreet, .workCity, .workState, .workPostalCode, .workCountry, "work,postal,parcel", "work"),
        (.otherPOBox, .otherStreet, .otherCity, .otherState, .otherPostalCode, .otherCountry, "postal,parcel", ""),
    ]
    private static let phoneSlots: [(FieldSlots.Slot, String)] = [
        (.carPhone, "car,voice"), (.homeFax, "home,fax"), (.homePhone, "home,voice"),
        (.mobilePhone, "cell,voice"), (.otherFax, "fax"), (.otherPhone, "voice"), (.pager, "pager"),
        (.workFax, "work,fax"), (.workPhone, "work,voice"),
    ]

    /// A property kept as read. A quoted-printable value ending in `=` (a soft line break with nothing
    /// after it) loses that `=`: written as is, reading joined the next line (`END:VCARD`) into it.
    static func keptLine(_ p: ContactProperty) -> String {
        var line = p.contentLine
        // A line starting with a space or tab would read back as a fold of the line before it.
        if let first = line.utf8.first, first == 0x20 || first == 0x09 {
            line = String(line.drop { $0 == " " || $0 == "\t" })
        }
        guard line.hasSuffix("="), let colon = line.firstIndex(of: ":"),
              line[..<colon].uppercased().contains("QUOTED-PRINTABLE") else { return line }
        var trimmed = Substring(line)
        while trimmed.hasSuffix("="), trimmed.endIndex > line.index(after: colon) { trimmed.removeLast() }
        return String(trimmed)
    }

    /// `BDAY;VALUE=date:1968-03-14` (3.0) / `BDAY:19680314` (4.0) for ISO dates; other text as is.
    private static func date(_ name: String, _ value: String, _ v4: Bool) -> String {
        let iso: Bool
        let u = value.utf8
        if u.count == 10, !u.contains(where: { $0 >= 0x80 }) {
            // ASCII: one character per byte (a CRLF, the one exception, is not a digit either way).
            iso = u.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 ? $0.element == 0x2D : $0.element >= 0x30 && $0.element <= 0x39 }
        } else {
            let a = Array(value)
            iso = a.count == 10 && a[4] == "-" && a[7] == "-" && a.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || $0.element.isNumber }
        }
        if iso { return v4 ? name + ":" + value.filter { $0 != "-" } : name + ";VALUE=date:" + value }
        if v4 && value.hasPrefix("--"), value.count == 7 { return name + ":--" + value.dropFirst(2).filter { $0 != "-" } }
        return name + (v4 ? ";VALUE=text:" : ":") + TextEscaping.escape(value)
    }
}

/// The bytes of a card being written: `start`/`add`/`esc` build one logical line, `end` folds it
/// into `out` (or, for `VCardWriter.lines(for:)`, collects it unfolded).
struct CardOutput {
    var out: [UInt8]
    var line: [UInt8] = []
    var collected: [String]?

    init(out: [UInt8]) { self.out = out }

    mutating func start(_ s: String) {
        line.removeAll(keepingCapacity: true)
        add(s)
    }

    mutating func add(_ s: String) {
        if let done: Void = s.utf8.withContiguousStorageIfAvailable({ line.append(contentsOf: $0) }) { return done }
        line.append(contentsOf: s.utf8)
    }

    /// TEXT escaping straight into the line: `\\`, `\;`, `\,`, and `\n` for CRLF, CR or LF.
    mutating func esc(_ s: String) {
        var s = s
        s.withUTF8 { esc($0) }
    }

    /// `esc` for UTF-8 bytes.
    mutating func esc(_ u: UnsafeBufferPointer<UInt8>) {
        var plain = true
        for b in u where b == 0x5C || b == 0x3B || b == 0x2C || b == 0x0D || b == 0x0A { plain = false; break }
        if plain { line.append(contentsOf: u); return }
        var previousCR = false
        for b in u {
            switch b {
            case 0x5C, 0x3B, 0x2C: line.append(0x5C); line.append(b)
            case 0x0D: line.append(0x5C); line.append(0x6E)
            case 0x0A: if !previousCR { line.append(0x5C); line.append(0x6E) }
            default: line.append(b)
            }
            previousCR = b == 0x0D
        }
    }

    mutating func end() {
        if collected != nil {
            collected!.append(String(decoding: line, as: UTF8.self))
        } else if line.count <= 75 {
            out.append(contentsOf: line)
            out.append(0x0D); out.append(0x0A)
        } else {
            Self.fold(line, into: &out)
        }
    }

    /// `Folding.fold` for bytes in an array (same rules: 75 octets, a UTF-8 sequence or a backslash
    /// escape never split, CRLF + space), without the generic Collection overhead.
    static func fold(_ line: [UInt8], into out: inout [UInt8], limit: Int = 75) {
        out.reserveCapacity(out.count + line.count + (line.count / (limit - 1) + 1) * 3 + 2)
        line.withUnsafeBufferPointer { b in
            let n = b.count
            var used = 0, i = 0
            @inline(__always) func sequenceEnd(_ i: Int) -> Int {
                let lead = b[i]
                let want = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0
                var j = i + 1, k = 0
                while k < want, j < n, b[j] & 0xC0 == 0x80 { j += 1; k += 1 }
                return j
            }
            // Bytes placed on the current physical line but not yet copied: `segment..<i`.
            var segment = 0
            while i < n {
                var unitEnd = i + 1
                let lead = b[i]
                if lead == 0x5C, unitEnd < n { unitEnd = sequenceEnd(unitEnd) } else if lead >= 0xC0 { unitEnd = sequenceEnd(i) }
                let length = unitEnd - i
                if used + length > limit && used > 1 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<i]))
                    out.append(0x0D); out.append(0x0A); out.append(0x20)
                    segment = i
                    used = 1
                }
                used += length
                i = unitEnd
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<n]))
        }
        out.append(0x0D); out.append(0x0A)
    }

    /// A whole line given as a string.
    mutating func whole(_ s: String) {
        start(s)
        end()
    }
}

/// The attributes the vCard writer maps to properties, found with one pass over a contact's fields
/// (a dictionary lookup per field instead of a scan per property), and which fields were taken.
struct FieldSlots {
    /// Case names are the attributes' canonical names.
    enum Slot: Int, CaseIterable {
        case fullName, namePrefix, firstName, middleName, lastName, nameSuffix, fileAs, email, company, nickname,
             birthday, homeStreet, homeCity, homeState, homePostalCode, homeCountry, homePOBox, workStreet, workCity,
             workState, workPostalCode, workCountry, workPOBox, otherStreet, otherCity, otherState, otherPostalCode,
             otherCountry, otherPOBox, carPhone, homeFax, homePhone, mobilePhone, otherFax, otherPhone, pager, workFax,
             workPhone, homeURL, otherURL, workURL, department, jobTitle, notes, vCardUID, imAddress, anniversary,
             maidenName
    }

    static let table = NameTable(Slot.allCases.map { "\($0)" })

    private let fields: [ContactField]
    /// Field index per slot, -1 when absent.
    private var index = [Int](repeating: -1, count: Slot.allCases.count)
    /// Numbered fields (`email2`, `workPhone3`, `imAddress1`): slot, number, field index.
    private var numbered: [(slot: Slot, number: Int, field: Int)] = []
    private(set) var used: [Bool]

    init(_ c: Contact) {
        fields = c.fields
        used = [Bool](repeating: false, count: fields.count)
        for i in fields.indices {
            switch Self.classify(fields[i].name) {
            case .slot(let s): if index[s.rawValue] < 0 { index[s.rawValue] = i }
            case .numbered(let s, let number): numbered.append((s, number, i))
            case .other: break
            }
        }
    }

    enum NameClass: Equatable {
        case slot(Slot)
        /// A numbered family member: trailing digits (no leading zero) after a known base.
        case numbered(Slot, Int)
        case other
    }

    /// What an attribute name is to the writer (ASCII case-insensitive).
    static func classify(_ name: String) -> NameClass {
        if let s = slot(name) { return .slot(s) }
        var digits = 0, number = 0, scale = 1, leadingZero = false
        for b in name.utf8.reversed() {
            guard b >= 0x30 && b <= 0x39 else { break }
            digits += 1
            number += Int(b - 0x30) * scale
            scale *= 10
            leadingZero = b == 0x30
        }
        let count = name.utf8.count
        guard digits > 0, digits < count, digits < 10, !leadingZero,
              let s = table.index(of: name, count: count - digits).flatMap({ Slot(rawValue: $0) }) else { return .other }
        return .numbered(s, number)
    }

    private static func slot(_ name: String) -> Slot? {
        table.index(of: name).flatMap { Slot(rawValue: $0) }
    }

    mutating func peek(_ s: Slot) -> String? {
        let i = index[s.rawValue]
        return i < 0 ? nil : fields[i].value
    }

    mutating func take(_ s: Slot) -> String? {
        let i = index[s.rawValue]
        guard i >= 0 else { return nil }
        used[i] = true
        return fields[i].value
    }

    /// The numbered members of a family (`email2`, `email3`, …; from `numberedFrom` up), in number
    /// order, marked as taken.
    mutating func takeNumbered(_ s: Slot, numberedFrom: Int) -> [String] {
        guard !numbered.isEmpty else { return [] }
        let members = numbered.filter { $0.slot == s && $0.number >= numberedFrom }.sorted { $0.number < $1.number }
        for m in members { used[m.field] = true }
        return members.map { fields[$0.field].value }
    }

    mutating func string(_ v: String) -> String { v }
    mutating func escape(_ v: String, into o: inout CardOutput) { o.esc(v) }
    mutating func add(_ v: String, into o: inout CardOutput) { o.add(v) }

    mutating func writeUntaken(into o: inout CardOutput) {
        for (i, f) in fields.enumerated() where !used[i] {
            VCardExtensions.append(field: f.name, value: f.value, to: &o)
        }
    }
}

/// Where `VCardWriter.emit` finds a card's attributes: by slot (the attributes the writer maps to
/// properties), numbered families, and the rest in their order. `Value` is whatever holds a value
/// (a `String`, or a byte range of a CSV row).
protocol CardFieldSource {
    // Every requirement is `mutating`: `emit`'s local functions capture the source, and a
    // non-mutating call on a captured struct copies it (a retain and release per stored array).
    associatedtype Value
    mutating func peek(_ s: FieldSlots.Slot) -> Value?
    /// The slot's value, marked as written.
    mutating func take(_ s: FieldSlots.Slot) -> Value?
    /// The numbered members of a family (not the base), in number order, marked as written.
    mutating func takeNumbered(_ s: FieldSlots.Slot, numberedFrom: Int) -> [Value]
    mutating func string(_ v: Value) -> String
    /// TEXT-escaped (`CardOutput.esc`).
    mutating func escape(_ v: Value, into o: inout CardOutput)
    /// As is (`CardOutput.add`).
    mutating func add(_ v: Value, into o: inout CardOutput)
    /// Every attribute not taken, in order, as X- properties (`VCardExtensions.append`).
    mutating func writeUntaken(into o: inout CardOutput)
}

extension FieldSlots: CardFieldSource {}

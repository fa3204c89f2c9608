import FerryCore
import FerryText

/// Writes contacts as vCard 3.0 in the property order of Zimbra's `fmt=vcf` export (reference §5.7),
/// or as vCard 4.0 (RFC 6350). UTF-8, CRLF, lines folded at 75 octets. Properties kept raw on reading
/// (`Contact.properties`: X- properties, IMPP, Apple labels, …) follow the known ones unchanged.
public final class VCardWriter: ItemWriter {
    public enum Version: Sendable { case v3, v4 }

    private let sink: ByteSink
    private let version: Version
    /// False when the version was named (`--vcard-version`): then only cards read in that version are
    /// copied, and every other card is written in it.
    private let keepsVersions: Bool
    private var buffer: [UInt8] = []
    /// The last byte written, so a copied card that ended the file without a line break is not glued
    /// to the next one.
    private var lastByte: UInt8 = 0x0A

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
        buffer.removeAll(keepingCapacity: true)
        if lastByte != 0x0A { buffer.append(contentsOf: [0x0D, 0x0A]) }
        let read = contact.originalFormat
        if let original = contact.originalBytes, let read,
           keepsVersions ? read.hasPrefix("vcf-") : read == (version == .v4 ? "vcf-4.0" : "vcf-3.0") {
            // Read and not changed since: the card's own bytes.
            buffer.append(contentsOf: original)
        } else {
            let v: Version = keepsVersions ? (read == "vcf-4.0" ? .v4 : .v3) : version
            for line in VCardWriter.lines(for: contact, version: v) {
                Folding.fold(Array(line.utf8), into: &buffer)
            }
        }
        guard let last = buffer.last else { return .written }
        lastByte = last
        try buffer.withUnsafeBytes { try sink.write($0) }
        return .written
    }

    public func finish() throws { try sink.finish() }

    /// The unfolded content lines of one card, BEGIN to END.
    public static func lines(for c: Contact, version: Version) -> [String] {
        let v4 = version == .v4
        var out = ["BEGIN:VCARD", v4 ? "VERSION:4.0" : "VERSION:3.0"]
        func esc(_ s: String) -> String { TextEscaping.escape(s) }
        func types(_ t: String) -> String { ";TYPE=" + (v4 && t.contains(",") ? "\"\(t)\"" : t) }

        // Values carried by grouped raw properties (Apple's item1.EMAIL) are written there, not twice.
        var grouped: [String: [String: String]] = [:]  // property → value → group
        for p in c.properties where p.group != nil {
            let key = p.name.uppercased()
            if key == "ADR" {
                let parts = TextEscaping.split(Array(p.rawValue.utf8), separator: 0x3B).map { TextEscaping.unescape($0) }
                grouped["ADR", default: [:]][parts.count > 3 ? parts[2] + "\u{0}" + parts[3] : ""] = p.group
            } else {
                var v = TextEscaping.unescape(p.rawValue)
                if key == "TEL", v.lowercased().hasPrefix("tel:") { v = String(v.dropFirst(4)) }
                grouped[key, default: [:]][v] = p.group
            }
        }
        var written = Set<String>()
        /// When a grouped raw property carries this value, writes that group's properties here (in the
        /// attribute's place, so `email` stays first) and returns true.
        func inGroup(_ key: String, _ value: String) -> Bool {
            guard let g = grouped[key]?[value] else { return false }
            if written.insert(g.lowercased()).inserted {
                for p in c.properties where p.group?.lowercased() == g.lowercased() { out.append(p.contentLine) }
            }
            return true
        }

        // Attributes written so far (lower-cased names): whatever is left goes out as X- properties.
        var used = Set<String>()
        func take(_ name: String) -> String? {
            guard let v = c[name] else { return nil }
            used.insert(name.asciiLowercased)
            return v
        }
        func takeNumbered(_ base: String, numberedFrom: Int = 2) -> [String] {
            c.numbered(base, numberedFrom: numberedFrom).map { used.insert($0.name.asciiLowercased); return $0.value }
        }

        let fn = take("fullName") ?? {
            let parts = ["namePrefix", "firstName", "middleName", "lastName", "nameSuffix"].compactMap { c[$0] }
            return parts.isEmpty ? nil : parts.joined(separator: " ")
        }() ?? c["fileAs"] ?? c["email"] ?? c["company"] ?? ""
        out.append("FN:" + esc(fn))
        let n = ["lastName", "firstName", "middleName", "namePrefix", "nameSuffix"].map { esc(take($0) ?? "") }
        out.append("N:" + (n.allSatisfy(\.isEmpty) ? esc(fn) + ";;;;" : n.joined(separator: ";")))
        if let nick = take("nickname") { out.append("NICKNAME:" + esc(nick)) }
        if let uri = c.photo?.uri, c.photo?.data == nil {
            out.append((v4 ? "PHOTO:" : "PHOTO;VALUE=URI:") + uri)
        }
        if let b = take("birthday") { out.append(date("BDAY", b, v4)) }
        for (prefix, t) in [("home", "home,postal,parcel"), ("work", "work,postal,parcel"), ("other", "postal,parcel")] {
            // Zimbra turns newlines in the street into commas; Ferry keeps them (escaped as \n) so
            // "Street 2"/"Street 3" columns come back apart.
            let parts = [take(prefix == "other" ? "otherPOBox" : prefix + "POBox") ?? "", "",
                         take(prefix + "Street") ?? "", take(prefix + "City") ?? "", take(prefix + "State") ?? "",
                         take(prefix + "PostalCode") ?? "", take(prefix + "Country") ?? ""]
            if parts.allSatisfy(\.isEmpty) { continue }
            if inGroup("ADR", parts[2] + "\u{0}" + parts[3]) { continue }
            let tt = v4 ? (prefix == "other" ? "" : types(prefix)) : types(t)
            out.append("ADR" + tt + ":" + parts.map(esc).joined(separator: ";"))
        }
        let phones: [(String, String)] = [
            ("carPhone", "car,voice"), ("homeFax", "home,fax"), ("homePhone", "home,voice"),
            ("mobilePhone", "cell,voice"), ("otherFax", "fax"), ("otherPhone", "voice"), ("pager", "pager"),
            ("workFax", "work,fax"), ("workPhone", "work,voice"),
        ]
        for (field, t) in phones {
            for value in takeNumbered(field) where !inGroup("TEL", value) { out.append("TEL" + types(t) + ":" + esc(value)) }
        }
        for value in takeNumbered("email") where !inGroup("EMAIL", value) { out.append("EMAIL" + (v4 ? "" : types("internet")) + ":" + esc(value)) }
        if let u = take("homeURL"), !inGroup("URL", u) { out.append("URL" + types("home") + ":" + u) }
        if let u = take("otherURL"), !inGroup("URL", u) { out.append("URL:" + u) }
        if let u = take("workURL"), !inGroup("URL", u) { out.append("URL" + types("work") + ":" + u) }
        if let company = take("company") {
            out.append("ORG:" + esc(company) + (take("department").map { ";" + esc($0) } ?? ""))
        } else if let d = take("department") {
            out.append("ORG:;" + esc(d))
        }
        if let t = take("jobTitle") { out.append("TITLE:" + esc(t)) }
        if let note = take("notes") { out.append("NOTE:" + esc(note)) }
        if let photo = c.photo, let data = photo.data {
            if v4 {
                out.append("PHOTO:" + photo.text)
            } else {
                let sub = photo.mediaType.map { t in t.split(separator: "/").last.map { $0.uppercased() } ?? t } ?? "JPEG"
                out.append("PHOTO;ENCODING=b;TYPE=" + sub + ":" + Base64.encode(data))
            }
        }
        if !c.tags.isEmpty { out.append("CATEGORIES:" + c.tags.map(esc).joined(separator: ",")) }
        if let uid = take("vCardUID") { out.append("UID:" + esc(uid)) }
        for im in takeNumbered("imAddress", numberedFrom: 1) { out.append("X-ZIMBRA-IMADDRESS:" + esc(im)) }
        if let a = take("anniversary") {
            out.append(v4 ? date("ANNIVERSARY", a, true) : "X-ZIMBRA-ANNIVERSARY:" + esc(a))
        }
        if let m = take("maidenName") { out.append("X-ZIMBRA-MAIDENNAME:" + esc(m)) }
        // Every other attribute as an X- property, so nothing is dropped (see `VCardExtensions`).
        for f in c.fields where !used.contains(f.name.asciiLowercased) {
            out.append(VCardExtensions.contentLine(field: f.name, value: f.value))
        }
        for p in c.properties where !written.contains(p.group?.lowercased() ?? "\u{0}") { out.append(p.contentLine) }
        out.append("END:VCARD")
        return out
    }

    /// `BDAY;VALUE=date:1968-03-14` (3.0) / `BDAY:19680314` (4.0) for ISO dates; other text as is.
    private static func date(_ name: String, _ value: String, _ v4: Bool) -> String {
        let a = Array(value)
        let iso = a.count == 10 && a[4] == "-" && a[7] == "-" && a.enumerated().allSatisfy { $0.offset == 4 || $0.offset == 7 || $0.element.isNumber }
        if iso { return v4 ? name + ":" + value.filter { $0 != "-" } : name + ";VALUE=date:" + value }
        if v4 && value.hasPrefix("--"), value.count == 7 { return name + ":--" + value.dropFirst(2).filter { $0 != "-" } }
        return name + (v4 ? ";VALUE=text:" : ":") + TextEscaping.escape(value)
    }
}

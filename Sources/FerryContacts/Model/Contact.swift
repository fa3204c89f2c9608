import FerryCore

/// A contact, modelled on Zimbra's: an ordered map of attributes whose canonical names are Zimbra's
/// (`firstName`, `email`, `email2`, `workPhone`, `homeStreet`, … — see `ContactSchema`), plus tags,
/// a photo and the vCard properties no attribute holds. Any number of e-mails, phones, addresses and
/// URLs is carried by numbered attributes (`email`, `email2`, `email3`, …; `workPhone`,
/// `workPhone2`, …; `otherStreet2`, …) exactly as Zimbra stores them. Attributes Ferry does not know
/// (a CSV column no dialect names, a custom field) are kept under their own name, so nothing is lost.
public struct Contact: ItemPayload, Equatable {
    public var kind: ItemKind { .contact }

    /// Attributes in the order they were read; names compare case-insensitively, values are never empty.
    /// (Every change to the contact drops `originalBytes`.)
    public private(set) var fields: [ContactField] = [] { didSet { originalBytes = nil } }
    /// Categories / Zimbra tags.
    public var tags: [String] = [] { didSet { originalBytes = nil } }
    public var photo: ContactPhoto? { didSet { originalBytes = nil } }
    /// vCard properties that map to no attribute (X- properties, IMPP, GEO, Apple's labels, …), kept
    /// with their group and parameters and written back unchanged.
    public var properties: [ContactProperty] = [] { didSet { originalBytes = nil } }
    /// The bytes the contact was read from (one vCard), while it is unchanged: any change to
    /// `fields`, `tags`, `photo` or `properties` sets it to nil.
    public var originalBytes: [UInt8]?
    /// The format and version of `originalBytes` (`vcf-3.0`), so writers only reuse them when they match.
    public var originalFormat: String?

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (k, v) in pairs { self[k] = v }
    }

    public var isEmpty: Bool { fields.isEmpty && tags.isEmpty && photo == nil && properties.isEmpty }

    /// The value of an attribute (case-insensitive name); setting nil or "" removes it.
    public subscript(_ name: String) -> String? {
        get { index(of: name).map { fields[$0].value } }
        set {
            let i = index(of: name)
            if let newValue, !newValue.isEmpty {
                if let i { fields[i].value = newValue } else { fields.append(ContactField(name, newValue)) }
            } else if let i {
                fields.remove(at: i)
            }
        }
    }

    /// Sets the attribute only when it has no value yet (Zimbra's "first value wins").
    @discardableResult
    public mutating func setIfAbsent(_ name: String, _ value: String) -> Bool {
        guard !value.isEmpty, index(of: name) == nil else { return false }
        fields.append(ContactField(name, value))
        return true
    }

    /// Adds a value to the first free numbered attribute of a family: `email`, `email2`, `email3`, …
    /// (`numberedFrom: 1` gives `workEmail1`, `workEmail2`, …).
    public mutating func appendNumbered(_ base: String, _ value: String, numberedFrom: Int = 2) {
        guard !value.isEmpty else { return }
        // One scan per name tried (the subscript would look each name up twice).
        if numberedFrom > 1 && index(of: base) == nil { fields.append(ContactField(base, value)); return }
        var n = numberedFrom
        while index(of: base + String(n)) != nil { n += 1 }
        fields.append(ContactField(base + String(n), value))
    }

    /// Every value of a numbered family in order: `email`, `email2`, … (stops at the first gap after 2,
    /// as Zimbra does, but also collects later numbers so nothing is missed).
    public func numbered(_ base: String, numberedFrom: Int = 2) -> [(name: String, value: String)] {
        var out: [(String, String)] = []
        if numberedFrom > 1, let v = self[base] { out.append((base, v)) }
        var extra: [(Int, String, String)] = []
        let baseCount = base.utf8.count
        for f in fields {
            // `<base><digits>`, the base compared without case and without allocating.
            let name = f.name.utf8
            guard name.count > baseCount, let last = name.last, last >= 0x30 && last <= 0x39 else { continue }
            var number = 0, k = 0, ok = true
            var j = name.startIndex
            for b in base.utf8 {
                let a = name[j]
                if a != b {
                    let la = a | 0x20, lb = b | 0x20
                    if la != lb || lb < 0x61 || lb > 0x7A { ok = false; break }
                }
                j = name.index(after: j)
            }
            guard ok, name[j] != 0x30 else { continue }
            while j != name.endIndex {
                let d = name[j]
                guard d >= 0x30 && d <= 0x39, k < 9 else { ok = false; break }
                number = number * 10 + Int(d - 0x30)
                k += 1
                j = name.index(after: j)
            }
            guard ok, number >= numberedFrom else { continue }
            extra.append((number, f.name, f.value))
        }
        extra.sort { $0.0 < $1.0 }
        out.append(contentsOf: extra.map { ($0.1, $0.2) })
        return out
    }

    /// Appends an attribute the caller knows is not there yet (a reader's per-file plan proved it).
    mutating func appendNew(_ name: String, _ value: String) {
        fields.append(ContactField(name, value))
    }

    /// Room for `n` attributes (readers that know how many are coming).
    public mutating func reserveFields(_ n: Int) { fields.reserveCapacity(n) }

    /// Index of the attribute named `name` (ASCII case-insensitive; exact for other characters).
    public func index(of name: String) -> Int? {
        let n = name.utf8.count
        return fields.withUnsafeBufferPointer { f in
            // Lengths first: most names differ in length, and that needs no byte compare.
            for i in 0..<f.count where f[i].name.utf8.count == n && f[i].name.equalsIgnoringASCIICase(name) { return i }
            return nil
        }
    }

    public mutating func removeAll(where predicate: (ContactField) -> Bool) {
        if fields.contains(where: predicate) { fields.removeAll(where: predicate) }
    }

    /// A distribution list / contact group (Zimbra: `type=group`, members in `dlist`).
    public var isGroup: Bool { self["type"]?.lowercased() == "group" || self["dlist"] != nil }

    /// A name for people: full name, else the name parts, else file-as, e-mail or company.
    public var displayName: String {
        if let fn = self["fullName"] { return fn }
        let parts = ["namePrefix", "firstName", "middleName", "lastName", "nameSuffix"].compactMap { self[$0] }
        if !parts.isEmpty { return parts.joined(separator: " ") }
        return self["fileAs"] ?? self["email"] ?? self["company"] ?? self["nickname"] ?? ""
    }

    public func jsonObject() -> [String: any Sendable] {
        var attributes: [String: any Sendable] = [:]
        for f in fields { attributes[f.name] = f.value }
        var object: [String: any Sendable] = ["kind": "contact", "fields": attributes]
        if !tags.isEmpty { object["tags"] = tags }
        if let photo {
            var p: [String: any Sendable] = [:]
            if let t = photo.mediaType { p["type"] = t }
            if let u = photo.uri { p["uri"] = u }
            if let d = photo.data { p["bytes"] = d.count }
            object["photo"] = p
        }
        if !properties.isEmpty { object["properties"] = properties.map { $0.contentLine } }
        return object
    }

    public static func == (a: Contact, b: Contact) -> Bool {
        a.fields == b.fields && a.tags == b.tags && a.photo == b.photo && a.properties == b.properties
    }
}

/// One attribute: Zimbra name (or the custom name it was read under) and a non-empty value.
public struct ContactField: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A contact photo: inline bytes or a URI, with its media type when known.
public struct ContactPhoto: Sendable, Equatable {
    public var data: [UInt8]?
    public var uri: String?
    /// `image/jpeg`, `image/png`, …
    public var mediaType: String?

    /// From a CSV cell: a `data:` URI (decoded) or any other URI.
    public init(text: String) {
        if text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") {
            let head = text[text.index(text.startIndex, offsetBy: 5)..<comma]
            let body = String(text[text.index(after: comma)...])
            let type = head.split(separator: ";").first.map(String.init)
            if head.hasSuffix(";base64"), let bytes = Base64.decode(body) {
                self.init(data: bytes, mediaType: type?.isEmpty == false ? type : nil)
                return
            }
        }
        self.init(uri: text)
    }

    /// A `data:` URI for inline bytes, else the URI.
    public var text: String {
        if let data { return "data:\(mediaType ?? "application/octet-stream");base64,\(Base64.encode(data))" }
        return uri ?? ""
    }

    public init(data: [UInt8]? = nil, uri: String? = nil, mediaType: String? = nil) {
        self.data = data
        self.uri = uri
        self.mediaType = mediaType
    }
}

/// A vCard property kept as it was: group, name, parameters and the raw (still escaped) value.
public struct ContactProperty: Sendable, Equatable, Hashable {
    public var group: String?
    public var name: String
    public var parameters: [Parameter]
    /// The value exactly as in the content line (escapes kept), so it writes back unchanged.
    public var rawValue: String

    public struct Parameter: Sendable, Equatable, Hashable {
        public var name: String
        public var values: [String]
        public init(_ name: String, _ values: [String]) {
            self.name = name
            self.values = values
        }
    }

    public init(group: String? = nil, name: String, parameters: [Parameter] = [], rawValue: String) {
        self.group = group
        self.name = name
        self.parameters = parameters
        self.rawValue = rawValue
    }

    /// `group.NAME;PARAM=v1,v2:value` (unfolded), quoting parameter values that need it.
    public var contentLine: String {
        var s = ""
        if let group { s += group + "." }
        s += name
        for p in parameters {
            s += ";" + p.name
            if !p.values.isEmpty {
                s += "=" + p.values.map { v in
                    v.contains(where: { $0 == ":" || $0 == ";" || $0 == "," }) ? "\"\(v)\"" : v
                }.joined(separator: ",")
            }
        }
        return s + ":" + rawValue
    }
}

extension String {
    /// Case-insensitive for ASCII letters, without allocating (attribute names are ASCII in practice).
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // Contiguous UTF-8 (native and small strings): a byte loop over both.
        if let same = a.withContiguousStorageIfAvailable({ x in
            b.withContiguousStorageIfAvailable { y in Self.equalIgnoringASCIICase(x, y) }
        }), let same { return same }
        var i = a.startIndex, j = b.startIndex
        while i != a.endIndex {
            var x = a[i], y = b[j]
            if x != y {
                if x >= 0x41 && x <= 0x5A { x |= 0x20 }
                if y >= 0x41 && y <= 0x5A { y |= 0x20 }
                if x != y { return false }
            }
            i = a.index(after: i); j = b.index(after: j)
        }
        return true
    }

    /// Two byte runs of the same length, equal but for ASCII letter case.
    @inline(__always)
    static func equalIgnoringASCIICase(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < x.count {
            var p = x[i], q = y[i]
            if p != q {
                if p >= 0x41 && p <= 0x5A { p |= 0x20 }
                if q >= 0x41 && q <= 0x5A { q |= 0x20 }
                if p != q { return false }
            }
            i += 1
        }
        return true
    }
}

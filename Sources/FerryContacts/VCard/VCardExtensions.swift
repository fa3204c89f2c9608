import FerryText

/// How attributes that no standard vCard property holds travel through vCard, so CSV → vCard → CSV
/// keeps every cell:
///
/// - a Zimbra attribute (canonical spelling, optionally numbered: `companyPhone`, `fileAs`,
///   `homeURL2`, `assistantPhone`) becomes `X-ZIMBRA-<NAME IN CAPITALS>` — the family Zimbra's own
///   vcf export uses for `X-ZIMBRA-IMADDRESS`, `X-ZIMBRA-ANNIVERSARY` and `X-ZIMBRA-MAIDENNAME`;
/// - any other attribute (a custom CSV column such as `Shoe Size`, `Column 7`, a spelling that is
///   not canonical) becomes `X-FERRY-FIELD;X-NAME=<name>:<value>`, the name in the parameter with
///   RFC 6868 escaping (quoted when it holds `:`, `;` or `,`).
///
/// Values are TEXT-escaped. The reader maps both back onto the same attribute names.
enum VCardExtensions {
    static let zimbraPrefix = "X-ZIMBRA-"
    static let customName = "X-FERRY-FIELD"
    static let nameParameter = "X-NAME"

    static func contentLine(field: String, value: String, catalog: DialectCatalog = .standard) -> String {
        if let canonical = canonicalName(field.asciiLowercased, catalog: catalog), canonical == field {
            return zimbraPrefix + field.uppercased() + ":" + TextEscaping.escape(value)
        }
        var name = ParameterEscaping.encode(field)
        if name.contains(where: { $0 == ":" || $0 == ";" || $0 == "," }) || name.isEmpty { name = "\"" + name + "\"" }
        return customName + ";" + nameParameter + "=" + name + ":" + TextEscaping.escape(value)
    }

    /// Canonical attribute spellings (from the standard catalog, read once).
    static let canonicalNames = NameTable(Array(Set(DialectCatalog.standard.fieldSpellings.values)).sorted())

    /// True when `field` is a canonical attribute name, or one numbered (`homeURL2`; no leading zero).
    static func isCanonical(_ field: String) -> Bool {
        if let i = canonicalNames.index(of: field) { return canonicalNames.names[i] == field }
        var digits = 0, leadingZero = false
        for b in field.utf8.reversed() {
            guard b >= 0x30 && b <= 0x39 else { break }
            digits += 1
            leadingZero = b == 0x30
        }
        let count = field.utf8.count
        guard digits > 0, digits < count, digits < 10, !leadingZero,
              let i = canonicalNames.index(of: field, count: count - digits) else { return false }
        return field.hasPrefix(canonicalNames.names[i])
    }

    /// `contentLine(field:value:)` written straight into a card being built.
    static func append(field: String, value: String, to o: inout CardOutput) {
        o.line.removeAll(keepingCapacity: true)
        appendHead(field: field, to: &o.line)
        o.add(":")
        o.esc(value)
        o.end()
    }

    /// The property name (and X-NAME parameter) of `contentLine(field:value:)`, up to the colon.
    static func appendHead(field: String, to line: inout [UInt8]) {
        if isCanonical(field) {
            line.append(contentsOf: zimbraPrefix.utf8)
            for b in field.utf8 { line.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b) }
        } else {
            line.append(contentsOf: "X-FERRY-FIELD;X-NAME=".utf8)  // customName;nameParameter=
            let name = field.utf8.contains { $0 == 0x5E || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                ? ParameterEscaping.encode(field) : field
            let quote = name.isEmpty || name.utf8.contains { $0 == 0x3A || $0 == 0x3B || $0 == 0x2C }
            if quote { line.append(0x22) }
            line.append(contentsOf: name.utf8)
            if quote { line.append(0x22) }
        }
    }

    /// The attribute an `X-ZIMBRA-…` property name stands for (`X-ZIMBRA-HOMEURL2` → `homeURL2`).
    static func attribute(forZimbraProperty upperName: String, catalog: DialectCatalog = .standard) -> String? {
        guard upperName.hasPrefix(zimbraPrefix) else { return nil }
        return canonicalName(String(upperName.dropFirst(zimbraPrefix.count)).asciiLowercased, catalog: catalog)
    }

    /// The canonical spelling of a known attribute, numbered ones included (`workemail2` → `workEmail2`).
    static func canonicalName(_ lower: String, catalog: DialectCatalog) -> String? {
        if let c = catalog.fieldSpellings[lower] { return c }
        let digits = lower.utf8.reversed().prefix { $0 >= 0x30 && $0 <= 0x39 }.count
        guard digits > 0, digits < lower.utf8.count else { return nil }
        let base = String(lower.dropLast(digits))
        let number = lower.suffix(digits)
        guard number.first != "0", let c = catalog.fieldSpellings[base] else { return nil }
        return c + number
    }
}

import Foundation

/// What a column's value means (zimbra-contact-fields.xml's `type`).
public enum CSVColumnKind: String, Sendable {
    /// header → one attribute.
    case simple
    /// several headers (`Home Street,Home Street 2,…`) joined by newlines into one attribute; for
    /// `birthday`/`anniversary` the parts are month, day, year.
    case multivalue
    /// one header holding a full name, split into the listed attributes.
    case name
    /// the value is a list of tags (categories).
    case tag
    /// the value is a date, stored as `yyyy-MM-dd` when it can be read unambiguously.
    case date
}

/// One column of a dialect (possibly several headers for a multivalue column).
public struct CSVColumn: Sendable {
    /// The headers, in the order the dialect lists them.
    public var headers: [String]
    /// Zimbra attributes (several only for `name`), empty when the dialect's value is discarded by
    /// Zimbra (Ferry then keeps it as a custom attribute named like the header).
    public var fields: [String]
    public var kind: CSVColumnKind
    /// Other spellings recognised when reading, per header part.
    public var aliases: [[String]]
    /// Separator of a tag column (`,` by default; Google ` ::: `, Outlook `;`).
    public var separator: String?

    public var field: String? { fields.first }
}

/// A repeating group of columns (Google: `E-mail 1 - Label`, `E-mail 1 - Value`, `E-mail 2 - …`).
public struct CSVColumnGroup: Sendable {
    /// email, phone, address, website, event, relation, im, organization, custom.
    public var kind: String
    /// Header patterns with `{n}`, in order.
    public var patterns: [String]
}

/// A contact CSV dialect: one `<format>` of the dialect tables, for one locale.
public struct CSVDialect: Sendable, CustomStringConvertible {
    public var name: String
    /// Java-style locale of the headers (`de`, `pt_BR`), nil for the base (English) variant.
    public var locale: String?
    /// zimbra-csv: every attribute is a column (no fixed list).
    public var allFields: Bool
    public var columns: [CSVColumn]
    public var groups: [CSVColumnGroup]
    /// The delimiter the producer writes.
    public var delimiter: UInt8
    /// Order tried for ambiguous dates (`mdy` for Yahoo).
    public var dateOrder: String?
    /// Who writes this dialect: zimbra, outlook, thunderbird, yahoo, google.
    public var producer: String
    /// The charset the producer writes for this locale.
    public var charset: String
    /// Position in the tables (ties in detection go to the earlier dialect).
    public var order: Int

    /// `outlook-2003-csv` or `outlook-2003-csv/de`.
    public var id: String { locale.map { "\(name)/\($0)" } ?? name }
    public var description: String { id }

    /// How the producer quotes and ends lines.
    public var style: CSVStyle {
        switch producer {
        case "thunderbird", "google":
            return CSVStyle(delimiter: delimiter, quoting: .minimal, lineEnding: [0x0D, 0x0A])
        default:
            return CSVStyle(delimiter: delimiter, quoting: .always, lineEnding: [0x0D, 0x0A])
        }
    }

    /// The header row the writer emits (every part of multivalue columns, in order).
    public var headerRow: [String] { columns.flatMap(\.headers) }
}

/// Header normalisation for matching: trimmed, case-folded, NFC (Swift compares canonically).
func normalizedHeader(_ s: String) -> String {
    var t = Substring(s)
    while let f = t.first, f == " " || f == "\t" || f == "\u{FEFF}" || f == "\u{A0}" { t.removeFirst() }
    while let l = t.last, l == " " || l == "\t" || l == "\u{A0}" { t.removeLast() }
    let lower = t.lowercased()
    // ASCII is its own canonical composition: no trip through Foundation for the common header.
    if lower.utf8.allSatisfy({ $0 < 0x80 }) { return lower }
    return lower.precomposedStringWithCanonicalMapping
}

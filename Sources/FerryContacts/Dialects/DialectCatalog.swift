import Foundation
import FerryCore

/// Every contact CSV dialect, loaded from the bundled `zimbra-contact-fields.xml` (Zimbra's own
/// table, unchanged) and `ferry-contact-fields.xml` (Ferry's additions in the same schema: Outlook
/// 2000 and modern Outlook, Google's two shapes, reading aliases, producers' charsets).
public struct DialectCatalog: Sendable {
    public private(set) var dialects: [CSVDialect] = []
    /// Zimbra's well-known attribute names (`<fields>`).
    public private(set) var wellKnownFields: [String] = []
    /// Every attribute any dialect maps a column to, plus the well-known ones.
    public private(set) var knownFields: Set<String> = []
    /// Lower-cased attribute name → its canonical spelling (`companyphone` → `companyPhone`).
    public private(set) var fieldSpellings: [String: String] = [:]
    /// Each dialect's normalised header lookup (same order as `dialects`), built by `finish()`.
    private(set) var headerIndexes: [HeaderIndex] = []

    /// The bundled resources the standard catalog is loaded from, in order.
    static let resourceNames = ["zimbra-contact-fields", "ferry-contact-fields"]

    /// The catalog built from the bundled resources (loaded once).
    public static let standard: DialectCatalog = {
        var catalog = DialectCatalog()
        for name in resourceNames {
            guard let url = Bundle.module.url(forResource: name, withExtension: "xml", subdirectory: "Resources")
                    ?? Bundle.module.url(forResource: name, withExtension: "xml"),
                  let data = try? Data(contentsOf: url) else {
                preconditionFailure("FerryContacts resource \(name).xml is missing from the bundle")
            }
            catalog.load(String(decoding: data, as: UTF8.self))
        }
        catalog.finish()
        return catalog
    }()

    public init() {}

    /// Names of the dialects (without locales), in table order.
    public var names: [String] {
        var seen = Set<String>()
        return dialects.compactMap { seen.insert($0.name).inserted ? $0.name : nil }
    }

    /// Locales a dialect exists in (nil = base).
    public func locales(of name: String) -> [String] {
        dialects.filter { $0.name == name }.compactMap(\.locale)
    }

    /// Exact (name, locale), else the name's base variant; locale matching also accepts `de_DE`
    /// for `de` and `es` for `es_ES` (Zimbra needs exact strings; people do not).
    public func dialect(named name: String, locale: String? = nil) -> CSVDialect? {
        let key = name.lowercased()
        let candidates = dialects.filter { $0.name == key }
        guard !candidates.isEmpty else { return nil }
        if let locale {
            let l = locale.replacingOccurrences(of: "-", with: "_").lowercased()
            if let exact = candidates.first(where: { $0.locale?.lowercased() == l }) { return exact }
            let language = l.split(separator: "_").first.map(String.init) ?? l
            if let byLanguage = candidates.first(where: { $0.locale?.lowercased() == language }) { return byLanguage }
            if let sameLanguage = candidates.first(where: {
                $0.locale?.lowercased().split(separator: "_").first.map(String.init) == language
            }) { return sameLanguage }
        }
        return candidates.first { $0.locale == nil } ?? candidates.first
    }

    // MARK: Loading

    private var delimiterRules: [(format: String, locale: String?, char: UInt8)] = []
    private var defaultDelimiter: UInt8 = 0x2C
    private var dateOrders: [String: String] = [:]
    private var aliases: [(format: String, locale: String?, column: String, name: String)] = []
    private var overrides: [(format: String, column: String, type: String, separator: String?)] = []
    private var charsets: [String: String] = [:]  // "producer/locale" → charset
    private var producers: [String: String] = [:]

    mutating func load(_ xml: String) {
        var current: CSVDialect?
        for tag in MiniXML.tags(xml) {
            let a = tag.attributes
            switch (tag.name, tag.isClosing) {
            case ("field", false):
                if let n = a["name"] { wellKnownFields.append(n) }
            case ("delimiters", false):
                if let d = a["default"]?.utf8.first { defaultDelimiter = d }
            case ("delimiter", false):
                if let f = a["format"], let c = a["char"]?.utf8.first {
                    delimiterRules.append((f, a["locale"], c))
                }
            case ("dateformat", false):
                if let f = a["format"], let o = a["order"] { dateOrders[a["locale"].map { "\(f)/\($0)" } ?? f] = o }
            case ("format", false):
                let flags = (a["flag"] ?? "").split(separator: ",").map { String($0).trimming(" ") }
                current = CSVDialect(name: a["name"] ?? "", locale: a["locale"], allFields: flags.contains("allfields"),
                                     columns: [], groups: [], delimiter: defaultDelimiter, dateOrder: nil,
                                     producer: a["producer"] ?? "", charset: "UTF-8", order: dialects.count)
                if tag.isSelfClosing, let c = current { dialects.append(c); current = nil }
            case ("format", true):
                if let c = current { dialects.append(c) }
                current = nil
            case ("column", false):
                guard current != nil, let name = a["name"] else { continue }
                let headers = name.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
                let fields = (a["field"] ?? "").split(separator: ",").map { String($0).trimming(" ") }
                let kind = CSVColumnKind(rawValue: a["type"] ?? "simple") ?? .simple
                current!.columns.append(CSVColumn(headers: headers, fields: fields, kind: kind,
                                                  aliases: headers.map { _ in [] }, separator: a["separator"]))
            case ("group", false):
                guard current != nil, let kind = a["kind"], let cols = a["columns"] else { continue }
                current!.groups.append(CSVColumnGroup(kind: kind, patterns: cols.split(separator: ",").map(String.init)))
            case ("alias", false):
                if let f = a["format"], let c = a["column"], let n = a["name"] { aliases.append((f, a["locale"], c, n)) }
            case ("override", false):
                if let f = a["format"], let c = a["column"], let t = a["type"] {
                    overrides.append((f, c, t, a["separator"]))
                }
            case ("charset", false):
                if let p = a["producer"], let n = a["name"] { charsets["\(p)/\(a["locale"] ?? "")"] = n }
            case ("producer", false):
                if let f = a["format"], let n = a["name"] { producers[f] = n }
            default:
                break
            }
        }
    }

    mutating func finish() {
        for i in dialects.indices {
            var d = dialects[i]
            if d.producer.isEmpty { d.producer = producers[d.name] ?? "zimbra" }
            d.dateOrder = dateOrders[d.id] ?? dateOrders[d.name]
            if let rule = delimiterRules.first(where: { $0.format == d.name && $0.locale == d.locale }) {
                d.delimiter = rule.char
            }
            d.charset = charsets["\(d.producer)/\(d.locale ?? "")"] ?? charsets["\(d.producer)/"] ?? "UTF-8"
            dialects[i] = d
        }
        // Overrides name a column of the base variant; locale variants with the same column sequence
        // get the same type at the same position.
        for o in overrides {
            guard let base = dialects.first(where: { $0.name == o.format && $0.locale == nil }),
                  let position = base.columns.firstIndex(where: { $0.headers.first == o.column }) else { continue }
            for i in dialects.indices where dialects[i].name == o.format {
                guard dialects[i].columns.count == base.columns.count,
                      dialects[i].columns[position].fields == base.columns[position].fields,
                      let kind = CSVColumnKind(rawValue: o.type) else { continue }
                dialects[i].columns[position].kind = kind
                dialects[i].columns[position].separator = o.separator
            }
        }
        for a in aliases {
            for i in dialects.indices where dialects[i].name == a.format && dialects[i].locale == a.locale {
                for c in dialects[i].columns.indices {
                    if let p = dialects[i].columns[c].headers.firstIndex(of: a.column) {
                        dialects[i].columns[c].aliases[p].append(a.name)
                    }
                }
            }
        }
        headerIndexes = dialects.map(HeaderIndex.init)
        knownFields = Set(wellKnownFields.map { $0.lowercased() })
        for d in dialects { for c in d.columns { for f in c.fields { knownFields.insert(f.lowercased()) } } }
        for f in wellKnownFields { fieldSpellings[f.lowercased()] = f }
        for d in dialects { for c in d.columns { for f in c.fields where fieldSpellings[f.lowercased()] == nil {
            fieldSpellings[f.lowercased()] = f
        } } }
    }
}

import FerryCore

/// Turns CSV rows into contacts for one header binding (Zimbra's import rules, plus Google groups).
struct RowMapper {
    let binding: HeaderBinding
    let delimiter: UInt8
    /// What a custom (unmatched) header means, decided once per file.
    private var customKinds: [CustomKind] = []

    enum CustomKind { case attribute, property, photo, tags, none }
    /// Trimmed headers (the attribute name for columns Zimbra discards).
    private var trimmedHeaders: [String] = []

    init(binding: HeaderBinding, delimiter: UInt8) {
        self.binding = binding
        self.delimiter = delimiter
        trimmedHeaders = binding.headers.map { $0.trimming(" \t\u{FEFF}") }
        customKinds = binding.targets.map { t in
            guard case .custom(let name) = t else { return .none }
            if RowMapper.isPropertyHeader(name) { return .property }
            switch normalizedHeader(name) {
            case "photo": return .photo
            case "categories": return .tags
            default: return .attribute
            }
        }
        steps = binding.targets.enumerated().map { i, target -> Step in
            switch target {
            case .ignored: return .skip
            case .custom(let name):
                switch customKinds[i] {
                case .property: return .property(name)
                case .photo: return .photo
                case .tags: return .tags(",")
                default: return .attribute(name)
                }
            case .column(let c, let part):
                let column = binding.dialect.columns[c]
                switch column.kind {
                case .multivalue: return .part(c, part)
                case .simple:
                    if column.field == "image" { return .photo }
                    return .attribute(column.field ?? trimmedHeaders[i])
                case .date: return column.field.map { .date($0) } ?? .skip
                case .tag: return .tags(column.separator ?? ",")
                case .name: return .name(column.fields)
                }
            case .group(let g, let n, let part): return .group(g, n, part)
            }
        }
        // An attribute only one column can set (no other column, name split or alias names it) needs
        // no "already set?" scan: it is appended.
        var setters: [String: Int] = [:]
        for step in steps {
            switch step {
            case .attribute(let f), .date(let f): setters[f.lowercased(), default: 0] += 1
            case .name(let fields):
                for f in fields + ["fullName"] { setters[f.lowercased(), default: 0] += 1 }
            default: break
            }
        }
        steps = steps.map { step in
            switch step {
            case .attribute(let f) where setters[f.lowercased()] == 1: return .newAttribute(f)
            case .date(let f) where setters[f.lowercased()] == 1: return .newDate(f)
            default: return step
            }
        }
    }

    /// What to do with each column's value, decided once per file from the binding.
    enum Step {
        case skip
        case attribute(String)
        case date(String)
        /// The only column setting this attribute (before multivalue and group columns, which come after).
        case newAttribute(String)
        case newDate(String)
        case property(String)
        case photo
        case tags(String)
        case name([String])
        case part(Int, Int)         // multivalue column, part
        case group(Int, Int, Int)   // Google group, occurrence, part
    }
    private(set) var steps: [Step] = []

    func contact(from record: CSVRecord) -> Contact {
        var contact = Contact()
        let dialect = binding.dialect
        var parts: [Int: [Int: String]] = [:]          // column → part → value
        var groups: [Int: [Int: [Int: String]]] = [:]  // group → n → part → value
        let width = min(record.count, steps.count)
        contact.reserveFields(width)
        for i in 0..<width where !record.isEmpty(i) {
            switch steps[i] {
            case .skip:
                continue
            case .newAttribute(let field):
                contact.appendNew(field, record[i])
            case .newDate(let field):
                let value = DateParsing.normalize(record[i], order: dialect.dateOrder)
                if !value.isEmpty { contact.appendNew(field, value) }
            case .attribute(let field):
                contact.setIfAbsent(field, record[i])
            case .date(let field):
                contact.setIfAbsent(field, DateParsing.normalize(record[i], order: dialect.dateOrder))
            case .property(let header):
                contact.properties.append(property(header: header, value: record[i]))
            case .photo:
                if contact.photo == nil { contact.photo = ContactPhoto(text: record[i]) }
            case .tags(let separator):
                contact.tags.append(contentsOf: Self.splitTags(record[i], separator: separator))
            case .name(let fields):
                let value = record[i]
                let d = String(decoding: [delimiter], as: UTF8.self)
                for (field, part) in zip(fields, Self.splitName(value, delimiter: d)) where !part.isEmpty {
                    contact.setIfAbsent(field, part)
                }
                contact.setIfAbsent("fullName", value)
            case .part(let c, let part):
                parts[c, default: [:]][part] = record[i]
            case .group(let g, let n, let part):
                groups[g, default: [:]][n, default: [:]][part] = record[i]
            }
        }
        for (c, values) in parts.sorted(by: { $0.key < $1.key }) where !parts.isEmpty {
            let column = dialect.columns[c]
            guard let field = column.field else { continue }
            if field == "birthday" || field == "anniversary" {
                // Parts are month, day, year (Thunderbird's Birth Month/Day/Year).
                let m = values[0], d = values[1], y = values[2]
                contact.setIfAbsent(field, DateParsing.fromParts(month: m, day: d, year: y))
            } else {
                let joined = (0..<column.headers.count).compactMap { values[$0] }.joined(separator: "\n")
                contact.setIfAbsent(field, joined)
            }
        }
        for (g, occurrences) in groups.sorted(by: { $0.key < $1.key }) where !groups.isEmpty {
            let group = dialect.groups[g]
            for (_, values) in occurrences.sorted(by: { $0.key < $1.key }) {
                GoogleGroups.apply(kind: group.kind, values: values, to: &contact)
            }
        }
        if record.count > binding.targets.count {
            for i in binding.targets.count..<record.count where !record.isEmpty(i) {
                contact.setIfAbsent("Column \(i + 1)", record[i])
            }
        }
        return contact
    }

    /// A header that names a vCard property (`X-FOO`, `item1.X-ABLabel`, `IMPP;TYPE=home`): Ferry
    /// writes vCard properties that have no column this way, and reads them back as properties.
    static func isPropertyHeader(_ name: String) -> Bool {
        let head = name.split(separator: ";", maxSplits: 1).first.map(String.init) ?? name
        let bare = head.split(separator: ".").last.map(String.init) ?? head
        return bare.uppercased().hasPrefix("X-") && bare.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    func property(header: String, value: String) -> ContactProperty {
        let pieces = header.split(separator: ";").map(String.init)
        var namePart = pieces[0]
        var group: String?
        if let dot = namePart.lastIndex(of: ".") {
            group = String(namePart[..<dot])
            namePart = String(namePart[namePart.index(after: dot)...])
        }
        let params = pieces.dropFirst().map { p -> ContactProperty.Parameter in
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            return ContactProperty.Parameter(kv[0], kv.count > 1 ? kv[1].split(separator: ",").map {
                String($0).trimming("\"")
            } : [])
        }
        return ContactProperty(group: group, name: namePart, parameters: params, rawValue: value)
    }

    /// Tags: split on the separator, `\` escapes a character (Zimbra), names trimmed, empties and
    /// Google's `* ` primary mark dropped.
    static func splitTags(_ value: String, separator: String) -> [String] {
        var out: [String] = []
        if separator.count > 1 {
            out = value.components(separatedBy: separator)
        } else {
            var current = ""
            var escaped = false
            let sep = separator.first ?? ","
            for ch in value {
                if escaped { current.append(ch); escaped = false }
                else if ch == "\\" { escaped = true }
                else if ch == sep { out.append(current); current = "" }
                else { current.append(ch) }
            }
            out.append(current)
        }
        return out.map { t in
            var s = t.trimming(" \t")
            if s.hasPrefix("* ") { s = String(s.dropFirst(2)) }
            return s
        }.filter { !$0.isEmpty }
    }

    /// "Last, First" when the value holds the file's delimiter, else first / middle (with three or
    /// more words) / the rest (Zimbra's rule: "Mary Ann Van Buren" → Mary / Ann / Van Buren).
    static func splitName(_ value: String, delimiter: String) -> [String] {
        if value.contains(delimiter) {
            let p = value.components(separatedBy: delimiter)
            return [p.dropFirst().joined(separator: delimiter).trimming(" "), "", p[0].trimming(" ")]
        }
        let words = value.split(separator: " ").map(String.init)
        switch words.count {
        case 0: return []
        case 1: return [words[0]]
        case 2: return [words[0], "", words[1]]
        default: return [words[0], words[1], words.dropFirst(2).joined(separator: " ")]
        }
    }
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        guard !separator.isEmpty else { return [self] }
        var out: [String] = []
        var rest = Substring(self)
        while let r = rest.range(of: separator) {
            out.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        out.append(String(rest))
        return out
    }
}

extension Substring {
    func range(of needle: String) -> Range<Substring.Index>? {
        let n = Array(needle.utf8)
        guard !n.isEmpty else { return nil }
        let u = self.utf8
        var i = u.startIndex
        while i != u.endIndex {
            var j = i, k = 0
            while k < n.count, j != u.endIndex, u[j] == n[k] { j = u.index(after: j); k += 1 }
            if k == n.count { return i..<j }
            i = u.index(after: i)
        }
        return nil
    }
}

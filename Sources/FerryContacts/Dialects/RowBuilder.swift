/// Where a value goes in an output row.
enum ColumnKey: Hashable {
    /// Position in the dialect's header row (every part of multivalue columns).
    case base(Int)
    /// Google group `group`, occurrence `n`, part `part`.
    case group(Int, n: Int, part: Int)
    /// A column the dialect lacks, named like the attribute (or vCard property) it holds.
    case extra(String)
}

/// Turns a contact into the cells of one dialect's row (the inverse of `RowMapper`).
struct RowBuilder {
    let dialect: CSVDialect
    /// Start offset of each column in the header row.
    let offsets: [Int]
    /// Lowercased attribute each column reads (its field, or its header for columns without one).
    let keys: [String]
    /// The distinct keys, looked up once per field of a contact, and the columns each key feeds.
    let keyTable: NameTable
    let keyColumns: [[Int]]

    init(dialect: CSVDialect) {
        self.dialect = dialect
        var offsets: [Int] = []
        var o = 0
        for c in dialect.columns { offsets.append(o); o += c.headers.count }
        self.offsets = offsets
        keys = dialect.columns.map { ($0.field ?? $0.headers[0].trimming(" ")).asciiLowercased }
        var distinct: [String] = [], columnsOf: [String: [Int]] = [:]
        for (c, k) in keys.enumerated() {
            if columnsOf[k] == nil { distinct.append(k) }
            columnsOf[k, default: []].append(c)
        }
        keyTable = NameTable(distinct)
        keyColumns = distinct.map { columnsOf[$0]! }
    }

    /// The cells, and the names of values that had no column of their own (for the warning).
    func cells(_ contact: Contact) -> (cells: [(ColumnKey, String)], homeless: [String]) {
        var cells: [(ColumnKey, String)] = []
        var used = [Bool](repeating: false, count: contact.fields.count)
        var homeless: [String] = []
        var tagsWritten = false
        var photoWritten = false
        // One pass over the attributes: the field each column reads (the first one with its key).
        var columnField = [Int](repeating: -1, count: dialect.columns.count)
        if !dialect.allFields {
            for (i, f) in contact.fields.enumerated() {
                guard let k = keyTable.index(of: f.name) else { continue }
                for c in keyColumns[k] where columnField[c] < 0 { columnField[c] = i }
            }
        }
        func take(_ field: String) -> String? {
            guard let i = contact.index(of: field) else { return nil }
            used[i] = true
            return contact.fields[i].value
        }
        func take(column c: Int) -> String? {
            let i = columnField[c]
            guard i >= 0 else { return nil }
            used[i] = true
            return contact.fields[i].value
        }
        if !dialect.allFields {
            for (c, column) in dialect.columns.enumerated() {
                let o = offsets[c]
                switch column.kind {
                case .simple, .date:
                    if column.field == "image" {
                        if let p = contact.photo, !photoWritten { cells.append((.base(o), p.text)); photoWritten = true }
                    } else if let v = take(column: c) {
                        cells.append((.base(o), v))
                    }
                case .multivalue:
                    guard let field = column.field, let v = take(column: c) else { continue }
                    if field == "birthday" || field == "anniversary" {
                        if let p = DateParsing.parts(v) {
                            let values = [p.month, p.day, p.year]
                            for (i, value) in values.enumerated() where i < column.headers.count && !value.isEmpty {
                                cells.append((.base(o + i), value))
                            }
                        } else {
                            cells.append((.base(o), v))
                        }
                    } else {
                        var lines = v.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                        if lines.count > column.headers.count {
                            let tail = lines[(column.headers.count - 1)...].joined(separator: "\n")
                            lines = Array(lines[..<(column.headers.count - 1)]) + [tail]
                        }
                        for (i, line) in lines.enumerated() where !line.isEmpty { cells.append((.base(o + i), line)) }
                    }
                case .name:
                    if let v = take("fullName") { cells.append((.base(o), v)) }
                case .tag:
                    if !contact.tags.isEmpty && !tagsWritten {
                        cells.append((.base(o), Self.joinTags(contact.tags, separator: column.separator ?? ",")))
                        tagsWritten = true
                    }
                }
            }
        }
        // A full name that is just the name parts joined (what a vCard's FN holds when the CSV had
        // only parts) needs no column of its own: the parts carry it.
        if let i = contact.index(of: "fullName"), !used[i], contact.fields[i].value == Self.composedName(contact) { used[i] = true }
        if !dialect.groups.isEmpty {
            GoogleGroupWriter.cells(contact, dialect: dialect, used: &used, into: &cells)
        }
        // Whatever has no column yet: extra columns named like the attribute.
        for (i, f) in contact.fields.enumerated() where !used[i] {
            if dialect.groups.contains(where: { $0.kind == "custom" }) {
                continue  // Google: written as custom fields by GoogleGroupWriter
            }
            cells.append((.extra(f.name), f.value))
            if !dialect.allFields { homeless.append(f.name) }
        }
        if !contact.tags.isEmpty && !tagsWritten {
            cells.append((.extra("Categories"), Self.joinTags(contact.tags, separator: ",")))
            if !dialect.allFields { homeless.append("tags") }
        }
        if let p = contact.photo, !photoWritten {
            cells.append((.extra("Photo"), p.text))
            if !dialect.allFields { homeless.append("photo") }
        }
        for p in contact.properties {
            let line = p.contentLine
            let header = String(line.prefix(line.count - p.rawValue.count - 1))
            cells.append((.extra(header), p.rawValue))
            homeless.append(header)
        }
        return (cells, homeless)
    }

    /// Prefix, first, middle, last and suffix joined by spaces (the vCard writer's FN for them).
    static func composedName(_ c: Contact) -> String {
        ["namePrefix", "firstName", "middleName", "lastName", "nameSuffix"].compactMap { c[$0] }.joined(separator: " ")
    }

    static func joinTags(_ tags: [String], separator: String) -> String {
        if separator.count > 1 { return tags.joined(separator: separator) }
        return tags.map { t in
            var s = ""
            for ch in t {
                if ch == "\\" || String(ch) == separator { s.append("\\") }
                s.append(ch)
            }
            return s
        }.joined(separator: separator)
    }
}

/// Contact → Google's repeating groups (inverse of `GoogleGroups`).
enum GoogleGroupWriter {
    static let phoneLabels: [(String, String)] = [
        ("mobilePhone", "Mobile"), ("homePhone", "Home"), ("workPhone", "Work"), ("homeFax", "Home Fax"),
        ("workFax", "Work Fax"), ("otherFax", "Other Fax"), ("pager", "Pager"), ("companyPhone", "Main"),
        ("carPhone", "Car"), ("assistant", "Assistant"), ("callbackPhone", "Callback"), ("isdn", "ISDN"),
        ("radioPhone", "Radio"), ("telex", "Telex"), ("ttyTDDPhone", "TTY/TDD"), ("otherPhone", "Other"),
    ]

    static func cells(_ contact: Contact, dialect: CSVDialect, used: inout [Bool],
                      into cells: inout [(ColumnKey, String)]) {
        var groupIndex: [String: Int] = [:]
        for (i, g) in dialect.groups.enumerated() { groupIndex[g.kind] = i }
        var counters: [String: Int] = [:]
        func add(_ kind: String, _ parts: [Int: String]) {
            guard let g = groupIndex[kind] else { return }
            counters[kind, default: 0] += 1
            let n = counters[kind]!
            for (p, v) in parts where !v.isEmpty { cells.append((.group(g, n: n, part: p), v)) }
        }
        func mark(_ name: String) { if let i = contact.index(of: name) { used[i] = true } }
        // E-mail: the first is primary.
        var first = true
        for (name, v) in contact.numbered("email") {
            add("email", [0: first ? "* Other" : "Other", 1: v]); first = false; mark(name)
        }
        for (name, v) in contact.numbered("workEmail", numberedFrom: 1) { add("email", [0: "Work", 1: v]); mark(name) }
        for (base, label) in phoneLabels {
            for (name, v) in contact.numbered(base) { add("phone", [0: label, 1: v]); mark(name) }
        }
        for (prefix, label) in [("home", "Home"), ("work", "Work"), ("other", "Other")] {
            var n = 1
            while true {
                let s = n == 1 ? "" : String(n)
                let names = ["Street", "City", "POBox", "State", "PostalCode", "Country"].map { prefix + $0 + s }
                guard names.contains(where: { contact[$0] != nil }) else { break }
                let v = names.map { contact[$0] ?? "" }
                names.forEach(mark)
                let lbl = contact[prefix + "Label" + s] ?? label
                mark(prefix + "Label" + s)
                add("address", [0: lbl, 2: v[0], 3: v[1], 4: v[2], 5: v[3], 6: v[4], 7: v[5]])
                n += 1
            }
        }
        for (base, label) in [("homeURL", "Home Page"), ("workURL", "Work"), ("otherURL", "Other")] {
            for (name, v) in contact.numbered(base) { add("website", [0: label, 1: v]); mark(name) }
        }
        if let v = contact["anniversary"] { add("event", [0: "Anniversary", 1: v]); mark("anniversary") }
        for (base, label) in [("spouse", "Spouse"), ("children", "Child"), ("assistantName", "Assistant"),
                              ("managerName", "Manager"), ("referredBy", "Referred By")] {
            if let v = contact[base] { add("relation", [0: label, 1: v]); mark(base) }
        }
        for (name, v) in contact.numbered("imAddress", numberedFrom: 1) {
            if let r = v.range(of: "://") {
                add("im", [0: "Other", 1: String(v[..<r.lowerBound]).capitalized, 2: String(v[r.upperBound...])])
            } else {
                add("im", [0: "Other", 2: v])
            }
            mark(name)
        }
        // Google-specific families read back from other groups.
        for (i, f) in contact.fields.enumerated() where !used[i] {
            if f.name.hasPrefix("Phone ") { add("phone", [0: String(f.name.dropFirst(6)), 1: f.value]); mark(f.name) }
            else if f.name.hasPrefix("Event ") { add("event", [0: String(f.name.dropFirst(6)), 1: f.value]); mark(f.name) }
            else if f.name.hasPrefix("Relation ") {
                add("relation", [0: String(f.name.dropFirst(9)), 1: f.value]); mark(f.name)
            }
        }
        // Everything else: custom fields, so nothing is lost.
        for (i, f) in contact.fields.enumerated() where !used[i] {
            add("custom", [0: f.name, 1: f.value]); mark(f.name)
        }
    }
}

extension String {
    func range(of needle: String) -> Range<String.Index>? {
        Substring(self).range(of: needle)
    }
}

extension String {
    /// Lowercases ASCII letters only (fast; attribute names are ASCII), other characters unchanged.
    var asciiLowercased: String {
        guard utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return self }
        return String(decoding: utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}

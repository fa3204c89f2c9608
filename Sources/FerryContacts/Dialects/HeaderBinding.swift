/// How the headers of one file map onto one dialect: which column (and part) each header is.
public struct HeaderBinding: Sendable {
    public enum Target: Sendable, Equatable {
        /// Part `part` of the dialect's column `column`.
        case column(Int, part: Int)
        /// Part `part` of occurrence `n` of the dialect's repeating group `group`.
        case group(Int, n: Int, part: Int)
        /// No column of the dialect: a custom attribute named like the header.
        case custom(String)
        /// An empty header with no values (a trailing delimiter, as old Thunderbird wrote).
        case ignored
    }

    public let dialect: CSVDialect
    public let headers: [String]
    public let targets: [Target]
    /// Headers the dialect recognised.
    public let recognised: Int
    /// Dialect headers the file lacks (lower is a closer fit).
    public let missing: Int

    public var unrecognisedHeaders: [String] {
        zip(headers, targets).compactMap { h, t in
            if case .custom = t, !h.isEmpty { return h }
            return nil
        }
    }

    /// Binds headers left to right; each header takes the first unused dialect column part whose
    /// name (or alias) matches after normalisation, so repeated names (French Outlook's two `Titre`)
    /// are matched in order.
    public init(headers: [String], dialect: CSVDialect, knownFields: Set<String> = []) {
        self.init(headers: headers, dialect: dialect, knownFields: knownFields, keys: nil, precomputed: nil)
    }

    private init(headers: [String], dialect: CSVDialect, knownFields: Set<String>, keys: HeaderKeys?, precomputed: HeaderIndex?) {
        self.dialect = dialect
        self.headers = headers
        var targets: [Target] = []
        var recognised = 0
        if dialect.allFields {
            for (i, h) in headers.enumerated() {
                let name = keys?.trimmed[i] ?? h.trimming(" \t\u{FEFF}")
                if name.isEmpty { targets.append(.ignored); continue }
                targets.append(.custom(name))
                if knownFields.contains(name.lowercased()) && name.first?.isLowercase == true { recognised += 1 }
            }
            self.targets = targets
            self.recognised = recognised
            self.missing = 0
            return
        }
        let index = precomputed ?? HeaderIndex(dialect)
        let groupPatterns = index.groupPatterns
        var used = Set<Int>()
        for (i, h) in headers.enumerated() {
            let key = keys?.normalized[i] ?? normalizedHeader(h)
            if key.isEmpty { targets.append(.ignored); continue }
            if let slot = index.slots[key]?.first(where: { !used.contains($0.0 << 8 | $0.1) }) {
                used.insert(slot.0 << 8 | slot.1)
                targets.append(.column(slot.0, part: slot.1))
                recognised += 1
                continue
            }
            var matchedGroup = false
            for (g, p, prefix, suffix) in groupPatterns where key.hasPrefix(prefix) && key.hasSuffix(suffix)
                && key.count > prefix.count + suffix.count {
                let middle = key.dropFirst(prefix.count).dropLast(suffix.count)
                if let n = Int(middle), n > 0 {
                    targets.append(.group(g, n: n, part: p))
                    recognised += 1
                    matchedGroup = true
                    break
                }
            }
            if !matchedGroup { targets.append(.custom(keys?.trimmed[i] ?? h.trimming(" \t\u{FEFF}"))) }
        }
        self.targets = targets
        self.recognised = recognised
        self.missing = max(0, index.total - used.count)
    }

    /// Binds headers whose normalised forms (`keys`, one per header) are already known, through a
    /// dialect's prebuilt `index` (the catalog keeps one per dialect: detection binds every dialect,
    /// and normalising the catalog's ~2,700 column names each time cost ~30 ms a file).
    init(headers: [String], keys: HeaderKeys, dialect: CSVDialect, index: HeaderIndex, knownFields: Set<String>) {
        self.init(headers: headers, dialect: dialect, knownFields: knownFields, keys: keys, precomputed: index)
    }
}

/// A file's headers normalised (lookup keys) and trimmed (custom attribute names), once for all dialects.
struct HeaderKeys {
    let normalized: [String]
    let trimmed: [String]
    init(_ headers: [String]) {
        normalized = headers.map(normalizedHeader)
        trimmed = headers.map { $0.trimming(" \t\u{FEFF}") }
    }
}

/// One dialect's header names (and aliases) normalised, with their column slots, and its repeating
/// groups' patterns: what binding a header row to the dialect looks up.
struct HeaderIndex: Sendable {
    var slots: [String: [(Int, Int)]] = [:]
    var total = 0
    var groupPatterns: [(Int, Int, String, String)] = []

    init(_ dialect: CSVDialect) {
        for (c, column) in dialect.columns.enumerated() {
            for (p, header) in column.headers.enumerated() {
                total += 1
                slots[normalizedHeader(header), default: []].append((c, p))
                for alias in column.aliases[p] { slots[normalizedHeader(alias), default: []].append((c, p)) }
            }
        }
        groupPatterns = dialect.groups.enumerated().flatMap { g, group in
            group.patterns.enumerated().compactMap { p, pattern -> (Int, Int, String, String)? in
                guard let r = pattern.range(of: "{n}") else { return nil }
                return (g, p, normalizedHeader(String(pattern[..<r.lowerBound]) + "\u{1}").dropLast().description,
                        normalizedHeader("\u{1}" + String(pattern[r.upperBound...])).dropFirst().description)
            }
        }
    }
}

/// The dialect a header row most likely is, with the evidence.
public struct DialectGuess: Sendable {
    public var binding: HeaderBinding
    public var dialect: CSVDialect { binding.dialect }
    /// The runner-up, for the evidence line.
    public var runnerUp: HeaderBinding?
    /// True when the dialect was named by the user.
    public var declared: Bool

    public var evidence: String {
        if declared { return "named with --csv-format" }
        var s = "\(binding.recognised) of \(binding.headers.filter { !$0.isEmpty }.count) headers recognised"
        if let r = runnerUp { s += "; next best \(r.dialect.id) with \(r.recognised)" }
        return s
    }
}

extension DialectCatalog {
    /// Scores every dialect (all locales) by the headers it recognises; ties go to a dialect in
    /// `preferredLocale`, then to the closer fit (fewer of its headers missing), then to table order.
    /// Nothing recognised → zimbra-csv (every header becomes an attribute, as Zimbra does).
    public func detect(headers: [String], preferredLocale: String? = nil) -> DialectGuess {
        let keys = HeaderKeys(headers)
        let bindings = dialects.indices.map { binding(headers: headers, keys: keys, dialect: $0) }
        let preferred = preferredLocale?.replacingOccurrences(of: "-", with: "_").lowercased()
        func localeRank(_ d: CSVDialect) -> Int {
            guard let preferred else { return 0 }
            let l = d.locale?.lowercased() ?? "en"
            if l == preferred { return 0 }
            return l.hasPrefix(preferred + "_") || preferred.hasPrefix(l + "_") ? 1 : 2
        }
        let ranked = bindings.sorted { a, b in
            if a.recognised != b.recognised { return a.recognised > b.recognised }
            let la = localeRank(a.dialect), lb = localeRank(b.dialect)
            if la != lb { return la < lb }
            if a.missing != b.missing { return a.missing < b.missing }
            return a.dialect.order < b.dialect.order
        }
        guard let best = ranked.first, best.recognised > 0 else {
            let zimbra = dialect(named: "zimbra-csv")!
            return DialectGuess(binding: binding(headers: headers, dialect: zimbra),
                                runnerUp: nil, declared: false)
        }
        let runnerUp = ranked.dropFirst().first { $0.dialect.name != best.dialect.name }
        return DialectGuess(binding: best, runnerUp: runnerUp, declared: false)
    }
}

extension DialectCatalog {
    /// Binds `headers` to `dialect` through the catalog's prebuilt index for it (the same result as
    /// `HeaderBinding(headers:dialect:knownFields:)`, without normalising the dialect's names again).
    public func binding(headers: [String], dialect: CSVDialect) -> HeaderBinding {
        if let i = indexPosition(of: dialect) {
            return binding(headers: headers, keys: HeaderKeys(headers), dialect: i)
        }
        return HeaderBinding(headers: headers, dialect: dialect, knownFields: knownFields)
    }

    private func indexPosition(of dialect: CSVDialect) -> Int? {
        let i = dialect.order
        guard i >= 0, i < dialects.count, i < headerIndexes.count, dialects[i].id == dialect.id,
              dialects[i].columns.count == dialect.columns.count else { return nil }
        return i
    }

    private func binding(headers: [String], keys: HeaderKeys, dialect i: Int) -> HeaderBinding {
        if i < headerIndexes.count {
            return HeaderBinding(headers: headers, keys: keys, dialect: dialects[i], index: headerIndexes[i], knownFields: knownFields)
        }
        return HeaderBinding(headers: headers, dialect: dialects[i], knownFields: knownFields)
    }
}

import FerryCore
import FerryText

/// Checks vCard files — 3.0 against RFC 2426, 4.0 against RFC 6350, 2.1 leniently — one card at a
/// time (streaming). The rules are `VCardRules` (the property table and the code list). Every
/// diagnostic has a stable code, a severity, the file, the physical line and a 1-based byte column.
/// One bad card is reported and the rest of the file is still checked.
public struct VCardValidator: Sendable {
    /// Per code, how many diagnostics are listed before the rest are only counted.
    public var maxPerCode = 50

    public init() {}

    /// Checks one input; returns the number of cards checked.
    public func validate(_ source: ByteSource, log: DiagnosticLog) throws -> Int {
        let ctx = VCardCheckContext(file: source.name, log: log, maxPerCode: maxPerCode)
        let reader = ContentLineReader(source: source, options: .init(quotedPrintableSoftBreaks: true))
        var card: [ContentLine]?
        var physical: [UnfoldedLine] = []
        var begin: ContentLine?
        var depth = 0
        var cards = 0
        while let line = try reader.next() {
            if card != nil { physical.append(line) } else { ctx.checkOutsideLine(line) }
            if line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let cl: ContentLine
            do {
                cl = try ContentLine(parsing: line)
            } catch {
                let (l, c) = line.location(ofByte: min(error.index, max(line.bytes.count - 1, 0)))
                ctx.report(.error, card == nil ? "vcf.outside-card" : "vcf.bad-line",
                           card == nil ? "a line outside BEGIN:VCARD … END:VCARD (\(error.message))" : error.message,
                           line: l, column: c)
                continue
            }
            let isBegin = cl.name == "BEGIN" && cl.valueString.trimmingSpaces.uppercased() == "VCARD"
            let isEnd = cl.name == "END" && cl.valueString.trimmingSpaces.uppercased() == "VCARD"
            guard var current = card else {
                if isBegin {
                    card = []
                    begin = cl
                    physical = [line]
                } else {
                    ctx.report(.warning, "vcf.outside-card", "\(cl.name) outside BEGIN:VCARD … END:VCARD", at: cl)
                }
                continue
            }
            if isBegin {
                let version = current.first { $0.name == "VERSION" }?.valueString.trimmingSpaces
                if version != "2.1" && depth == 0 {
                    ctx.report(.error, "vcf.nested-card", "BEGIN:VCARD inside a card (a 3.0/4.0 AGENT holds its card as an escaped value)", at: cl)
                }
                depth += 1
                continue
            }
            if isEnd {
                if depth > 0 { depth -= 1; continue }
                cards += 1
                ctx.check(card: current, begin: begin!, lines: physical)
                card = nil
                physical = []
                continue
            }
            if depth > 0 { continue }
            current.append(cl)
            card = current
        }
        if let current = card, let begin {
            ctx.report(.error, "vcf.unterminated", "the vCard begun here has no END:VCARD", at: begin)
            cards += 1
            ctx.check(card: current, begin: begin, lines: physical)
        }
        if cards == 0 {
            ctx.report(.error, "vcf.no-card", "no BEGIN:VCARD found: this is not a vCard file", line: 1, column: 1)
        }
        ctx.finish()
        return cards
    }
}

/// One file's validation state: the diagnostics sink, per-code counts, UIDs seen.
final class VCardCheckContext: CappedReporter {
    private var uids: [String: Int] = [:]
    private var reportedLineEnding = false

    func finish() {
        noteOmitted()
    }

    func checkOutsideLine(_ line: UnfoldedLine) {
        checkControlCharacters(line)
    }

    // MARK: physical lines

    private func checkControlCharacters(_ line: UnfoldedLine) {
        for (k, b) in line.bytes.enumerated() where (b < 0x20 && b != 0x09) || b == 0x7F {
            let (l, c) = line.location(ofByte: k)
            report(.error, "vcf.control-character", "control character 0x\(String(b, radix: 16, uppercase: true)) "
                   + "is not allowed in a content line", line: l, column: c)
            break
        }
    }

    private func checkPhysical(_ lines: [UnfoldedLine], version: String, explicitCharset: Bool) {
        let strict = version != "2.1"
        for line in lines {
            checkControlCharacters(line)
            if strict && !reportedLineEnding {
                for t in [line.terminator] + line.folds.map(\.terminator) where t == .lf || t == .cr {
                    reportedLineEnding = true
                    report(.warning, "vcf.line-ending", "lines end with \(t == .lf ? "LF" : "a lone CR") only; vCard "
                           + "\(version) requires CRLF", line: line.line, column: 1)
                    break
                }
            }
            if strict {
                var start = 0, physical = line.line, extra = 0
                for fold in line.folds + [Fold(offset: line.bytes.count, terminator: .none, kind: .space)] {
                    let length = fold.offset - start + extra
                    if length > 75 {
                        report(.warning, "vcf.line-too-long", "line is \(length) octets long; lines longer than 75 octets "
                               + "should be folded", line: physical, column: 76)
                    }
                    physical += 1
                    start = fold.offset
                    extra = fold.kind == .softBreak ? 0 : 1
                }
            }
            if strict && !explicitCharset && line.bytes.contains(where: { $0 >= 0x80 }) && !UTF8Validator.isValid(line.bytes) {
                var k = 0
                while k < line.bytes.count && line.bytes[k] < 0x80 { k += 1 }
                let (l, c) = line.location(ofByte: k)
                report(version == "4.0" ? .error : .warning, "vcf.invalid-utf8",
                       "bytes that are not UTF-8 (vCard \(version) text is UTF-8\(version == "3.0" ? " unless the file's charset says otherwise" : ""))",
                       line: l, column: c)
            }
        }
    }

    // MARK: cards

    func check(card: [ContentLine], begin: ContentLine, lines: [UnfoldedLine]) {
        let versionLine = card.first { $0.name == "VERSION" }
        var version = versionLine?.valueString.trimmingSpaces ?? "3.0"
        if let versionLine {
            if !["2.1", "3.0", "4.0"].contains(version) {
                report(.error, "vcf.bad-version", "VERSION must be 2.1, 3.0 or 4.0, found '\(version)'", at: versionLine,
                       byte: versionLine.valueStart)
                version = "3.0"
            } else if version == "4.0", card.first?.name != "VERSION" {
                report(.error, "vcf.version-not-first", "vCard 4.0 requires VERSION right after BEGIN:VCARD", at: versionLine)
            }
        } else {
            report(.error, "vcf.missing-version", "the card has no VERSION property", at: begin)
        }
        let column = version == "2.1" ? 0 : version == "3.0" ? 1 : 2
        checkPhysical(lines, version: version, explicitCharset: card.contains { $0.parameter("CHARSET") != nil })

        // Multiplicity.
        var counts: [String: [ContentLine]] = [:]
        for p in card { counts[p.name, default: []].append(p) }
        for (name, row) in VCardRules.rows {
            let count = counts[name]?.count ?? 0
            switch row.counts[column] {
            case "1", "+":
                if count == 0 {
                    let lenient = version == "2.1"
                    report(lenient ? .warning : .error, "vcf.missing-property",
                           "vCard \(version) requires \(name)\(lenient ? " (most 2.1 readers do without it)" : "")", at: begin)
                }
                if row.counts[column] == "1", count > 1, let second = counts[name]?[1] {
                    report(.error, "vcf.duplicate-property", "\(name) may occur only once in vCard \(version)", at: second)
                }
            case "?":
                if count > 1, let second = counts[name]?[1] {
                    report(.error, "vcf.duplicate-property", "\(name) may occur at most once in vCard \(version)", at: second)
                }
            default:
                break
            }
        }
        if version == "2.1", counts["N"] == nil {
            report(.warning, "vcf.missing-property", "vCard 2.1 requires N (most 2.1 readers do without it)", at: begin)
        }
        let kind = counts["KIND"]?.first?.valueString.trimmingSpaces.lowercased()

        for p in card {
            checkName(p, version: version, column: column)
            checkParameters(p, version: version)
            checkValue(p, version: version, kind: kind)
        }
    }

    private func checkName(_ p: ContentLine, version: String, column: Int) {
        if !p.hasStrictName {
            report(.warning, "vcf.bad-name", "property name '\(p.name)' has characters other than letters, digits and '-'", at: p)
        }
        if p.name.hasPrefix("X-") { return }
        if let row = VCardRules.rows[p.name], row.counts[column] != "-" { return }
        let elsewhere = VCardRules.rows[p.name].map { row in
            zip(["2.1", "3.0", "4.0"], row.counts).filter { $0.1 != "-" }.map(\.0)
        } ?? []
        report(.warning, "vcf.unknown-property", elsewhere.isEmpty
               ? "\(p.name) is not a vCard property (extensions start with X-); it is kept as is"
               : "\(p.name) is a vCard \(elsewhere.joined(separator: "/")) property, not \(version)", at: p)
    }

    private func checkParameters(_ p: ContentLine, version: String) {
        for param in p.parameters {
            if !param.hasValue {
                if version != "2.1" {
                    report(.warning, "vcf.bare-parameter", "bare parameter '\(param.name)' is vCard 2.1 syntax; vCard "
                           + "\(version) writes TYPE=\(param.name.lowercased())", at: p)
                }
                continue
            }
            if param.values.allSatisfy(\.isEmpty) && !param.quoted {
                report(.error, "vcf.bad-parameter", "parameter \(param.name) has no value", at: p)
                continue
            }
            let value = (param.value ?? "").uppercased()
            switch param.name {
            case "ENCODING":
                switch version {
                case "2.1":
                    if !["7BIT", "8BIT", "QUOTED-PRINTABLE", "BASE64", "B"].contains(value) {
                        report(.error, "vcf.bad-parameter", "ENCODING=\(param.value ?? "") is not a vCard 2.1 encoding "
                               + "(7BIT, 8BIT, QUOTED-PRINTABLE, BASE64)", at: p)
                    }
                case "3.0":
                    if value == "BASE64" {
                        report(.warning, "vcf.bad-parameter", "ENCODING=BASE64 is vCard 2.1; vCard 3.0 writes ENCODING=b", at: p)
                    } else if value != "B" {
                        report(.error, "vcf.bad-parameter", "vCard 3.0 allows only ENCODING=b, not \(param.value ?? "")", at: p)
                    }
                default:
                    report(.error, "vcf.bad-parameter", "vCard 4.0 has no ENCODING parameter (inline data is a data: URI)", at: p)
                }
            case "VALUE":
                let allowed: Set<String> = version == "2.1"
                    ? ["INLINE", "URL", "CONTENT-ID", "CID"]
                    : version == "3.0"
                    ? ["URI", "DATE", "DATE-TIME", "BINARY", "TEXT", "FLOAT", "UTC-OFFSET", "BOOLEAN", "INTEGER",
                       "PHONE-NUMBER", "TIME", "VCARD"]
                    : ["URI", "DATE", "DATE-TIME", "DATE-AND-OR-TIME", "TIMESTAMP", "TEXT", "FLOAT", "UTC-OFFSET",
                       "BOOLEAN", "INTEGER", "TIME", "LANGUAGE-TAG"]
                if !allowed.contains(value) && !value.hasPrefix("X-") {
                    report(.error, "vcf.bad-parameter", "VALUE=\(param.value ?? "") is not a vCard \(version) value type", at: p)
                }
            case "PREF" where version == "4.0":
                if Int(param.value ?? "").map({ !(1...100).contains($0) }) ?? true {
                    report(.error, "vcf.bad-parameter", "PREF must be an integer from 1 to 100, not '\(param.value ?? "")'", at: p)
                }
            case "CHARSET" where version != "2.1":
                report(.warning, "vcf.bad-parameter", "CHARSET is a vCard 2.1 parameter; vCard \(version) text is "
                       + (version == "4.0" ? "always UTF-8" : "in the file's charset"), at: p)
            default:
                break
            }
        }
    }

    // MARK: values

    private func valueIs(_ p: ContentLine, _ type: String) -> Bool {
        p.parameterValue("VALUE")?.uppercased() == type
    }

    private func checkValue(_ p: ContentLine, version: String, kind: String?) {
        let value = p.valueString.trimmingSpaces
        let encoding = (p.parameterValue("ENCODING") ?? p.parameters.first { !$0.hasValue
            && ["QUOTED-PRINTABLE", "BASE64"].contains($0.name) }?.name)?.uppercased()
        if encoding == "QUOTED-PRINTABLE", let bad = QuotedPrintable.decode(p.value).firstError {
            report(.error, "vcf.bad-quoted-printable", "broken quoted-printable escape", at: p, byte: p.valueStart + bad)
        }
        if p.name == "MEMBER", version == "4.0", kind != "group" {
            report(.error, "vcf.member-without-group", "MEMBER is only allowed when KIND is group", at: p)
        }
        guard let row = VCardRules.rows[p.name] else { return }
        let at = p.valueStart
        switch row.value {
        case "text", "name", "address":
            if version != "2.1", encoding == nil, !valueIs(p, "URI"), let bad = TextEscaping.firstInvalidEscape(p.value) {
                report(.warning, "vcf.bad-escape", "'\\\(String(decoding: p.value[(bad + 1)...].prefix(1), as: UTF8.self))' "
                       + "is not a TEXT escape (only \\\\, \\;, \\, and \\n)", at: p, byte: bad)
            }
            let expected = row.value == "name" ? 5 : row.value == "address" ? 7 : 0
            if expected > 0, version != "2.1", encoding == nil {
                let n = TextEscaping.split(p.value, separator: 0x3B).count
                if n != expected {
                    report(.warning, "vcf.bad-structure", "\(p.name) has \(n) components separated by ';', vCard \(version) "
                           + "defines \(expected)", at: p, byte: at)
                }
            }
        case "date":
            if valueIs(p, "TEXT") { return }
            switch VCardValues.checkDate(value, version: version) {
            case .valid: break
            case .extendedIn4:
                report(.warning, "vcf.date-format", "\(p.name) '\(value)': vCard 4.0 writes dates in ISO 8601's basic "
                       + "format (\(value.filter { $0 != "-" && $0 != ":" }))", at: p, byte: at)
            case .invalid(let why):
                report(.error, "vcf.bad-date", "\(p.name) '\(value)' is not a valid date\(why.isEmpty ? "" : ": " + why)", at: p, byte: at)
            }
        case "timestamp":
            if valueIs(p, "TEXT") { return }
            if case .invalid(let why) = VCardValues.checkTimestamp(value, version: version, dateAllowed: version != "4.0" || valueIs(p, "DATE")) {
                report(.error, "vcf.bad-timestamp", "\(p.name) '\(value)' is not a valid timestamp\(why.isEmpty ? "" : ": " + why)",
                       at: p, byte: at)
            }
        case "geo":
            if let why = VCardValues.checkGeo(value, version: version) {
                report(.error, "vcf.bad-geo", "GEO '\(value)': \(why)", at: p, byte: at)
            }
        case "tz":
            if valueIs(p, "TEXT") || valueIs(p, "URI") { return }
            if version == "4.0" && !valueIs(p, "UTC-OFFSET") { return }  // 4.0 TZ is text by default
            if !VCardValues.isUTCOffset(value) {
                report(.error, "vcf.bad-tz", "TZ '\(value)' is not a UTC offset such as -05:00 (use VALUE=text for a zone name)",
                       at: p, byte: at)
            }
        case "email":
            if encoding == "QUOTED-PRINTABLE" { return }
            if !value.contains("@") || value.contains(where: { $0 == " " || $0 == "\t" }) {
                report(.warning, "vcf.bad-email", "EMAIL '\(value)' does not look like an e-mail address", at: p, byte: at)
            }
        case "tel":
            if valueIs(p, "URI") && !value.contains(":") {
                report(.warning, "vcf.bad-tel", "TEL;VALUE=uri '\(value)' has no URI scheme (tel:…)", at: p, byte: at)
            } else if !value.contains(where: \.isNumber) {
                report(.warning, "vcf.bad-tel", "TEL '\(value)' has no digit", at: p, byte: at)
            }
        case "binary":
            if let why = VCardValues.checkBinary(p, value: value, encoding: encoding, version: version) {
                report(.error, "vcf.bad-binary", "\(p.name): \(why)", at: p, byte: at)
            }
        case "uid":
            if value.isEmpty {
                report(.warning, "vcf.bad-uid", "UID is empty", at: p, byte: at)
            } else if let first = uids[value] {
                report(.warning, "vcf.duplicate-uid", "UID '\(value)' was already used by the card at line \(first)", at: p, byte: at)
            } else {
                uids[value] = p.line.line
            }
        case "kind":
            if value.isEmpty || !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) {
                report(.error, "vcf.bad-kind", "KIND '\(value)' is not individual, group, org, location or an x-name", at: p, byte: at)
            }
        case "gender":
            let sex = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if !["", "M", "F", "O", "N", "U"].contains(sex.uppercased()) {
                report(.error, "vcf.bad-gender", "GENDER '\(value)': the sex component is M, F, O, N, U or empty", at: p, byte: at)
            }
        default:
            break
        }
    }
}

/// Value syntax of the typed vCard properties.
enum VCardValues {
    enum DateResult: Equatable { case valid, extendedIn4, invalid(String) }

    /// BDAY/ANNIVERSARY: 3.0 `date` or `date-time` (ISO 8601, basic or extended, plus the truncated
    /// `--MMDD` forms real producers write); 4.0 `date-and-or-time` (RFC 6350 §4.3.4, basic format).
    static func checkDate(_ s: String, version: String) -> DateResult {
        var datePart = Substring(s), timePart: Substring?
        if let t = s.firstIndex(of: "T") { datePart = s[..<t]; timePart = s[s.index(after: t)...] }
        if datePart.isEmpty {
            guard version == "4.0", let timePart else { return .invalid("empty") }
            return checkTime(timePart).map { .invalid($0) } ?? .valid
        }
        var extended = false
        guard let (y, m, d) = parseDate(datePart, extended: &extended) else {
            return .invalid("expected yyyy-mm-dd or yyyymmdd")
        }
        if let why = checkCalendar(y, m, d) { return .invalid(why) }
        if let timePart, let why = checkTime(timePart) { return .invalid(why) }
        if version == "4.0" && (extended || timePart?.contains(":") == true) { return .extendedIn4 }
        if version != "4.0" && (y == nil || d == nil) && !datePart.hasPrefix("--") { return .invalid("vCard \(version) dates are complete") }
        return .valid
    }

    /// REV: a date-time (or date where allowed), complete.
    static func checkTimestamp(_ s: String, version: String, dateAllowed: Bool) -> DateResult {
        var datePart = Substring(s), timePart: Substring?
        if let t = s.firstIndex(of: "T") { datePart = s[..<t]; timePart = s[s.index(after: t)...] }
        var extended = false
        guard let (y, m, d) = parseDate(datePart, extended: &extended), y != nil, m != nil, d != nil else {
            return .invalid("expected a complete date and time such as 20240301T120000Z")
        }
        if let why = checkCalendar(y, m, d) { return .invalid(why) }
        guard let timePart else { return dateAllowed ? .valid : .invalid("a 4.0 timestamp has a time") }
        if let why = checkTime(timePart) { return .invalid(why) }
        if version == "4.0" && (extended || timePart.contains(":")) { return .invalid("vCard 4.0 timestamps use the basic format") }
        return .valid
    }

    /// (year, month, day), each nil when truncated: `yyyy-mm-dd`, `yyyymmdd`, `yyyy`, `yyyy-mm`,
    /// `--mmdd`, `--mm-dd`, `--mm`, `---dd`.
    static func parseDate(_ s: Substring, extended: inout Bool) -> (Int?, Int?, Int?)? {
        let a = Array(s.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= a.count, r.allSatisfy({ a[$0] >= 0x30 && a[$0] <= 0x39 }) else { return nil }
            return r.reduce(0) { $0 * 10 + Int(a[$1] - 0x30) }
        }
        let dash = UInt8(ascii: "-")
        if a.starts(with: [dash, dash, dash]) {
            guard a.count == 5, let d = num(3..<5) else { return nil }
            return (nil, nil, d)
        }
        if a.starts(with: [dash, dash]) {
            if a.count == 4, let m = num(2..<4) { return (nil, m, nil) }
            if a.count == 6, let m = num(2..<4), let d = num(4..<6) { return (nil, m, d) }
            if a.count == 7, a[4] == dash, let m = num(2..<4), let d = num(5..<7) { extended = true; return (nil, m, d) }
            return nil
        }
        switch a.count {
        case 4: return num(0..<4).map { ($0, nil, nil) }
        case 7: guard a[4] == dash, let y = num(0..<4), let m = num(5..<7) else { return nil }; return (y, m, nil)
        case 8: guard let y = num(0..<4), let m = num(4..<6), let d = num(6..<8) else { return nil }; return (y, m, d)
        case 10:
            guard a[4] == dash, a[7] == dash, let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
            extended = true
            return (y, m, d)
        default: return nil
        }
    }

    static func checkCalendar(_ y: Int?, _ m: Int?, _ d: Int?) -> String? {
        if let m, !(1...12).contains(m) { return "month \(m) does not exist" }
        guard let d else { return nil }
        let leap = y.map { ($0 % 4 == 0 && $0 % 100 != 0) || $0 % 400 == 0 } ?? true
        let days = m.map { [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][$0 - 1] } ?? 31
        return (1...days).contains(d) ? nil : "day \(d) does not exist\(m.map { " in month \($0)" } ?? "")"
    }

    /// `hh[mm[ss]]` or `hh:mm[:ss]`, optional fraction, then `Z` or `±hh[[:]mm]`.
    static func checkTime(_ t: Substring) -> String? {
        var body = t, zone: Substring = ""
        if let z = t.firstIndex(where: { $0 == "Z" || $0 == "z" || $0 == "+" || $0 == "-" }), z != t.startIndex {
            body = t[..<z]; zone = t[z...]
        }
        if let dot = body.firstIndex(where: { $0 == "." || $0 == "," }) {
            guard body[body.index(after: dot)...].allSatisfy(\.isNumber) else { return "bad fraction of a second" }
            body = body[..<dot]
        }
        let digits = body.filter { $0 != ":" }
        guard digits.allSatisfy(\.isNumber), [2, 4, 6].contains(digits.count) else { return "expected hhmmss" }
        let n = Array(digits).map { Int(String($0))! }
        if n[0] * 10 + n[1] > 23 { return "hour out of range" }
        if n.count > 2, n[2] * 10 + n[3] > 59 { return "minute out of range" }
        if n.count > 4, n[4] * 10 + n[5] > 60 { return "second out of range" }
        if !zone.isEmpty && zone.uppercased() != "Z" && !isUTCOffset(String(zone)) { return "bad zone '\(zone)'" }
        return nil
    }

    /// `+hh`, `+hhmm`, `+hh:mm` (or `-`), hours up to 14, minutes up to 59.
    static func isUTCOffset(_ s: String) -> Bool {
        guard let sign = s.first, sign == "+" || sign == "-" else { return false }
        let rest = s.dropFirst().filter { $0 != ":" }
        guard rest.allSatisfy(\.isNumber), rest.count == 2 || rest.count == 4 else { return false }
        if s.dropFirst().contains(":") && !(s.count == 6 && Array(s)[3] == ":") { return false }
        let n = Array(rest).map { Int(String($0))! }
        return n[0] * 10 + n[1] <= 14 && (n.count == 2 || n[2] * 10 + n[3] <= 59)
    }

    /// 3.0 `lat;lon`; 4.0 `geo:lat,lon[,alt][;params]` (RFC 5870), in range.
    static func checkGeo(_ s: String, version: String) -> String? {
        var coordinates: [Substring]
        if s.lowercased().hasPrefix("geo:") {
            let body = s.dropFirst(4).split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            coordinates = body.split(separator: ",", omittingEmptySubsequences: false)
            guard coordinates.count == 2 || coordinates.count == 3 else { return "a geo: URI holds latitude,longitude" }
        } else {
            if version == "4.0" { return "vCard 4.0 GEO is a geo: URI (geo:48.2,16.4)" }
            coordinates = s.split(separator: ";", omittingEmptySubsequences: false)
            guard coordinates.count == 2 else { return "expected latitude;longitude" }
        }
        guard let lat = Double(coordinates[0]), let lon = Double(coordinates[1]),
              coordinates.allSatisfy({ Double($0) != nil }) else { return "coordinates are not numbers" }
        if !(-90...90).contains(lat) { return "latitude \(lat) is outside -90…90" }
        if !(-180...180).contains(lon) { return "longitude \(lon) is outside -180…180" }
        return nil
    }

    /// PHOTO, LOGO, SOUND, KEY: inline base64 that decodes, or a URI.
    static func checkBinary(_ p: ContentLine, value: String, encoding: String?, version: String) -> String? {
        let isURIValue = p.parameterValue("VALUE").map { ["URI", "URL"].contains($0.uppercased()) } ?? false
        if encoding == "B" || encoding == "BASE64" {
            if isURIValue { return "ENCODING=b data cannot also be VALUE=uri" }
            return Base64.decode(value.filter { !$0.isWhitespace }) == nil ? "the base64 data does not decode" : nil
        }
        if value.lowercased().hasPrefix("data:") {
            guard let comma = value.firstIndex(of: ",") else { return "a data: URI needs a ','" }
            let head = value[..<comma].lowercased()
            if head.hasSuffix(";base64"), Base64.decode(String(value[value.index(after: comma)...])) == nil {
                return "the data: URI's base64 does not decode"
            }
            return nil
        }
        if isURIValue || value.contains(":") { return nil }
        if version == "2.1" && value.isEmpty { return nil }
        return version == "4.0" ? "the value must be a URI (inline data as data:…;base64,…)"
            : "neither ENCODING=b data nor VALUE=uri"
    }
}

import FerryCore

/// The rules `ferry validate` applies to vCards: the property table (multiplicity per version and the
/// value syntax checked) and every diagnostic code with its severity and source. vCard 3.0 follows
/// RFC 2426 (with RFC 2739's FBURL/CALURI and RFC 4770's IMPP), 4.0 RFC 6350; 2.1 (the versit
/// specification) is checked leniently — structure, encodings and values, nothing that real 2.1
/// producers commonly omit.
public enum VCardRules {
    /// Counts: `1` exactly once · `?` at most once · `*` any number · `+` at least once · `-` not a
    /// property of that version (reported as unknown). `value` names the syntax check.
    static let table = """
    # property      2.1  3.0  4.0  value
    VERSION         1    1    1    version
    FN              *    +    +    text
    N               ?    1    ?    name
    NICKNAME        -    *    *    text
    PHOTO           *    *    *    binary
    BDAY            ?    ?    ?    date
    ANNIVERSARY     -    -    ?    date
    GENDER          -    -    ?    gender
    ADR             *    *    *    address
    LABEL           *    *    -    text
    TEL             *    *    *    tel
    EMAIL           *    *    *    email
    MAILER          ?    *    -    text
    IMPP            -    *    *    -
    LANG            -    -    *    -
    TZ              ?    ?    *    tz
    GEO             ?    ?    *    geo
    TITLE           *    *    *    text
    ROLE            *    *    *    text
    LOGO            *    *    *    binary
    AGENT           *    *    -    -
    ORG             *    *    *    text
    MEMBER          -    -    *    -
    RELATED         -    -    *    -
    CATEGORIES      -    *    *    text
    NOTE            *    *    *    text
    PRODID          -    ?    ?    text
    REV             ?    ?    ?    timestamp
    SORT-STRING     -    ?    -    text
    SOUND           *    *    *    binary
    UID             ?    ?    ?    uid
    URL             *    *    *    -
    CLASS           -    ?    -    text
    KEY             *    *    *    binary
    NAME            -    ?    -    text
    PROFILE         -    ?    -    text
    SOURCE          -    *    *    -
    KIND            -    -    ?    kind
    XML             -    -    *    -
    FBURL           -    *    *    -
    CALADRURI       -    *    *    -
    CALURI          -    *    *    -
    CLIENTPIDMAP    -    -    *    -
    """

    struct Row: Sendable {
        /// Counts for 2.1, 3.0, 4.0.
        let counts: [String]
        let value: String
    }

    static let rows: [String: Row] = {
        var out: [String: Row] = [:]
        for line in table.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard f.count == 5 else { continue }
            out[f[0]] = Row(counts: Array(f[1...3]), value: f[4])
        }
        return out
    }()

    /// One diagnostic code: what it means, how bad, and where the rule comes from.
    public struct Rule: Sendable {
        public let code: String
        public let severity: Severity
        public let source: String
        public let summary: String
    }

    /// Every code the validator emits. (A few are errors in one version and warnings in another; the
    /// severity here is the strictest.)
    public static let rules: [Rule] = [
        Rule(code: "vcf.no-card", severity: .error, source: "RFC 6350 §3.3", summary: "the file holds no BEGIN:VCARD"),
        Rule(code: "vcf.outside-card", severity: .warning, source: "RFC 6350 §3.3", summary: "a line outside BEGIN:VCARD … END:VCARD"),
        Rule(code: "vcf.bad-line", severity: .error, source: "RFC 2425 §5.8.1 / RFC 6350 §3.3", summary: "a content line that does not parse (no colon, unterminated quote, …)"),
        Rule(code: "vcf.unterminated", severity: .error, source: "RFC 6350 §3.3", summary: "BEGIN:VCARD without END:VCARD"),
        Rule(code: "vcf.nested-card", severity: .error, source: "RFC 2426 §3.5.4", summary: "BEGIN:VCARD inside a 3.0/4.0 card (only 2.1 nests AGENT cards)"),
        Rule(code: "vcf.missing-version", severity: .error, source: "RFC 2426 §3.6.9 / RFC 6350 §6.7.9", summary: "a card without VERSION"),
        Rule(code: "vcf.bad-version", severity: .error, source: "RFC 6350 §6.7.9", summary: "VERSION other than 2.1, 3.0 or 4.0"),
        Rule(code: "vcf.version-not-first", severity: .error, source: "RFC 6350 §6.7.9", summary: "4.0: VERSION must come right after BEGIN:VCARD"),
        Rule(code: "vcf.missing-property", severity: .error, source: "RFC 2426 §5 / RFC 6350 §6.2.1", summary: "a required property is missing (FN; N in 3.0 and 2.1)"),
        Rule(code: "vcf.duplicate-property", severity: .error, source: "RFC 6350 §6 cardinalities", summary: "an at-most-once property occurs again"),
        Rule(code: "vcf.unknown-property", severity: .warning, source: "RFC 2426 §3 / RFC 6350 §6", summary: "a property that is neither defined for the version nor X-"),
        Rule(code: "vcf.bad-name", severity: .warning, source: "RFC 6350 §3.3", summary: "a property name with characters other than letters, digits and '-'"),
        Rule(code: "vcf.bare-parameter", severity: .warning, source: "RFC 2426 §4", summary: "a 2.1-style bare parameter (TEL;HOME:) in a 3.0/4.0 card"),
        Rule(code: "vcf.bad-parameter", severity: .error, source: "RFC 2426 §4 / RFC 6350 §5", summary: "a parameter value the version does not allow (ENCODING, VALUE, PREF, CHARSET, empty)"),
        Rule(code: "vcf.bad-date", severity: .error, source: "RFC 2426 §3.1.5 / RFC 6350 §4.3", summary: "BDAY/ANNIVERSARY is not a valid date or date-time"),
        Rule(code: "vcf.date-format", severity: .warning, source: "RFC 6350 §4.3", summary: "4.0 dates use ISO 8601's basic format (19850412), not 1985-04-12"),
        Rule(code: "vcf.bad-timestamp", severity: .error, source: "RFC 2426 §3.6.4 / RFC 6350 §6.7.4", summary: "REV is not a valid timestamp"),
        Rule(code: "vcf.bad-geo", severity: .error, source: "RFC 2426 §3.4.2 / RFC 6350 §6.5.2", summary: "GEO is not latitude;longitude (3.0) or a geo: URI (4.0) in range"),
        Rule(code: "vcf.bad-tz", severity: .error, source: "RFC 2426 §3.4.1 / RFC 6350 §6.5.1", summary: "TZ is not a UTC offset (unless VALUE=text/uri)"),
        Rule(code: "vcf.bad-email", severity: .warning, source: "RFC 6350 §6.4.2", summary: "EMAIL without '@' or with spaces"),
        Rule(code: "vcf.bad-tel", severity: .warning, source: "RFC 6350 §6.4.1", summary: "TEL without a digit, or a VALUE=uri TEL without a scheme"),
        Rule(code: "vcf.bad-binary", severity: .error, source: "RFC 2426 §3.1.4 / RFC 6350 §6.2.4", summary: "PHOTO/LOGO/SOUND/KEY: bad base64, or neither inline data nor a URI"),
        Rule(code: "vcf.bad-quoted-printable", severity: .error, source: "vCard 2.1 §2.1.3", summary: "a broken quoted-printable escape"),
        Rule(code: "vcf.bad-uid", severity: .warning, source: "RFC 6350 §6.7.6", summary: "an empty UID"),
        Rule(code: "vcf.duplicate-uid", severity: .warning, source: "RFC 6350 §6.7.6", summary: "two cards of the file share a UID"),
        Rule(code: "vcf.bad-kind", severity: .error, source: "RFC 6350 §6.1.4", summary: "KIND is not a token (individual, group, org, location, x-name)"),
        Rule(code: "vcf.bad-gender", severity: .error, source: "RFC 6350 §6.2.7", summary: "GENDER's sex is not M, F, O, N, U or empty"),
        Rule(code: "vcf.bad-structure", severity: .warning, source: "RFC 2426 §3.1.2, §3.2.1 / RFC 6350 §6.2.2, §6.3.1", summary: "N must have 5 components, ADR 7"),
        Rule(code: "vcf.bad-escape", severity: .warning, source: "RFC 2426 §4 / RFC 6350 §3.4", summary: "a backslash escape TEXT does not define (only \\\\ \\; \\, \\n)"),
        Rule(code: "vcf.member-without-group", severity: .error, source: "RFC 6350 §6.6.5", summary: "MEMBER in a card whose KIND is not group"),
        Rule(code: "vcf.line-ending", severity: .warning, source: "RFC 2425 §5.8.1 / RFC 6350 §3.2", summary: "lines end with LF or CR only, not CRLF"),
        Rule(code: "vcf.line-too-long", severity: .warning, source: "RFC 2425 §5.8.1 / RFC 6350 §3.2", summary: "a physical line longer than 75 octets (fold it)"),
        Rule(code: "vcf.invalid-utf8", severity: .error, source: "RFC 6350 §3.1", summary: "bytes that are not UTF-8 (an error in 4.0, a warning in 3.0)"),
        Rule(code: "vcf.control-character", severity: .error, source: "RFC 6350 §3.3", summary: "a control character in a content line"),
    ]
}

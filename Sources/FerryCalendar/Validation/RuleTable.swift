/// The property multiplicity table of RFC 5545 §3.6–3.8 (and the RFC 2445 differences), in the spirit of
/// libical's restriction table: one row per component and property. Read by `CalendarValidator`.
///
/// Counts: `1` exactly once · `1m` exactly once unless the calendar has a METHOD (RFC 5545 §3.6.1) ·
/// `?` at most once · `*` any number · `+` at least once. The last column is the RFC 2445 count where it
/// differs (`-` = same), used for `.ifb` files and the 2445-compatible profile.
enum RuleTable {
    static let text = """
    # component   property          5545  2445
    VCALENDAR     PRODID            1     -
    VCALENDAR     VERSION           1     -
    VCALENDAR     CALSCALE          ?     -
    VCALENDAR     METHOD            ?     -
    VCALENDAR     NAME              *     -
    VCALENDAR     DESCRIPTION       *     -
    VCALENDAR     UID               ?     -
    VCALENDAR     LAST-MODIFIED     ?     -
    VCALENDAR     URL               ?     -
    VCALENDAR     REFRESH-INTERVAL  ?     -
    VCALENDAR     SOURCE            ?     -
    VCALENDAR     COLOR             ?     -
    VCALENDAR     IMAGE             *     -
    VCALENDAR     CATEGORIES        *     -
    VEVENT        DTSTAMP           1     ?
    VEVENT        UID               1     ?
    VEVENT        DTSTART           1m    ?
    VEVENT        CLASS             ?     -
    VEVENT        CREATED           ?     -
    VEVENT        DESCRIPTION       ?     -
    VEVENT        GEO               ?     -
    VEVENT        LAST-MODIFIED     ?     -
    VEVENT        LOCATION          ?     -
    VEVENT        ORGANIZER         ?     -
    VEVENT        PRIORITY          ?     -
    VEVENT        SEQUENCE          ?     -
    VEVENT        STATUS            ?     -
    VEVENT        SUMMARY           ?     -
    VEVENT        TRANSP            ?     -
    VEVENT        URL               ?     -
    VEVENT        RECURRENCE-ID     ?     -
    VEVENT        RRULE             ?     *
    VEVENT        DTEND             ?     -
    VEVENT        DURATION          ?     -
    VEVENT        ATTACH            *     -
    VEVENT        ATTENDEE          *     -
    VEVENT        CATEGORIES        *     -
    VEVENT        COMMENT           *     -
    VEVENT        CONTACT           *     -
    VEVENT        EXDATE            *     -
    VEVENT        EXRULE            *     -
    VEVENT        REQUEST-STATUS    *     -
    VEVENT        RELATED-TO        *     -
    VEVENT        RESOURCES         *     -
    VEVENT        RDATE             *     -
    VEVENT        COLOR             ?     -
    VEVENT        IMAGE             *     -
    VEVENT        CONFERENCE        *     -
    VTODO         DTSTAMP           1     ?
    VTODO         UID               1     ?
    VTODO         CLASS             ?     -
    VTODO         COMPLETED         ?     -
    VTODO         CREATED           ?     -
    VTODO         DESCRIPTION       ?     -
    VTODO         DTSTART           ?     -
    VTODO         GEO               ?     -
    VTODO         LAST-MODIFIED     ?     -
    VTODO         LOCATION          ?     -
    VTODO         ORGANIZER         ?     -
    VTODO         PERCENT-COMPLETE  ?     -
    VTODO         PRIORITY          ?     -
    VTODO         RECURRENCE-ID     ?     -
    VTODO         SEQUENCE          ?     -
    VTODO         STATUS            ?     -
    VTODO         SUMMARY           ?     -
    VTODO         URL               ?     -
    VTODO         RRULE             ?     *
    VTODO         DUE               ?     -
    VTODO         DURATION          ?     -
    VTODO         ATTACH            *     -
    VTODO         ATTENDEE          *     -
    VTODO         CATEGORIES        *     -
    VTODO         COMMENT           *     -
    VTODO         CONTACT           *     -
    VTODO         EXDATE            *     -
    VTODO         EXRULE            *     -
    VTODO         REQUEST-STATUS    *     -
    VTODO         RELATED-TO        *     -
    VTODO         RESOURCES         *     -
    VTODO         RDATE             *     -
    VTODO         COLOR             ?     -
    VTODO         IMAGE             *     -
    VTODO         CONFERENCE        *     -
    VJOURNAL      DTSTAMP           1     ?
    VJOURNAL      UID               1     ?
    VJOURNAL      CLASS             ?     -
    VJOURNAL      CREATED           ?     -
    VJOURNAL      DTSTART           ?     -
    VJOURNAL      LAST-MODIFIED     ?     -
    VJOURNAL      ORGANIZER         ?     -
    VJOURNAL      RECURRENCE-ID     ?     -
    VJOURNAL      SEQUENCE          ?     -
    VJOURNAL      STATUS            ?     -
    VJOURNAL      SUMMARY           ?     -
    VJOURNAL      URL               ?     -
    VJOURNAL      RRULE             ?     *
    VJOURNAL      ATTACH            *     -
    VJOURNAL      ATTENDEE          *     -
    VJOURNAL      CATEGORIES        *     -
    VJOURNAL      COMMENT           *     -
    VJOURNAL      CONTACT           *     -
    VJOURNAL      DESCRIPTION       *     -
    VJOURNAL      EXDATE            *     -
    VJOURNAL      EXRULE            *     -
    VJOURNAL      RELATED-TO        *     -
    VJOURNAL      RDATE             *     -
    VJOURNAL      REQUEST-STATUS    *     -
    VJOURNAL      COLOR             ?     -
    VJOURNAL      IMAGE             *     -
    VFREEBUSY     DTSTAMP           1     ?
    VFREEBUSY     UID               1     ?
    VFREEBUSY     CONTACT           ?     -
    VFREEBUSY     DTSTART           ?     -
    VFREEBUSY     DTEND             ?     -
    VFREEBUSY     DURATION          0     ?
    VFREEBUSY     ORGANIZER         ?     -
    VFREEBUSY     URL               ?     -
    VFREEBUSY     ATTENDEE          *     -
    VFREEBUSY     COMMENT           *     -
    VFREEBUSY     FREEBUSY          *     -
    VFREEBUSY     REQUEST-STATUS    *     -
    VTIMEZONE     TZID              1     -
    VTIMEZONE     LAST-MODIFIED     ?     -
    VTIMEZONE     TZURL             ?     -
    STANDARD      DTSTART           1     -
    STANDARD      TZOFFSETTO        1     -
    STANDARD      TZOFFSETFROM      1     -
    STANDARD      RRULE             ?     *
    STANDARD      COMMENT           *     -
    STANDARD      RDATE             *     -
    STANDARD      TZNAME            *     -
    DAYLIGHT      DTSTART           1     -
    DAYLIGHT      TZOFFSETTO        1     -
    DAYLIGHT      TZOFFSETFROM      1     -
    DAYLIGHT      RRULE             ?     *
    DAYLIGHT      COMMENT           *     -
    DAYLIGHT      RDATE             *     -
    DAYLIGHT      TZNAME            *     -
    VALARM        ACTION            1     -
    VALARM        TRIGGER           1     -
    VALARM        DURATION          ?     -
    VALARM        REPEAT            ?     -
    VALARM        DESCRIPTION       ?     -
    VALARM        SUMMARY           ?     -
    VALARM        ATTACH            *     -
    VALARM        ATTENDEE          *     -
    VALARM        UID               ?     -
    VALARM        RELATED-TO        *     -
    VALARM        ACKNOWLEDGED      ?     -
    """

    enum Count: String, Sendable {
        case one = "1", oneUnlessMethod = "1m", atMostOne = "?", any = "*", atLeastOne = "+", none = "0"
    }

    struct Row: Sendable {
        let count5545: Count
        let count2445: Count
    }

    /// component → property → counts.
    static let rows: [String: [String: Row]] = {
        var result: [String: [String: Row]] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 4, !fields[0].hasPrefix("#") else { continue }
            let c5545 = Count(rawValue: String(fields[2]))!
            let c2445 = fields[3] == "-" ? c5545 : Count(rawValue: String(fields[3]))!
            result[String(fields[0]), default: [:]][String(fields[1])] = Row(count5545: c5545, count2445: c2445)
        }
        return result
    }()

    /// Every property name the table knows (a known property in the wrong component is an error; an
    /// unknown IANA name is only a warning).
    static let knownProperties: Set<String> = {
        var names = Set<String>()
        for (_, props) in rows { names.formUnion(props.keys) }
        return names
    }()

    /// Sub-components each component may hold (X- and unknown IANA components are reported separately).
    static let children: [String: Set<String>] = [
        "VCALENDAR": ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"],
        "VEVENT": ["VALARM", "PARTICIPANT", "VLOCATION", "VRESOURCE"],
        "VTODO": ["VALARM", "PARTICIPANT", "VLOCATION", "VRESOURCE"],
        "VJOURNAL": ["PARTICIPANT", "VLOCATION", "VRESOURCE"],
        "VFREEBUSY": ["PARTICIPANT", "VLOCATION", "VRESOURCE"],
        "VTIMEZONE": ["STANDARD", "DAYLIGHT"],
        "STANDARD": [], "DAYLIGHT": [], "VALARM": [],
    ]

    static let knownComponents: Set<String> = Set(children.keys).union(children.values.flatMap { $0 })
}

/// Value types (RFC 5545 §3.3) of the typed properties: the default and the other types VALUE= may name.
enum ValueTypeTable {
    enum ValueType: String, Sendable {
        case text = "TEXT", date = "DATE", dateTime = "DATE-TIME", duration = "DURATION", period = "PERIOD"
        case recur = "RECUR", utcOffset = "UTC-OFFSET", integer = "INTEGER", float = "FLOAT", boolean = "BOOLEAN"
        case calAddress = "CAL-ADDRESS", uri = "URI", binary = "BINARY", time = "TIME", geo = "GEO"
    }

    struct Entry: Sendable {
        let defaultType: ValueType
        let allowed: Set<ValueType>
        /// Several values separated by commas.
        let list: Bool
        /// DATE-TIME values must be in UTC.
        let utcOnly: Bool
    }

    static let entries: [String: Entry] = {
        func e(_ d: ValueType, _ others: [ValueType] = [], list: Bool = false, utc: Bool = false) -> Entry {
            Entry(defaultType: d, allowed: Set([d] + others), list: list, utcOnly: utc)
        }
        return [
            "DTSTART": e(.dateTime, [.date]), "DTEND": e(.dateTime, [.date]), "DUE": e(.dateTime, [.date]),
            "RECURRENCE-ID": e(.dateTime, [.date]),
            "EXDATE": e(.dateTime, [.date], list: true), "RDATE": e(.dateTime, [.date, .period], list: true),
            "DTSTAMP": e(.dateTime, utc: true), "CREATED": e(.dateTime, utc: true),
            "LAST-MODIFIED": e(.dateTime, utc: true), "COMPLETED": e(.dateTime, utc: true),
            "ACKNOWLEDGED": e(.dateTime, utc: true),
            "DURATION": e(.duration), "TRIGGER": e(.duration, [.dateTime]),
            "FREEBUSY": e(.period, list: true, utc: true),
            "TZOFFSETFROM": e(.utcOffset), "TZOFFSETTO": e(.utcOffset),
            "RRULE": e(.recur), "EXRULE": e(.recur),
            "SEQUENCE": e(.integer), "PRIORITY": e(.integer), "PERCENT-COMPLETE": e(.integer), "REPEAT": e(.integer),
            "GEO": e(.geo),
            "ORGANIZER": e(.calAddress), "ATTENDEE": e(.calAddress),
            "URL": e(.uri), "TZURL": e(.uri), "ATTACH": e(.uri, [.binary]), "IMAGE": e(.uri, [.binary]),
            "SOURCE": e(.uri), "CONFERENCE": e(.uri),
            "REFRESH-INTERVAL": e(.duration),
        ]
    }()

    /// Enumerated TEXT values (other values are errors unless they are x-names).
    static let enumerations: [String: [String: Set<String>]] = [
        "STATUS": ["VEVENT": ["TENTATIVE", "CONFIRMED", "CANCELLED"],
                   "VTODO": ["NEEDS-ACTION", "COMPLETED", "IN-PROCESS", "CANCELLED"],
                   "VJOURNAL": ["DRAFT", "FINAL", "CANCELLED"]],
        "TRANSP": ["*": ["OPAQUE", "TRANSPARENT"]],
        "CLASS": ["*": ["PUBLIC", "PRIVATE", "CONFIDENTIAL"]],
        "ACTION": ["*": ["AUDIO", "DISPLAY", "EMAIL", "PROCEDURE"]],
        "CALSCALE": ["*": ["GREGORIAN"]],
    ]
}

import FerryCore

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

/// The iTIP restriction tables of RFC 5546 §3.2–3.5: what each METHOD requires of, and forbids in, the
/// components of a scheduling message. Applied on top of `RuleTable` (RFC 5545) when the VCALENDAR has
/// a METHOD. Only what RFC 5546 tightens is listed; everything else keeps its RFC 5545 count.
///
/// Counts: `1` exactly once · `1+` at least once · `?` at most once · `0` must not occur. `VALARM 0`
/// forbids the sub-component. A `STATUS=` row lists the statuses the method allows. A component a
/// method has no table for (a VJOURNAL in a REPLY) is not allowed in that message.
///
/// `PUBLISH` is the METHOD every calendar export carries (Google, Outlook, Zimbra), mostly without
/// being an iTIP message: its rows are warnings; the other methods' rows are errors.
enum MethodTable {
    static let text = """
    # method          component  RFC 5546  rules
    PUBLISH           VEVENT     3.2.1     DTSTAMP 1, DTSTART 1, ORGANIZER 1, SUMMARY 1, UID 1, RECURRENCE-ID ?, SEQUENCE ?, ATTENDEE 0, REQUEST-STATUS 0, STATUS=TENTATIVE|CONFIRMED|CANCELLED
    REQUEST           VEVENT     3.2.2     ATTENDEE 1+, DTSTAMP 1, DTSTART 1, ORGANIZER 1, SUMMARY 1, UID 1, SEQUENCE ?, STATUS=TENTATIVE|CONFIRMED
    REPLY             VEVENT     3.2.3     ATTENDEE 1, DTSTAMP 1, ORGANIZER 1, UID 1, RECURRENCE-ID ?, SEQUENCE ?, VALARM 0
    ADD               VEVENT     3.2.4     DTSTAMP 1, DTSTART 1, ORGANIZER 1, SEQUENCE 1, SUMMARY 1, UID 1, RECURRENCE-ID 0, REQUEST-STATUS 0, STATUS=TENTATIVE|CONFIRMED
    CANCEL            VEVENT     3.2.5     DTSTAMP 1, ORGANIZER 1, SEQUENCE 1, UID 1, RECURRENCE-ID ?, REQUEST-STATUS 0, VALARM 0, STATUS=CANCELLED
    REFRESH           VEVENT     3.2.6     ATTENDEE 1, DTSTAMP 1, ORGANIZER 1, UID 1, RECURRENCE-ID ?, ATTACH 0, CATEGORIES 0, CLASS 0, CONTACT 0, CREATED 0, DESCRIPTION 0, DTEND 0, DTSTART 0, DURATION 0, EXDATE 0, EXRULE 0, GEO 0, LAST-MODIFIED 0, LOCATION 0, PRIORITY 0, RDATE 0, RELATED-TO 0, REQUEST-STATUS 0, RESOURCES 0, RRULE 0, SEQUENCE 0, STATUS 0, SUMMARY 0, TRANSP 0, URL 0, VALARM 0
    COUNTER           VEVENT     3.2.7     DTSTAMP 1, DTSTART 1, ORGANIZER 1, SEQUENCE 1, SUMMARY 1, UID 1, RECURRENCE-ID ?, STATUS=TENTATIVE|CONFIRMED|CANCELLED
    DECLINECOUNTER    VEVENT     3.2.8     DTSTAMP 1, ORGANIZER 1, UID 1, RECURRENCE-ID ?, ATTACH 0, ATTENDEE 0, CATEGORIES 0, CLASS 0, CONTACT 0, CREATED 0, DESCRIPTION 0, DTSTART 0, EXDATE 0, EXRULE 0, GEO 0, LAST-MODIFIED 0, LOCATION 0, PRIORITY 0, RDATE 0, RELATED-TO 0, RESOURCES 0, RRULE 0, STATUS 0, SUMMARY 0, TRANSP 0, URL 0, VALARM 0
    PUBLISH           VFREEBUSY  3.3.1     DTSTAMP 1, DTSTART 1, DTEND 1, ORGANIZER 1, UID 1, ATTENDEE 0, DURATION 0, REQUEST-STATUS 0
    REQUEST           VFREEBUSY  3.3.2     ATTENDEE 1+, DTEND 1, DTSTAMP 1, DTSTART 1, ORGANIZER 1, UID 1, DURATION 0, FREEBUSY 0, REQUEST-STATUS 0, URL 0
    REPLY             VFREEBUSY  3.3.3     ATTENDEE 1, DTSTAMP 1, DTEND 1, DTSTART 1, ORGANIZER 1, UID 1, DURATION 0, SEQUENCE 0
    PUBLISH           VTODO      3.4.1     DTSTAMP 1, DTSTART 1, ORGANIZER 1, PRIORITY 1, SUMMARY 1, UID 1, RECURRENCE-ID ?, SEQUENCE ?, ATTENDEE 0, REQUEST-STATUS 0
    REQUEST           VTODO      3.4.2     ATTENDEE 1+, DTSTAMP 1, DTSTART 1, ORGANIZER 1, PRIORITY 1, SUMMARY 1, UID 1, SEQUENCE ?, REQUEST-STATUS 0, STATUS=NEEDS-ACTION|COMPLETED|IN-PROCESS
    REPLY             VTODO      3.4.3     ATTENDEE 1+, DTSTAMP 1, ORGANIZER 1, REQUEST-STATUS 1+, UID 1, VALARM 0
    ADD               VTODO      3.4.4     DTSTAMP 1, ORGANIZER 1, PRIORITY 1, SEQUENCE 1, SUMMARY 1, UID 1, RECURRENCE-ID 0, REQUEST-STATUS 0, STATUS=NEEDS-ACTION|COMPLETED|IN-PROCESS
    CANCEL            VTODO      3.4.5     DTSTAMP 1, ORGANIZER 1, SEQUENCE 1, UID 1, REQUEST-STATUS 0, VALARM 0, STATUS=CANCELLED
    REFRESH           VTODO      3.4.6     ATTENDEE 1, DTSTAMP 1, UID 1, RECURRENCE-ID ?, ATTACH 0, CATEGORIES 0, CLASS 0, CONTACT 0, CREATED 0, DESCRIPTION 0, DTSTART 0, DUE 0, DURATION 0, EXDATE 0, EXRULE 0, GEO 0, LAST-MODIFIED 0, LOCATION 0, PERCENT-COMPLETE 0, PRIORITY 0, RDATE 0, RELATED-TO 0, REQUEST-STATUS 0, RESOURCES 0, RRULE 0, SEQUENCE 0, STATUS 0, URL 0, VALARM 0
    COUNTER           VTODO      3.4.7     ATTENDEE 1+, DTSTAMP 1, ORGANIZER 1, PRIORITY 1, SUMMARY 1, UID 1, RECURRENCE-ID ?, STATUS=NEEDS-ACTION|COMPLETED|IN-PROCESS
    DECLINECOUNTER    VTODO      3.4.8     ATTENDEE 1+, DTSTAMP 1, ORGANIZER 1, SEQUENCE 1, UID 1, RECURRENCE-ID ?, VALARM 0
    PUBLISH           VJOURNAL   3.5.1     DESCRIPTION 1, DTSTAMP 1, DTSTART 1, ORGANIZER 1, UID 1, RECURRENCE-ID ?, SEQUENCE ?, ATTENDEE 0
    ADD               VJOURNAL   3.5.2     DESCRIPTION 1, DTSTAMP 1, DTSTART 1, ORGANIZER 1, SEQUENCE 1, UID 1, ATTENDEE 0, RECURRENCE-ID 0
    CANCEL            VJOURNAL   3.5.3     DTSTAMP 1, ORGANIZER 1, SEQUENCE 1, UID 1, RECURRENCE-ID ?, REQUEST-STATUS 0, STATUS=CANCELLED
    """

    enum Count: String, Sendable {
        case one = "1", atLeastOne = "1+", atMostOne = "?", none = "0"
    }

    struct Rules: Sendable {
        let section: String
        /// Property or sub-component name → count.
        let counts: [(name: String, count: Count)]
        /// Allowed STATUS values (nil: RFC 5545's).
        let statuses: Set<String>?
    }

    /// The methods RFC 5546 defines (others are reported unless they are x-names).
    static let methods: Set<String> = ["PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER",
                                       "DECLINECOUNTER"]

    /// Components iTIP schedules (a method without a table for one of them does not allow it).
    static let scheduled: Set<String> = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"]

    /// method → component → rules.
    static let rules: [String: [String: Rules]] = {
        var result: [String: [String: Rules]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let head = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
            guard head.count == 4 else { continue }
            var counts: [(String, Count)] = []
            var statuses: Set<String>?
            for item in head[3].split(separator: ",") {
                let parts = item.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count == 1, parts[0].hasPrefix("STATUS=") {
                    statuses = Set(parts[0].dropFirst(7).split(separator: "|").map(String.init))
                } else {
                    counts.append((String(parts[0]), Count(rawValue: String(parts[1]))!))
                }
            }
            result[String(head[0]), default: [:]][String(head[1])] = Rules(section: String(head[2]), counts: counts,
                                                                            statuses: statuses)
        }
        return result
    }()

    static func severity(_ method: String) -> Severity { method == "PUBLISH" ? .warning : .error }
}

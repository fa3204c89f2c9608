import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sniffs iCalendar content: `BEGIN:VCALENDAR` at the start (after a BOM and blank lines), any case.
enum CalendarSniffer {
    static func startsWithCalendar(_ prefix: [UInt8]) -> Bool {
        var i = 0
        if prefix.count >= 3, prefix[0] == 0xEF, prefix[1] == 0xBB, prefix[2] == 0xBF { i = 3 }
        while i < prefix.count, prefix[i] == 0x0D || prefix[i] == 0x0A || prefix[i] == 0x20 || prefix[i] == 0x09 { i += 1 }
        let marker = Array("BEGIN:VCALENDAR".utf8)
        guard prefix.count - i >= marker.count else { return false }
        for k in 0..<marker.count where prefix[i + k] & 0xDF != marker[k] & 0xDF { return false }
        return true
    }

    static func containsFreeBusy(_ prefix: [UInt8]) -> Bool {
        hasLine(startingWith: [Array("BEGIN:VFREEBUSY".utf8)], in: prefix)
    }

    /// True when a line of `prefix` starts with one of `markers` (ASCII letters in any case). Lines are
    /// found with `memchr`, so a sniff costs little even on a 64 KiB prefix.
    static func hasLine(startingWith markers: [[UInt8]], in prefix: [UInt8]) -> Bool {
        prefix.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return false }
            let n = b.count
            var i = 0
            while i < n {
                for m in markers where n - i >= m.count {
                    var matched = true
                    for k in 0..<m.count where base[i + k] & 0xDF != m[k] & 0xDF { matched = false; break }
                    if matched { return true }
                }
                guard let lf = memchr(base + i, 0x0A, n - i) else { return false }
                i = lf.assumingMemoryBound(to: UInt8.self) - UnsafeMutablePointer(mutating: base) + 1
            }
            return false
        }
    }
}

/// `ics`: iCalendar (RFC 5545) and vCalendar 1.0, lossless, streaming; validation with `ferry validate`.
public struct IcsFormat: Format, Validating {
    public let name = "ics"
    public let summary = "iCalendar (RFC 5545)"
    public let extensions = ["ics", "ical", "icalendar", "vcs"]
    public let kinds: [ItemKind] = [.calendar, .task]

    public init() {}

    public func bid(prefix: [UInt8], name: String?) -> Int {
        if CalendarSniffer.startsWithCalendar(prefix) { return 90 }
        return extensionBid(name, score: 40)
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else {
            throw FerryError.usage("ics.directory", "ics reads a file or stdin, not a directory")
        }
        return IcsReader(source: source, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("ics.directory", "ics writes a file or stdout, not a directory")
        }
        return IcsWriter(sink: sink)
    }

    public func validate(_ source: ByteSource, log: DiagnosticLog) throws -> Int {
        try CalendarValidator(profile: .rfc5545).validate(source, log: log)
    }
}

/// `ifb`: free/busy (VFREEBUSY). Reads what servers publish (RFC 2445 shapes, no UID); writes Zimbra's
/// ifb (merged busy intervals in UTC) or, with `events=1`, one VEVENT per busy interval.
public struct FreeBusyFormat: Format, Validating {
    public let name = "ifb"
    public let summary = "free/busy (VFREEBUSY)"
    public let extensions = ["ifb", "vfb"]
    public let kinds: [ItemKind] = [.calendar]

    public init() {}

    public func bid(prefix: [UInt8], name: String?) -> Int {
        let byName = extensionBid(name, score: 45)
        if CalendarSniffer.startsWithCalendar(prefix) {
            // The ics format bids 90 on any calendar; an .ifb/.vfb name or a VFREEBUSY-only file is ours.
            if byName > 0 { return 95 }
            if CalendarSniffer.containsFreeBusy(prefix), !CalendarSniffer.containsEvent(prefix) { return 91 }
            return 0
        }
        return byName
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        try IcsFormat().makeReader(input, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("ifb.directory", "ifb writes a file or stdout, not a directory")
        }
        return FreeBusyWriter(sink: sink, options: options, log: log)
    }

    /// Free/busy files are checked in the RFC 2445-compatible profile (servers omit UID and DTSTAMP).
    public func validate(_ source: ByteSource, log: DiagnosticLog) throws -> Int {
        try CalendarValidator(profile: .rfc2445).validate(source, log: log)
    }
}

extension CalendarSniffer {
    static func containsEvent(_ prefix: [UInt8]) -> Bool {
        CalendarSniffer.hasLine(startingWith: [Array("BEGIN:VEVENT".utf8), Array("BEGIN:VTODO".utf8),
                                               Array("BEGIN:VJOURNAL".utf8)], in: prefix)
    }
}

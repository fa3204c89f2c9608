import Foundation
import FerryCore

/// The rows of `ferry formats`: every format name Ferry uses (Zimbra's `fmt=` values plus `json`),
/// with what this build can do with each.
public enum FormatCatalog {
    public struct Row: Sendable {
        public var name: String
        public var summary: String
        public var extensions: [String]
        public var kinds: [String]
        public var read: Bool
        public var write: Bool
        public var validate: Bool
    }

    /// Names every build lists, in this order, whether or not a codec is compiled in yet.
    static let standardNames: [(String, String)] = [
        ("eml", "RFC 5322/MIME message (Zimbra's native)"),
        ("sync", "message with X-Zimbra-* meta headers"),
        ("mbox", "Unix mailbox (mboxrd, mboxo, mboxcl2)"),
        ("maildir", "Maildir++ folder tree"),
        ("zip", "zip archive (Zimbra layout or .eml files)"),
        ("tar", "tar archive in Zimbra's layout"),
        ("tgz", "gzipped tar archive in Zimbra's layout"),
        ("csv", "contact CSV (zimbra, yahoo, thunderbird, outlook-2000, outlook-2003 dialects)"),
        ("vcf", "vCard 2.1/3.0/4.0"),
        ("ics", "iCalendar (RFC 5545)"),
        ("ifb", "free/busy (VFREEBUSY)"),
        ("atom", "Atom 1.0 feed"),
        ("rss", "RSS 2.0 feed"),
        ("json", "one JSON object per item"),
    ]

    public static func rows(registry: FormatRegistry) -> [Row] {
        var rows: [Row] = []
        var seen = Set<String>()
        for (name, summary) in standardNames {
            seen.insert(name)
            if let format = registry.format(named: name), format.name == name {
                rows.append(row(format))
            } else {
                rows.append(Row(name: name, summary: summary, extensions: [], kinds: [], read: false, write: false,
                                validate: false))
            }
        }
        for format in registry.formats where !seen.contains(format.name) { rows.append(row(format)) }
        return rows
    }

    static func row(_ format: any Format) -> Row {
        Row(name: format.name, summary: format.summary, extensions: format.extensions,
            kinds: format.kinds.map(\.rawValue), read: format.canRead, write: format.canWrite,
            validate: format is any Validating)
    }

    public static func text(_ rows: [Row]) -> String {
        let width = max(9, (rows.map(\.name.count).max() ?? 0) + 1)
        var out = "FORMAT".padding(toLength: width, withPad: " ", startingAt: 0) + "READ  WRITE  VALIDATE  DESCRIPTION\n"
        for row in rows {
            func mark(_ b: Bool) -> String { b ? "yes" : "-" }
            out += row.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + mark(row.read).padding(toLength: 6, withPad: " ", startingAt: 0)
                + mark(row.write).padding(toLength: 7, withPad: " ", startingAt: 0)
                + mark(row.validate).padding(toLength: 10, withPad: " ", startingAt: 0)
                + row.summary + "\n"
        }
        out += "('-' = not in this build yet)\n"
        return out
    }
}

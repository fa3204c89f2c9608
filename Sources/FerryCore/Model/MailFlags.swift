/// The flag names items carry in `ItemMetadata.flags`: Zimbra's flags, spelled as one word each.
///
/// Every mailbox format maps its own marks onto these (Zimbra's `FlagStr`, Maildir's `:2,` letters,
/// mbox `Status:`/`X-Status:`/`X-Mozilla-Status`, IMAP system flags), so a flag read from one format
/// is written by another under the same name.
public enum MailFlag {
    public static let unread = "unread"
    public static let flagged = "flagged"
    public static let replied = "replied"
    public static let forwarded = "forwarded"
    public static let draft = "draft"
    public static let deleted = "deleted"
    public static let sent = "sent"
    public static let attachment = "attachment"
    public static let notified = "notified"
    public static let highPriority = "high-priority"
    public static let lowPriority = "low-priority"

    /// Zimbra's `FlagStr` characters, in Zimbra's output order, with their names and bitmask values
    /// (`flags` column; 0 = not a column bit or hidden).
    public static let zimbraTable: [(char: Character, name: String, bit: Int)] = [
        ("s", sent, 1), ("a", attachment, 2), ("r", replied, 4), ("w", forwarded, 8),
        ("f", flagged, 32), ("d", draft, 64), ("x", deleted, 128), ("n", notified, 256),
        ("u", unread, 512), ("!", highPriority, 1024), ("?", lowPriority, 2048), ("/", "versioned", 4096),
        ("(", "muted", 262_144), ("p", "popped", 16_384), ("t", "note", 32_768), ("+", "priority", 65_536),
        ("^", "post", 131_072), ("*", "subscribed", 0), ("b", "exclude-freebusy", 0), ("#", "checked", 0),
        ("i", "no-inherit", 0), ("v", "invite", 0), ("y", "sync-folder", 0), ("~", "sync", 0),
        ("o", "no-inferiors", 0), ("@", "archived", 0), ("g", "global", 0),
    ]

    /// Flag names from a Zimbra `FlagStr` (`"fru"` → flagged, replied, unread); unknown characters
    /// are returned in `unknown`.
    public static func fromZimbra(_ flagString: String) -> (flags: Set<String>, unknown: String) {
        var flags = Set<String>()
        var unknown = ""
        for ch in flagString {
            if let entry = zimbraTable.first(where: { $0.char == ch }) {
                flags.insert(entry.name)
            } else {
                unknown.append(ch)
            }
        }
        return (flags, unknown)
    }

    /// A Zimbra `FlagStr` for flag names, in Zimbra's order; names without a character are left out.
    public static func zimbraString(_ flags: Set<String>) -> String {
        String(zimbraTable.filter { flags.contains($0.name) }.map(\.char))
    }

    /// Zimbra's `flags` bitmask (unread is not part of it; Zimbra keeps it in `unread`).
    public static func zimbraBits(_ flags: Set<String>) -> Int {
        zimbraTable.reduce(0) { $0 | (flags.contains($1.name) && $1.name != unread ? $1.bit : 0) }
    }
}

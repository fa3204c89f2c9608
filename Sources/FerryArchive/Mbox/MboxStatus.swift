import FerryCore
import Foundation

/// The mbox variants (reference mail-archives-feeds §2.1).
public enum MboxVariant: String, Sendable, CaseIterable {
    /// `>` before any `^>*From ` line; unescape removes one `>` from `^>+From `.
    case rd
    /// `>` before `^From ` only; unescape removes one `>` from `^>From `.
    case o
    /// mboxo escaping plus a Content-Length header that readers trust.
    case cl
    /// No escaping; Content-Length gives the body length.
    case cl2

    public init(option: String?) throws {
        guard let option else { self = .rd; return }
        let key = option.lowercased().replacingOccurrences(of: "mbox", with: "")
        guard let variant = MboxVariant(rawValue: key) else {
            throw FerryError.usage("option.mbox-variant", "--mbox-variant must be rd, o, cl or cl2 (got '\(option)')")
        }
        self = variant
    }
}

/// Mailbox metadata headers mbox programs keep inside messages, and how they map to flags, folders
/// and tags. The reader takes them out of the message (they describe the mailbox, like the From_
/// line) and the writer puts them back from the item's metadata.
public enum MboxStatusHeaders {
    /// Header names the reader interprets and removes (lower case).
    public static let managed: Set<String> = ["status", "x-status", "x-keywords", "x-mozilla-status",
                                              "x-mozilla-status2", "x-mozilla-keys", "x-gmail-labels"]
    /// Lengths of the managed names and of Content-Length (a cheap first test per header line).
    static let managedLengths: Set<Int> = Set(managed.map(\.count) + ["content-length".count])

    /// Flags, folder and tags from the managed headers of one message.
    public static func interpret(_ fields: [(name: String, value: String)], into metadata: inout ItemMetadata) {
        var readKnown: Bool?
        var flags = Set<String>()
        var tags: [String] = []
        func add(_ tag: String) {
            let t = tag.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty && !tags.contains(t) { tags.append(t) }
        }
        for (name, value) in fields {
            switch name.lowercased() {
            case "status":
                readKnown = value.contains("R")
            case "x-status":
                if value.contains("A") { flags.insert(MailFlag.replied) }
                if value.contains("F") { flags.insert(MailFlag.flagged) }
                if value.contains("T") { flags.insert(MailFlag.draft) }
                if value.contains("D") { flags.insert(MailFlag.deleted) }
            case "x-mozilla-status":
                if let bits = Int(value.trimmingCharacters(in: .whitespaces), radix: 16) {
                    if readKnown == nil || fields.first(where: { $0.name.lowercased() == "status" }) == nil {
                        readKnown = bits & 0x1 != 0
                    }
                    if bits & 0x2 != 0 { flags.insert(MailFlag.replied) }
                    if bits & 0x4 != 0 { flags.insert(MailFlag.flagged) }
                    if bits & 0x8 != 0 { flags.insert(MailFlag.deleted) }
                    if bits & 0x1000 != 0 { flags.insert(MailFlag.forwarded) }
                }
            case "x-keywords", "x-mozilla-keys":
                for word in value.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
                    switch word.lowercased() {
                    case "$forwarded", "forwarded": flags.insert(MailFlag.forwarded)
                    case "$mdnsent", "nonjunk", "$notjunk", "junk", "$junk": break
                    default: add(String(word))
                    }
                }
            case "x-gmail-labels":
                let labels = GmailLabels.parse(value)
                let mapped = GmailLabels.interpret(labels)
                if metadata.folder == nil { metadata.folder = mapped.folder }
                flags.formUnion(mapped.flags)
                if mapped.read == false { readKnown = false } else if mapped.read == true, readKnown == nil { readKnown = true }
                for t in mapped.tags { add(t) }
                metadata.extra["mbox.gmail-labels"] = value
            default:
                break
            }
        }
        if readKnown == false { flags.insert(MailFlag.unread) }
        metadata.flags.formUnion(flags)
        for t in tags where !metadata.tags.contains(t) { metadata.tags.append(t) }
    }

    /// The header lines the writer adds for an item (without line ends).
    public static func lines(for metadata: ItemMetadata) -> [String] {
        var lines: [String] = []
        let flags = metadata.flags
        lines.append(flags.contains(MailFlag.unread) ? "Status: O" : "Status: RO")
        var x = ""
        if flags.contains(MailFlag.replied) { x += "A" }
        if flags.contains(MailFlag.flagged) { x += "F" }
        if flags.contains(MailFlag.draft) { x += "T" }
        if flags.contains(MailFlag.deleted) { x += "D" }
        if !x.isEmpty { lines.append("X-Status: " + x) }
        if flags.contains(MailFlag.forwarded) { lines.append("X-Keywords: $Forwarded") }
        if metadata.folder != nil || !metadata.tags.isEmpty {
            if let raw = metadata.extra["mbox.gmail-labels"] {
                var check = ItemMetadata()
                interpret([("X-Gmail-Labels", raw)], into: &check)
                if check.folder == metadata.folder && check.tags == metadata.tags && check.flags.isSubset(of: metadata.flags) {
                    lines.append("X-Gmail-Labels: " + raw)
                    return lines
                }
            }
            lines.append("X-Gmail-Labels: " + GmailLabels.format(folder: metadata.folder, tags: metadata.tags))
        }
        return lines
    }
}

/// Google Takeout's `X-Gmail-Labels`: comma-separated, sometimes quoted or RFC 2047-encoded labels.
/// The first label that names a folder becomes the folder; other user labels become tags.
///
/// Gmail writes its system labels (`Unread`, `Starred`, `Inbox`, `Category Social`…) bare. Ferry's
/// writer quotes a label whenever the bare text would read back as something else (a tag named
/// `unread`, a folder named `inbox`, a label with a comma or a quote), and a quoted label is always
/// taken as written: a user's folder or tag, never a flag. An empty quoted first label (`"",work`)
/// says "no folder", so a message that has tags but no folder keeps its tags as tags.
public enum GmailLabels {
    static let systemFolders: [String: String] = [
        "inbox": "Inbox", "sent": "Sent", "sent mail": "Sent", "drafts": "Drafts", "draft": "Drafts", "spam": "Junk",
        "junk": "Junk", "trash": "Trash", "chat": "Chats", "chats": "Chats",
    ]
    /// Bare labels that set a flag or are dropped rather than kept as a folder or tag (lower case).
    static let systemMarkers: Set<String> = ["unread", "opened", "starred", "archived", "important"]

    /// One label and whether it was quoted (then it is taken literally).
    public struct Label: Equatable, Sendable {
        public var text: String
        public var literal: Bool
        public init(_ text: String, literal: Bool = false) { self.text = text; self.literal = literal }
    }

    public static func parse(_ value: String) -> [Label] {
        var labels: [Label] = []
        var current = ""
        var quoted = false
        var literal = false
        var escaped = false
        func flush() {
            let text = EncodedWords.decode(Array(current.trimmingCharacters(in: .whitespaces).utf8))
            // An empty label is dropped unless it was quoted first: `""` stands for "no folder".
            if !text.isEmpty || (literal && labels.isEmpty) { labels.append(Label(text, literal: literal)) }
            current = ""
            literal = false
        }
        for ch in value {
            if escaped { current.append(ch); escaped = false; continue }
            if quoted && ch == "\\" { escaped = true; continue }
            if ch == "\"" { quoted.toggle(); literal = true; continue }
            if ch == "," && !quoted { flush() } else { current.append(ch) }
        }
        flush()
        return labels
    }

    public static func interpret(_ labels: [Label]) -> (folder: String?, tags: [String], flags: Set<String>, read: Bool?) {
        var folder: String?
        var folderDecided = false
        var tags: [String] = []
        var flags = Set<String>()
        var read: Bool?
        var archived = false
        for (index, label) in labels.enumerated() {
            if label.literal {
                if index == 0 && label.text.isEmpty { folderDecided = true; continue }
                if folder == nil && !folderDecided { folder = label.text; folderDecided = true } else { tags.append(label.text) }
                continue
            }
            let lower = label.text.lowercased()
            switch lower {
            case "unread": read = false; continue
            case "opened": if read == nil { read = true }; continue
            case "starred": flags.insert(MailFlag.flagged); continue
            case "archived": archived = true; continue
            default: break
            }
            if lower.hasPrefix("category ") { continue }
            if folder == nil && !folderDecided {
                if let system = systemFolders[lower] { folder = system; folderDecided = true; continue }
                if lower != "important" { folder = label.text; folderDecided = true; continue }
            } else if let system = systemFolders[lower], system == folder {
                continue
            }
            tags.append(label.text)
        }
        if folder == nil && !folderDecided && archived { folder = "Archive" }
        return (folder, tags, flags, read)
    }

    public static func format(folder: String?, tags: [String]) -> String {
        var out: [String] = []
        if let folder {
            out.append(systemFolders[folder.lowercased()] == folder ? folder : quoteIfNeeded(folder))
        } else if !tags.isEmpty {
            out.append("\"\"")  // no folder: the first tag is not one
        }
        for tag in tags { out.append(quoteIfNeeded(tag)) }
        return out.joined(separator: ",")
    }

    /// The label bare when it reads back as itself in any position, else quoted (and, when it holds
    /// text a header cannot carry or that would be decoded, as one RFC 2047 word inside the quotes).
    static func quoteIfNeeded(_ label: String) -> String {
        let lower = label.lowercased()
        let special = systemMarkers.contains(lower) || systemFolders[lower] != nil || lower.hasPrefix("category ")
        let trimmed = label.trimmingCharacters(in: .whitespaces) == label
        var plain = true
        for b in label.utf8 where b < 0x20 || b == 0x7F || b == 0x2C || b == 0x22 || b == 0x5C { plain = false; break }
        if plain && trimmed && !special && !label.contains("=?") { return label }
        let unsafe = label.utf8.contains { $0 < 0x20 || $0 == 0x7F } || label.contains("=?") || !trimmed
        if unsafe { return "\"=?UTF-8?B?" + Data(label.utf8).base64EncodedString() + "?=\"" }
        var quoted = "\""
        for ch in label {
            if ch == "\"" || ch == "\\" { quoted.append("\\") }
            quoted.append(ch)
        }
        return quoted + "\""
    }
}

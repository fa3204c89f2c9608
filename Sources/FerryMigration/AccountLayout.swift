import FerryArchive
import FerryCore
import Foundation

/// The folder tree one account explodes into, and back:
///
/// ```
/// account/
///   manifest.json              every item: kind, source, destination, folder, flags, tags, ids
///   mail/                      Maildir++ (Inbox at the top, .Sent, .Inbox.Projects) — or, with
///                              --mail-format mbox, mail/Inbox.mbox, mail/Inbox/Projects.mbox
///   contacts/Contacts.vcf      one vCard file per address book (folder path + .vcf)
///   contacts/Contacts.csv      the same in a CSV dialect (--contacts-csv DIALECT)
///   calendars/Calendar.ics     one iCalendar file per calendar or task list (folder path + .ics)
///   files/Briefcase/report.txt Briefcase documents under their folder path
///   unconverted/…              items the source holds in a form no standard format takes yet
///                              (Zimbra appointment blobs), kept byte for byte and counted as skipped
/// ```
///
/// The Open-Xchange import set (`--to ox`) is the same tree with mail as one `.eml` file per
/// message (`mail/<folder>/…eml`, what OX's mail import takes) and contacts always also as
/// Outlook CSV (OX's `OUTLOOK_CSV` import).
public enum AccountLayout {
    public static let manifest = "manifest.json"
    public static let mail = "mail"
    public static let contacts = "contacts"
    public static let calendars = "calendars"
    public static let files = "files"
    public static let unconverted = "unconverted"

    /// A folder path as safe relative path components (never `..`, never absolute).
    public static func components(_ folder: String) -> [String] {
        EntrySafety.safeFolderComponents(folder).map { $0.replacingOccurrences(of: "\\", with: "_") }
    }

    /// `contacts/Emailed Contacts.vcf` for folder `Emailed Contacts`.
    public static func file(in area: String, folder: String, extension ext: String) -> String {
        var parts = components(folder)
        if parts.isEmpty { parts = ["_"] }
        parts[parts.count - 1] += "." + ext
        return ([area] + parts).joined(separator: "/")
    }

    /// The folder a file in an area stands for: `contacts/Work/Clients.vcf` → `Work/Clients`.
    public static func folder(forFile relative: String, area: String) -> String {
        var path = relative
        if path.hasPrefix(area + "/") { path.removeFirst(area.count + 1) }
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") { path = String(path[..<dot]) }
        return path
    }

    /// The default folder of an item kind without one (Zimbra's system folders).
    public static func defaultFolder(_ kind: ItemKind) -> String {
        ZimbraFolders.defaultFolder(for: kind)
    }
}

/// Lower-case hex SHA-256 of bytes.
func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hex(SHA256.hash(bytes))
}

/// Creates a directory and its parents.
func makeDirectory(_ path: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw FerryError.io("io.mkdir", "cannot create the directory: \(error.localizedDescription)", file: path)
    }
}

/// True when `path` is a directory.
func isDirectory(_ path: String) -> Bool {
    var dir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &dir) && dir.boolValue
}

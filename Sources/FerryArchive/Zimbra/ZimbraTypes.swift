import FerryCore
import Foundation

/// Zimbra's item types (`MailItem.Type`): the `.meta` `type` code, the tar `devmajor` and `gname`,
/// and the zip entry comment.
public enum ZimbraItemType: Int, Sendable, CaseIterable {
    case folder = 1, searchfolder = 2, tag = 3, conversation = 4, message = 5, contact = 6, invite = 7
    case document = 8, note = 9, flag = 10, appointment = 11, virtualConversation = 12, mountpoint = 13
    case wiki = 14, task = 15, chat = 16, comment = 17, link = 18

    /// The lower-case enum name Zimbra writes as tar `gname` and zip comment.
    public var name: String { ZimbraItemType.names[rawValue] }

    private static let names: [String] = {
        var names = [String](repeating: "", count: 19)
        for type in allCases {
            names[type.rawValue] = type == .virtualConversation ? "virtual_conversation" : String(describing: type)
        }
        return names
    }()

    private static let byName: [String: ZimbraItemType] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    public init?(name: String) {
        guard let match = ZimbraItemType.byName[name] ?? ZimbraItemType.byName[name.lowercased()] else { return nil }
        self = match
    }

    /// The Ferry item kind it becomes.
    public var kind: ItemKind {
        switch self {
        case .folder, .searchfolder, .mountpoint: return .folder
        case .tag, .flag: return .tag
        case .message, .conversation, .virtualConversation, .chat, .invite: return .message
        case .contact: return .contact
        case .appointment: return .calendar
        case .task: return .task
        case .document, .wiki, .note, .comment, .link: return .document
        }
    }

    /// The data entry's extension (meta=1), nil for none.
    public var fileExtension: String? {
        switch self {
        case .message: return "eml"
        case .appointment: return "appt"
        case .task: return "task"
        case .chat: return "chat"
        case .note: return "note"
        case .wiki: return "wiki"
        default: return nil
        }
    }
}

/// Zimbra's system folders: ids and paths (`Mailbox.ID_FOLDER_*`).
public enum ZimbraFolders {
    public static let system: [(id: Int, path: String)] = [
        (1, "USER_ROOT"), (2, "Inbox"), (3, "Trash"), (4, "Junk"), (5, "Sent"), (6, "Drafts"), (7, "Contacts"),
        (10, "Calendar"), (13, "Emailed Contacts"), (14, "Chats"), (15, "Tasks"), (16, "Briefcase"),
    ]

    public static func id(forSystemPath path: String) -> Int? {
        system.first { $0.path.lowercased() == path.lowercased() }?.id
    }

    /// The default folder for a kind when an item has none.
    public static func defaultFolder(for kind: ItemKind) -> String {
        switch kind {
        case .contact: return "Contacts"
        case .calendar: return "Calendar"
        case .task: return "Tasks"
        case .document: return "Briefcase"
        default: return "Inbox"
        }
    }
}

/// `TagNames`: tag names joined by `:`, with `\` and `:` inside names escaped by `\`.
public enum ZimbraTagNames {
    public static func parse(_ text: String) -> [String] {
        var names: [String] = []
        var current = ""
        var escaped = false
        for ch in text {
            if escaped { current.append(ch); escaped = false }
            else if ch == "\\" { escaped = true }
            else if ch == ":" { if !current.isEmpty { names.append(current) }; current = "" }
            else { current.append(ch) }
        }
        if !current.isEmpty { names.append(current) }
        return names
    }

    public static func format(_ names: [String]) -> String {
        names.map { $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:") }
            .joined(separator: ":")
    }
}


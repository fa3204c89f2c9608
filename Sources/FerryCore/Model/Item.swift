import Foundation

/// The kinds of things an export holds.
public enum ItemKind: String, Codable, Sendable, CaseIterable {
    case message, contact, calendar, task, document, folder, tag
}

/// What every item carries besides its content: where it lives and what the server knew of it.
public struct ItemMetadata: Sendable, Equatable, Codable {
    /// Folder path with `/` separators (`Inbox`, `Inbox/Projects`), nil when the source has none.
    public var folder: String?
    /// Zimbra-style flag names (`unread`, `flagged`, `replied`, `forwarded`, `draft`, `deleted`, …).
    public var flags: Set<String>
    public var tags: [String]
    /// The item's date (received date for messages).
    public var date: Date?
    /// The source's identifier (Zimbra item id, Maildir unique name, UID, …).
    public var id: String?
    /// Source-specific metadata kept so a round trip loses nothing (`.meta` fields, X- headers).
    public var extra: [String: String]

    public init(folder: String? = nil, flags: Set<String> = [], tags: [String] = [], date: Date? = nil,
                id: String? = nil, extra: [String: String] = [:]) {
        self.folder = folder
        self.flags = flags
        self.tags = tags
        self.date = date
        self.id = id
        self.extra = extra
    }
}

/// The content of an item: each format family defines its own (a MIME message, a contact, a
/// calendar object). The core knows only what every payload can tell.
public protocol ItemPayload: Sendable {
    var kind: ItemKind { get }
    /// The original bytes, when the payload was read from bytes and is unchanged (lossless writers
    /// write these back as they are).
    var originalBytes: [UInt8]? { get }
    /// A JSON-ready view for `--to json` and `inspect`.
    func jsonObject() -> [String: any Sendable]
    /// Writes the original bytes to `sink` without holding them all in memory (a message with a
    /// 1 GB attachment); returns false when there are none. The default writes `originalBytes`.
    func writeOriginal(to sink: ByteSink) throws -> Bool
}

extension ItemPayload {
    public func writeOriginal(to sink: ByteSink) throws -> Bool {
        guard let bytes = originalBytes else { return false }
        try sink.write(bytes)
        return true
    }
}

/// One thing moving through the pipeline.
public struct Item: Sendable {
    public var payload: any ItemPayload
    public var metadata: ItemMetadata
    /// Where it came from, for diagnostics (`export.tgz:Inbox/0000000257-Hello.eml`, `contacts.csv:12`).
    public var origin: String?

    public var kind: ItemKind { payload.kind }

    public init(_ payload: any ItemPayload, metadata: ItemMetadata = ItemMetadata(), origin: String? = nil) {
        self.payload = payload
        self.metadata = metadata
        self.origin = origin
    }
}

/// A payload that can stand in as another kind of item when the output format does not hold its own
/// kind (a feed entry written to an .ics as an event). The pipeline asks, in the order of the output
/// format's kinds, before handing the item to the writer; nil = cannot.
public protocol ConvertibleItemPayload: ItemPayload {
    func converted(to kind: ItemKind) -> (any ItemPayload)?
}

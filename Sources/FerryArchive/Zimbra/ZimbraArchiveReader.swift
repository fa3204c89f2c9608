import FerryCalendar
import FerryContacts
import FerryCore
import Foundation

/// Turns an archive entry that has no `.meta` into items (a `.vcf` into contacts, an `.ics` into
/// calendar objects); nil leaves the entry to the archive reader (messages by `.eml`, else a document).
public typealias MemberDecoder = @Sendable (_ name: String, _ source: ByteSource, _ log: DiagnosticLog) throws -> [Item]?

/// Items of a zip/tar/tgz in Zimbra's layout (reference §4.3–4.8): `.meta` + data pairs in order,
/// folders, tags, messages, contacts (fields from the `.meta`'s bencoded `fld`), appointments,
/// tasks and documents; the meta-less variant by extension; every older naming era; any other zip or
/// tar of `.eml` files. Streams: one entry's data at a time.
public final class ZimbraArchiveReader: ItemReader {
    private let archive: ArchiveReader
    private let log: DiagnosticLog
    private let memberDecoder: MemberDecoder?
    private var pending: (meta: ZimbraMeta, entry: ArchiveEntryInfo)?
    private var queue: [Item] = []
    private var sawMeta = false
    private var ended = false

    public init(source: ByteSource, options: ReadOptions, log: DiagnosticLog, memberDecoder: MemberDecoder? = nil) throws {
        archive = try ArchiveReader(source: source, nameCharset: options.charset, log: log)
        self.log = log
        self.memberDecoder = memberDecoder
    }

    /// libarchive's name for the container (after the first entry).
    public var containerFormat: String? { archive.formatName }

    public func next() throws -> Item? {
        while queue.isEmpty {
            if ended { return nil }
            guard let entry = try archive.nextEntry() else {
                ended = true
                if let p = pending { pending = nil; try emitMetaOnly(p) }
                continue
            }
            switch EntrySafety.check(entry) {
            case .ignore:
                continue
            case .refuse(let diagnostic):
                log.emit(diagnostic)
                continue
            case .accept(let path):
                try handle(entry, path: path)
            }
        }
        return queue.removeFirst()
    }

    private func handle(_ entry: ArchiveEntryInfo, path: String) throws {
        if path.hasSuffix(".meta") {
            if let p = pending { pending = nil; try emitMetaOnly(p) }
            sawMeta = true
            let bytes = try readSmall(entry, limit: 64 << 20)
            do {
                pending = (try ZimbraMeta(json: bytes), entry)
            } catch let error as FerryError {
                log.emit(error.diagnostic.located(in: entry.location))
            }
            return
        }
        if path.hasSuffix(".err") {
            log.emit(.error("zimbra.mismatched-size", "the exporter marked the previous item's blob as the wrong size "
                            + "(a .err entry); the item was read as it is", file: entry.location))
            return
        }
        if let p = pending {
            pending = nil
            let metaPath = EntrySafety.isPlainRelative(p.entry.name) ? p.entry.name
                : EntrySafety.normalize(p.entry.name.replacingOccurrences(of: "\\", with: "/")) ?? ""
            if metaPath == path + ".meta" {
                try emitPair(meta: p.meta, metaEntry: p.entry, data: entry, path: path)
                return
            }
            try emitMetaOnly(p)
        }
        if sawMeta {
            log.emit(.warning("zimbra.missing-meta", "data entry without a preceding .meta; read by its extension",
                              file: entry.location))
        }
        try emitMetaless(entry, path: path)
    }

    private func readSmall(_ entry: ArchiveEntryInfo, limit: Int) throws -> [UInt8] {
        let source = archive.entryData()
        var out: [UInt8] = []
        try source.forEachChunk(size: 1 << 16) { chunk in
            guard out.count + chunk.count <= limit else {
                throw FerryError.data("zimbra.meta-too-large", "a .meta entry larger than \(limit) bytes", file: entry.location)
            }
            out.append(contentsOf: chunk)
        }
        return out
    }

    // MARK: Items with a .meta

    private func metadata(_ meta: ZimbraMeta, entry: ArchiveEntryInfo, dataPath: String?) -> ItemMetadata {
        var m = ItemMetadata()
        m.folder = meta.path
        m.flags = meta.flags
        m.tags = meta.tags
        m.date = meta.date ?? entry.modificationTime
        m.id = meta.id.map(String.init)
        m.extra["zimbra.meta"] = String(decoding: meta.jsonBytes(), as: UTF8.self)
        if let dataPath { m.extra["zimbra.entry"] = dataPath }
        return m
    }

    private func emitPair(meta: ZimbraMeta, metaEntry: ArchiveEntryInfo, data: ArchiveEntryInfo, path: String) throws {
        let type = meta.type ?? .document
        if let gname = data.groupName, !gname.isEmpty, let declared = ZimbraItemType(name: gname), declared != type {
            log.emit(.warning("zimbra.mismatched-meta", "the entry says \(gname) but its .meta says \(type.name)",
                              file: data.location))
        }
        var m = metadata(meta, entry: metaEntry, dataPath: path)
        let source = archive.entryData()
        let payload: any ItemPayload
        switch type.kind {
        case .message:
            payload = try PayloadBytes.loadMessage(source, sizeHint: data.size)
        case .contact:
            // The blob of a contact with attachments is a MIME message; the fields stay in the .meta.
            let blob = try source.readAll()
            m.extra["zimbra.blob"] = Data(blob).base64EncodedString()
            payload = try contact(meta, entry: metaEntry)
        case .calendar, .task:
            // The blob becomes calendar objects; it stays with the first of them (a Zimbra archive
            // written from these items holds it again, byte for byte).
            let blob = try source.readAll()
            let objects = ZimbraCalendarBlob.objects(blob, name: data.location, stamp: m.date, log: log)
            guard let first = objects.first else {
                payload = BlobPayload(kind: type.kind, name: meta.string("name") ?? meta.string("subject") ?? path,
                                      bytes: blob)
                break
            }
            m.extra["zimbra.blob"] = Data(blob).base64EncodedString()
            queue.append(Item(first, metadata: m, origin: data.location))
            for object in objects.dropFirst() {
                var sibling = m
                sibling.extra["zimbra.blob"] = nil
                sibling.extra["zimbra.meta"] = nil
                sibling.extra["zimbra.sibling"] = path
                queue.append(Item(object, metadata: sibling, origin: data.location))
            }
            return
        default:
            payload = BlobPayload(kind: type.kind, name: meta.string("name") ?? meta.string("subject") ?? path,
                                  bytes: try source.readAll())
        }
        let held = (payload as? RawMessage)?.size ?? (payload as? BlobPayload)?.bytes?.count
        if let size = meta.size, let held, type.kind != .contact, Int64(held) != size {
            log.emit(.warning("zimbra.mismatched-meta", "the .meta says \(size) bytes, the entry holds \(held)",
                              file: data.location))
        }
        queue.append(Item(payload, metadata: m, origin: data.location))
    }

    private func emitMetaOnly(_ p: (meta: ZimbraMeta, entry: ArchiveEntryInfo)) throws {
        let meta = p.meta
        let type = meta.type ?? .document
        let m = metadata(meta, entry: p.entry, dataPath: nil)
        if meta.string("blob_digest") != nil, type.kind == .message || type.kind == .document {
            log.emit(.error("zimbra.missing-blob", "the .meta names a blob but no data entry follows; item skipped",
                            file: p.entry.location))
            return
        }
        let payload: any ItemPayload
        switch type.kind {
        case .contact:
            payload = try contact(meta, entry: p.entry)
        case .folder, .tag:
            var folderMeta = m
            // A folder's own Path is itself; its "folder" is its parent.
            if type.kind == .folder, let path = meta.path {
                folderMeta.folder = path
            } else if type.kind == .tag {
                folderMeta.folder = nil
            }
            let name = meta.string("name") ?? meta.path ?? ""
            queue.append(Item(BlobPayload(kind: type.kind, name: name, bytes: nil), metadata: folderMeta,
                              origin: p.entry.location))
            return
        default:
            payload = BlobPayload(kind: type.kind, name: meta.string("name") ?? meta.string("subject") ?? "", bytes: nil)
        }
        queue.append(Item(payload, metadata: m, origin: p.entry.location))
    }

    private func contact(_ meta: ZimbraMeta, entry: ArchiveEntryInfo) throws -> Contact {
        var pairs: [(String, String)] = []
        do {
            if let metadata = try meta.metadata(), case .dictionary(let fields)? = metadata["fld"] {
                for (key, value) in fields { if let text = value.text { pairs.append((key, text)) } }
            }
        } catch let error as FerryError {
            log.emit(error.diagnostic.located(in: entry.location))
        }
        var contact = Contact(pairs)
        contact.tags = meta.tags
        return contact
    }

    // MARK: Meta-less entries

    private func emitMetaless(_ entry: ArchiveEntryInfo, path: String) throws {
        let parsed = ZimbraNaming.parse(path)
        var m = ItemMetadata()
        m.folder = parsed.folder
        m.date = entry.modificationTime
        m.id = parsed.id.map(String.init)
        m.extra["zimbra.entry"] = path
        // tar: no owner-write bit marks unread (Zimbra's meta-less import rule).
        if let format = archive.formatName?.lowercased(), format.contains("tar"), entry.mode & 0o200 == 0 {
            m.flags.insert(MailFlag.unread)
        }
        let source = archive.entryData()
        switch parsed.fileExtension {
        case "eml"?:
            queue.append(Item(try PayloadBytes.loadMessage(source, sizeHint: entry.size), metadata: m, origin: entry.location))
        default:
            if let decoder = memberDecoder, let items = try decoder(path, source, log) {
                for var item in items {
                    if item.metadata.folder == nil { item.metadata.folder = m.folder }
                    if item.metadata.date == nil { item.metadata.date = m.date }
                    queue.append(item)
                }
            } else {
                let fileName = path.split(separator: "/").last.map(String.init) ?? path
                queue.append(Item(BlobPayload(kind: .document, name: fileName, bytes: try source.readAll()),
                                  metadata: m, origin: entry.location))
            }
        }
    }
}

import FerryCalendar
import FerryContacts
import FerryCore
import Foundation

/// Writes items as a zip, tar or tgz in Zimbra's export layout (reference §4.3–4.7), the way its
/// importer reads it back: a `.meta` JSON entry, then the item's data entry, in order; `Path` and
/// `Ver` set; tar `gname`/`devmajor` type marks and the unread mode bit; zip comments and modes.
/// Items that came from a Zimbra archive keep their `.meta` byte for byte while unchanged.
public final class ZimbraArchiveWriter: ItemWriter {
    public enum Container: String, Sendable { case tar, tgz, zip }

    private let container: Container
    private let entries: ArchiveEntryWriter
    private let gzip: ParallelGzipSink?
    private let log: DiagnosticLog
    private var naming = ZimbraNaming()
    private var usedIDs = Set<Int>()
    private var nextID = 257
    private var folderIDs: [String: Int] = [:]
    private var tagIDs: [String: Int] = [:]
    /// Calendar objects not from a Zimbra blob, grouped by UID (a series and its exceptions become one
    /// item), written by `finish()` or when `maxPendingCalendarBytes` is reached.
    private var pendingCalendar: [[Item]] = []
    private var pendingCalendarIndex: [String: Int] = [:]
    private var pendingCalendarBytes = 0
    private var flushedCalendarUIDs = Set<String>()
    /// A calendar item read from a Zimbra blob and the objects that came with it, until the next item.
    private var heldBlobItem: [Item]?
    private var appointmentFolders = Set<String>()
    private var movedTaskFolders = Set<String>()
    /// The VTIMEZONEs met so far (the table caches each zone's rules), and each one's bytes: a zone
    /// of the same TZID but other rules replaces the one before.
    private let calendarZones = TimeZoneTable(floating: TimeZone(identifier: "UTC")!)
    private var calendarZoneBytes: [String: [UInt8]] = [:]
    /// The bytes of calendar components held for grouping before they are written anyway.
    public var maxPendingCalendarBytes = 32 << 20

    public init(sink: ByteSink, container: Container, options: WriteOptions, log: DiagnosticLog) throws {
        self.container = container
        self.log = log
        switch container {
        case .tar:
            gzip = nil
            entries = TarWriter(sink: sink)
        case .tgz:
            let g = try ParallelGzipSink(sink)
            gzip = g
            entries = TarWriter(sink: g)
        case .zip:
            gzip = nil
            entries = ZipWriter(sink: sink)
        }
        for (id, path) in ZimbraFolders.system { folderIDs[path.lowercased()] = id; usedIDs.insert(id) }
    }

    // MARK: ids

    private func allocateID(preferred: String?) -> Int {
        if let preferred, let id = Int(preferred), id > 0, !usedIDs.contains(id) {
            usedIDs.insert(id)
            return id
        }
        while usedIDs.contains(nextID) { nextID += 1 }
        usedIDs.insert(nextID)
        return nextID
    }

    private func folderID(_ path: String) -> Int {
        if let id = folderIDs[path.lowercased()] { return id }
        let id = allocateID(preferred: nil)
        folderIDs[path.lowercased()] = id
        return id
    }

    // MARK: writing

    public func write(_ item: Item) throws -> WriteOutcome {
        if let held = heldBlobItem {
            // The objects of a held Zimbra blob follow it; anything else lets it go.
            if let sibling = item.metadata.extra["zimbra.sibling"], item.payload is CalendarObject,
               sibling == held.first?.metadata.extra["zimbra.entry"] {
                heldBlobItem?.append(item)
                return .written
            }
            try flushBlobItem()
        }
        switch item.kind {
        case .message:
            guard let message = MessageBytes(item.payload) else { return .skipped(reason: "message without bytes") }
            let subject = message.header.decoded("Subject")?.trimmingCharacters(in: .whitespacesAndNewlines)
            try writePair(item, type: .message, data: .message(message), title: subject)
        case .folder:
            try writeFolder(item)
        case .tag:
            try writeTag(item)
        case .contact:
            guard let contact = item.payload as? Contact else {
                return .skipped(reason: "contact of an unknown shape")
            }
            try writeContact(item, contact)
        case .calendar, .task, .document:
            if item.payload is CalendarObject, item.kind != .document {
                // Calendar objects read from a Zimbra blob: the first carries it, the rest are in it.
                if item.metadata.extra["zimbra.sibling"] != nil { return .written }
                if item.metadata.extra["zimbra.blob"] != nil {
                    heldBlobItem = [item]
                    return .written
                }
            }
            if let object = item.payload as? CalendarObject, item.kind != .document {
                guard ["VEVENT", "VTODO"].contains(object.component.name) else {
                    return .skipped(reason: "Zimbra's layout holds events and tasks, not \(object.component.name) components")
                }
                try holdCalendar(item, object)
                return .written
            }
            guard let blob = item.payload as? BlobPayload else {
                return .skipped(reason: "Zimbra's layout holds \(item.kind.rawValue) items only as Zimbra blobs (write .ics instead)")
            }
            let original = item.metadata.extra["zimbra.meta"].flatMap { try? ZimbraMeta(json: Array($0.utf8)) }
            let type = original?.type ?? (item.kind == .calendar ? .appointment : item.kind == .task ? .task : .document)
            if let bytes = blob.bytes {
                try writePair(item, type: type, data: .bytes(bytes), title: blob.name)
            } else {
                try writeMetaOnly(item, type: type, title: blob.name)
            }
        }
        return .written
    }

    /// The `.meta` for an item: the original when it still says what the item says, else rebuilt
    /// from it (unknown keys kept) or from scratch.
    private func meta(for item: Item, type: ZimbraItemType, id: Int, folder: String, data: EntryBody?,
                      title: String?) throws -> ZimbraMeta {
        let original = item.metadata.extra["zimbra.meta"].flatMap { try? ZimbraMeta(json: Array($0.utf8)) }
        let date = item.metadata.date.map { Int64($0.timeIntervalSince1970.rounded(.down)) }
        if let original, original.id == id, (original.path ?? "") == folder, original.flags == item.metadata.flags,
           original.tags == item.metadata.tags, original.int("date") == date,
           data == nil || original.size == Int64(data!.count) {
            return original
        }
        var meta = original ?? ZimbraMeta()
        meta["id"] = id
        meta["type"] = type.rawValue
        let fid = folderID(folder)
        meta["folder_id"] = fid
        if meta["parent_id"] == nil || original == nil { meta["parent_id"] = fid }
        if meta["index_id"] == nil { meta["index_id"] = 0 }
        if meta["imap_id"] == nil { meta["imap_id"] = id }
        if meta["volume_id"] == nil { meta["volume_id"] = 0 }
        meta["date"] = date ?? Int64(Date().timeIntervalSince1970)
        if let data {
            meta["size"] = Int64(data.count)
            meta["blob_digest"] = ZimbraMeta.blobDigest(try data.sha256())
        } else if meta["size"] == nil {
            meta["size"] = 0
        }
        let flags = item.metadata.flags
        meta["unread"] = flags.contains(MailFlag.unread) ? 1 : 0
        meta["flags"] = MailFlag.zimbraBits(flags)
        meta["FlagStr"] = MailFlag.zimbraString(flags)
        meta["TagNames"] = item.metadata.tags.isEmpty ? nil : ZimbraTagNames.format(item.metadata.tags)
        if let title, !title.isEmpty, meta["subject"] == nil, type == .message { meta["subject"] = title }
        meta["Path"] = "/" + folder
        meta["Ver"] = 10
        return meta
    }

    private func header(_ name: String, size: Int, type: ZimbraItemType, date: Int64, isMeta: Bool, unread: Bool)
        -> ArchiveEntryHeader {
        var h = ArchiveEntryHeader(name: name, size: Int64(size), modificationTime: date)
        h.groupName = type.name
        h.deviceMajor = type.rawValue
        switch container {
        case .zip:
            h.mode = 0o100000 | (isMeta && unread ? 0o640 : 0o660)
            h.comment = type.name + (isMeta && unread ? "-unread" : "")
        case .tar, .tgz:
            h.mode = isMeta && unread ? 0o100444 : 0o100644
        }
        return h
    }

    private func entryBase(_ item: Item, folder: String, id: Int, title: String?, type: ZimbraItemType) -> String {
        if let previous = item.metadata.extra["zimbra.entry"],
           (ZimbraNaming.parse(previous).folder ?? "") == folder,
           EntrySafety.normalize(previous) == previous {
            var base = previous
            if let ext = type.fileExtension, base.hasSuffix(".\(ext)") { base.removeLast(ext.count + 1) }
            return naming.unique(base, extension: nil)
        }
        let directory = naming.bucketedFolder(folder)
        let name = ZimbraNaming.itemName(id: id, title: title, type: type)
        return (directory.isEmpty ? "" : directory + "/") + name
    }

    private func writePair(_ item: Item, type: ZimbraItemType, data: EntryBody, title: String?, id knownID: Int? = nil,
                           extra: [String: Any] = [:]) throws {
        let folder = item.metadata.folder.map(cleanFolder) ?? ZimbraFolders.defaultFolder(for: item.kind)
        let id = knownID ?? allocateID(preferred: item.metadata.id)
        var meta = try meta(for: item, type: type, id: id, folder: folder, data: data, title: title)
        for (key, value) in extra { meta[key] = value }
        var base = entryBase(item, folder: folder, id: id, title: title, type: type)
        if let ext = type.fileExtension, !base.hasSuffix(".\(ext)") { base += ".\(ext)" }
        let date = meta.int("date") ?? 0
        let unread = item.metadata.flags.contains(MailFlag.unread)
        let json = meta.jsonBytes()
        try entries.add(header(base + ".meta", size: json.count, type: type, date: date, isMeta: true, unread: unread)) {
            try $0.write(json)
        }
        try entries.add(header(base, size: data.count, type: type, date: date, isMeta: false, unread: unread)) {
            try data.write(to: $0)
        }
    }

    private func writeMetaOnly(_ item: Item, type: ZimbraItemType, title: String?) throws {
        let folder = item.metadata.folder.map(cleanFolder) ?? ZimbraFolders.defaultFolder(for: item.kind)
        let id = allocateID(preferred: item.metadata.id)
        let meta = try meta(for: item, type: type, id: id, folder: folder, data: nil, title: title)
        let base = entryBase(item, folder: folder, id: id, title: title, type: type)
        let json = meta.jsonBytes()
        try entries.add(header(base + ".meta", size: json.count, type: type, date: meta.int("date") ?? 0, isMeta: true,
                               unread: false)) { try $0.write(json) }
    }

    private func cleanFolder(_ folder: String) -> String {
        EntrySafety.safeFolderComponents(folder).joined(separator: "/")
    }

    private func writeFolder(_ item: Item) throws {
        guard let path = item.metadata.folder.map(cleanFolder), !path.isEmpty else { return }
        let original = item.metadata.extra["zimbra.meta"].flatMap { try? ZimbraMeta(json: Array($0.utf8)) }
        let id: Int
        if let known = folderIDs[path.lowercased()] { id = known } else {
            id = allocateID(preferred: item.metadata.id)
            folderIDs[path.lowercased()] = id
        }
        var meta = original ?? ZimbraMeta()
        if original == nil || original?.path != path || original?.id != id {
            let parent = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : ""
            meta["id"] = id
            meta["type"] = original?.type?.rawValue ?? ZimbraItemType.folder.rawValue
            meta["parent_id"] = parent.isEmpty ? 1 : folderID(parent)
            meta["folder_id"] = meta["parent_id"]
            meta["name"] = String(path.split(separator: "/").last ?? "")
            meta["Path"] = "/" + path
            meta["Ver"] = 10
            if meta["date"] == nil { meta["date"] = Int64(item.metadata.date?.timeIntervalSince1970 ?? 0) }
        }
        let components = path.split(separator: "/").map(String.init)
        let parent = components.dropLast().map(ZimbraNaming.sanitizeFolder).joined(separator: "/")
        let name = ZimbraNaming.itemName(id: id, title: components.last, type: .folder)
        let entry = (parent.isEmpty ? "" : parent + "/") + name + ".meta"
        let json = meta.jsonBytes()
        try entries.add(header(entry, size: json.count, type: .folder, date: meta.int("date") ?? 0, isMeta: true,
                               unread: false)) { try $0.write(json) }
    }

    private func writeTag(_ item: Item) throws {
        let name = (item.payload as? BlobPayload)?.name ?? item.metadata.folder ?? ""
        guard !name.isEmpty else { return }
        var meta = item.metadata.extra["zimbra.meta"].flatMap { try? ZimbraMeta(json: Array($0.utf8)) } ?? ZimbraMeta()
        let id = tagIDs[name] ?? meta.id ?? allocateID(preferred: item.metadata.id)
        usedIDs.insert(id)
        tagIDs[name] = id
        if meta.id == nil {
            meta["id"] = id
            meta["type"] = ZimbraItemType.tag.rawValue
            meta["name"] = name
            meta["Path"] = "/Tags/" + name
            meta["Ver"] = 10
        }
        let entry = "Tags/" + ZimbraNaming.itemName(id: id, title: name, type: .tag) + ".meta"
        let json = meta.jsonBytes()
        try entries.add(header(entry, size: json.count, type: .tag, date: meta.int("date") ?? 0, isMeta: true,
                               unread: false)) { try $0.write(json) }
    }

    private func writeContact(_ item: Item, _ contact: Contact) throws {
        let folder = item.metadata.folder.map(cleanFolder) ?? "Contacts"
        let id = allocateID(preferred: item.metadata.id)
        var meta = item.metadata.extra["zimbra.meta"].flatMap { try? ZimbraMeta(json: Array($0.utf8)) } ?? ZimbraMeta()
        let fields = BencodeValue.dictionary(contact.fields.map { ($0.name, .string($0.value)) }).sorted()
        var metadata = (try? meta.metadata()) ?? nil
        if case .dictionary(var entries)? = metadata {
            if let i = entries.firstIndex(where: { $0.key == "fld" }) { entries[i].value = fields } else { entries.append(("fld", fields)) }
            metadata = BencodeValue.dictionary(entries).sorted()
        } else {
            metadata = .dictionary([("fld", fields)])
        }
        let encoded = metadata!.encoded()
        let last = contact["lastName"] ?? ""
        let first = contact["firstName"] ?? ""
        var fileAs = [last, first].filter { !$0.isEmpty }.joined(separator: ", ")
        if fileAs.isEmpty { fileAs = contact.displayName }
        if meta.string("metadata") != encoded || meta.id != id || meta.path != folder || meta.tags != contact.tags {
            meta["id"] = id
            meta["type"] = ZimbraItemType.contact.rawValue
            meta["folder_id"] = folderID(folder)
            meta["parent_id"] = folderID(folder)
            meta["metadata"] = encoded
            meta["sender"] = fileAs
            meta["Path"] = "/" + folder
            meta["TagNames"] = contact.tags.isEmpty ? nil : ZimbraTagNames.format(contact.tags)
            meta["Ver"] = 10
            if meta["date"] == nil { meta["date"] = Int64(item.metadata.date?.timeIntervalSince1970 ?? Date().timeIntervalSince1970) }
            if meta["size"] == nil { meta["size"] = 0 }
            meta["unread"] = 0
            meta["flags"] = MailFlag.zimbraBits(item.metadata.flags)
        }
        let blob = item.metadata.extra["zimbra.blob"].flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) }
        let safeName = fileAs.replacingOccurrences(of: "/", with: "_").trimmingCharacters(in: .whitespaces)
        let base = naming.unique(ZimbraNaming.sanitizeFolder(folder) + "/" + (safeName.isEmpty ? "contact-\(id)" : safeName),
                                 extension: nil)
        let json = meta.jsonBytes()
        let date = meta.int("date") ?? 0
        try entries.add(header(base + ".meta", size: json.count, type: .contact, date: date, isMeta: true, unread: false)) {
            try $0.write(json)
        }
        if let blob, !blob.isEmpty {
            try entries.add(header(base, size: blob.count, type: .contact, date: date, isMeta: false, unread: false)) {
                try $0.write(blob)
            }
        }
    }

    // MARK: calendar items from calendar objects

    /// A calendar item read from a Zimbra blob, with the objects that followed it: its blob and `.meta`
    /// go back as they were while the objects still say what the blob says; objects changed since
    /// (an edited account tree) make a new item from the objects, under the same id and name.
    private func flushBlobItem() throws {
        guard let group = heldBlobItem, let item = group.first,
              let blob = item.metadata.extra["zimbra.blob"].flatMap({ Data(base64Encoded: $0) }).map({ [UInt8]($0) }) else {
            heldBlobItem = nil
            return
        }
        heldBlobItem = nil
        let original = item.metadata.extra["zimbra.meta"].flatMap { try? ZimbraMeta(json: Array($0.utf8)) }
        let fromBlob = ZimbraCalendarBlob.objects(blob, name: item.origin ?? "", stamp: item.metadata.date, log: DiagnosticLog())
        // Objects pair up by RECURRENCE-ID (the master has none); one the blob lacks, or one that
        // differs from its counterpart, is a change.
        func key(_ c: Component) -> String { c.property("RECURRENCE-ID")?.valueString ?? "" }
        var blobByKey: [String: CalendarObject] = [:]
        for object in fromBlob { blobByKey[key(object.component)] = object }
        let objects = group.compactMap { $0.payload as? CalendarObject }
        let unchanged = objects.allSatisfy { object in
            blobByKey[key(object.component)].map { Self.sameComponent($0.component, object.component) } ?? false
        }
        if unchanged {
            let type = original?.type ?? (item.kind == .task ? .task : .appointment)
            let title = original?.string("subject") ?? original?.string("name")
            try writePair(item, type: type, data: .bytes(blob), title: title)
            return
        }
        log.emit(.note("zimbra.calendar-rebuilt", "\(objects.first?.component.uid ?? "a calendar item") changed since it was "
                       + "read from its Zimbra blob; the item is rebuilt from the calendar objects", file: item.origin))
        var items = group
        // Components of the blob that did not come along (kept: nothing is lost).
        let present = Set(objects.map { key($0.component) })
        for object in fromBlob where !present.contains(key(object.component)) {
            items.append(Item(object, metadata: item.metadata, origin: item.origin))
        }
        for k in items.indices { items[k].metadata.extra["zimbra.blob"] = nil; items[k].metadata.extra["zimbra.sibling"] = nil }
        try writeCalendarItem(items)
    }

    /// Same properties (name, parameters, value) and sub-components, in order.
    static func sameComponent(_ a: Component, _ b: Component) -> Bool {
        guard a.name == b.name, a.entries.count == b.entries.count else { return false }
        for (x, y) in zip(a.entries, b.entries) {
            switch (x, y) {
            case let (.property(p), .property(q)):
                guard p.name == q.name, p.value.elementsEqual(q.value), p.parameters == q.parameters else { return false }
            case let (.component(c), .component(d)):
                guard sameComponent(c, d) else { return false }
            case let (.invalid(l), .invalid(m)):
                guard l.bytes == m.bytes else { return false }
            default:
                return false
            }
        }
        return true
    }

    /// Holds a VEVENT/VTODO with the others of its UID; over the byte budget, everything held so far
    /// is written first (a UID that comes back after that becomes a second item, and is said).
    private func holdCalendar(_ item: Item, _ object: CalendarObject) throws {
        // Where the object sat in its input is of no use here (the blob holds it as a calendar of its own).
        var object = object
        object.layout = nil
        let item = Item(object, metadata: item.metadata, origin: item.origin)
        let size = object.component.rawBytes.count + 512
        if pendingCalendarBytes + size > maxPendingCalendarBytes, !pendingCalendar.isEmpty { try flushCalendar() }
        pendingCalendarBytes += size
        if let uid = object.component.uid, !uid.isEmpty {
            if let index = pendingCalendarIndex[uid] {
                pendingCalendar[index].append(item)
                return
            }
            if flushedCalendarUIDs.contains(uid) {
                log.emit(.warning("zimbra.calendar-split", "\(object.component.name) \(uid) arrived after the other components of "
                                  + "its UID were written (more than \(maxPendingCalendarBytes) bytes of calendar apart); "
                                  + "it becomes a second calendar item with that UID", file: item.origin))
            }
            pendingCalendarIndex[uid] = pendingCalendar.count
        }
        pendingCalendar.append([item])
    }

    private func flushCalendar() throws {
        let groups = pendingCalendar
        pendingCalendar = []
        pendingCalendarIndex = [:]
        pendingCalendarBytes = 0
        // A Zimbra folder has one view: appointments and tasks of one folder cannot share it (the importer
        // refuses the second kind), so tasks move to a task list of their own.
        for group in groups {
            guard let item = group.first, let object = item.payload as? CalendarObject, object.component.name == "VEVENT" else { continue }
            appointmentFolders.insert((item.metadata.folder.map(cleanFolder) ?? "Calendar").lowercased())
        }
        for group in groups { try writeCalendarItem(group) }
    }

    /// The folder a calendar item goes to: its own, unless that folder holds the other kind.
    private func calendarFolder(_ item: Item, isTask: Bool) -> String {
        let folder = item.metadata.folder.map(cleanFolder) ?? (isTask ? "Tasks" : "Calendar")
        guard isTask, appointmentFolders.contains(folder.lowercased()) else {
            if !isTask, folder.lowercased() == "tasks" { return "Calendar" }
            return folder
        }
        let moved = folder.lowercased() == "calendar" ? "Tasks" : folder + " Tasks"
        if movedTaskFolders.insert(folder.lowercased()).inserted {
            log.emit(.note("zimbra.task-folder", "folder \(folder) holds appointments, and a Zimbra folder holds one kind: "
                           + "its tasks go to \(moved)", file: item.origin))
        }
        return moved
    }

    /// One appointment or task: the master (no RECURRENCE-ID) first, then the exceptions as they came.
    private func writeCalendarItem(_ group: [Item]) throws {
        func isException(_ item: Item) -> Bool { (item.payload as? CalendarObject)?.component.property("RECURRENCE-ID") != nil }
        let ordered = group.filter { !isException($0) } + group.filter(isException)
        let objects = ordered.compactMap { $0.payload as? CalendarObject }
        guard var item = ordered.first, let master = objects.first else { return }
        if let uid = master.component.uid { flushedCalendarUIDs.insert(uid) }
        let id = allocateID(preferred: item.metadata.id)
        let inviteIDs = objects.map { _ in allocateID(preferred: nil) }
        // An item's date: the source's, else when the organizer last stamped it (so output is reproducible).
        if item.metadata.date == nil {
            let stamp = master.component.property("DTSTAMP") ?? master.component.property("LAST-MODIFIED")
            if let stamp, let value = try? CalendarDateTime.parse(property: stamp) {
                item.metadata.date = Date(timeIntervalSince1970: TimeInterval(TimeZoneTable(floating: TimeZone(identifier: "UTC")!)
                    .utc(value).utc))
            }
        }
        item.metadata.folder = calendarFolder(item, isTask: master.component.name == "VTODO")
        for object in objects {
            for zone in object.timeZones {
                guard let tzid = zone.property("TZID")?.textValue else { continue }
                let bytes = zone.rawBytes
                if calendarZoneBytes[tzid] != bytes {
                    calendarZones.add(zone)
                    calendarZoneBytes[tzid] = bytes
                }
            }
        }
        let calendarItem = ZimbraCalendarItem(objects: objects, itemID: id, inviteIDs: inviteIDs,
                                              date: item.metadata.date ?? Date(), zones: calendarZones)
        var extra: [String: Any] = ["metadata": calendarItem.metadata.encoded()]
        if !calendarItem.subject.isEmpty { extra["subject"] = calendarItem.subject }
        try writePair(item, type: calendarItem.type, data: .bytes(calendarItem.blob), title: calendarItem.subject, id: id,
                      extra: extra)
    }

    public func finish() throws {
        try flushBlobItem()
        try flushCalendar()
        try entries.close()
        try gzip?.finish()
    }
}

/// A data entry's bytes: in memory, or a message streamed from its spool (its size known first).
enum EntryBody {
    case bytes([UInt8])
    case message(MessageBytes)

    var count: Int {
        switch self {
        case .bytes(let b): return b.count
        case .message(let m): return m.count
        }
    }

    func sha256() throws -> [UInt8] {
        switch self {
        case .bytes(let b): return SHA256.hash(b)
        case .message(let m): return try m.sha256()
        }
    }

    func write(to sink: ByteSink) throws {
        switch self {
        case .bytes(let b): try sink.write(b)
        case .message(let m): try m.write(to: sink)
        }
    }
}

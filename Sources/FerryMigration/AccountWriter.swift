import FerryArchive
import FerryContacts
import FerryCore
import FerryPipeline
import Foundation

/// Explodes a stream of items into an account tree (see `AccountLayout`): each item goes to the
/// writer of the standard format for its kind — taken from the registry by name, never built here —
/// one writer per folder. The tree is built in a hidden sibling directory and renamed into place by
/// `finish()`, so the target is either absent or complete.
public final class AccountWriter: ItemWriter {
    public enum Profile: String, Sendable {
        /// Maildir++ (or mbox) mail, vCard, iCalendar, files: what most servers import.
        case account
        /// Open-Xchange's import set: one RFC 822 file per message, vCard and Outlook CSV, iCalendar.
        case ox
    }

    public enum MailFormat: String, Sendable { case maildir, mbox, eml }

    private let target: String
    private let work: String
    private let profile: Profile
    private let mailFormat: MailFormat
    private let contactsCSV: String?
    private let registry: FormatRegistry
    private let options: WriteOptions
    private let log: DiagnosticLog
    private let manifest: ManifestWriter
    private var sources: [String]

    private struct FileWriter {
        var writer: any ItemWriter
        var sink: AtomicFileSink?
        var path: String
        var count = 0
    }
    private var mailTree: (any ItemWriter)?
    private var fileWriters: [String: FileWriter] = [:]
    private var order: [String] = []
    private var usedFiles = Set<String>()
    private var finished = false

    /// - Parameters:
    ///   - directory: the account directory to create (absent or empty).
    ///   - formatOptions: `mail-format` (maildir, mbox), `contacts-csv` (a dialect), `sources`.
    public init(directory: String, profile: Profile, options: WriteOptions, log: DiagnosticLog,
                registry: FormatRegistry = .standard) throws {
        var target = directory
        while target.count > 1 && target.hasSuffix("/") { target.removeLast() }
        self.target = target
        self.profile = profile
        self.registry = registry
        self.options = options
        self.log = log
        switch profile {
        case .account:
            guard let format = MailFormat(rawValue: options.formatOptions["mail-format"] ?? "maildir") else {
                throw FerryError.usage("option.mail-format", "--mail-format must be maildir or mbox")
            }
            mailFormat = format
            contactsCSV = options.formatOptions["contacts-csv"]
        case .ox:
            mailFormat = .eml
            contactsCSV = options.formatOptions["contacts-csv"] ?? "outlook-2003-csv"
        }
        if let contactsCSV, registry.format(named: contactsCSV)?.kinds.contains(.contact) != true {
            throw FerryError.usage("option.contacts-csv", "unknown contact CSV dialect '\(contactsCSV)'")
        }
        sources = options.formatOptions["sources"].map { $0.components(separatedBy: "\n") } ?? []
        let fm = FileManager.default
        if fm.fileExists(atPath: target) {
            guard isDirectory(target) else {
                throw FerryError.usage("output.not-directory", "'\(target)' exists and is not a directory")
            }
            let contents = DirectoryListing.names(target) ?? []
            guard contents.isEmpty else {
                throw FerryError.usage("output.not-empty", "output directory '\(target)' is not empty; "
                                       + "an account is written into a new or empty directory")
            }
        }
        let parent = (target as NSString).deletingLastPathComponent
        let base = (target as NSString).lastPathComponent
        work = (parent.isEmpty ? "." : parent) + "/." + base + ".ferry-partial"
        // A partial tree left by an interrupted run is never taken for output.
        if fm.fileExists(atPath: work) { try? fm.removeItem(atPath: work) }
        try makeDirectory(work)
        manifest = try ManifestWriter(directory: work)
    }

    // MARK: routing

    public func write(_ item: Item) throws -> WriteOutcome {
        var entry = ManifestEntry(kind: item.kind.rawValue)
        entry.source = item.origin
        entry.folder = item.metadata.folder
        entry.id = item.metadata.id
        entry.flags = item.metadata.flags.sorted()
        entry.tags = item.metadata.tags
        entry.date = item.metadata.date?.timeIntervalSince1970
        entry.extra = item.metadata.extra
        let outcome: WriteOutcome
        switch item.kind {
        case .folder:
            entry.name = AccountWriter.name(of: item)
            outcome = try writeFolder(item)
        case .tag:
            entry.name = AccountWriter.name(of: item)
            outcome = .written
        case .message:
            outcome = try writeMessage(item, entry: &entry)
        case .contact:
            outcome = try writeContact(item, entry: &entry)
        case .calendar, .task:
            outcome = try writeCalendar(item, entry: &entry)
        case .document:
            outcome = try writeDocument(item, entry: &entry)
        }
        if case .skipped(let reason) = outcome {
            entry.status = "skipped"
            entry.reason = reason
        }
        try manifest.add(entry)
        return outcome
    }

    static func name(of item: Item) -> String? {
        if let blob = item.payload as? BlobPayload { return blob.name }
        return item.payload.jsonObject()["name"] as? String
    }

    /// Folders that hold mail become Maildir folders (so empty ones survive); address books,
    /// calendars and the Briefcase do not.
    private func writeFolder(_ item: Item) throws -> WriteOutcome {
        guard let path = item.metadata.folder, !path.isEmpty else { return .written }
        if let view = AccountWriter.zimbraView(item), !["message", "conversation", ""].contains(view) {
            return .written
        }
        let top = path.split(separator: "/").first.map { String($0).lowercased() } ?? ""
        let nonMail = ["contacts", "emailed contacts", "calendar", "tasks", "briefcase", "chats"]
        if nonMail.contains(top) && !path.contains("/") { return .written }
        if mailFormat == .maildir || mailFormat == .eml {
            _ = try mailWriter().write(item)
        }
        return .written
    }

    /// The folder's default view from Zimbra's `.meta` (`view`, or `vt` in its metadata: a type code or name).
    static func zimbraView(_ item: Item) -> String? {
        guard let json = item.metadata.extra["zimbra.meta"], let meta = try? ZimbraMeta(json: Array(json.utf8)) else {
            return nil
        }
        if let view = meta.string("view") { return view }
        guard let metadata = try? meta.metadata(), let vt = metadata["vt"]?.text else { return nil }
        if let code = Int(vt), let type = ZimbraItemType(rawValue: code) { return type.name }
        return vt
    }

    private func mailWriter() throws -> any ItemWriter {
        if let mailTree { return mailTree }
        let name = mailFormat == .eml ? "emldir" : "maildir"
        guard let format = registry.format(named: name) else {
            throw FerryError.usage("format.unknown", "this build has no \(name) writer")
        }
        let directory = work + "/" + AccountLayout.mail
        try makeDirectory(directory)
        let writer = try format.makeWriter(.directory(directory), options: options, log: log)
        mailTree = writer
        return writer
    }

    private func writeMessage(_ item: Item, entry: inout ManifestEntry) throws -> WriteOutcome {
        // Hashed as it streams from the message's spool: a 1 GB message is never held whole.
        if let message = MessageBytes(item.payload) {
            entry.sha256 = SHA256.hex(try message.sha256())
        } else if let bytes = item.payload.originalBytes {
            entry.sha256 = sha256Hex(bytes)
        }
        let folder = item.metadata.folder ?? "Inbox"
        switch mailFormat {
        case .maildir:
            entry.destination = AccountLayout.mail + (MaildirFolders.directoryName(for: folder).map { "/" + $0 } ?? "")
            return try mailWriter().write(item)
        case .eml:
            entry.destination = ([AccountLayout.mail] + AccountLayout.components(folder)).joined(separator: "/")
            return try mailWriter().write(item)
        case .mbox:
            let path = AccountLayout.file(in: AccountLayout.mail, folder: folder, extension: "mbox")
            return try writeToFile(item, path: path, format: "mbox", entry: &entry)
        }
    }

    private func writeContact(_ item: Item, entry: inout ManifestEntry) throws -> WriteOutcome {
        let folder = item.metadata.folder ?? AccountLayout.defaultFolder(.contact)
        entry.key = AccountWriter.contactKey(item.payload)
        if let contact = item.payload as? Contact {
            // vCard needs an FN: a contact without a full name gets one written, which is not its own.
            entry.extra["ferry.fields"] = contact.fields.map(\.name).joined(separator: "\n")
        }
        if let dialect = contactsCSV {
            var csvEntry = entry
            let path = AccountLayout.file(in: AccountLayout.contacts, folder: folder, extension: "csv")
            _ = try writeToFile(item, path: path, format: dialect, entry: &csvEntry)
            if let destination = csvEntry.destination { entry.extra["ferry.csv"] = destination }
        }
        let path = AccountLayout.file(in: AccountLayout.contacts, folder: folder, extension: "vcf")
        return try writeToFile(item, path: path, format: "vcf", entry: &entry)
    }

    /// What identifies a contact across a vCard round trip well enough to recognise it.
    static func contactKey(_ payload: any ItemPayload) -> String? {
        guard let contact = payload as? Contact else { return nil }
        let key = contact["email"] ?? contact.displayName
        return key.isEmpty ? nil : key
    }

    private func writeCalendar(_ item: Item, entry: inout ManifestEntry) throws -> WriteOutcome {
        let folder = item.metadata.folder ?? AccountLayout.defaultFolder(item.kind)
        entry.key = item.payload.jsonObject()["uid"] as? String
        let path = AccountLayout.file(in: AccountLayout.calendars, folder: folder, extension: "ics")
        return try writeToFile(item, path: path, format: "ics", entry: &entry)
    }

    private func writeDocument(_ item: Item, entry: inout ManifestEntry) throws -> WriteOutcome {
        let folder = item.metadata.folder ?? AccountLayout.defaultFolder(.document)
        let name = AccountWriter.name(of: item) ?? item.metadata.id ?? "document"
        entry.name = name
        guard let relative = try writeBytes(item, area: AccountLayout.files, folder: folder, name: name, entry: &entry) else {
            return .skipped(reason: "document without content")
        }
        entry.destination = relative
        return .written
    }

    /// Writes an item's bytes as one file under `area/folder/`, with a unique name; nil when the item has none.
    private func writeBytes(_ item: Item, area: String, folder: String, name: String,
                            entry: inout ManifestEntry) throws -> String? {
        var safeName = name.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\u{0}", with: "_")
        if safeName.isEmpty || safeName == "." || safeName == ".." { safeName = "_" + safeName }
        let directory = ([area] + AccountLayout.components(folder)).joined(separator: "/")
        var relative = directory + "/" + safeName
        var n = 2
        while usedFiles.contains(relative.lowercased()) {
            let ext = (safeName as NSString).pathExtension
            let stem = (safeName as NSString).deletingPathExtension
            relative = directory + "/" + stem + " (\(n))" + (ext.isEmpty ? "" : "." + ext)
            n += 1
        }
        try makeDirectory(work + "/" + directory)
        let sink = try AtomicFileSink(path: work + "/" + relative)
        let hasher = HashingSink(sink)
        do {
            guard try item.payload.writeOriginal(to: hasher) else {
                sink.abort()
                return nil
            }
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
        usedFiles.insert(relative.lowercased())
        entry.sha256 = hasher.finalize()
        return relative
    }

    /// Hands an item to the writer of `path` (one per file, opened on first use). A skip keeps the
    /// item's bytes under unconverted/ when it has any.
    private func writeToFile(_ item: Item, path: String, format name: String, entry: inout ManifestEntry) throws -> WriteOutcome {
        if fileWriters[path] == nil {
            guard let format = registry.format(named: name), format.canWrite else {
                throw FerryError.usage("format.unknown", "this build has no \(name) writer")
            }
            try makeDirectory((work + "/" + path as NSString).deletingLastPathComponent)
            let sink = try AtomicFileSink(path: work + "/" + path)
            var writeOptions = options
            if format.kinds.contains(.contact), name != "vcf" { writeOptions.csvFormat = name }
            let writer = try format.makeWriter(.stream(sink), options: writeOptions, log: log)
            fileWriters[path] = FileWriter(writer: writer, sink: sink, path: path)
            order.append(path)
        }
        let outcome = try fileWriters[path]!.writer.write(item)
        switch outcome {
        case .written:
            entry.destination = path
            entry.index = fileWriters[path]!.count
            fileWriters[path]!.count += 1
            return outcome
        case .skipped(var reason):
            if item.payload is BlobPayload, item.kind == .calendar || item.kind == .task {
                reason = "a Zimbra \(item.kind == .task ? "task" : "appointment") blob, not read as iCalendar by this build"
            }
            let folder = item.metadata.folder ?? AccountLayout.defaultFolder(item.kind)
            let rawName = item.metadata.extra["zimbra.entry"].map { ($0 as NSString).lastPathComponent }
                ?? AccountWriter.name(of: item) ?? "\(item.kind.rawValue)-\(item.metadata.id ?? "item")"
            if item.payload.originalBytes != nil,
               let kept = try writeBytes(item, area: AccountLayout.unconverted, folder: folder, name: rawName, entry: &entry) {
                entry.destination = kept
                entry.name = AccountWriter.name(of: item)
                return .skipped(reason: "\(reason); kept as is under \(AccountLayout.unconverted)/")
            }
            return outcome
        }
    }

    // MARK: finishing

    public func finish() throws {
        guard !finished else { return }
        finished = true
        do {
            try mailTree?.finish()
            for path in order {
                // A file that got no item (its first item was skipped) is not left behind empty.
                if fileWriters[path]!.count == 0 {
                    fileWriters[path]!.sink?.abort()
                    continue
                }
                try fileWriters[path]!.writer.finish()
                try fileWriters[path]!.sink?.finish()
            }
            var header = ["profile": profile.rawValue, "mail": mailFormat.rawValue]
            if !sources.isEmpty { header["source"] = sources.joined(separator: " ") }
            if let contactsCSV { header["contacts-csv"] = contactsCSV }
            try manifest.finish(directory: work, header: header)
            if FileManager.default.fileExists(atPath: target) { rmdir(target) }
            guard rename(work, target) == 0 else {
                throw FerryError.io("io.rename", "cannot move the finished account into place: "
                                    + String(cString: strerror(errno)), file: target)
            }
        } catch {
            abort()
            throw error
        }
    }

    /// Removes the partial tree.
    public func abort() {
        manifest.abort()
        for path in order { fileWriters[path]?.sink?.abort() }
        try? FileManager.default.removeItem(atPath: work)
    }

    public var counts: AccountCounts { manifest.counts }
}

/// A sink that hashes what passes through.
final class HashingSink: ByteSink {
    let inner: ByteSink
    private var hash = SHA256()
    init(_ inner: ByteSink) { self.inner = inner }
    var name: String { inner.name }
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        hash.update(bytes)
        try inner.write(bytes)
    }
    func finish() throws { try inner.finish() }
    func abort() { inner.abort() }
    func finalize() -> String { SHA256.hex(hash.finalize()) }
}

import FerryArchive
import FerryContacts
import FerryCore
import FerryPipeline
import Foundation

/// Reads an account tree (see `AccountLayout`) back into items: folders and tags from the manifest,
/// mail from the Maildir/mbox/.eml tree, contacts from each `.vcf` (or `.csv` when an address book
/// has no vCard file), calendars and task lists from each `.ics`, documents from `files/`, kept
/// blobs from `unconverted/` — each through the registry's reader for its format. Where the
/// manifest knows an item (same bytes, or same position and UID/name in the same file) it gives back
/// what the standard formats cannot hold: Zimbra ids, dates, `.meta`, flags without a Maildir letter.
/// A tree without a manifest (a Maildir plus `.vcf`/`.ics` files laid out the same way) reads too.
public final class AccountReader: ItemReader {
    private let root: String
    private let registry: FormatRegistry
    private let options: ReadOptions
    private let log: DiagnosticLog
    private let manifest: AccountManifest?
    private var mailKind: String

    private var byHash: [String: [Int]] = [:]
    private var byPosition: [String: Int] = [:]
    private var byDestination: [String: Int] = [:]
    private var used = Set<Int>()
    private var emittedFolders = Set<String>()

    private var queue: [Item] = []
    private var steps: [() throws -> Void] = []
    private var current: (reader: any ItemReader, area: String, folder: String?)?

    public init(directory: String, options: ReadOptions, log: DiagnosticLog, registry: FormatRegistry = .standard) throws {
        var root = directory
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.registry = registry
        self.options = options
        self.log = log
        let manifestPath = root + "/" + AccountLayout.manifest
        manifest = FileManager.default.fileExists(atPath: manifestPath) ? try AccountManifest.load(manifestPath) : nil
        mailKind = manifest?.header["mail"] ?? ""
        index()
        plan()
    }

    private func index() {
        guard let manifest else { return }
        for (i, e) in manifest.entries.enumerated() {
            if let sha = e.sha256, e.kind == "message" { byHash[sha, default: []].append(i) }
            if let destination = e.destination {
                if let index = e.index { byPosition["\(destination)#\(index)"] = i } else { byDestination[destination] = i }
            }
        }
    }

    // MARK: plan

    private func plan() {
        if let manifest {
            steps.append { [unowned self] in
                for (i, e) in manifest.entries.enumerated() where e.kind == "folder" || e.kind == "tag" {
                    used.insert(i)
                    let kind: ItemKind = e.kind == "folder" ? .folder : .tag
                    if kind == .folder, let folder = e.folder { emittedFolders.insert(folder.lowercased()) }
                    queue.append(Item(BlobPayload(kind: kind, name: e.name ?? e.folder ?? "", bytes: nil),
                                      metadata: e.metadata, origin: "\(root)/\(AccountLayout.manifest)"))
                }
            }
        }
        let mail = root + "/" + AccountLayout.mail
        if isDirectory(mail) {
            let mboxes = files(under: AccountLayout.mail).filter { $0.lowercased().hasSuffix(".mbox") }
            if mailKind == "mbox" || (!mboxes.isEmpty && !isDirectory(mail + "/cur")) {
                for relative in mboxes {
                    addFileStep(relative, area: AccountLayout.mail)
                }
            } else {
                let name = mailKind == "eml" || (mailKind.isEmpty && !isDirectory(mail + "/cur")) ? "emldir" : "maildir"
                steps.append { [unowned self] in
                    guard let format = registry.format(named: name) else {
                        throw FerryError.usage("format.unknown", "this build has no \(name) reader")
                    }
                    current = (try format.makeReader(.directory(mail), options: options, log: log), AccountLayout.mail, nil)
                }
            }
        }
        let contactFiles = files(under: AccountLayout.contacts)
        let vcfStems = Set(contactFiles.filter { $0.lowercased().hasSuffix(".vcf") }.map { ($0 as NSString).deletingPathExtension.lowercased() })
        for relative in contactFiles {
            let lower = relative.lowercased()
            if lower.hasSuffix(".vcf") || (lower.hasSuffix(".csv") && !vcfStems.contains((lower as NSString).deletingPathExtension)) {
                addFileStep(relative, area: AccountLayout.contacts)
            }
        }
        for relative in files(under: AccountLayout.calendars) where relative.lowercased().hasSuffix(".ics") {
            addFileStep(relative, area: AccountLayout.calendars)
        }
        for relative in files(under: AccountLayout.files) {
            steps.append { [unowned self] in try queue.append(blob(relative, area: AccountLayout.files)) }
        }
        for relative in files(under: AccountLayout.unconverted) {
            steps.append { [unowned self] in try queue.append(blob(relative, area: AccountLayout.unconverted)) }
        }
    }

    /// Regular files under an area, relative to the root, sorted (hidden files left out).
    private func files(under area: String) -> [String] {
        let base = root + "/" + area
        guard isDirectory(base), let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var found: [String] = []
        for case let relative as String in enumerator {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            let full = base + "/" + relative
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue {
                found.append(area + "/" + relative)
            }
        }
        return found.sorted()
    }

    private func addFileStep(_ relative: String, area: String) {
        steps.append { [unowned self] in
            let path = root + "/" + relative
            let file = try FileSource(path: path)
            let prefix = try file.read(upTo: 64 * 1024)
            guard let (format, _) = registry.sniff(prefix: prefix, name: path), format.canRead else {
                log.emit(.warning("account.unknown-file", "not a format Ferry reads; left out", file: path))
                return
            }
            var readOptions = options
            if area == AccountLayout.contacts, format.name != "vcf", readOptions.csvFormat == nil,
               let dialect = manifest?.header["contacts-csv"] {
                readOptions.csvFormat = dialect
            }
            let reader = try format.makeReader(.stream(PrefixedSource(prefix: prefix, rest: file)), options: readOptions,
                                               log: log)
            current = (reader, relative, AccountLayout.folder(forFile: relative, area: area))
            positions[relative] = 0
        }
    }
    private var positions: [String: Int] = [:]

    // MARK: items

    public func next() throws -> Item? {
        while queue.isEmpty {
            if let (reader, relative, folder) = current {
                guard var item = try reader.next() else { current = nil; continue }
                if relative == AccountLayout.mail {
                    if item.kind == .folder {
                        let key = (item.metadata.folder ?? "").lowercased()
                        if emittedFolders.contains(key) { continue }
                        emittedFolders.insert(key)
                        return item
                    }
                    restoreMessage(&item)
                } else {
                    if let folder { item.metadata.folder = folder }
                    let position = positions[relative, default: 0]
                    positions[relative] = position + 1
                    restoreByPosition(&item, destination: relative, index: position)
                }
                return item
            }
            guard !steps.isEmpty else { return nil }
            let step = steps.removeFirst()
            try step()
        }
        return queue.removeFirst()
    }

    /// Flags a Maildir or an mbox carries itself; the others come from the manifest.
    private static let treeFlags: Set<String> = [MailFlag.unread, MailFlag.flagged, MailFlag.replied,
                                                 MailFlag.forwarded, MailFlag.draft, MailFlag.deleted]

    private func restoreMessage(_ item: inout Item) {
        guard let manifest, let bytes = item.payload.originalBytes,
              let candidates = byHash[sha256Hex(bytes)] else { return }
        let free = candidates.filter { !used.contains($0) }
        guard let pick = free.first(where: { manifest.entries[$0].folder?.lowercased() == item.metadata.folder?.lowercased() })
                ?? free.first else { return }
        used.insert(pick)
        let e = manifest.entries[pick]
        let treeCarriesFlags = mailKind != "eml" && item.metadata.folder != nil
        apply(e, to: &item, flagsFromTree: treeCarriesFlags, tagsFromTree: treeCarriesFlags)
        if item.metadata.folder == nil { item.metadata.folder = e.folder }
    }

    private func restoreByPosition(_ item: inout Item, destination: String, index: Int) {
        guard let manifest, let i = byPosition["\(destination)#\(index)"], !used.contains(i) else { return }
        let e = manifest.entries[i]
        let key: String?
        switch item.kind {
        case .contact: key = AccountWriter.contactKey(item.payload)
        case .calendar, .task: key = item.payload.jsonObject()["uid"] as? String
        default: key = item.payload.originalBytes.map(sha256Hex)
        }
        let expected = item.kind == .message ? e.sha256 : e.key
        if item.kind == .message, let expected, key != expected, let bytes = item.payload.originalBytes {
            // An mbox ends every message with a line break; one the original lacked is taken off again.
            var trimmed = bytes
            if trimmed.last == 0x0A { trimmed.removeLast() }
            if trimmed.last == 0x0D { trimmed.removeLast() }
            guard trimmed.count < bytes.count, sha256Hex(trimmed) == expected else { return }
            item.payload = RawMessage(trimmed)
        } else {
            guard expected == nil || key == expected else { return }
        }
        used.insert(i)
        if var contact = item.payload as? Contact, let names = e.extra["ferry.fields"] {
            let original = Set(names.split(separator: "\n").map { $0.lowercased() })
            if !original.contains("fullname"), contact["fullName"] != nil {
                contact["fullName"] = nil
                item.payload = contact
            }
        }
        apply(e, to: &item, flagsFromTree: item.kind == .message, tagsFromTree: item.kind == .message || item.kind == .contact)
    }

    private func apply(_ e: ManifestEntry, to item: inout Item, flagsFromTree: Bool, tagsFromTree: Bool) {
        var m = item.metadata
        m.id = e.id ?? m.id
        if let date = e.date { m.date = Date(timeIntervalSince1970: date) }
        for (k, v) in e.extra where m.extra[k] == nil && !k.hasPrefix("ferry.") { m.extra[k] = v }
        let recorded = Set(e.flags)
        if flagsFromTree {
            m.flags = m.flags.union(recorded.subtracting(AccountReader.treeFlags))
        } else {
            m.flags = m.flags.union(recorded)
        }
        if tagsFromTree {
            if Set(m.tags) == Set(e.tags) { m.tags = e.tags }
        } else {
            m.tags = e.tags
        }
        item.metadata = m
    }

    /// A file of `files/` or `unconverted/` as one item.
    private func blob(_ relative: String, area: String) throws -> Item {
        let path = root + "/" + relative
        let bytes = try FileSource(path: path).readAll()
        let entryIndex = byDestination[relative]
        let e = entryIndex.flatMap { manifest?.entries[$0] }
        let fileName = (relative as NSString).lastPathComponent
        let folder = (AccountLayout.folder(forFile: relative, area: area) as NSString).deletingLastPathComponent
        var kind = ItemKind.document
        if let e, let recorded = ItemKind(rawValue: e.kind) {
            kind = recorded
        } else if area == AccountLayout.unconverted {
            let ext = (fileName as NSString).pathExtension.lowercased()
            kind = ext == "appt" ? .calendar : ext == "task" ? .task : ext == "eml" ? .message : .document
        }
        let payload: any ItemPayload = kind == .message ? RawMessage(bytes)
            : BlobPayload(kind: kind, name: e?.name ?? fileName, bytes: bytes)
        var item = Item(payload, metadata: ItemMetadata(folder: folder.isEmpty ? nil : folder), origin: path)
        if let entryIndex, let e, !used.contains(entryIndex), e.sha256 == nil || e.sha256 == sha256Hex(bytes) {
            used.insert(entryIndex)
            apply(e, to: &item, flagsFromTree: false, tagsFromTree: false)
        } else if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let date = attributes[.modificationDate] as? Date {
            item.metadata.date = date
        }
        return item
    }
}

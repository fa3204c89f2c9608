import FerryArchive
import FerryCore
import Foundation

/// One line of an account's `manifest.json`: what the item was, where it came from, where it went,
/// and what the server knew of it (ids, flags, tags, Zimbra's `.meta`), so assembling the tree back
/// restores what the standard formats cannot hold.
public struct ManifestEntry: Codable, Sendable, Equatable {
    public var kind: String
    /// `converted`, or `skipped` (with `reason`; the bytes, when there are any, are under unconverted/).
    public var status: String
    public var reason: String?
    /// Where the item came from (`export.tgz:Inbox/0000000257-Hello.eml`).
    public var source: String?
    /// Where it went, relative to the account directory: a file (`files/Briefcase/report.txt`,
    /// `contacts/Contacts.vcf`) or a Maildir folder (`mail/.Inbox.Projects`).
    public var destination: String?
    /// 0-based position inside `destination` when it holds several items (vCard, iCalendar, mbox).
    public var index: Int?
    public var folder: String?
    public var name: String?
    public var id: String?
    public var flags: [String]
    public var tags: [String]
    /// Seconds since 1970.
    public var date: Double?
    /// SHA-256 of the item's bytes (messages, documents, unconverted blobs).
    public var sha256: String?
    /// A check that a vCard or iCalendar entry at `index` is still the same item (UID, display name).
    public var key: String?
    public var extra: [String: String]

    public init(kind: String, status: String = "converted") {
        self.kind = kind
        self.status = status
        flags = []
        tags = []
        extra = [:]
    }

    public var metadata: ItemMetadata {
        ItemMetadata(folder: folder, flags: Set(flags), tags: tags, date: date.map { Date(timeIntervalSince1970: $0) },
                     id: id, extra: extra)
    }
}

/// Per-kind counts and skip reasons of one account.
public struct AccountCounts: Codable, Sendable, Equatable {
    public var items: [String: Int] = [:]
    public var skipped: [String: Int] = [:]
    public var skipReasons: [String: Int] = [:]
    public init() {}
}

/// Writes `manifest.json` without holding the item list in memory: entries go to a side file as
/// they come, and the manifest is put together at the end.
final class ManifestWriter {
    private let itemsPath: String
    private let handle: FileHandle
    private var first = true
    private let encoder: JSONEncoder
    var counts = AccountCounts()

    init(directory: String) throws {
        itemsPath = directory + "/.manifest-items"
        _ = FileManager.default.createFile(atPath: itemsPath, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: itemsPath) else {
            throw FerryError.io("io.create", "cannot create the manifest", file: itemsPath)
        }
        self.handle = handle
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    func add(_ entry: ManifestEntry) throws {
        let data = try encoder.encode(entry)
        handle.write((first ? Data() : Data(",\n".utf8)) + data)
        first = false
        if entry.kind != "folder" && entry.kind != "tag" {
            counts.items[entry.kind, default: 0] += 1
        }
        if entry.status == "skipped" {
            counts.skipped[entry.kind, default: 0] += 1
            counts.skipReasons[entry.reason ?? "unknown", default: 0] += 1
        }
    }

    /// Writes `manifest.json` in `directory` and removes the side file.
    func finish(directory: String, header: [String: String]) throws {
        try handle.close()
        let sink = try AtomicFileSink(path: directory + "/" + AccountLayout.manifest)
        do {
            var head = "{\"format\":\"ferry-account\",\"version\":1"
            for (key, value) in header.sorted(by: { $0.key < $1.key }) {
                head += ",\(jsonString(key)):\(jsonString(value))"
            }
            let countsJSON = String(decoding: try encoder.encode(counts), as: UTF8.self)
            head += ",\"counts\":\(countsJSON),\"items\":[\n"
            try sink.write(head)
            let source = try FileSource(path: itemsPath)
            try source.forEachChunk(size: 1 << 16) { try sink.write($0) }
            try sink.write("\n]}\n")
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
        unlink(itemsPath)
    }

    func abort() {
        try? handle.close()
        unlink(itemsPath)
    }
}

func jsonString(_ text: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
    let s = String(decoding: data, as: UTF8.self)
    return String(s.dropFirst().dropLast())
}

/// A manifest read back, indexed for assembling.
public struct AccountManifest: Sendable {
    public var entries: [ManifestEntry]
    public var header: [String: String]

    public init(entries: [ManifestEntry], header: [String: String] = [:]) {
        self.entries = entries
        self.header = header
    }

    public static func load(_ path: String) throws -> AccountManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FerryError.io("io.read", "cannot read the manifest", file: path)
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              object["format"] as? String == "ferry-account" else {
            throw FerryError.data("manifest.format", "not a Ferry account manifest", file: path)
        }
        var header: [String: String] = [:]
        for (key, value) in object { if let s = value as? String { header[key] = s } }
        let items = object["items"] as? [Any] ?? []
        let decoder = JSONDecoder()
        var entries: [ManifestEntry] = []
        entries.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            do {
                let itemData = try JSONSerialization.data(withJSONObject: item)
                entries.append(try decoder.decode(ManifestEntry.self, from: itemData))
            } catch {
                throw FerryError.data("manifest.item", "item \(i + 1) of the manifest is malformed: \(error)", file: path)
            }
        }
        return AccountManifest(entries: entries, header: header)
    }
}

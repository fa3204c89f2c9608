#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore
import Foundation

/// Reads a directory tree of `.eml` files: sub-directories are folders, a file's mtime its received
/// date. Walks one directory at a time; symbolic links are never followed.
public final class EmlFolderReader: ItemReader {
    private let root: String
    private let log: DiagnosticLog
    private var directories: [String] = [""]
    private var files: [(relative: String, status: stat)] = []
    private var fileIndex = 0
    private var currentDirectory = ""

    public init(directory: String, log: DiagnosticLog) {
        root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.log = log
    }

    public func next() throws -> Item? {
        while true {
            if fileIndex < files.count {
                let (relative, st) = files[fileIndex]
                fileIndex += 1
                let path = root + "/" + relative
                let payload = try PayloadBytes.loadMessage(try FileSource(path: path), sizeHint: Int64(st.st_size))
                var metadata = ItemMetadata()
                metadata.folder = currentDirectory.isEmpty ? nil : currentDirectory
                metadata.date = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec))
                let parsed = ZimbraNaming.parse(relative)
                metadata.id = parsed.id.map(String.init)
                return Item(payload, metadata: metadata, origin: path)
            }
            guard !directories.isEmpty else { return nil }
            currentDirectory = directories.removeFirst()
            files = []
            fileIndex = 0
            let path = currentDirectory.isEmpty ? root : root + "/" + currentDirectory
            guard let entries = FileDelivery.list(path) else { continue }
            var subdirectories: [String] = []
            for entry in entries where !entry.name.hasPrefix(".") {
                let relative = currentDirectory.isEmpty ? entry.name : currentDirectory + "/" + entry.name
                switch entry.type {
                case .directory: subdirectories.append(relative)
                case .file where entry.name.lowercased().hasSuffix(".eml"): files.append((relative, entry.status))
                case .symlink: log.emit(.warning("emldir.symlink", "symbolic link skipped", file: root + "/" + relative))
                default: break
                }
            }
            directories.insert(contentsOf: subdirectories, at: 0)
        }
    }
}

/// Writes each message as `<folder>/<10-digit number>-<subject>.eml` (Zimbra's naming), mtime set to
/// its received date, written to a temporary name and renamed. Folder paths are made safe first.
public final class EmlFolderWriter: ItemWriter {
    private let root: String
    private var counter = 0
    private var created = Set<String>()

    public init(directory: String) throws {
        root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        try makeDirectories(root)
    }

    private func makeDirectories(_ path: String) throws {
        guard !created.contains(path) else { return }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FerryError.io("io.mkdir", "cannot create directory", file: path)
        }
        created.insert(path)
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        switch item.kind {
        case .message: break
        case .folder:
            try makeDirectories(([root] + EntrySafety.safeFolderComponents(item.metadata.folder ?? "")).joined(separator: "/"))
            return .written
        case .tag: return .written
        default: return .skipped(reason: "a folder of .eml files holds only messages (\(item.kind.rawValue) items)")
        }
        guard let message = MessageBytes(item.payload) else { return .skipped(reason: "message without bytes") }
        let components = EntrySafety.safeFolderComponents(item.metadata.folder ?? "")
        let directory = ([root] + components).joined(separator: "/")
        try makeDirectories(directory)
        counter += 1
        let id = item.metadata.id.flatMap { Int($0) } ?? counter
        let subject = message.header.decoded("Subject")?.trimmingCharacters(in: .whitespacesAndNewlines)
        var base = ZimbraNaming.itemName(id: id, title: subject, type: .message)
        if base.hasPrefix(".") { base = "_" + base.dropFirst() }
        var path = directory + "/" + base + ".eml"
        var n = 0
        while access(path, F_OK) == 0 {
            n += 1
            path = directory + "/" + base + String(format: "-%02d", n) + ".eml"
        }
        // Written under a hidden temporary name, then renamed: a message is there whole or not at all.
        try FileDelivery.deliver(message, temporary: directory + "/.ferry-\(getpid())-\(counter).tmp", final: path,
                                 mode: 0o644, mtime: FileDelivery.seconds(item.metadata.date))
        return .written
    }

    public func finish() throws {}
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FerryCore
import Foundation

/// Maildir flag letters (after `:2,`, in ASCII order) and Ferry's flag names.
public enum MaildirFlags {
    static let table: [(Character, String)] = [("D", MailFlag.draft), ("F", MailFlag.flagged), ("P", MailFlag.forwarded),
                                               ("R", MailFlag.replied), ("T", MailFlag.deleted)]

    /// Splits a file name into its unique part and its info (`…:2,FRS` → flags `FRS`); `:`, `;` and `!`
    /// are accepted as the separator (Windows-safe tools).
    public static func split(_ name: String) -> (unique: String, flags: String?) {
        for separator in [":2,", ";2,", "!2,"] {
            if let range = name.range(of: separator, options: .backwards) {
                return (String(name[..<range.lowerBound]), String(name[range.upperBound...]))
            }
        }
        if let range = name.range(of: ":1,", options: .backwards) { return (String(name[..<range.lowerBound]), nil) }
        return (name, nil)
    }

    public static func letters(for flags: Set<String>, keywords: [Character] = []) -> String {
        var letters: [Character] = table.filter { flags.contains($0.1) }.map(\.0)
        if !flags.contains(MailFlag.unread) { letters.append("S") }
        letters += keywords
        return String(letters.sorted { $0.asciiValue! < $1.asciiValue! })
    }
}

/// The Maildir++ folder name for a folder path and back: `Inbox` is the top level, `Inbox/Work` is
/// `.Inbox.Work`, `Sent` is `.Sent`; names in modified UTF-7.
public enum MaildirFolders {
    public static func directoryName(for folder: String?) -> String? {
        let components = EntrySafety.safeFolderComponents(folder ?? "")
        if components.isEmpty || (components.count == 1 && components[0].lowercased() == "inbox") { return nil }
        return "." + components.map(ModifiedUTF7.encode).joined(separator: ".")
    }

    public static func folder(forDirectory name: String) -> String {
        var components = name.dropFirst().split(separator: ".", omittingEmptySubsequences: true)
            .map { ModifiedUTF7.decode(String($0)) }
        if let first = components.first, first.lowercased() == "inbox" { components[0] = "Inbox" }
        return components.joined(separator: "/")
    }
}

/// Reads a Maildir++ tree: the top level is `Inbox`, `.Sub.Folder` siblings are folders; messages in
/// `cur/` and `new/`; flags from `:2,` (Dovecot keywords through `dovecot-keywords`), the received date
/// from the file's mtime. Index and metadata files (`dovecot*`, `courierimap*`, `maildirfolder`,
/// `.mu-prop`, `subscriptions`) are never taken for messages. One folder's file list at a time.
public final class MaildirReader: ItemReader {
    private let root: String
    private let log: DiagnosticLog
    private var folders: [(directory: String, folder: String)] = []
    private var folderIndex = -1
    private var files: [(path: String, inNew: Bool, status: stat)] = []
    private var fileIndex = 0
    private var keywords: [Character: String] = [:]
    private var pendingFolderItem: Item?

    public init(directory: String, log: DiagnosticLog) throws {
        root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        self.log = log
        guard let entries = FileDelivery.list(root) else {
            throw FerryError.io("io.open", "cannot list the Maildir", file: directory)
        }
        folders.append((root, "Inbox"))
        for entry in entries where entry.name.hasPrefix(".") && entry.type == .directory {
            let path = root + "/" + entry.name
            if FileDelivery.list(path)?.contains(where: { $0.name == "cur" && $0.type == .directory }) == true {
                folders.append((path, MaildirFolders.folder(forDirectory: entry.name)))
            }
        }
    }

    public func next() throws -> Item? {
        while true {
            if let folderItem = pendingFolderItem {
                pendingFolderItem = nil
                return folderItem
            }
            if fileIndex < files.count {
                let (path, inNew, status) = files[fileIndex]
                fileIndex += 1
                if let item = try message(at: path, inNew: inNew, status: status) { return item }
                continue
            }
            folderIndex += 1
            guard folderIndex < folders.count else { return nil }
            openFolder(folders[folderIndex])
        }
    }

    private func openFolder(_ entry: (directory: String, folder: String)) {
        files = []
        fileIndex = 0
        keywords = [:]
        if let text = try? String(contentsOfFile: entry.directory + "/dovecot-keywords", encoding: .utf8) {
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let index = Int(parts[0]), index >= 0, index < 26 {
                    keywords[Character(Unicode.Scalar(UInt8(97 + index)))] = String(parts[1])
                }
            }
        }
        for (sub, inNew) in [("new", true), ("cur", false)] {
            let dir = entry.directory + "/" + sub
            for file in FileDelivery.list(dir) ?? [] {
                let name = file.name
                if name.hasPrefix(".") || name.hasPrefix("dovecot") || name.hasPrefix("courierimap") { continue }
                switch file.type {
                case .file: files.append((dir + "/" + name, inNew, file.status))
                case .symlink: log.emit(.warning("maildir.symlink", "symbolic link in a Maildir skipped", file: dir + "/" + name))
                default: break
                }
            }
        }
        if entry.folder != "Inbox" {
            var metadata = ItemMetadata()
            metadata.folder = entry.folder
            pendingFolderItem = Item(BlobPayload(kind: .folder, name: entry.folder, bytes: nil), metadata: metadata,
                                     origin: entry.directory)
        }
    }

    private func message(at path: String, inNew: Bool, status st: stat) throws -> Item? {
        let source: FileSource
        do {
            source = try FileSource(path: path)
        } catch let error as FerryError {
            log.emit(error.diagnostic)
            return nil
        }
        let payload = try PayloadBytes.loadMessage(source, sizeHint: Int64(st.st_size))
        let name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        let (unique, info) = MaildirFlags.split(name)
        var metadata = ItemMetadata()
        metadata.folder = folders[folderIndex].folder
        metadata.id = unique
        var seen = false
        for ch in info ?? "" {
            if ch == "S" { seen = true }
            else if let flag = MaildirFlags.table.first(where: { $0.0 == ch })?.1 { metadata.flags.insert(flag) }
            else if ch.isLowercase, let keyword = keywords[ch] {
                if keyword == "$Forwarded" { metadata.flags.insert(MailFlag.forwarded) } else { metadata.tags.append(keyword) }
            }
        }
        if !seen { metadata.flags.insert(MailFlag.unread) }
        // The delivery time in the unique name (what survives a copy without -p), else the mtime.
        if let seconds = unique.split(separator: ".").first.flatMap({ Int($0) }), seconds >= 100_000_000 {
            metadata.date = Date(timeIntervalSince1970: TimeInterval(seconds))
        } else {
            #if canImport(Glibc)
            metadata.date = Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec))
            #else
            metadata.date = Date(timeIntervalSince1970: TimeInterval(st.st_mtimespec.tv_sec))
            #endif
        }
        return Item(payload, metadata: metadata, origin: path)
    }
}

/// Writes a Maildir++ tree: each message into `cur/` under a unique name
/// (`<seconds>.M<usec>P<pid>Q<n>.<host>,S=<size>:2,<flags>`), its mtime set to the received date;
/// tags as Dovecot keywords (`dovecot-keywords`, up to 26 per folder); folders as `.Sub.Folder`
/// directories with a `maildirfolder` marker. Nothing is ever written outside the target.
///
/// Delivery keeps the Maildir rule that a reader never sees a half-written message, in one of two ways:
/// - The target exists (a live Maildir, perhaps watched by a server): each message is written to `tmp/`
///   and renamed into `cur/` (the spec's delivery).
/// - The target does not exist yet: the whole tree is built in a hidden sibling directory
///   (`.NAME.ferry-XXXXXX`) that no reader knows of, messages go straight into its `cur/` (created
///   exclusively; one rename fewer per message), and `finish()` renames the tree into place, so the
///   target appears complete or not at all (like `AtomicFileSink` for files). A failed run removes it.
public final class MaildirWriter: ItemWriter {
    /// Where the tree is written (the target, or the staging directory).
    private let root: String
    /// The target when the tree is staged (renamed into place by `finish()`).
    private let stagedTarget: String?
    private var finished = false
    private let log: DiagnosticLog
    private var created = Set<String>()
    private var keywordFiles: [String: [String]] = [:]
    private var counter = 0
    private let host: String
    private let pid = getpid()
    private var droppedTags = 0

    public init(directory: String, log: DiagnosticLog) throws {
        var target = directory
        while target.count > 1 && target.hasSuffix("/") { target.removeLast() }
        self.log = log
        var st = stat()
        if lstat(target, &st) != 0 && errno == ENOENT, let staging = MaildirWriter.makeStaging(for: target) {
            root = staging
            stagedTarget = target
        } else {
            root = target
            stagedTarget = nil
        }
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, 255)
        host = String(cString: name).replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
        try ensure(root, marker: false)
    }

    private func ensure(_ directory: String, marker: Bool) throws {
        guard !created.contains(directory) else { return }
        for sub in ["", "/cur", "/new", "/tmp"] {
            let path = directory + sub
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw FerryError.io("io.mkdir", "cannot create directory: \(String(cString: strerror(errno)))", file: path)
            }
        }
        if marker {
            let fd = open(directory + "/maildirfolder", O_WRONLY | O_CREAT, 0o600)
            if fd >= 0 { close(fd) }
        }
        if let text = try? String(contentsOfFile: directory + "/dovecot-keywords", encoding: .utf8) {
            keywordFiles[directory] = text.split(whereSeparator: \.isNewline).compactMap {
                let parts = $0.split(separator: " ", maxSplits: 1)
                return parts.count == 2 ? String(parts[1]) : nil
            }
        }
        created.insert(directory)
    }

    private func folderDirectory(_ folder: String?) throws -> String {
        guard let name = MaildirFolders.directoryName(for: folder) else { return root }
        let path = root + "/" + name
        try ensure(path, marker: true)
        return path
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        switch item.kind {
        case .message: break
        case .folder:
            _ = try folderDirectory(item.metadata.folder)
            return .written
        case .tag:
            return .written
        default:
            return .skipped(reason: "a Maildir holds only messages (\(item.kind.rawValue) items)")
        }
        guard let message = MessageBytes(item.payload) else { return .skipped(reason: "message without bytes") }
        let directory = try folderDirectory(item.metadata.folder)
        var letters: [Character] = []
        var tags = item.metadata.tags
        if item.metadata.flags.contains(MailFlag.forwarded) == false { tags.removeAll { $0 == "$Forwarded" } }
        for tag in tags {
            var list = keywordFiles[directory] ?? []
            var index = list.firstIndex(of: tag)
            if index == nil, list.count < 26 {
                list.append(tag)
                keywordFiles[directory] = list
                index = list.count - 1
            }
            if let index { letters.append(Character(Unicode.Scalar(UInt8(97 + index)))) } else { droppedTags += 1 }
        }
        let date = item.metadata.date ?? Date()
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        counter += 1
        var now = timeval()
        gettimeofday(&now, nil)
        let unique = "\(seconds).M\(now.tv_usec)P\(pid)Q\(counter).\(host),S=\(message.count)"
        let flags = MaildirFlags.letters(for: item.metadata.flags, keywords: letters)
        let final = directory + "/cur/" + unique + ":2," + flags
        if stagedTarget != nil {
            try FileDelivery.write(message, to: final, mtime: seconds)
        } else {
            try FileDelivery.deliver(message, temporary: directory + "/tmp/" + unique, final: final, mtime: seconds)
        }
        return .written
    }

    /// A fresh hidden directory next to `target` (nil when it cannot be made: the target is then
    /// written in place, which reports the real error).
    static func makeStaging(for target: String) -> String? {
        let slash = target.lastIndex(of: "/")
        let parent = slash.map { String(target[..<$0]) } ?? "."
        let base = slash.map { String(target[target.index(after: $0)...]) } ?? target
        guard !base.isEmpty, base != ".", base != ".." else { return nil }
        var template = Array("\(parent.isEmpty ? "/" : parent)/.\(base).ferry-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { return nil }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    deinit {
        // A run that did not finish leaves no staged tree behind.
        if let _ = stagedTarget, !finished { FileDelivery.removeTree(root) }
    }

    public func finish() throws {
        for (directory, list) in keywordFiles where !list.isEmpty {
            let text = list.enumerated().map { "\($0.offset) \($0.element)\n" }.joined()
            let sink = try AtomicFileSink(path: directory + "/dovecot-keywords")
            try sink.write(text)
            try sink.finish()
        }
        if droppedTags > 0 {
            log.emit(.warning("maildir.keywords", "\(droppedTags) tag(s) not kept: a Maildir folder holds at most 26 keywords",
                              file: stagedTarget ?? root))
        }
        if let target = stagedTarget {
            // mkdtemp made it 0700; a Maildir's own directories are 0700 too, as `ensure` makes them.
            guard rename(root, target) == 0 else {
                let reason = String(cString: strerror(errno))
                throw FerryError.io("io.rename", "cannot move the finished Maildir into place: \(reason)", file: target)
            }
        }
        finished = true
    }
}

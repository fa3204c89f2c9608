import FerryCore
import Foundation

/// zip, tar and tgz: Zimbra's archive layout, or any archive of `.eml` files.
public struct ArchiveFormat: Format {
    public let container: ZimbraArchiveWriter.Container
    /// Decodes meta-less entries other formats own (`.vcf`, `.ics`); set by the pipeline.
    public let memberDecoder: MemberDecoder?

    public init(_ container: ZimbraArchiveWriter.Container, memberDecoder: MemberDecoder? = nil) {
        self.container = container
        self.memberDecoder = memberDecoder
    }

    public var name: String { container.rawValue }
    public var summary: String {
        switch container {
        case .zip: return "zip archive (Zimbra layout or .eml files)"
        case .tar: return "tar archive in Zimbra's layout"
        case .tgz: return "gzipped tar archive in Zimbra's layout"
        }
    }
    public var extensions: [String] {
        switch container {
        case .zip: return ["zip"]
        case .tar: return ["tar"]
        case .tgz: return ["tgz", "tar.gz"]
        }
    }
    public var kinds: [ItemKind] { [.message, .contact, .calendar, .task, .document, .folder, .tag] }

    public func bid(prefix: [UInt8], name: String?) -> Int {
        let lower = name?.lowercased() ?? ""
        switch container {
        case .zip:
            if prefix.starts(with: [0x50, 0x4B, 0x03, 0x04]) || prefix.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return 90 }
            return lower.hasSuffix(".zip") ? 40 : 0
        case .tar:
            if ArchiveFormat.isTarHeader(prefix) { return 80 }
            return lower.hasSuffix(".tar") ? 40 : 0
        case .tgz:
            guard GzipSource.isGzip(prefix) else { return 0 }
            if lower.hasSuffix(".tgz") || lower.hasSuffix(".tar.gz") { return 90 }
            // Look inside: a tar header in the first decompressed block.
            if let inner = try? GzipSource(MemorySource(prefix)), let head = try? inner.read(upTo: 512),
               ArchiveFormat.isTarHeader(head) {
                return 85
            }
            return 0
        }
    }

    static func isTarHeader(_ block: [UInt8]) -> Bool {
        guard block.count >= 512 else { return false }
        if Array(block[257..<262]) == Array("ustar".utf8) { return true }
        // v7 tar: a valid checksum.
        let stored = String(decoding: block[148..<156], as: UTF8.self)
            .trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
        guard let checksum = Int(stored, radix: 8), checksum > 0 else { return false }
        var sum = 0
        for (i, b) in block.prefix(512).enumerated() { sum += (148..<156).contains(i) ? 32 : Int(b) }
        return sum == checksum
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else {
            throw FerryError.usage("format.directory", "\(name) input must be a file, not a directory")
        }
        return try ZimbraArchiveReader(source: source, options: options, log: log, memberDecoder: memberDecoder)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("format.directory", "\(name) output must be a file")
        }
        return try ZimbraArchiveWriter(sink: sink, container: container, options: options, log: log)
    }
}

/// The Unix mailbox family.
public struct MboxFormat: Format {
    public init() {}
    public var name: String { "mbox" }
    public var summary: String { "Unix mailbox (mboxrd, mboxo, mboxcl, mboxcl2; Thunderbird, Takeout)" }
    public var extensions: [String] { ["mbox", "mbx", "mboxrd"] }
    public var kinds: [ItemKind] { [.message] }

    public func bid(prefix: [UInt8], name: String?) -> Int {
        var end = 0
        while end < prefix.count && end < 1000 && prefix[end] != 0x0A && prefix[end] != 0x0D { end += 1 }
        if FromLine.isSeparator(Array(prefix[..<end])) { return 80 }
        return extensionBid(name, score: 40)
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else {
            throw FerryError.usage("format.directory", "an mbox input must be a file, not a directory")
        }
        return try MboxReader(source: source, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("format.directory", "an mbox output must be a file")
        }
        return try MboxWriter(sink: sink, options: options, log: log)
    }
}

/// Maildir / Maildir++ trees.
public struct MaildirFormat: Format {
    public init() {}
    public var name: String { "maildir" }
    public var summary: String { "Maildir++ folder tree (cur/new/tmp, :2, flags, Dovecot keywords)" }
    public var extensions: [String] { [] }
    public var kinds: [ItemKind] { [.message, .folder] }
    public var writesDirectory: Bool { true }

    public func bid(prefix: [UInt8], name: String?) -> Int {
        guard let name, name.hasSuffix("/") else { return 0 }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: name + "cur", isDirectory: &isDir) && isDir.boolValue { return 90 }
        let last = name.dropLast().split(separator: "/").last.map { $0.lowercased() } ?? ""
        return last.contains("maildir") ? 60 : 0
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .directory(let path) = input else {
            throw FerryError.usage("format.not-directory", "a Maildir input must be a directory")
        }
        return try MaildirReader(directory: path, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .directory(let path) = output else {
            throw FerryError.usage("format.not-directory", "a Maildir output must be a directory (-o DIR)")
        }
        return try MaildirWriter(directory: path, log: log)
    }
}

/// A directory tree of `.eml` files (sub-directories are folders).
public struct EmlFolderFormat: Format {
    public init() {}
    public var name: String { "emldir" }
    public var summary: String { "directory tree of .eml files (sub-directories are folders)" }
    public var extensions: [String] { [] }
    public var kinds: [ItemKind] { [.message] }
    public var writesDirectory: Bool { true }

    public func bid(prefix: [UInt8], name: String?) -> Int {
        guard let name, name.hasSuffix("/") else { return 0 }
        return 30
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .directory(let path) = input else {
            throw FerryError.usage("format.not-directory", "an emldir input must be a directory")
        }
        return EmlFolderReader(directory: path, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .directory(let path) = output else {
            throw FerryError.usage("format.not-directory", "an emldir output must be a directory (-o DIR)")
        }
        return try EmlFolderWriter(directory: path)
    }
}

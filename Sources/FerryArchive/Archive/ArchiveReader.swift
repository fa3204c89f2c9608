import CArchive
import FerryCore
import Foundation

/// One entry of an archive being read, as its header tells it.
public struct ArchiveEntryInfo: Sendable {
    public enum EntryType: Sendable, Equatable {
        case file, directory, symlink, hardlink, device, fifo, socket, other
    }

    /// The name's bytes as stored.
    public var rawName: [UInt8]
    /// The name decoded (UTF-8, the user's `--charset`, or detected), `/`-separated.
    public var name: String
    public var type: EntryType
    /// nil when the archive does not say (zip entries streamed with a data descriptor).
    public var size: Int64?
    public var mode: UInt32
    public var modificationTime: Date?
    /// tar group name (Zimbra writes the item type here).
    public var groupName: String?
    public var linkTarget: String?
    /// Where the entry is, for diagnostics: `archive.tgz:Inbox/0000000257-Hello.eml`.
    public var location: String
}

/// Reads zip, tar (ustar, pax, GNU, v7), and their gzip/bzip2/xz/zstd-compressed forms through
/// libarchive, pulling bytes from a `ByteSource`: entries stream one after the other and each entry's
/// data is itself a `ByteSource`, so nothing is ever extracted to disk or held whole.
public final class ArchiveReader {
    private let archive: OpaquePointer
    private let input: InputBox
    private let archiveName: String
    private let nameCharset: Charset?
    private let log: DiagnosticLog
    private var detectedCharset: Charset?
    private var reportedCharset = false
    private var finished = false
    public private(set) var current: ArchiveEntryInfo?
    /// The archive's format as libarchive names it (after the first header), e.g. `GNU tar format`.
    public private(set) var formatName: String?
    public private(set) var filterName: String?
    /// The input, for a zip's central directory (looked at once, at the first zip entry).
    private let original: ByteSource
    private var zipSpecial: [[UInt8]: ArchiveEntryInfo.EntryType]??
    /// A zip read as it is (not through a compression filter), known after the first header.
    private var isZip = false

    final class InputBox {
        let source: ByteSource
        let buffer: UnsafeMutableRawBufferPointer
        var error: Error?
        init(_ source: ByteSource) {
            self.source = source
            buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 17, alignment: 16)
        }
        deinit { buffer.deallocate() }
    }

    /// - Parameter nameCharset: how to decode entry names that are not UTF-8 (nil: detect, CP437 for zip last).
    public init(source: ByteSource, nameCharset: Charset? = nil, log: DiagnosticLog) throws {
        ArchiveReader.useUTF8Locale()
        // A gzip-compressed archive (tgz) is inflated on a thread of its own, a few MiB ahead of the
        // tar parsing: libarchive then reads a plain tar, and inflating (a fifth of a tgz → mbox run)
        // overlaps with everything else. Other filters (bzip2, xz, zstd) stay libarchive's.
        let head = try source.read(upTo: 2)
        let rest = PrefixedSource(prefix: head, rest: source)
        let stream: ByteSource = GzipSource.isGzip(head) ? ReadAheadSource(try GzipSource(rest)) : rest
        guard let a = archive_read_new() else { throw FerryError.io("archive.memory", "libarchive: out of memory") }
        archive = a
        input = InputBox(stream)
        original = source
        archiveName = source.name
        self.nameCharset = nameCharset
        self.log = log
        archive_read_support_filter_all(a)
        archive_read_support_format_tar(a)
        archive_read_support_format_gnutar(a)
        archive_read_support_format_zip_streamable(a)
        let readCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?,
                                          UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t = { a, client, out in
            let box = Unmanaged<InputBox>.fromOpaque(client!).takeUnretainedValue()
            do {
                let n = try box.source.read(into: box.buffer)
                out?.pointee = UnsafeRawPointer(box.buffer.baseAddress)
                return la_ssize_t(n)
            } catch {
                box.error = error
                return -1
            }
        }
        let status = archive_read_open(a, Unmanaged.passUnretained(input).toOpaque(), nil, readCallback, nil)
        if status != ARCHIVE_OK {
            // Every stored property is set, so deinit runs when this init throws and frees the handle:
            // freeing it here too would be a double free (libarchive aborts on the dead handle).
            if let error = input.error { throw error }
            throw FerryError.data("archive.open", "not a readable archive: \(errorString(a))", file: source.name)
        }
    }

    deinit { archive_read_free(archive) }

    /// libarchive converts names through the C library's locale; in the "C" locale every non-ASCII
    /// name fails. Ferry is a UTF-8 program, so the character type becomes C.UTF-8 (once).
    static let utf8Locale: Bool = {
        let current = setlocale(LC_CTYPE, nil).map { String(cString: $0) } ?? "C"
        if current == "C" || current == "POSIX" {
            return setlocale(LC_CTYPE, "C.UTF-8") != nil || setlocale(LC_CTYPE, "en_US.UTF-8") != nil
        }
        return true
    }()

    static func useUTF8Locale() { _ = utf8Locale }

    private func errorString(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown error"
    }

    /// The next entry's header, or nil at the end. The previous entry's unread data is skipped.
    public func nextEntry() throws -> ArchiveEntryInfo? {
        guard !finished else { return nil }
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF {
            finished = true
            current = nil
            return nil
        }
        if let error = input.error { throw error }
        if status == ARCHIVE_FATAL || entry == nil {
            finished = true
            throw FerryError.data("archive.corrupt", "archive is damaged: \(errorString(archive))", file: archiveName)
        }
        if status == ARCHIVE_WARN {
            log.emit(.warning("archive.warning", errorString(archive), file: archiveName))
        }
        if formatName == nil {
            formatName = archive_format_name(archive).map { String(cString: $0) }
            if archive_filter_count(archive) > 1 {
                filterName = archive_filter_name(archive, 0).map { String(cString: $0) }
            }
            isZip = filterName == nil && archive_format(archive) & ARCHIVE_FORMAT_BASE_MASK == ARCHIVE_FORMAT_ZIP
        }
        let e = entry!
        let raw = archive_entry_pathname(e).map { Array(UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: strlen($0))) }
        // A name that is valid UTF-8 as stored needs no conversion (libarchive's goes through the locale).
        let name: String
        if let raw, let text = String(validatingUTF8: raw.map { CChar(bitPattern: $0) } + [0]) {
            name = text
        } else {
            name = decodeName(raw: raw, utf8: archive_entry_pathname_utf8(e).map { String(cString: $0) })
        }
        var type: ArchiveEntryInfo.EntryType
        let hardlink = archive_entry_hardlink(e).map { String(cString: $0) }
        switch UInt32(archive_entry_filetype(e)) {
        case _ where hardlink != nil: type = .hardlink
        case 0o100000: type = .file
        case 0o040000: type = .directory
        case 0o120000: type = .symlink
        case 0o020000, 0o060000: type = .device
        case 0o010000: type = .fifo
        case 0o140000: type = .socket
        default: type = name.hasSuffix("/") ? .directory : .other
        }
        var linkTarget = hardlink ?? archive_entry_symlink(e).map { String(cString: $0) }
        if type == .file, let special = zipSpecialEntries(), let recorded = special[raw ?? Array(name.utf8)] {
            // A zip symlink's data is its target (short); read it for the diagnostic.
            type = recorded
            if recorded == .symlink {
                var target = [UInt8](repeating: 0, count: 1024)
                let n = target.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
                linkTarget = String(decoding: target.prefix(max(0, n)), as: UTF8.self)
            }
        }
        let info = ArchiveEntryInfo(
            rawName: raw ?? Array(name.utf8),
            name: name,
            type: type,
            size: archive_entry_size_is_set(e) != 0 ? archive_entry_size(e) : nil,
            mode: UInt32(archive_entry_mode(e)),
            modificationTime: archive_entry_mtime_is_set(e) != 0
                ? Date(timeIntervalSince1970: TimeInterval(archive_entry_mtime(e))) : nil,
            groupName: archive_entry_gname(e).map { String(cString: $0) },
            linkTarget: linkTarget,
            location: "\(archiveName):\(name)")
        current = info
        return info
    }

    /// For a zip read from a file or memory: the entries its central directory records as links,
    /// devices, FIFOs or sockets (the local headers a streaming reader sees do not say).
    private func zipSpecialEntries() -> [[UInt8]: ArchiveEntryInfo.EntryType]? {
        guard isZip else { return nil }
        if let zipSpecial { return zipSpecial }
        var random = original as? RandomAccessSource
        if random?.totalSize == nil, let again = original as? RereadableSource, again.canReread {
            random = (try? again.reread()) as? RandomAccessSource
        }
        let found = random.flatMap { ZipCentralDirectory.specialEntries($0) }
        zipSpecial = .some(found)
        return found
    }

    private func decodeName(raw: [UInt8]?, utf8: String?) -> String {
        if let raw, let text = String(validatingUTF8: raw.map { CChar(bitPattern: $0) } + [0]) { return text }
        guard let raw else { return utf8 ?? "" }
        if let utf8, !utf8.contains("\u{FFFD}"), nameCharset == nil { return utf8 }
        let charset: Charset
        if let nameCharset {
            charset = nameCharset
        } else if let detectedCharset {
            charset = detectedCharset
        } else {
            let guess = CharsetDetector.detect(raw)
            let isZip = formatName?.lowercased().contains("zip") ?? false
            let fallback = isZip ? "IBM437" : "windows-1252"
            charset = (guess.confidence >= 50 ? try? Charset(guess.charset) : nil) ?? (try? Charset(fallback)) ?? .utf8
            detectedCharset = charset
        }
        if !reportedCharset {
            reportedCharset = true
            log.emit(.note("archive.name-charset", "entry names are not UTF-8; decoding them as \(charset.label)"
                           + (nameCharset == nil ? " (detected; use --charset to choose)" : ""), file: archiveName))
        }
        return (try? CharsetDecoder(charset).decode(raw)) ?? String(decoding: raw, as: UTF8.self)
    }

    /// The current entry's data, streamed. Read it before asking for the next entry.
    public func entryData() -> ByteSource { EntryDataSource(reader: self) }

    fileprivate func readData(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = archive_read_data(archive, buffer.baseAddress, buffer.count)
        if n < 0 {
            if let error = input.error { throw error }
            throw FerryError.data("archive.data", "cannot read entry data: \(errorString(archive))",
                                  file: current?.location ?? archiveName)
        }
        return n
    }

    fileprivate var currentLocation: String { current?.location ?? archiveName }
}

/// An entry's bytes as a `ByteSource` (valid until the next header is read).
final class EntryDataSource: ByteSource {
    private let reader: ArchiveReader
    let name: String
    init(reader: ArchiveReader) {
        self.reader = reader
        self.name = reader.currentLocation
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try reader.readData(into: buffer)
    }
}

import Foundation

/// Options every reader may use; each format reads the ones that concern it.
public struct ReadOptions: Sendable {
    /// Charset named by the user (`--charset`); nil = declared by the input or detected.
    public var charset: Charset?
    public var charsetPolicy: CharsetPolicy = .replace
    /// Contact CSV dialect (`--csv-format`, e.g. `outlook-2003-csv`); nil = detect.
    public var csvFormat: String?
    /// Locale of the dialect's headers (`--locale`, e.g. `de`).
    public var locale: String?
    /// Read CSV like Excel (`--lenient`): stray quotes are kept literally instead of skipping the row.
    public var csvLenient = false
    public var timeRange = TimeRange()
    public var timeContext = TimeContext()
    public var query: String?
    /// mbox dialect to read (`--mbox-variant rd|o|cl|cl2`); nil = mboxrd rules, Content-Length not trusted.
    public var mboxVariant: String?

    public init() {}
}

/// Options every writer may use.
public struct WriteOptions: Sendable {
    /// Charset to write (`--output-charset`); nil = the format's default (UTF-8 almost everywhere).
    public var charset: Charset?
    public var charsetPolicy: CharsetPolicy = .replace
    public var csvFormat: String?
    public var locale: String?
    /// The range a writer covers when it has one of its own (free/busy, feeds).
    public var timeRange = TimeRange()
    public var timeContext = TimeContext()
    /// Options only one format understands (`ifb`: `events=1` for Zimbra's `fbfmt=event`,
    /// `organizer=mailto:…`), set by the CLI subcommand that owns them.
    public var formatOptions: [String: String] = [:]
    /// mbox dialect to write (`--mbox-variant rd|o|cl2`); nil = mboxrd.
    public var mboxVariant: String?

    public init() {}
}

/// Where a reader takes its input from.
public enum FormatInput {
    /// A byte stream (a file, stdin, an archive entry).
    case stream(ByteSource)
    /// A directory (Maildir, a folder of `.eml` files).
    case directory(String)
}

/// Where a writer puts its output.
public enum FormatOutput {
    case stream(ByteSink)
    case directory(String)
}

/// Pulls items one at a time. Readers never hold their whole input.
public protocol ItemReader: AnyObject {
    /// The next item, or nil at the end. A bad item is reported to the log and skipped; only an
    /// unreadable input throws.
    func next() throws -> Item?
}

/// A reader that can hand all its remaining input to some writers faster than item by item (csv → vcf
/// without building a contact per row). The bytes written must be exactly those item-by-item writing
/// gives; the converter asks only when no filter applies and before the first `next()`.
public protocol DirectTransferReader: ItemReader {
    /// Writes everything left to `writer` and says what was written, or returns nil without reading
    /// anything when it has no direct path to this writer. `progress` gets the items written so far.
    func transfer(to writer: any ItemWriter, progress: (Int) -> Void) throws -> DirectTransfer?
}

/// What a direct transfer wrote: `count` items of one kind, all into the top folder.
public struct DirectTransfer: Sendable, Equatable {
    public var kind: ItemKind
    public var count: Int
    public init(kind: ItemKind, count: Int) {
        self.kind = kind
        self.count = count
    }
}

/// A reader that itself leaves items out for the user's `--start`/`--end` (an iCalendar reader keeps
/// only objects with an instance in the range): the conversion summary counts them as filtered.
public protocol FilteringItemReader: ItemReader {
    /// Items left out so far, by kind.
    var filteredCounts: [ItemKind: Int] { get }
}

/// What a writer did with an item.
public enum WriteOutcome: Sendable, Equatable {
    case written
    /// The writer cannot hold this item (contacts into an mbox); the reason goes in the summary.
    case skipped(reason: String)
}

/// Accepts items one at a time; `finish()` after the last (then atomic outputs are renamed into place).
public protocol ItemWriter: AnyObject {
    func write(_ item: Item) throws -> WriteOutcome
    func finish() throws
}

/// A format: its name, what it can do, and how to recognise it (the libarchive-style bid).
public protocol Format: Sendable {
    /// The `fmt=` name (`eml`, `mbox`, `csv`, `vcf`, `ics`, …).
    var name: String { get }
    var summary: String { get }
    /// File name extensions, lower case, without the dot.
    var extensions: [String] { get }
    /// Item kinds the format holds.
    var kinds: [ItemKind] { get }
    var canRead: Bool { get }
    var canWrite: Bool { get }
    /// True for formats whose output is a directory (Maildir, a folder of `.eml` files).
    var writesDirectory: Bool { get }
    /// How sure the format is that the input is its own: 0 = not mine, 100 = certain. `prefix` is the
    /// first bytes (up to 64 KiB), `name` the file name if any.
    func bid(prefix: [UInt8], name: String?) -> Int
    func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader
    func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter
}

extension Format {
    public var canRead: Bool { true }
    public var canWrite: Bool { true }
    public var writesDirectory: Bool { false }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        throw FerryError.usage("format.no-reader", "ferry cannot read \(name) yet")
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        throw FerryError.usage("format.no-writer", "ferry cannot write \(name) yet")
    }

    /// A bid from the file name's extension alone (a helper for `bid`).
    public func extensionBid(_ name: String?, score: Int = 50) -> Int {
        guard let name, let dot = name.lastIndex(of: ".") else { return 0 }
        let ext = name[name.index(after: dot)...].lowercased()
        return extensions.contains(ext) ? score : 0
    }
}

/// A directory-writing format that writes one file per item in another format's shape (`ics-files`
/// for `ics`): `--to ics -o dir/` picks it instead of writing one file named like a directory.
public protocol DirectoryForm: Format {
    /// The `fmt=` name of the single-file format whose files it writes.
    var fileFormat: String { get }
}

import Foundation
import FerryCore

/// Every format Ferry knows, by its `fmt=` name. Format modules register here; the pipeline and
/// the CLI pick formats only through this table (by name, extension or bid), never by `if`-chains.
public struct FormatRegistry: Sendable {
    public private(set) var formats: [any Format]

    public init(_ formats: [any Format]) {
        self.formats = formats
    }

    /// The registry with every format built into this version of Ferry.
    public static var standard: FormatRegistry {
        FormatRegistry(builtinFormats)
    }

    public func format(named name: String) -> (any Format)? {
        let key = name.lowercased()
        return formats.first { $0.name == key } ?? formats.first { $0.extensions.contains(key) }
    }

    /// The best bidder for an input, given its first bytes and name.
    public func sniff(prefix: [UInt8], name: String?) -> (format: any Format, bid: Int)? {
        var best: (any Format, Int)?
        for format in formats {
            let bid = format.bid(prefix: prefix, name: name)
            if bid > 0 && bid > (best?.1 ?? 0) { best = (format, bid) }
        }
        return best.map { (format: $0.0, bid: $0.1) }
    }

    /// The format for an output path from its extension.
    public func format(forOutputPath path: String) -> (any Format)? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = path[path.index(after: dot)...].lowercased()
        if ext == "gz", path.lowercased().hasSuffix(".tar.gz") { return format(named: "tgz") }
        return formats.first { $0.canWrite && $0.extensions.contains(ext) }
    }

    /// The format for a directory output (`Maildir/`, an existing Maildir, `mail/` for .eml files):
    /// the best directory-writing bidder on the path with a trailing slash.
    public func format(forOutputDirectory path: String) -> (any Format)? {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard path.hasSuffix("/") || (exists && isDirectory.boolValue) else { return nil }
        let name = path.hasSuffix("/") ? path : path + "/"
        var best: (any Format, Int)?
        for format in formats where format.canWrite && format.writesDirectory {
            let bid = format.bid(prefix: [], name: name)
            if bid > (best?.1 ?? 0) { best = (format, bid) }
        }
        return best?.0
    }

    /// Like `format(forOutputPath:)`, preferring a format that holds the input's kinds (`-o events.csv`
    /// from a calendar is calendar-csv, from contacts contact CSV).
    public func format(forOutputPath path: String, kinds: Set<ItemKind>) -> (any Format)? {
        guard let first = format(forOutputPath: path) else { return nil }
        guard !kinds.isEmpty, kinds.isDisjoint(with: first.kinds),
              let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return first }
        let ext = path[path.index(after: dot)...].lowercased()
        return formats.first { $0.canWrite && $0.extensions.contains(ext) && !kinds.isDisjoint(with: $0.kinds) } ?? first
    }

    /// Like `format(forOutputDirectory:)`, preferring directory formats that hold the input's kinds
    /// (`-o dir/` from a calendar is ics-files, from mail Maildir or .eml files).
    public func format(forOutputDirectory path: String, kinds: Set<ItemKind>) -> (any Format)? {
        guard let first = format(forOutputDirectory: path) else { return nil }
        guard !kinds.isEmpty, kinds.isDisjoint(with: first.kinds) else { return first }
        let name = path.hasSuffix("/") ? path : path + "/"
        var best: (any Format, Int)?
        for format in formats where format.canWrite && format.writesDirectory && !kinds.isDisjoint(with: format.kinds) {
            let bid = format.bid(prefix: [], name: name)
            if bid > (best?.1 ?? 0) { best = (format, bid) }
        }
        return best?.0 ?? first
    }

    /// The directory form of a single-file format (`ics-files` for `ics`), if one is registered.
    public func directoryForm(of format: any Format) -> (any Format)? {
        formats.first { ($0 as? any DirectoryForm)?.fileFormat == format.name }
    }
}


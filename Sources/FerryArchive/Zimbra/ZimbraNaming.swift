import FerryCore
import Foundation

/// Entry names in Zimbra's archive layout (reference §4.3): folder paths with `!N` splits every 500
/// items, 10-digit id prefixes, sanitising and the 120-character cut, `-01` suffixes for duplicates.
public struct ZimbraNaming {
    /// Items per folder bucket before the next `!N` split.
    public static let splitSize = 500
    private var folderCounters: [String: Int] = [:]
    /// Lower-cased paths handed out for names without an id prefix (contacts, documents).
    private var usedPaths = Set<String>()

    public init() {}

    /// A folder path as an entry directory: `: * ? " < > |` and NUL → `_`, `/` kept.
    public static func sanitizeFolder(_ path: String) -> String {
        replacing(path, ":*?\"<>|\u{0}")
    }

    /// `text` with each of the ASCII characters in `bad` replaced by `_` (a byte scan first: most
    /// names have none).
    static func replacing(_ text: String, _ bad: String) -> String {
        let badBytes = Array(bad.utf8)
        guard text.utf8.contains(where: { badBytes.contains($0) }) else { return text }
        return String(decoding: text.utf8.map { badBytes.contains($0) ? 0x5F : $0 }, as: UTF8.self)
    }

    /// `id` as ten digits (more when larger), zero-padded.
    static func paddedID(_ id: Int) -> String {
        let digits = String(id)
        return digits.count >= 10 ? digits : String(repeating: "0", count: 10 - digits.count) + digits
    }

    /// An item's base name: `0000000257-Subject` (or `message-257` without a subject), cut to 120
    /// UTF-16 units when longer than 121, `/ : * ? " < > |` and NUL → `_`, spaces trimmed, trailing
    /// dots removed.
    public static func itemName(id: Int, title: String?, type: ZimbraItemType) -> String {
        var name: String
        if let title, !title.isEmpty {
            name = paddedID(id) + "-" + title
        } else {
            name = "\(type.name)-\(id)"
        }
        name = cut(name)
        name = replacing(name, "/:*?\"<>|\u{0}")
        name = trimTrailingDots(trimSpaces(name))
        return name
    }

    /// Zimbra's off-by-one cut: longer than 121 UTF-16 units → the first 120 (never splitting a pair).
    static func cut(_ name: String) -> String {
        let units = Array(name.utf16)
        guard units.count > 121 else { return name }
        var end = 120
        if UTF16.isLeadSurrogate(units[end - 1]) { end -= 1 }
        return String(decoding: units[..<end], as: UTF16.self)
    }

    static func trimSpaces(_ name: String) -> String {
        var s = Substring(name)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }

    static func trimTrailingDots(_ name: String) -> String {
        var s = Substring(name)
        while let last = s.last, last == "." || last == " " { s = s.dropLast() }
        return String(s)
    }

    /// The folder directory an item goes into: the folder path, `!N` after every 500 items.
    public mutating func bucketedFolder(_ folder: String) -> String {
        let count = (folderCounters[folder] ?? 0) + 1
        folderCounters[folder] = count
        let bucket = count / ZimbraNaming.splitSize
        let clean = ZimbraNaming.sanitizeFolder(folder)
        return bucket == 0 ? clean : "\(clean)!\(bucket)"
    }

    /// Makes `path` unique among the paths handed out by this call (case-insensitively) by inserting
    /// `-01`, `-02`, … before its extension.
    public mutating func unique(_ path: String, extension ext: String?) -> String {
        var candidate = path + (ext.map { ".\($0)" } ?? "")
        var n = 0
        while usedPaths.contains(candidate.lowercased()) {
            n += 1
            candidate = path + String(format: "-%02d", n) + (ext.map { ".\($0)" } ?? "")
        }
        usedPaths.insert(candidate.lowercased())
        return candidate
    }

    // MARK: Reading names of any era

    /// What an entry name says by itself (for meta-less archives): folder, id, base name, extension.
    public struct ParsedName: Equatable, Sendable {
        public var folder: String?
        public var id: Int?
        public var title: String
        public var fileExtension: String?

        public init(folder: String?, id: Int?, title: String, fileExtension: String?) {
            self.folder = folder
            self.id = id
            self.title = title
            self.fileExtension = fileExtension
        }
    }

    /// Splits `Inbox!2/0000000257-Hello.eml` into folder `Inbox`, id 257, title `Hello`, extension `eml`.
    /// Understands the current scheme, the 2009–2011 scheme (no prefix) and the 2005 scheme
    /// (`<subject> <id>.eml`); a `!N` split suffix is removed only when the name has an id prefix.
    public static func parse(_ entryName: String) -> ParsedName {
        var folder: String?
        var file = entryName
        if let slash = entryName.lastIndex(of: "/") {
            folder = String(entryName[..<slash])
            file = String(entryName[entryName.index(after: slash)...])
        }
        var ext: String?
        var base = file
        if let dot = file.lastIndex(of: "."), dot != file.startIndex {
            let candidate = String(file[file.index(after: dot)...])
            if candidate.count <= 5, !candidate.contains(" ") {
                ext = candidate.lowercased()
                base = String(file[..<dot])
            }
        }
        var id: Int?
        var title = base
        let chars = Array(base)
        if chars.count >= 11, chars[10] == "-", chars[..<10].allSatisfy(\.isASCIIDigit) {
            id = Int(String(chars[..<10]))
            title = String(chars[11...])
        } else if let space = base.lastIndex(of: " "), ext == "eml",
                  let n = Int(base[base.index(after: space)...]), n > 0 {
            id = n
            title = String(base[..<space])
        }
        if id != nil, let f = folder {
            folder = f.split(separator: "/", omittingEmptySubsequences: false).map { component -> String in
                guard let bang = component.lastIndex(of: "!") else { return String(component) }
                let digits = component[component.index(after: bang)...]
                return !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit) ? String(component[..<bang]) : String(component)
            }.joined(separator: "/")
        }
        if folder?.isEmpty == true { folder = nil }
        return ParsedName(folder: folder, id: id, title: title, fileExtension: ext)
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

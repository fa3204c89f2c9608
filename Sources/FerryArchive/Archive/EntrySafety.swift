import FerryCore
import Foundation

/// What to do with an archive entry's name and type before anything is made of it: Ferry never
/// extracts, but entry paths become folder paths and directory writers create files from them, so a
/// hostile name must never reach them.
public enum EntrySafety {
    public enum Verdict: Equatable, Sendable {
        /// Use the entry under this clean relative path (`a/b/c.eml`).
        case accept(String)
        /// Leave it out; the diagnostic says why.
        case refuse(Diagnostic)
        /// Leave it out without a word (directories, `__MACOSX/` resource forks).
        case ignore
    }

    /// Judges one entry: `..` components, absolute paths, links, devices.
    public static func check(_ entry: ArchiveEntryInfo) -> Verdict {
        switch entry.type {
        case .directory:
            return .ignore
        case .symlink, .hardlink:
            let target = entry.linkTarget ?? ""
            let outside = target.hasPrefix("/") || normalize(target) == nil
                || (entry.type == .symlink && normalize(parent(of: entry.name) + "/" + target) == nil)
            return .refuse(.warning(outside ? "archive.link-outside" : "archive.link",
                                    "\(entry.type == .symlink ? "symbolic" : "hard") link to '\(target)'"
                                    + (outside ? " points outside the archive" : "") + "; links are never followed, entry skipped",
                                    file: entry.location))
        case .device, .fifo, .socket:
            return .refuse(.warning("archive.special-file", "device, FIFO or socket entry skipped", file: entry.location))
        case .file, .other:
            break
        }
        if isPlainRelative(entry.name) { return .accept(entry.name) }
        // Scalar-wise: a `\` followed by a combining mark is not a `\` Character but is one on disk.
        let name = String(String.UnicodeScalarView(entry.name.unicodeScalars.map { $0 == "\\" ? "/" : $0 }))
        if name.hasPrefix("__MACOSX/") || (name.contains("__MACOSX") && name.contains("/__MACOSX/")) { return .ignore }
        if name.hasSuffix("/") { return .ignore }
        let chars = Array(name)
        let absolute = name.hasPrefix("/") || (chars.count >= 2 && chars[1] == ":" && chars[0].isLetter)
        if absolute {
            return .refuse(.warning("archive.absolute-path", "entry name '\(entry.name)' is an absolute path; entry skipped",
                                    file: entry.location))
        }
        guard let clean = normalize(name) else {
            return .refuse(.warning("archive.path-traversal",
                                    "entry name '\(entry.name)' climbs out of the archive with '..'; entry skipped",
                                    file: entry.location))
        }
        if clean.isEmpty { return .ignore }
        return .accept(clean)
    }

    /// True for the common name that needs no cleaning: relative, `/`-separated, no empty, `.` or
    /// `..` component, no backslash, no `__MACOSX`, no drive letter, not a directory (one pass over
    /// the bytes).
    static func isPlainRelative(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { b in
            guard b.count > 0, b[0] != 0x2F, b[b.count - 1] != 0x2F, !(b.count >= 2 && b[1] == 0x3A) else { return false }
            var componentStart = 0
            var i = 0
            while i <= b.count {
                if i == b.count || b[i] == 0x2F {
                    let length = i - componentStart
                    if length == 0 { return false }
                    if b[componentStart] == 0x2E && (length == 1 || (length == 2 && b[componentStart + 1] == 0x2E)) { return false }
                    componentStart = i + 1
                } else if b[i] == 0x5C || (b[i] == 0x5F && i + 1 < b.count && b[i + 1] == 0x5F) {
                    return false   // a backslash, or maybe __MACOSX: the careful path decides
                }
                i += 1
            }
            return true
        }
    }

    /// `a/./b//c` → `a/b/c`; nil when a `..` would climb above the top.
    public static func normalize(_ path: String) -> String? {
        var parts: [String] = []
        for component in components(path) {
            if component == "." { continue }
            if component == ".." {
                return nil
            }
            parts.append(component)
        }
        return parts.joined(separator: "/")
    }

    /// The `/`-separated components of a path, split on the `/` scalar: Swift's Character split misses a
    /// `/` followed by a combining mark (`../\u{301}x` is one Character-wise component, but the file
    /// system sees `..` and climbs out of the target).
    static func components(_ path: String) -> [String] {
        path.unicodeScalars.split(separator: "/", omittingEmptySubsequences: true).map { String(String.UnicodeScalarView($0)) }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// A folder path (from any input) made safe to become directories: no `..`, `.` or empty
    /// components, no NUL, no leading `/`. Components that cannot be kept are replaced by `_`.
    public static func safeFolderComponents(_ folder: String) -> [String] {
        components(folder).map { component in
            let c = component.replacingOccurrences(of: "\u{0}", with: "_")
            return c == "." || c == ".." ? "_" : c
        }
    }
}

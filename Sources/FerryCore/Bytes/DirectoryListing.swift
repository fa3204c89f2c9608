#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory's names as the file system holds them.
public enum DirectoryListing {
    /// The names in `directory` but `.` and `..` (unsorted), read with `readdir`; nil when it cannot be
    /// opened. Not `FileManager.contentsOfDirectory`: on Linux that leaves out the name `._` — the
    /// Maildir++ folder for a mail folder named `_` — so such a folder's messages went unread, an
    /// unfinished staged Maildir holding it stayed behind, and a directory holding only it passed for empty.
    public static func names(_ directory: String) -> [String]? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

import FerryCore
import Foundation

/// The Unix file types a zip's central directory records for its entries. A streaming zip reader sees
/// only the local headers, which carry no mode: a symbolic link stored by `zip -y` would read as a
/// small file whose content is the link's target. When the input can be read at an offset (a file, bytes
/// in memory), the central directory at its end is looked at first, so such entries are refused like
/// tar links.
enum ZipCentralDirectory {
    /// How much of the central directory is held at a time.
    static let windowSize = 1 << 20

    /// Entry names (raw bytes) whose recorded Unix type is not a regular file or directory, with that
    /// type; nil when the input is not a zip that can be read at an offset, or its directory is damaged.
    static func specialEntries(_ source: RandomAccessSource) -> [[UInt8]: ArchiveEntryInfo.EntryType]? {
        guard let size = source.totalSize, size >= 22 else { return nil }
        let tailLength = Int(min(size, 22 + 65_535))
        guard let tail = try? source.bytes(at: size - Int64(tailLength), count: tailLength), tail.count == tailLength
        else { return nil }
        // End of central directory record: the last `PK\5\6` with a comment that fits.
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 5, tail[i + 3] == 6,
               i + 22 + Int(le16(tail, i + 20)) <= tail.count {
                eocd = i
                break
            }
            i -= 1
        }
        guard eocd >= 0 else { return nil }
        var directorySize = Int64(le32(tail, eocd + 12))
        var directoryOffset = Int64(le32(tail, eocd + 16))
        if directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // Zip64: the locator just before the record points at the zip64 end record.
            guard eocd >= 20, tail[eocd - 20] == 0x50, tail[eocd - 19] == 0x4B, tail[eocd - 18] == 6, tail[eocd - 17] == 7,
                  let record = try? source.bytes(at: Int64(truncatingIfNeeded: le64(tail, eocd - 12)), count: 56), record.count == 56,
                  record[0] == 0x50, record[1] == 0x4B, record[2] == 6, record[3] == 6
            else { return nil }
            directorySize = Int64(truncatingIfNeeded: le64(record, 40))
            directoryOffset = Int64(truncatingIfNeeded: le64(record, 48))
        }
        // (Sizes from the file are checked before any arithmetic: a hostile zip64 record may say 2⁶³.)
        guard directorySize >= 0, directoryOffset >= 0, directorySize <= size, directoryOffset <= size - directorySize
        else { return nil }
        // The directory is read in windows (flat memory for a zip of millions of entries).
        let end = directoryOffset + directorySize
        var next = directoryOffset
        var window: [UInt8] = []
        var p = 0
        func ensure(_ n: Int) -> Bool {
            if window.count - p >= n { return true }
            window.removeSubrange(0..<p)
            p = 0
            let want = Int(min(Int64(max(n - window.count, windowSize)), end - next))
            guard want > 0, let more = try? source.bytes(at: next, count: want), !more.isEmpty else { return false }
            next += Int64(more.count)
            window += more
            return window.count >= n
        }
        var special: [[UInt8]: ArchiveEntryInfo.EntryType] = [:]
        while ensure(46) {
            guard window[p] == 0x50, window[p + 1] == 0x4B, window[p + 2] == 1, window[p + 3] == 2 else { break }
            let host = window[p + 5]
            let nameLength = Int(le16(window, p + 28))
            let extraLength = Int(le16(window, p + 30))
            let commentLength = Int(le16(window, p + 32))
            let mode = le32(window, p + 38) >> 16
            guard ensure(46 + nameLength) else { break }
            // Unix (3) and macOS (19) keep a mode in the high half of the external attributes.
            if host == 3 || host == 19 {
                let type: ArchiveEntryInfo.EntryType?
                switch mode & 0o170000 {
                case 0o120000: type = .symlink
                case 0o020000, 0o060000: type = .device
                case 0o010000: type = .fifo
                case 0o140000: type = .socket
                default: type = nil
                }
                if let type { special[Array(window[(p + 46)..<(p + 46 + nameLength)])] = type }
            }
            let skip = 46 + nameLength + extraLength + commentLength
            guard ensure(skip) else { break }
            p += skip
        }
        return special
    }

    private static func le16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func le32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    private static func le64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32
    }
}

import FerryCore
import Foundation

/// The Unix file types a zip's central directory records for its entries. A streaming zip reader sees
/// only the local headers, which carry no mode: a symbolic link stored by `zip -y` would read as a
/// small file whose content is the link's target. When the input can be read at an offset (a file, bytes
/// in memory), the central directory at its end is looked at first, so such entries are refused like
/// tar links.
enum ZipCentralDirectory {
    /// The central directory is read whole only up to this size (about a million entries).
    static let maxDirectorySize = 128 << 20

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
                  let record = try? source.bytes(at: Int64(le64(tail, eocd - 12)), count: 56), record.count == 56,
                  record[0] == 0x50, record[1] == 0x4B, record[2] == 6, record[3] == 6
            else { return nil }
            directorySize = Int64(le64(record, 40))
            directoryOffset = Int64(le64(record, 48))
        }
        guard directorySize >= 0, directoryOffset >= 0, directorySize <= maxDirectorySize,
              directoryOffset + directorySize <= size,
              let directory = try? source.bytes(at: directoryOffset, count: Int(directorySize)),
              directory.count == Int(directorySize)
        else { return nil }
        var special: [[UInt8]: ArchiveEntryInfo.EntryType] = [:]
        var p = 0
        while p + 46 <= directory.count {
            guard directory[p] == 0x50, directory[p + 1] == 0x4B, directory[p + 2] == 1, directory[p + 3] == 2 else { break }
            let host = directory[p + 5]
            let nameLength = Int(le16(directory, p + 28))
            let extraLength = Int(le16(directory, p + 30))
            let commentLength = Int(le16(directory, p + 32))
            let mode = le32(directory, p + 38) >> 16
            guard p + 46 + nameLength <= directory.count else { break }
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
                if let type { special[Array(directory[(p + 46)..<(p + 46 + nameLength)])] = type }
            }
            p += 46 + nameLength + extraLength + commentLength
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

#if canImport(Glibc)
import Glibc
#endif
import FerryCore
import Foundation

/// One account's result, as the journal records it when the account finishes.
public struct AccountResult: Codable, Sendable, Equatable {
    public var account: String
    /// `ok`, `skipped` (converted, some items skipped) or `failed` (no output).
    public var status: String
    public var input: String
    public var output: String
    /// SHA-256 of the output file, or of the sorted list of a directory's files and their hashes.
    public var sha256: String?
    public var items: [String: Int] = [:]
    public var skipped: [String: Int] = [:]
    public var skipReasons: [String: Int] = [:]
    public var bytesIn: Int64 = 0
    public var bytesOut: Int64 = 0
    public var seconds: Double = 0
    public var error: String?

    public init(account: String, status: String, input: String, output: String) {
        self.account = account
        self.status = status
        self.input = input
        self.output = output
    }
}

/// A journal line: `started` when an account begins, `finished` (with its result) when its output
/// is in place.
public struct JournalRecord: Codable, Sendable {
    public var event: String
    public var account: String
    public var time: String
    public var pid: Int32
    public var result: AccountResult?
}

/// The batch journal: append-only JSON lines, each appended under an exclusive `flock` and
/// `fsync`'d before the batch goes on, so any number of batch processes (shards on one machine or
/// on a shared volume) can share it and a crash loses nothing that was recorded.
public final class BatchJournal: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private let encoder: JSONEncoder

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FerryError.io("io.create", "cannot open the journal: \(String(cString: strerror(errno)))", file: path)
        }
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    deinit { close(fd) }

    public func append(_ event: String, account: String, result: AccountResult? = nil) throws {
        let record = JournalRecord(event: event, account: account, time: ISO8601DateFormatter().string(from: Date()),
                                   pid: getpid(), result: result)
        var line = Array(try encoder.encode(record))
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        var ok = line.withUnsafeBytes { raw -> Bool in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        guard ok else {
            throw FerryError.io("io.write", "cannot append to the journal: \(String(cString: strerror(errno)))", file: path)
        }
    }

    /// Every record so far (a torn last line from a crash is ignored).
    public static func records(_ path: String) -> [JournalRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(JournalRecord.self, from: Data($0)) }
    }

    /// Per account: the last finished result, and whether the last record is an unfinished start.
    public static func state(_ path: String) -> (finished: [String: AccountResult], interrupted: Set<String>, known: Set<String>) {
        var finished: [String: AccountResult] = [:]
        var open: Set<String> = []
        var known: Set<String> = []
        for record in records(path) {
            known.insert(record.account)
            if record.event == "started" {
                open.insert(record.account)
                finished[record.account] = nil
            } else if record.event == "finished", let result = record.result {
                open.remove(record.account)
                finished[record.account] = result
            }
        }
        return (finished, open, known)
    }
}

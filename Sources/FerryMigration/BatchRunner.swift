#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import FerryArchive
import FerryCore
import FerryPipeline
import Foundation

/// The whole batch's result, as `summary.json` holds it.
public struct BatchSummary: Codable, Sendable {
    public var accounts: [String: Int] = [:]
    public var items: [String: Int] = [:]
    public var skipped: [String: Int] = [:]
    public var skipReasons: [String: Int] = [:]
    public var bytesIn: Int64 = 0
    public var bytesOut: Int64 = 0
    /// Conversion time summed over accounts.
    public var seconds: Double = 0
    /// Wall time of this run.
    public var wallSeconds: Double = 0
    /// Accounts converted by this run, and accounts the journal already had finished.
    public var convertedNow: Int = 0
    public var alreadyDone: Int = 0
    public var shard: String?
    public var results: [AccountResult] = []

    public var failed: Int { accounts["failed", default: 0] }
    public var withSkips: Int { accounts["skipped", default: 0] }
}

/// `--shard I/N`: the accounts at positions I, I+N, I+2N, … (0-based).
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `2/4`, or `auto/4` for the index in `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job).
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[1]), count > 0 else {
            throw FerryError.usage("option.shard", "--shard takes I/N (0 <= I < N), or auto/N to read JOB_COMPLETION_INDEX")
        }
        var indexText = String(parts[0])
        if indexText == "auto" {
            guard let fromEnv = environment["JOB_COMPLETION_INDEX"] else {
                throw FerryError.usage("option.shard", "--shard auto/N needs JOB_COMPLETION_INDEX in the environment "
                                       + "(set by a Kubernetes Indexed Job)")
            }
            indexText = fromEnv
        }
        guard let index = Int(indexText), index >= 0, index < count else {
            throw FerryError.usage("option.shard", "shard index '\(indexText)' is not in 0..<\(count)")
        }
        return Shard(index: index, count: count)
    }

    public func takes(_ job: BatchJob) -> Bool { job.position % count == index }
    public var label: String { "\(index)-of-\(count)" }
}

/// What the batch reports while it runs.
public struct BatchProgressEvent: Sendable {
    public var event: String
    public var account: String?
    public var status: String?
    public var done: Int
    public var total: Int
    public var running: Int
    public var items: Int
    public var bytes: Int64
    public var totalBytes: Int64
    public var elapsed: Double

    public var rate: Double { elapsed > 0 ? Double(bytes) / elapsed : 0 }
    /// Seconds left, from the input bytes still to do at the rate so far.
    public var eta: Double? {
        guard rate > 0, totalBytes >= bytes else { return nil }
        return Double(totalBytes - bytes) / rate
    }
}

/// Runs a batch of accounts on all cores, resumably: a journal records each account's start and
/// finish, a rerun skips finished accounts and redoes interrupted ones (their output was never
/// renamed into place, or is replaced whole), and each account's output appears atomically.
public final class BatchRunner: @unchecked Sendable {
    public struct Options: Sendable {
        public var jobs = ProcessInfo.processInfo.activeProcessorCount
        public var shard: Shard?
        /// Journal, logs and summary live here (default: MANIFEST.ferry/ next to the manifest).
        public var stateDirectory: String
        /// Redo accounts that failed before (default true: inputs may have been fixed).
        public var retryFailed = true
        /// Pause before each account, in milliseconds (to make interruption tests deterministic).
        public var paceMilliseconds = 0
        public init(stateDirectory: String) { self.stateDirectory = stateDirectory }
    }

    public let jobs: [BatchJob]
    public let options: Options
    public let registry: FormatRegistry
    private let journal: BatchJournal
    private let lock = NSLock()
    private var progress: (@Sendable (BatchProgressEvent) -> Void)?
    private var done = 0
    private var running = 0
    private var itemsDone = 0
    private var bytesDone: Int64 = 0
    private var totalBytes: Int64 = 0
    private var started = Date()
    private var nextIndex = 0

    public var journalPath: String { options.stateDirectory + "/journal.jsonl" }
    public var summaryPath: String {
        options.stateDirectory + "/" + (options.shard.map { "summary-shard-\($0.label).json" } ?? "summary.json")
    }
    public func logPath(_ account: String) -> String {
        options.stateDirectory + "/logs/" + BatchRunner.safeName(account) + ".log"
    }

    public init(jobs: [BatchJob], options: Options, registry: FormatRegistry = .migration) throws {
        self.jobs = jobs
        self.options = options
        self.registry = registry
        try makeDirectory(options.stateDirectory + "/logs")
        journal = try BatchJournal(path: options.stateDirectory + "/journal.jsonl")
    }

    static func safeName(_ account: String) -> String {
        let cleaned = account.map { c -> Character in
            c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." || c == "@" ? c : "_"
        }
        let name = String(cleaned)
        return name.hasPrefix(".") ? "_" + name : name
    }

    /// Runs the selected accounts; `onProgress` is called (serially) as accounts start and finish.
    public func run(onProgress: (@Sendable (BatchProgressEvent) -> Void)? = nil) throws -> BatchSummary {
        progress = onProgress
        started = Date()
        let selected = jobs.filter { options.shard?.takes($0) ?? true }
        let state = BatchJournal.state(journalPath)
        var todo: [BatchJob] = []
        var alreadyDone = 0
        for job in selected {
            if let result = state.finished[job.account], result.status != "failed" || !options.retryFailed {
                alreadyDone += 1
            } else {
                todo.append(job)
            }
        }
        totalBytes = todo.reduce(0) { $0 + BatchRunner.size(of: $1.input) }
        done = 0
        emit("start", account: nil, status: nil, total: todo.count)
        let queue = todo
        nextIndex = 0
        let workers = max(1, min(options.jobs, queue.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                lock.lock()
                guard nextIndex < queue.count else { lock.unlock(); return }
                let job = queue[nextIndex]
                nextIndex += 1
                lock.unlock()
                _ = runAccount(job, known: state.known.contains(job.account), total: queue.count)
            }
        }
        // The summary comes from the journal: what every selected account ended with, this run or before.
        let final = BatchJournal.state(journalPath).finished
        var summary = BatchSummary()
        summary.shard = options.shard.map { "\($0.index)/\($0.count)" }
        summary.alreadyDone = alreadyDone
        summary.convertedNow = todo.count
        for job in selected {
            guard let result = final[job.account] else {
                summary.accounts["pending", default: 0] += 1
                continue
            }
            summary.accounts[result.status, default: 0] += 1
            for (k, v) in result.items { summary.items[k, default: 0] += v }
            for (k, v) in result.skipped { summary.skipped[k, default: 0] += v }
            for (k, v) in result.skipReasons { summary.skipReasons[k, default: 0] += v }
            summary.bytesIn += result.bytesIn
            summary.bytesOut += result.bytesOut
            summary.seconds += result.seconds
            summary.results.append(result)
        }
        summary.wallSeconds = Date().timeIntervalSince(started)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let sink = try AtomicFileSink(path: summaryPath)
        try sink.write(Array(try encoder.encode(summary)) + [0x0A])
        try sink.finish()
        emit("end", account: nil, status: nil, total: todo.count)
        return summary
    }

    private func emit(_ event: String, account: String?, status: String?, total: Int) {
        guard let progress else { return }
        let e = BatchProgressEvent(event: event, account: account, status: status, done: done, total: total,
                                   running: running, items: itemsDone, bytes: bytesDone, totalBytes: totalBytes,
                                   elapsed: Date().timeIntervalSince(started))
        progress(e)
    }

    /// Converts one account: journal `started`, convert into a temporary name, rename into place,
    /// journal `finished` with the output's hash.
    @discardableResult
    func runAccount(_ job: BatchJob, known: Bool, total: Int) -> AccountResult {
        let begin = Date()
        var result = AccountResult(account: job.account, status: "failed", input: job.input, output: job.output)
        result.bytesIn = BatchRunner.size(of: job.input)
        let logSink = AccountLog(path: logPath(job.account))
        lock.lock(); running += 1; emit("account-start", account: job.account, status: nil, total: total); lock.unlock()
        do {
            try journal.append("started", account: job.account)
            logSink.line("== \(ISO8601DateFormatter().string(from: begin)) pid \(getpid()): \(job.input) -> \(job.output)")
            if options.paceMilliseconds > 0 { usleep(UInt32(options.paceMilliseconds) * 1000) }
            let summary = try convert(job, known: known, log: logSink)
            result.items = summary.read.filter { $0.key != "folder" && $0.key != "tag" }
            result.skipped = summary.skipped
            result.skipReasons = summary.skipReasons
            result.status = summary.totalSkipped > 0 ? "skipped" : "ok"
            let output = BatchRunner.trimmed(job.output)
            result.sha256 = try BatchRunner.hash(output)
            result.bytesOut = BatchRunner.size(of: output)
        } catch let error as FerryError {
            result.error = error.diagnostic.description
        } catch {
            result.error = "\(error)"
        }
        result.seconds = Date().timeIntervalSince(begin)
        logSink.line("== \(result.status)" + (result.error.map { ": \($0)" } ?? "")
                     + " items \(result.items.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
                     + (result.skipReasons.isEmpty ? "" : "; skipped: "
                        + result.skipReasons.sorted { $0.key < $1.key }.map { "\($0.value)x \($0.key)" }.joined(separator: "; ")))
        logSink.close()
        do {
            try journal.append("finished", account: job.account, result: result)
        } catch {
            // The account is then redone by the next run; nothing else to do here.
        }
        lock.lock()
        running -= 1
        done += 1
        itemsDone += result.items.values.reduce(0, +)
        bytesDone += result.bytesIn
        emit("account-end", account: job.account, status: result.status, total: total)
        lock.unlock()
        return result
    }

    private func convert(_ job: BatchJob, known: Bool, log accountLog: AccountLog) throws -> ConversionSummary {
        let output = BatchRunner.trimmed(job.output)
        let fm = FileManager.default
        let parent = (output as NSString).deletingLastPathComponent
        if !parent.isEmpty { try makeDirectory(parent) }
        // Leftovers of an interrupted attempt (temporary files of atomic outputs) go first.
        BatchRunner.removeTemporaries(of: output)
        var aside: String?
        if fm.fileExists(atPath: output) {
            let empty = isDirectory(output) && (DirectoryListing.names(output)?.isEmpty ?? false)
            if !empty {
                guard known else {
                    throw FerryError.usage("batch.output-exists", "output \(output) exists and was not written by this "
                                           + "batch (no journal record); remove it or name another output")
                }
                // Written by an earlier attempt that was interrupted before its journal record: replaced whole.
                let moved = (parent.isEmpty ? "." : parent) + "/." + (output as NSString).lastPathComponent + ".ferry-replaced"
                try? fm.removeItem(atPath: moved)
                guard rename(output, moved) == 0 else {
                    throw FerryError.io("io.rename", "cannot move the earlier output aside", file: output)
                }
                aside = moved
            }
        }
        let log = DiagnosticLog { diagnostic in accountLog.line(diagnostic.description) }
        var request = ConversionRequest(inputs: [job.input], output: output, from: job.options["from"], to: job.options["to"])
        if request.to == nil, registry.format(forOutputPath: output) == nil {
            request.to = "account"
        }
        if let mail = job.options["mail-format"] { request.writeOptions.formatOptions["mail-format"] = mail }
        if let csv = job.options["contacts-csv"] { request.writeOptions.formatOptions["contacts-csv"] = csv }
        if let csv = job.options["csv-format"] { request.readOptions.csvFormat = csv; request.writeOptions.csvFormat = csv }
        if let charset = job.options["charset"] { request.readOptions.charset = try Charset(charset) }
        request.writeOptions.formatOptions["sources"] = job.input
        // Other directory outputs (a Maildir, a folder of .eml files) are built aside and renamed too.
        var staged: String?
        if let name = request.to, let format = registry.format(named: name), format.writesDirectory,
           !(format is AccountFormat) {
            let work = (parent.isEmpty ? "." : parent) + "/." + (output as NSString).lastPathComponent + ".ferry-partial"
            try? fm.removeItem(atPath: work)
            try makeDirectory(work)
            request.output = work
            staged = work
        }
        do {
            let summary = try Converter(registry: registry, log: log, progress: .never).run(request)
            if let staged {
                if fm.fileExists(atPath: output) { rmdir(output) }
                guard rename(staged, output) == 0 else {
                    throw FerryError.io("io.rename", "cannot move the finished output into place: "
                                        + String(cString: strerror(errno)), file: output)
                }
            }
            if let aside { try? fm.removeItem(atPath: aside) }
            return summary
        } catch {
            if let staged { try? fm.removeItem(atPath: staged) }
            if let aside, !fm.fileExists(atPath: output) { rename(aside, output) }
            throw error
        }
    }

    static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }

    /// Removes `.NAME.ferry-XXXXXX` temporary files and a `.NAME.ferry-partial` tree next to an output.
    static func removeTemporaries(of output: String) {
        let parent = (output as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        let prefix = "." + (output as NSString).lastPathComponent + ".ferry-"
        guard let names = DirectoryListing.names(directory) else { return }
        for name in names where name.hasPrefix(prefix) && !name.hasSuffix("-replaced") {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
        }
    }

    /// Bytes of a file, or of every file under a directory.
    static func size(of path: String) -> Int64 {
        let fm = FileManager.default
        let p = trimmed(path)
        if !isDirectory(p) {
            return (try? fm.attributesOfItem(atPath: p)[.size] as? NSNumber)?.int64Value ?? 0
        }
        var total: Int64 = 0
        if let enumerator = fm.enumerator(atPath: p) {
            for case let relative as String in enumerator {
                if let attributes = try? fm.attributesOfItem(atPath: p + "/" + relative),
                   attributes[.type] as? FileAttributeType == .typeRegular {
                    total += (attributes[.size] as? NSNumber)?.int64Value ?? 0
                }
            }
        }
        return total
    }

    /// SHA-256 of a file, or of a directory's sorted `path NUL sha256 LF` list.
    public static func hash(_ path: String) throws -> String {
        func fileHash(_ file: String) throws -> String {
            var hasher = SHA256()
            try FileSource(path: file).forEachChunk { hasher.update($0) }
            return SHA256.hex(hasher.finalize())
        }
        guard isDirectory(path) else { return try fileHash(path) }
        var lines: [String] = []
        if let enumerator = FileManager.default.enumerator(atPath: path) {
            for case let relative as String in enumerator where !isDirectory(path + "/" + relative) {
                lines.append(relative + "\u{0}" + (try fileHash(path + "/" + relative)) + "\n")
            }
        }
        var hasher = SHA256()
        for line in lines.sorted() { hasher.update(Array(line.utf8)) }
        return SHA256.hex(hasher.finalize())
    }
}

/// A per-account log file, appended to (one section per attempt).
final class AccountLog: @unchecked Sendable {
    private let handle: FileHandle?
    private let lock = NSLock()

    init(path: String) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
    }

    func line(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        handle?.write(Data((text + "\n").utf8))
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        try? handle?.synchronize()
        try? handle?.close()
    }
}

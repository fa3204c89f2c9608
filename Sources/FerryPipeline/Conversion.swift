import FerryArchive
import FerryCore
import Foundation

/// One input of a conversion: a path (`-` = stdin) and the format it was read as.
public struct ConversionRequest {
    public var inputs: [String]
    public var output: String?
    public var from: String?
    public var to: String?
    public var readOptions = ReadOptions()
    public var writeOptions = WriteOptions()

    public init(inputs: [String], output: String?, from: String?, to: String?) {
        self.inputs = inputs
        self.output = output
        self.from = from
        self.to = to
    }
}

/// What a conversion did, for the end-of-run summary and `--json`.
public struct ConversionSummary: Sendable, Codable {
    public var read: [String: Int] = [:]
    public var written: [String: Int] = [:]
    public var skipped: [String: Int] = [:]
    /// Reasons for skips with how often each occurred.
    public var skipReasons: [String: Int] = [:]
    /// Items left out by `--query` / `--start` / `--end` (not an error).
    public var filtered: Int = 0
    /// Written items by folder (items without a folder under "").
    public var folders: [String: Int] = [:]
    public var output: String?

    public var totalSkipped: Int { skipped.values.reduce(0, +) }
    public var totalWritten: Int { written.values.reduce(0, +) }
}

/// Reads every input with its format's reader and hands the items to one writer.
public struct Converter {
    public let registry: FormatRegistry
    public let log: DiagnosticLog

    /// When to draw the progress bar: `.auto` = when stderr is a terminal.
    public enum ProgressMode: Sendable { case auto, always, never }
    public var showProgress: ProgressMode

    public init(registry: FormatRegistry = .standard, log: DiagnosticLog, progress: ProgressMode = .auto) {
        self.registry = registry
        self.log = log
        self.showProgress = progress
    }

    /// An input opened for reading: its format, the bytes or directory, and for progress a counter
    /// over the raw bytes and the file's size when known.
    public struct OpenedInput {
        public var format: any Format
        public var input: FormatInput
        public var counter: CountingSource?
        public var size: Int64?
    }

    /// Opens an input path and picks its format: `--from` when given, else the best bid.
    public func openInput(_ path: String, declared: String?) throws -> OpenedInput {
        var isDirectory: ObjCBool = false
        if path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let format = try declared.map(namedFormat) ?? registry.sniff(prefix: [], name: path + "/")?.format
            guard let format else {
                throw FerryError.usage("format.unknown-input", "cannot tell the format of directory '\(path)'; "
                                       + "name it with --from")
            }
            return OpenedInput(format: format, input: .directory(path))
        }
        let file: FileSource = path == "-" ? FileSource.standardInput() : try FileSource(path: path)
        let source = CountingSource(file)
        if let declared {
            return OpenedInput(format: try namedFormat(declared), input: .stream(source), counter: source, size: file.size)
        }
        if path == "-" {
            throw FerryError.usage("format.stdin", "reading from stdin needs --from FORMAT")
        }
        var prefix = try source.read(upTo: 64 * 1024)
        var stream: ByteSource = PrefixedSource(prefix: prefix, rest: source, prefixIsStart: true)
        var name = path
        // A gzipped single file (contacts.vcf.gz) that no format claims as such (tgz does) is
        // decompressed on the fly and sniffed again.
        if GzipSource.isGzip(prefix), (registry.sniff(prefix: prefix, name: path)?.bid ?? 0) < 50 {
            let gunzip = try GzipSource(stream)
            prefix = try gunzip.read(upTo: 64 * 1024)
            stream = PrefixedSource(prefix: prefix, rest: gunzip)
            if name.lowercased().hasSuffix(".gz") { name.removeLast(3) }
        }
        guard let (format, _) = registry.sniff(prefix: prefix, name: name) else {
            throw FerryError.usage("format.unknown-input", "cannot tell the format of '\(path)'; name it with "
                                   + "--from (see `ferry formats`)")
        }
        return OpenedInput(format: format, input: .stream(stream), counter: source, size: file.size)
    }

    public func namedFormat(_ name: String) throws -> any Format {
        guard let format = registry.format(named: name) else {
            let known = registry.formats.map(\.name).joined(separator: ", ")
            throw FerryError.usage("format.unknown", "unknown format '\(name)'"
                                   + (known.isEmpty ? "" : " (known: \(known))"))
        }
        return format
    }

    public func run(_ request: ConversionRequest) throws -> ConversionSummary {
        var summary = ConversionSummary()
        let outputPath = request.output ?? "-"
        var counters: [CountingSource] = []
        var totalBytes: Int64? = 0
        let readers = try request.inputs.map { path -> (String, any Format, any ItemReader) in
            let opened = try openInput(path, declared: request.from)
            guard opened.format.canRead else {
                throw FerryError.usage("format.no-reader", "ferry cannot read \(opened.format.name)")
            }
            if let counter = opened.counter { counters.append(counter) }
            totalBytes = opened.size.flatMap { s in totalBytes.map { $0 + s } }
            return (path, opened.format, try opened.format.makeReader(opened.input, options: request.readOptions, log: log))
        }
        // What the inputs hold decides between formats sharing an extension or a directory shape.
        let inputKinds = Set(readers.flatMap { $0.1.kinds })
        var outputFormat: any Format
        if let to = request.to {
            outputFormat = try namedFormat(to)
            // `--to ics -o dir/`: the format's one-file-per-item directory form.
            if !outputFormat.writesDirectory, outputPath != "-", registry.format(forOutputDirectory: outputPath) != nil,
               let directoryForm = registry.directoryForm(of: outputFormat) {
                outputFormat = directoryForm
            }
        } else if outputPath != "-", let byExtension = registry.format(forOutputPath: outputPath, kinds: inputKinds) {
            outputFormat = byExtension
        } else if outputPath != "-", let directoryFormat = registry.format(forOutputDirectory: outputPath, kinds: inputKinds) {
            outputFormat = directoryFormat
        } else {
            throw FerryError.usage("format.unknown-output", outputPath == "-"
                                   ? "writing to stdout needs --to FORMAT"
                                   : "cannot tell the output format from '\(outputPath)'; name it with --to")
        }
        guard outputFormat.canWrite else {
            throw FerryError.usage("format.no-writer", "ferry cannot write \(outputFormat.name)")
        }
        // Never write over an input.
        if outputPath != "-", let target = FileIdentity(path: outputPath) {
            for input in request.inputs where input != "-" && FileIdentity(path: input) == target {
                throw FerryError.usage("output.is-input", "output '\(outputPath)' is also an input; "
                                       + "inputs are never modified")
            }
        }
        let filter = try ItemFilter(query: request.readOptions.query, range: request.readOptions.timeRange,
                                    context: request.readOptions.timeContext)
        let progress = ProgressBar(label: "ferry", total: totalBytes, force: showProgress == .always)
        defer { progress.finish() }
        var itemCount = 0
        let output: FormatOutput
        var sink: ByteSink?
        if outputPath == "-" {
            let stdout = StandardOutputSink()
            sink = stdout
            output = .stream(stdout)
        } else if outputFormat.writesDirectory {
            output = .directory(outputPath)
        } else {
            let file = try AtomicFileSink(path: outputPath)
            sink = file
            output = .stream(file)
        }
        do {
            let writer = try outputFormat.makeWriter(output, options: request.writeOptions, log: log)
            for (_, _, reader) in readers {
                // A reader with a direct path to this writer (same bytes, no item per record).
                if filter.isEmpty, let direct = reader as? any DirectTransferReader {
                    let before = itemCount
                    let transfer = try direct.transfer(to: writer) { n in
                        if showProgress != .never {
                            progress.update(bytes: counters.reduce(0) { $0 + $1.count }, items: before + n)
                        }
                    }
                    if let transfer {
                        itemCount += transfer.count
                        if transfer.count > 0 {
                            summary.read[transfer.kind.rawValue, default: 0] += transfer.count
                            summary.written[transfer.kind.rawValue, default: 0] += transfer.count
                            summary.folders["", default: 0] += transfer.count
                        }
                        continue
                    }
                }
                // The input is read on a helper thread, a few items ahead of the writer.
                let prefetcher = ItemPrefetcher(readers: [reader], counters: counters)
                defer { prefetcher.cancel() }
                while let (read, bytesRead) = try prefetcher.next() {
                    var item = read
                    if !outputFormat.kinds.contains(item.kind), let convertible = item.payload as? any ConvertibleItemPayload,
                       let payload = outputFormat.kinds.lazy.compactMap({ convertible.converted(to: $0) }).first {
                        item.payload = payload
                    }
                    itemCount += 1
                    // Every item read counts, filtered or not: read = written + skipped + filtered.
                    summary.read[item.kind.rawValue, default: 0] += 1
                    if !filter.isEmpty, !filter.accepts(item) {
                        summary.filtered += 1
                        continue
                    }
                    if showProgress != .never {
                        progress.update(bytes: bytesRead, items: itemCount)
                    }
                    switch try writer.write(item) {
                    case .written:
                        summary.written[item.kind.rawValue, default: 0] += 1
                        if item.kind != .folder && item.kind != .tag {
                            summary.folders[item.metadata.folder ?? "", default: 0] += 1
                        }
                    case .skipped(let reason):
                        summary.skipped[item.kind.rawValue, default: 0] += 1
                        summary.skipReasons[reason, default: 0] += 1
                        log.emit(.warning("item.skipped", "skipped \(item.kind.rawValue): \(reason)",
                                          file: item.origin))
                    }
                }
            }
            // Items a reader left out itself for --start/--end (iCalendar) were read and filtered too.
            for case let (_, _, reader as any FilteringItemReader) in readers {
                for (kind, count) in reader.filteredCounts {
                    summary.read[kind.rawValue, default: 0] += count
                    summary.filtered += count
                }
            }
            try writer.finish()
            try sink?.finish()
        } catch {
            sink?.abort()
            throw error
        }
        summary.output = outputPath
        return summary
    }
}

/// Runs the readers on a helper thread, handing their items to the converting thread through a small
/// bounded queue, so reading and parsing the input overlap with writing (and compressing) the output.
/// Items arrive in order; a reader's error arrives in the place where it was thrown. The readers are
/// used by the helper thread only, and only until `cancel()` returns.
///
/// Items cross in batches: the converting thread takes everything queued at once, and each side wakes
/// the other only when it is actually waiting (the reader once a batch is ready, the writer once there
/// is room), so a conversion of small items does not pay a thread wake-up per item. Memory stays flat:
/// at most 32 items and 8 MiB of message bytes queued, and as much again taken by the writer.
final class ItemPrefetcher: @unchecked Sendable {
    private let readers: [any ItemReader]
    private let counters: [CountingSource]
    private let condition = NSCondition()
    private typealias Entry = (item: Item, bytesRead: Int64, size: Int)
    private var queue: [Entry] = []
    private var queuedSize = 0
    private var ended = false
    private var cancelled = false
    private var failure: Error?
    private var consumerWaiting = false
    private var producerWaiting = false
    /// Items taken from the queue by the converting thread, handed out in order (its own, no lock).
    private var taken: [Entry] = []
    private var takenHead = 0
    private static let maxItems = 32
    private static let maxBytes = 8 << 20

    init(readers: [any ItemReader], counters: [CountingSource]) {
        self.readers = readers
        self.counters = counters
        queue.reserveCapacity(ItemPrefetcher.maxItems)
        let thread = Thread { [self] in self.run() }
        thread.stackSize = 16 << 20
        thread.start()
    }

    private func run() {
        do {
            reading: for reader in readers {
                while let item = try reader.next() {
                    let size = (item.payload as? RawMessage)?.size ?? 0
                    let bytesRead = counters.reduce(0) { $0 + $1.count }
                    condition.lock()
                    while !cancelled && !queue.isEmpty
                            && (queue.count >= ItemPrefetcher.maxItems || queuedSize + size > ItemPrefetcher.maxBytes) {
                        if consumerWaiting { condition.signal() }
                        producerWaiting = true
                        condition.wait()
                        producerWaiting = false
                    }
                    if cancelled {
                        condition.unlock()
                        break reading
                    }
                    queue.append((item, bytesRead, size))
                    queuedSize += size
                    // A batch is ready (or a big item is): wake the writer if it waits.
                    if consumerWaiting && (queue.count >= ItemPrefetcher.maxItems / 2 || queuedSize >= ItemPrefetcher.maxBytes / 4) {
                        condition.signal()
                    }
                    condition.unlock()
                }
            }
        } catch {
            condition.lock()
            failure = error
            condition.unlock()
        }
        condition.lock()
        ended = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next item and the input bytes read when it was, or nil at the end; throws the readers' error.
    func next() throws -> (Item, Int64)? {
        if takenHead < taken.count {
            let entry = taken[takenHead]
            takenHead += 1
            return (entry.item, entry.bytesRead)
        }
        taken.removeAll(keepingCapacity: true)
        takenHead = 0
        condition.lock()
        while queue.isEmpty && !ended {
            consumerWaiting = true
            condition.wait()
            consumerWaiting = false
        }
        if queue.isEmpty {
            condition.unlock()
            if let failure { throw failure }
            return nil
        }
        swap(&taken, &queue)
        queuedSize = 0
        if producerWaiting { condition.signal() }
        condition.unlock()
        takenHead = 1
        return (taken[0].item, taken[0].bytesRead)
    }

    /// Stops reading and waits for the helper thread to end (it finishes the item it is reading).
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !ended { condition.wait() }
        queue.removeAll()
        condition.unlock()
    }
}

import FerryCore
import Foundation

/// Reads a contact CSV of any dialect, in any charset, one contact per row (streaming).
///
/// Decoding, tokenising and mapping rows to contacts run on a second thread, a few hundred rows
/// ahead of `next()` (bounded, so memory stays flat): a conversion's writer works on one core while
/// the rows for it are read on the other.
public final class ContactCSVReader: ItemReader {
    public let dialect: CSVDialect
    public let binding: HeaderBinding
    public let sniff: CSVSniffer.Result
    public let dialectGuess: DialectGuess
    private let csv: CSVReader
    private let decoded: DecodingSource
    let mapper: RowMapper
    private let log: DiagnosticLog
    private let name: String
    private var finished = false
    /// Rows `writeVCards` wrote through the per-header plan (the rest took the general path).
    var plannedRows = 0
    private var producer: RowProducer!
    /// Rows read ahead on the producer thread (started by the first `next()`).
    private var pipe: ItemPipe?
    private var batch: [Item] = []
    private var batchIndex = 0
    /// Rows per hand-over.
    static let batchSize = 256

    public init(source: ByteSource, options: ReadOptions, log: DiagnosticLog, catalog: DialectCatalog = .standard) throws {
        self.log = log
        self.name = source.name
        let prefix = try source.read(upTo: CharsetDetector.sampleSize)
        let sniff = CSVSniffer.sniff(prefix, declared: options.charset, catalog: catalog, locale: options.locale,
                                     complete: prefix.count < CharsetDetector.sampleSize)
        self.sniff = sniff
        let decoder = try CharsetDecoder(Charset(sniff.charset.charset), policy: options.charsetPolicy,
                                         sourceName: source.name)
        decoded = DecodingSource(PrefixedSource(prefix: prefix, rest: source), decoder: decoder)
        csv = CSVReader(source: decoded, mode: options.csvLenient ? .lenient : .strict, log: log)
        guard let header = try csv.next() else {
            throw FerryError.data("csv.empty", "the file has no header line", file: source.name)
        }
        let headers = header.fields
        if headers.count > 1000 {
            throw FerryError.data("csv.too-many-columns", "the header has \(headers.count) columns (more than "
                                  + "1,000): this is not a contact CSV", file: source.name, line: 1)
        }
        if let named = options.csvFormat {
            guard let d = catalog.dialect(named: named, locale: options.locale) else {
                throw FerryError.usage("csv.unknown-dialect", "unknown CSV dialect '\(named)' (known: "
                                       + catalog.names.joined(separator: ", ") + ")")
            }
            dialectGuess = DialectGuess(binding: catalog.binding(headers: headers, dialect: d), runnerUp: nil, declared: true)
        } else if let sniffed = sniff.dialect, sniffed.binding.headers == headers {
            dialectGuess = sniffed  // the sniffer bound these very headers already
        } else {
            dialectGuess = catalog.detect(headers: headers, preferredLocale: options.locale)
        }
        dialect = dialectGuess.dialect
        binding = dialectGuess.binding
        mapper = RowMapper(binding: binding, delimiter: csv.delimiter ?? 0x2C)
        producer = RowProducer(csv: csv, mapper: mapper, binding: binding, log: log, name: source.name)
        if sniff.charset.method == .detector && sniff.charset.confidence < 50 {
            log.emit(.warning("csv.charset-guess", "charset guessed as \(sniff.charset.charset) "
                              + "(\(sniff.evidence)); name it with --charset if the text looks wrong",
                              file: source.name))
        }
    }

    /// Delimiter found in the header line.
    public var delimiter: UInt8 { csv.delimiter ?? 0x2C }

    public func next() throws -> Item? {
        while true {
            if batchIndex < batch.count {
                defer { batchIndex += 1 }
                return batch[batchIndex]
            }
            if pipe == nil { startProducer() }
            guard let next = try pipe!.take() else { break }
            batch = next
            batchIndex = 0
        }
        finishReading()
        return nil
    }

    /// True once `next()` started the producer thread.
    var readingStarted: Bool { pipe != nil }

    /// The rows for `writeVCards` (on the caller's thread).
    var rowSource: RowProducer { producer }

    /// The end-of-input warnings (once).
    func finishReading() {
        if !finished {
            finished = true
            if csv.skipped > 0 {
                log.emit(.warning("csv.rows-skipped", "\(csv.skipped) malformed row\(csv.skipped == 1 ? "" : "s") "
                                  + "skipped (see the errors above)", file: name))
            }
            if decoded.replacements > 0 {
                log.emit(.warning("charset.replaced", "\(decoded.replacements) byte sequence"
                                  + "\(decoded.replacements == 1 ? " was" : "s were") not valid \(sniff.charset.charset) "
                                  + "and became U+FFFD", file: name))
            }
        }
    }

    private func startProducer() {
        let pipe = ItemPipe()
        self.pipe = pipe
        let producer = UncheckedBox(self.producer)
        let thread = Thread {
            do {
                while true {
                    let items = try producer.value.readBatch()
                    if items.isEmpty { break }
                    if !pipe.put(items) { break }
                }
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
        }
        thread.name = "ferry-csv-reader"
        thread.start()
    }

    deinit {
        pipe?.cancel()
    }

}

/// Tokenises and maps rows; owned by the producer thread once reading starts.
final class RowProducer {
    let csv: CSVReader
    let mapper: RowMapper
    let binding: HeaderBinding
    let log: DiagnosticLog
    let name: String
    private var raggedReported = 0

    init(csv: CSVReader, mapper: RowMapper, binding: HeaderBinding, log: DiagnosticLog, name: String) {
        self.csv = csv
        self.mapper = mapper
        self.binding = binding
        self.log = log
        self.name = name
    }

    /// The rows' contacts (on the producer thread).
    func readBatch() throws -> [Item] {
        var out: [Item] = []
        out.reserveCapacity(ContactCSVReader.batchSize)
        while out.count < ContactCSVReader.batchSize, let record = try nextRecord() {
            let contact = mapper.contact(from: record)
            if contact.isEmpty { continue }
            var metadata = ItemMetadata()
            metadata.tags = contact.tags
            out.append(Item(contact, metadata: metadata, origin: "\(name):\(record.line)"))
        }
        return out
    }

    /// The next record that is not blank (its width checked).
    func nextRecord() throws -> CSVRecord? {
        while let record = try csv.next() {
            if record.isBlank { continue }
            checkWidth(record)
            return record
        }
        return nil
    }

    private func checkWidth(_ record: CSVRecord) {
        let width = binding.headers.count
        var count = record.count
        // A trailing delimiter (old Thunderbird) adds an empty last field.
        if count == width + 1 && record.isEmpty(count - 1) { count = width }
        guard count != width else { return }
        raggedReported += 1
        if raggedReported <= 20 {
            let what = count > width ? "more" : "fewer"
            log.emit(.warning("csv.ragged-row", "row has \(count) fields, the header \(width) (\(what) values than "
                              + "columns\(count > width ? "; extra values kept as custom fields" : "; the missing ones are empty"))",
                              file: name, line: record.line))
        } else if raggedReported == 21 {
            log.emit(.warning("csv.ragged-row", "more rows with a different number of fields (not reported one by one)",
                              file: name, line: record.line))
        }
    }
}

typealias ItemPipe = BatchPipe<Item>

/// Batches (of items, or of CSV records) from a producer thread to the reader, at most `capacity`
/// batches ahead.
final class BatchPipe<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [[Element]] = []
    private var head = 0
    private var done = false
    private var failure: (any Error)?
    private var cancelled = false
    private let capacity = 4

    /// Hands a batch over; false when the reader went away (the producer then stops).
    func put(_ batch: [Element]) -> Bool {
        condition.lock(); defer { condition.unlock() }
        while batches.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    func finish(_ error: (any Error)?) {
        condition.lock(); defer { condition.unlock() }
        done = true
        failure = error
        condition.broadcast()
    }

    /// The next batch; nil at the end; the producer's error once the batches before it are taken.
    func take() throws -> [Element]? {
        condition.lock()
        while batches.count == head && !done { condition.wait() }
        if batches.count > head {
            let b = batches[head]
            batches[head] = []
            head += 1
            if head > 64 { batches.removeFirst(head); head = 0 }
            condition.broadcast()
            condition.unlock()
            return b
        }
        let failure = self.failure
        self.failure = nil
        condition.unlock()
        if let failure { throw failure }
        return nil
    }

    /// The reader is gone: wake and stop the producer.
    func cancel() {
        condition.lock(); defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
    }
}

/// Carries a non-Sendable reference to the producer thread, which is its only user while it runs.
struct UncheckedBox<T: AnyObject>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

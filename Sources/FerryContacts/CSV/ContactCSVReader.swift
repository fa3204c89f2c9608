import FerryCore

/// Reads a contact CSV of any dialect, in any charset, one contact per row (streaming).
public final class ContactCSVReader: ItemReader {
    public let dialect: CSVDialect
    public let binding: HeaderBinding
    public let sniff: CSVSniffer.Result
    public let dialectGuess: DialectGuess
    private let csv: CSVReader
    private let decoded: DecodingSource
    private let mapper: RowMapper
    private let log: DiagnosticLog
    private let name: String
    private var raggedReported = 0
    private var finished = false

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
            dialectGuess = DialectGuess(binding: HeaderBinding(headers: headers, dialect: d, knownFields: catalog.knownFields),
                                        runnerUp: nil, declared: true)
        } else {
            dialectGuess = catalog.detect(headers: headers, preferredLocale: options.locale)
        }
        dialect = dialectGuess.dialect
        binding = dialectGuess.binding
        mapper = RowMapper(binding: binding, delimiter: csv.delimiter ?? 0x2C)
        if sniff.charset.method == .detector && sniff.charset.confidence < 50 {
            log.emit(.warning("csv.charset-guess", "charset guessed as \(sniff.charset.charset) "
                              + "(\(sniff.evidence)); name it with --charset if the text looks wrong",
                              file: source.name))
        }
    }

    /// Delimiter found in the header line.
    public var delimiter: UInt8 { csv.delimiter ?? 0x2C }

    public func next() throws -> Item? {
        while let record = try csv.next() {
            if record.isBlank { continue }
            checkWidth(record)
            let contact = mapper.contact(from: record)
            if contact.isEmpty { continue }
            var metadata = ItemMetadata()
            metadata.tags = contact.tags
            return Item(contact, metadata: metadata, origin: "\(name):\(record.line)")
        }
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

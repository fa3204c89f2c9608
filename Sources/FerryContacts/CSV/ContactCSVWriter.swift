import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes contacts as one CSV dialect, quoted and line-ended like its producer, in the producer's
/// charset (or `--output-charset`).
///
/// The header can only be written once every contact is known (zimbra-csv's header is the sorted
/// union of attribute names; a value with no column in the dialect gets an extra column; Google's
/// groups repeat as often as the largest contact needs), so rows are spooled — in memory up to
/// 16 MiB, then in an unlinked temporary file — and written after the header in `finish()`.
/// Memory stays flat for any number of contacts.
public final class ContactCSVWriter: ItemWriter {
    public let dialect: CSVDialect
    public let charset: Charset
    private let sink: ByteSink
    private let log: DiagnosticLog
    private let builder: RowBuilder
    private let csv: CSVWriter
    private let encoder: CharsetEncoder
    private var spool = Spool()
    private var keys: [ColumnKey] = []
    private var keyIDs: [ColumnKey: Int] = [:]
    private var warned = Set<String>()
    private var rows = 0

    public init(sink: ByteSink, options: WriteOptions, log: DiagnosticLog, catalog: DialectCatalog = .standard) throws {
        let name = options.csvFormat ?? catalog.dialects.first { $0.allFields }?.name ?? "zimbra-csv"
        guard let dialect = catalog.dialect(named: name, locale: options.locale) else {
            throw FerryError.usage("csv.unknown-dialect", "unknown CSV dialect '\(name)' (known: "
                                   + catalog.names.joined(separator: ", ") + ")")
        }
        if let locale = options.locale, dialect.locale == nil, !catalog.locales(of: dialect.name).isEmpty,
           !locale.lowercased().hasPrefix("en") {
            log.emit(.warning("csv.locale-missing", "\(dialect.name) has no '\(locale)' variant (it has: "
                              + catalog.locales(of: dialect.name).joined(separator: ", ") + "); writing English headers"))
        }
        self.dialect = dialect
        self.sink = sink
        self.log = log
        self.builder = RowBuilder(dialect: dialect)
        self.csv = CSVWriter(style: dialect.style)
        self.charset = try options.charset ?? Charset(dialect.charset)
        self.encoder = try CharsetEncoder(charset, policy: options.charsetPolicy)
        // Base columns have fixed ids (their position), so rows need no lookup for them.
        for o in 0..<dialect.headerRow.count {
            keys.append(.base(o))
            keyIDs[.base(o)] = o
        }
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        guard var contact = item.payload as? Contact else {
            return .skipped(reason: "\(dialect.name) holds contacts only")
        }
        for t in item.metadata.tags where !contact.tags.contains(t) { contact.tags.append(t) }
        let (cells, homeless) = builder.cells(contact)
        for h in homeless where warned.insert(h).inserted {
            log.emit(.warning("csv.no-column", "'\(h)' has no column in \(dialect.id); written to an extra column "
                              + "named '\(h)'", file: item.origin))
        }
        spool.beginRow(cells.count)
        for (key, value) in cells {
            let id: Int
            if case .base(let o) = key { id = o } else if let known = keyIDs[key] { id = known } else {
                id = keys.count
                keys.append(key)
                keyIDs[key] = id
            }
            try spool.cell(id, value)
        }
        rows += 1
        return .written
    }

    public func finish() throws {
        // Column order: the dialect's columns, Google groups by (group, n, part), then extra columns in
        // first-seen order (zimbra-csv: every column sorted like Java's String.compareTo).
        var header: [String] = []
        var position: [Int: Int] = [:]  // key id → output column
        if dialect.allFields {
            let extras = keys.enumerated().compactMap { id, k -> (Int, String)? in
                if case .extra(let n) = k { return (id, n) }
                return nil
            }.sorted { Array($0.1.utf16).lexicographicallyPrecedes(Array($1.1.utf16)) }
            for (id, n) in extras { position[id] = header.count; header.append(n) }
        } else {
            header = dialect.headerRow
            for (id, k) in keys.enumerated() { if case .base(let o) = k { position[id] = o } }
            let groupKeys = keys.enumerated().compactMap { id, k -> (Int, Int, Int, Int)? in
                if case .group(let g, let n, let p) = k { return (id, g, n, p) }
                return nil
            }
            // Every part of each occurrence, so the groups are complete.
            var occurrences = Set<[Int]>()
            for (_, g, n, _) in groupKeys { occurrences.insert([g, n]) }
            for occ in occurrences.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let group = dialect.groups[occ[0]]
                for (p, pattern) in group.patterns.enumerated() {
                    if let id = keyIDs[.group(occ[0], n: occ[1], part: p)] { position[id] = header.count }
                    header.append(pattern.replacingOccurrences(of: "{n}", with: String(occ[1])))
                }
            }
            for (id, k) in keys.enumerated() {
                if case .extra(let n) = k { position[id] = header.count; header.append(n) }
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        csv.append(header, to: &out)
        try emit(&out, final: false)
        let positions = (0..<keys.count).map { position[$0] ?? -1 }
        var row = [Range<Int>](repeating: 0..<0, count: header.count)
        try spool.replay { bytes, cells in
            for i in row.indices { row[i] = 0..<0 }
            for (id, range) in cells where positions[id] >= 0 { row[positions[id]] = range }
            bytes.withUnsafeBytes { raw in
                for (i, r) in row.enumerated() {
                    if i > 0 { out.append(csv.style.delimiter) }
                    csv.appendField(UnsafeRawBufferPointer(rebasing: raw[r]), to: &out)
                }
            }
            out.append(contentsOf: csv.style.lineEnding)
            if out.count > 1 << 16 { try emit(&out, final: false) }
        }
        try emit(&out, final: true)
        spool.close()
        if encoder.replacements > 0 {
            log.emit(.warning("charset.unmappable", "\(encoder.replacements) character\(encoder.replacements == 1 ? "" : "s") "
                              + "cannot be written in \(charset) and became '?' (use --output-charset UTF-8 to keep them)",
                              file: sink.name))
        }
    }

    private func emit(_ out: inout [UInt8], final: Bool) throws {
        var encoded: [UInt8] = []
        try out.withUnsafeBytes { try encoder.encode($0, final: final, into: &encoded) }
        try sink.write(encoded)
        out.removeAll(keepingCapacity: true)
    }
}

/// Rows of (column id, value) in memory, spilling to an unlinked temporary file past a limit.
struct Spool {
    private var buffer: [UInt8] = []
    private var file: UnsafeMutablePointer<FILE>?
    private let limit = 16 << 20

    mutating func beginRow(_ cells: Int) {
        putVarint(cells)
    }

    mutating func cell(_ id: Int, _ value: String) throws {
        putVarint(id)
        let utf8 = value.utf8
        putVarint(utf8.count)
        buffer.append(contentsOf: utf8)
        if buffer.count >= limit { try spill() }
    }

    private mutating func putVarint(_ v: Int) {
        var v = UInt(v)
        while v >= 0x80 { buffer.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        buffer.append(UInt8(v))
    }

    private mutating func spill() throws {
        if file == nil {
            file = tmpfile()
            guard file != nil else { throw FerryError.io("io.spool", "cannot create a temporary file for CSV rows") }
        }
        let n = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard n == buffer.count else { throw FerryError.io("io.spool", "cannot write the temporary CSV spool") }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with each row: the row's value bytes and (column id, range in those bytes) per cell.
    mutating func replay(_ body: ([UInt8], [(Int, Range<Int>)]) throws -> Void) throws {
        if file != nil { try spill(); rewind(file) }
        var data: [UInt8] = file == nil ? buffer : []
        var pos = 0
        var eof = file == nil
        var cells: [(Int, Range<Int>)] = []
        var rowBytes: [UInt8] = []
        func ensure(_ n: Int) -> Bool {
            while data.count - pos < n && !eof {
                data.removeSubrange(0..<pos)
                pos = 0
                var chunk = [UInt8](repeating: 0, count: 1 << 20)
                let got = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                if got == 0 { eof = true } else { data.append(contentsOf: chunk[0..<got]) }
            }
            return data.count - pos >= n
        }
        func varint() -> Int? {
            var v = 0, shift = 0
            while true {
                guard ensure(1) else { return nil }
                let b = data[pos]; pos += 1
                v |= Int(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        while let count = varint() {
            cells.removeAll(keepingCapacity: true)
            rowBytes.removeAll(keepingCapacity: true)
            for _ in 0..<count {
                guard let id = varint(), let len = varint(), ensure(len) else { return }
                cells.append((id, rowBytes.count..<(rowBytes.count + len)))
                rowBytes.append(contentsOf: data[pos..<(pos + len)])
                pos += len
            }
            try body(rowBytes, cells)
        }
    }

    mutating func close() {
        if let f = file { fclose(f); file = nil }
        buffer = []
    }
}

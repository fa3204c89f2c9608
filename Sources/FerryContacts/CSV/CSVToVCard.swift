import FerryCore
import Foundation

// csv → vcf without a `Contact` per row.
//
// The general path turns every cell into a `String`, every row into a `Contact` (an array of
// name/value strings) and an `Item`, and the vCard writer looks every attribute name up again.
// Here the header decides once, per column, what its cells become (`RowPlan`: the same steps as
// `RowMapper`, with each attribute name resolved to the writer's slot), and a row's attributes are
// byte ranges of the row (`RowFields`) that `VCardWriter.emit` — the same code the general path
// runs — writes straight into a large output buffer. A row the plan does not cover (a photo, a
// raw vCard-property column, Google's repeating groups, cells past the header) goes the general
// way, `RowMapper` + `Contact`, so the bytes are the same either way (`CSVToVCardTests`).

/// What a file's columns become, decided once from the header (`RowMapper`'s steps).
/// Not changed after `init` (shared by the two threads of `writeVCards`).
final class RowPlan: @unchecked Sendable {
    enum Op {
        case skip
        /// The only column setting this attribute.
        case append(Int)
        case setIfAbsent(Int)
        case date(Int, new: Bool)
        /// Tags split on the separator; `byte` when it is one ASCII character (not `\`, CR or LF).
        case tags(String, byte: UInt8?)
        /// Full name split into these attributes, plus `fullName`.
        case name([Int], fullName: Int)
        /// Part `part` of multivalue column `column`.
        case part(column: Int, part: Int)
        /// The row takes the general path (photo, raw vCard property, Google group).
        case general
    }

    private(set) var ops: [Op] = []
    let dateOrder: String?
    /// The file's delimiter as a string (for splitting a full name).
    let delimiter: String
    /// Attribute spellings met in the plan, and for each: the id of its lower-cased name (two
    /// spellings of one name are one attribute), the writer's slot, and the X- property head.
    private(set) var spellings: [String] = []
    private(set) var keyOf: [Int] = []
    private(set) var nameClass: [FieldSlots.NameClass] = []
    private(set) var heads: [[UInt8]] = []
    private(set) var keyCount = 0
    /// Multivalue columns: the spelling of the attribute they fill (-1: none), their part count and
    /// whether they are month/day/year parts of a date.
    private(set) var partSpelling: [Int: Int] = [:]
    private(set) var partCount: [Int: Int] = [:]
    private(set) var partIsDate: [Int: Bool] = [:]

    private var spellingIndex: [String: Int] = [:]
    private var keyIndex: [String: Int] = [:]

    init(mapper: RowMapper) {
        let dialect = mapper.binding.dialect
        dateOrder = dialect.dateOrder
        delimiter = String(decoding: [mapper.delimiter], as: UTF8.self)
        for step in mapper.steps {
            switch step {
            case .skip: ops.append(.skip)
            case .newAttribute(let f): ops.append(.append(intern(f)))
            case .attribute(let f): ops.append(.setIfAbsent(intern(f)))
            case .newDate(let f): ops.append(.date(intern(f), new: true))
            case .date(let f): ops.append(.date(intern(f), new: false))
            case .tags(let separator):
                let u = Array(separator.utf8)
                let byte: UInt8? = u.isEmpty ? 0x2C : u.count == 1 && u[0] < 0x80 && u[0] != 0x5C && u[0] != 0x0D
                    && u[0] != 0x0A ? u[0] : nil
                ops.append(.tags(separator, byte: byte))
            case .name(let fields): ops.append(.name(fields.map { intern($0) }, fullName: intern("fullName")))
            case .part(let c, let part):
                let column = dialect.columns[c]
                if partSpelling[c] == nil {
                    partSpelling[c] = column.field.map { intern($0) } ?? -1
                    partCount[c] = column.headers.count
                    partIsDate[c] = column.field == "birthday" || column.field == "anniversary"
                }
                ops.append(.part(column: c, part: part))
            case .property, .photo, .group: ops.append(.general)
            }
        }
    }

    private func intern(_ name: String) -> Int {
        if let s = spellingIndex[name] { return s }
        let s = spellings.count
        spellingIndex[name] = s
        spellings.append(name)
        let key = name.asciiLowercased
        if let k = keyIndex[key] { keyOf.append(k) } else { keyIndex[key] = keyCount; keyOf.append(keyCount); keyCount += 1 }
        nameClass.append(FieldSlots.classify(name))
        var head: [UInt8] = []
        VCardExtensions.appendHead(field: name, to: &head)
        heads.append(head)
        return s
    }
}

/// One row's attributes as byte ranges of `buf` (the row's cells, then values made from them),
/// in the order `RowMapper` would have put them in the contact; a `CardFieldSource` for the writer.
struct RowFields: CardFieldSource {
    typealias Value = Range<Int>
    let plan: RowPlan
    // The plan's tables, held here (a struct's `let`s need no exclusivity checks or retains).
    private let ops: [RowPlan.Op]
    private let keyOf: [Int]
    private let nameClass: [FieldSlots.NameClass]
    private let headBytes: [UInt8]
    private let headRanges: [Range<Int>]
    private(set) var buf: [UInt8] = []
    private var names: [Int] = []
    private var values: [Range<Int>] = []
    private var used: [Bool] = []
    private var present: [Bool]
    private var index = [Int](repeating: -1, count: FieldSlots.Slot.allCases.count)
    private var numbered: [(slot: FieldSlots.Slot, number: Int, field: Int)] = []
    private var parts: [(column: Int, part: Int, value: Range<Int>)] = []
    private(set) var tags: [String] = []
    private var tagScratch: [UInt8] = []

    init(plan: RowPlan) {
        self.plan = plan
        ops = plan.ops
        keyOf = plan.keyOf
        nameClass = plan.nameClass
        var bytes: [UInt8] = [], ranges: [Range<Int>] = []
        for h in plan.heads {
            ranges.append(bytes.count..<(bytes.count + h.count))
            bytes.append(contentsOf: h)
        }
        headBytes = bytes
        headRanges = ranges
        present = [Bool](repeating: false, count: plan.keyCount)
    }

    var isEmpty: Bool { names.isEmpty && tags.isEmpty }

    /// Maps a record; false when the row needs the general path.
    mutating func load(_ record: CSVRecord) -> Bool {
        buf.removeAll(keepingCapacity: true)
        names.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        used.removeAll(keepingCapacity: true)
        numbered.removeAll(keepingCapacity: true)
        parts.removeAll(keepingCapacity: true)
        if !tags.isEmpty { tags.removeAll(keepingCapacity: true) }
        for i in present.indices { present[i] = false }
        for i in index.indices { index[i] = -1 }
        // Cells past the header become "Column N" attributes: the general path's business.
        if record.count > ops.count {
            for i in ops.count..<record.count where !record.isEmpty(i) { return false }
        }
        buf.append(contentsOf: record.storage)
        let ends = record.ends
        let width = min(record.count, ops.count)
        var start = 0
        for i in 0..<width {
            let end = ends[i]
            defer { start = end }
            if start == end { continue }
            let cell = start..<end
            switch ops[i] {
            case .skip:
                continue
            case .append(let s):
                add(s, cell)
            case .setIfAbsent(let s):
                if !present[keyOf[s]] { add(s, cell) }
            case .date(let s, let new):
                let value = DateParsing.normalize(string(cell), order: plan.dateOrder)
                if !value.isEmpty && (new || !present[keyOf[s]]) { add(s, derived(value)) }
            case .tags(let separator, let byte):
                if let byte, asciiTags(cell, separator: byte) { continue }
                tags.append(contentsOf: RowMapper.splitTags(string(cell), separator: separator))
            case .name(let fields, let fullName):
                let value = string(cell)
                for (field, part) in zip(fields, RowMapper.splitName(value, delimiter: plan.delimiter))
                where !part.isEmpty && !present[keyOf[field]] {
                    add(field, derived(part))
                }
                if !present[keyOf[fullName]] { add(fullName, cell) }
            case .part(let column, let part):
                parts.append((column, part, cell))
            case .general:
                return false
            }
        }
        if !parts.isEmpty { addParts() }
        return true
    }

    /// Multivalue columns in column order: lines joined by LF, or a date from month/day/year.
    private mutating func addParts() {
        parts.sort { $0.column != $1.column ? $0.column < $1.column : $0.part < $1.part }
        var k = 0
        while k < parts.count {
            let column = parts[k].column
            var e = k
            while e < parts.count && parts[e].column == column { e += 1 }
            defer { k = e }
            let s = plan.partSpelling[column] ?? -1
            guard s >= 0 else { continue }
            if plan.partIsDate[column] == true {
                var m: String?, d: String?, y: String?
                for p in parts[k..<e] {
                    switch p.part {
                    case 0: m = string(p.value)
                    case 1: d = string(p.value)
                    case 2: y = string(p.value)
                    default: break
                    }
                }
                let value = DateParsing.fromParts(month: m, day: d, year: y)
                if !value.isEmpty && !present[keyOf[s]] { add(s, derived(value)) }
                continue
            }
            guard !present[keyOf[s]] else { continue }
            let count = plan.partCount[column] ?? 0
            let lines = parts[k..<e].filter { $0.part < count }
            if lines.count == 1 {
                add(s, lines[0].value)
            } else if !lines.isEmpty {
                let from = buf.count
                for (j, line) in lines.enumerated() {
                    if j > 0 { buf.append(0x0A) }
                    for b in line.value { buf.append(buf[b]) }
                }
                add(s, from..<buf.count)
            }
        }
    }

    /// `RowMapper.splitTags` for a cell of ASCII only (where every byte is one character, so the
    /// split, unescaping and trimming come out the same on bytes); false for any other cell.
    private mutating func asciiTags(_ cell: Range<Int>, separator: UInt8) -> Bool {
        for i in cell where buf[i] >= 0x80 { return false }
        var current = cell.lowerBound
        var scratch = tagScratch
        scratch.removeAll(keepingCapacity: true)
        func flush() {
            var a = 0, b = scratch.count
            while a < b && (scratch[a] == 0x20 || scratch[a] == 0x09) { a += 1 }
            while b > a && (scratch[b - 1] == 0x20 || scratch[b - 1] == 0x09) { b -= 1 }
            if b - a >= 2 && scratch[a] == 0x2A && scratch[a + 1] == 0x20 { a += 2 }
            if b > a { tags.append(String(decoding: scratch[a..<b], as: UTF8.self)) }
            scratch.removeAll(keepingCapacity: true)
        }
        var escaped = false
        while current < cell.upperBound {
            let c = buf[current]
            current += 1
            if escaped { scratch.append(c); escaped = false }
            else if c == 0x5C { escaped = true }
            else if c == separator { flush() }
            else { scratch.append(c) }
        }
        flush()
        tagScratch = scratch
        return true
    }

    private mutating func add(_ spelling: Int, _ value: Range<Int>) {
        let f = names.count
        names.append(spelling)
        values.append(value)
        used.append(false)
        present[keyOf[spelling]] = true
        switch nameClass[spelling] {
        case .slot(let s): if index[s.rawValue] < 0 { index[s.rawValue] = f }
        case .numbered(let s, let number): numbered.append((s, number, f))
        case .other: break
        }
    }

    private mutating func derived(_ value: String) -> Range<Int> {
        let from = buf.count
        buf.append(contentsOf: value.utf8)
        return from..<buf.count
    }

    // MARK: CardFieldSource

    mutating func peek(_ s: FieldSlots.Slot) -> Range<Int>? {
        let i = index[s.rawValue]
        return i < 0 ? nil : values[i]
    }

    mutating func take(_ s: FieldSlots.Slot) -> Range<Int>? {
        let i = index[s.rawValue]
        guard i >= 0 else { return nil }
        used[i] = true
        return values[i]
    }

    mutating func takeNumbered(_ s: FieldSlots.Slot, numberedFrom: Int) -> [Range<Int>] {
        guard !numbered.isEmpty else { return [] }
        let members = numbered.filter { $0.slot == s && $0.number >= numberedFrom }.sorted { $0.number < $1.number }
        for m in members { used[m.field] = true }
        return members.map { values[$0.field] }
    }

    mutating func string(_ v: Range<Int>) -> String { String(decoding: buf[v], as: UTF8.self) }

    mutating func escape(_ v: Range<Int>, into o: inout CardOutput) {
        buf.withUnsafeBufferPointer { o.esc(UnsafeBufferPointer(rebasing: $0[v])) }
    }

    mutating func add(_ v: Range<Int>, into o: inout CardOutput) {
        buf.withUnsafeBufferPointer { o.line.append(contentsOf: UnsafeBufferPointer(rebasing: $0[v])) }
    }

    mutating func writeUntaken(into o: inout CardOutput) {
        for i in names.indices where !used[i] {
            o.line.removeAll(keepingCapacity: true)
            headBytes.withUnsafeBufferPointer { o.line.append(contentsOf: UnsafeBufferPointer(rebasing: $0[headRanges[names[i]]])) }
            o.line.append(0x3A)
            escape(values[i], into: &o)
            o.end()
        }
    }
}

extension ContactCSVReader {
    /// Records per hand-over from the tokenising thread.
    static let recordBatch = 512
    /// The tokenising thread also converts one batch in this many (its share balances the two threads:
    /// decoding and tokenising cost about half of mapping and writing).
    static let producerShare = 3

    /// What the tokenising thread hands over: records to convert, or a batch it converted itself.
    enum RecordBatch {
        case records([CSVRecord])
        case cards(bytes: [UInt8], cards: Int, planned: Int)
    }

    /// Converts records to cards appended to `o.out`; returns the cards and how many went through the plan.
    func convert(_ records: [CSVRecord], row: inout RowFields, version: VCardWriter.Version,
                 into o: inout CardOutput) -> (cards: Int, planned: Int) {
        var cards = 0, planned = 0
        for record in records {
            if row.load(record) {
                if row.isEmpty { continue }
                let tags = row.tags
                VCardWriter.emit(&row, tags: tags, photo: nil, properties: [], version: version, into: &o)
                planned += 1
            } else {
                let contact = mapper.contact(from: record)
                if contact.isEmpty { continue }
                VCardWriter.emit(contact, version: version, into: &o)
            }
            cards += 1
        }
        return (cards, planned)
    }

    /// Writes every row as a vCard through `writer` without building a `Contact` per row (rows the
    /// plan does not cover are mapped the general way); the same bytes, warnings and errors as
    /// `next()` + `writer.write`. Call it instead of `next()`, before any `next()`. `progress` gets
    /// the number of cards written so far, every batch. Returns the number of cards.
    ///
    /// Two threads: a second one decodes and tokenises (and converts one batch in
    /// `producerShare` itself), this one converts the rest and writes everything in order; the
    /// hand-over is bounded (flat memory), so with a core free the wall time is about half the CPU time.
    public func writeVCards(to writer: VCardWriter, progress: (Int) -> Void = { _ in }) throws -> Int {
        precondition(!readingStarted, "writeVCards after next()")
        let version = writer.versionForNewCards
        let plan = RowPlan(mapper: mapper)
        let pipe = BatchPipe<RecordBatch>()
        let me = UncheckedBox(self)
        let source = UncheckedBox(rowSource)
        let thread = Thread {
            var row = RowFields(plan: plan)
            var k = 0
            func hand(_ batch: [CSVRecord]) -> Bool {
                k += 1
                guard k % Self.producerShare == 0 else { return pipe.put([.records(batch)]) }
                var o = CardOutput(out: [])
                o.out.reserveCapacity(batch.count * 700)
                let (cards, planned) = me.value.convert(batch, row: &row, version: version, into: &o)
                return pipe.put([.cards(bytes: o.out, cards: cards, planned: planned)])
            }
            do {
                var batch: [CSVRecord] = []
                batch.reserveCapacity(Self.recordBatch)
                while let record = try source.value.nextRecord() {
                    batch.append(record)
                    if batch.count == Self.recordBatch {
                        if !hand(batch) { return }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty, !hand(batch) { return }
                pipe.finish(nil)
            } catch {
                pipe.finish(error)
            }
        }
        thread.name = "ferry-csv-records"
        thread.start()
        defer { pipe.cancel() }

        var row = RowFields(plan: plan)
        var o = CardOutput(out: [])
        let block = 1 << 17
        o.out.reserveCapacity(block + (block >> 1))
        if writer.lastByte != 0x0A { o.out.append(contentsOf: [0x0D, 0x0A]) }
        var cards = 0
        func flush() throws {
            guard let last = o.out.last else { return }
            writer.lastByte = last
            try o.out.withUnsafeBytes { try writer.sink.write($0) }
            o.out.removeAll(keepingCapacity: true)
        }
        do {
            while let batches = try pipe.take() {
                for batch in batches {
                    switch batch {
                    case .records(let records):
                        let (n, planned) = convert(records, row: &row, version: version, into: &o)
                        cards += n
                        plannedRows += planned
                        if o.out.count >= block { try flush() }
                    case .cards(let bytes, let n, let planned):
                        try flush()
                        if let last = bytes.last {
                            writer.lastByte = last
                            try bytes.withUnsafeBytes { try writer.sink.write($0) }
                        }
                        cards += n
                        plannedRows += planned
                    }
                }
                progress(cards)
            }
        } catch {
            // The cards before the error are written, as `next()` + `write` would have.
            try? flush()
            throw error
        }
        try flush()
        progress(cards)
        finishReading()
        return cards
    }
}

extension ContactCSVReader: DirectTransferReader {
    /// csv → vcf goes through `writeVCards` (a per-header plan over byte slices); any other writer
    /// reads contacts one by one.
    public func transfer(to writer: any ItemWriter, progress: (Int) -> Void) throws -> DirectTransfer? {
        guard let vcf = writer as? VCardWriter, !readingStarted else { return nil }
        return DirectTransfer(kind: .contact, count: try writeVCards(to: vcf, progress: progress))
    }
}

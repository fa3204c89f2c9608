import Foundation
import FerryCore

/// `json`: one JSON object per item and per line (JSON Lines), for any item kind: the payload's
/// own view (`ItemPayload.jsonObject()`) plus `kind`, `origin` and the item's metadata.
public struct JSONLinesFormat: Format {
    public init() {}
    public let name = "json"
    public let summary = "one JSON object per item (JSON Lines)"
    public let extensions = ["json", "jsonl", "ndjson"]
    public let kinds: [ItemKind] = ItemKind.allCases
    public var canRead: Bool { false }

    public func bid(prefix: [UInt8], name: String?) -> Int { 0 }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("json.directory", "json writes to a file or stdout")
        }
        return JSONLinesWriter(sink: sink)
    }
}

public final class JSONLinesWriter: ItemWriter {
    let sink: ByteSink

    public init(sink: ByteSink) { self.sink = sink }

    /// The object written for one item.
    public static func object(for item: Item) -> [String: Any] {
        object(for: item, dateFormatter: nil)
    }

    /// A formatter made once per writer: making one per item costs more than the rest of the item.
    private let dateFormatter: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter
    }()

    static func object(for item: Item, dateFormatter: ISO8601DateFormatter?) -> [String: Any] {
        var object: [String: Any] = [:]
        for (key, value) in item.payload.jsonObject() { object[key] = value }
        object["kind"] = item.kind.rawValue
        if let origin = item.origin { object["origin"] = origin }
        let m = item.metadata
        var metadata: [String: Any] = [:]
        if let folder = m.folder { metadata["folder"] = folder }
        if !m.flags.isEmpty { metadata["flags"] = m.flags.sorted() }
        if !m.tags.isEmpty { metadata["tags"] = m.tags }
        if let date = m.date {
            let formatter = dateFormatter ?? {
                let formatter = ISO8601DateFormatter()
                formatter.timeZone = TimeZone(identifier: "UTC")
                return formatter
            }()
            metadata["date"] = formatter.string(from: date)
        }
        if let id = m.id { metadata["id"] = id }
        if !m.extra.isEmpty { metadata["extra"] = m.extra }
        if !metadata.isEmpty { object["metadata"] = metadata }
        return object
    }

    public func write(_ item: Item) throws -> WriteOutcome {
        let object = Self.object(for: item, dateFormatter: dateFormatter)
        if var line = Self.encode(object) {
            line.append(0x0A)
            try sink.write(line)
            return .written
        }
        guard JSONSerialization.isValidJSONObject(object) else {
            return .skipped(reason: "the \(item.kind.rawValue) has no JSON view")
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        try sink.write(Array(data) + [0x0A])
        return .written
    }

    public func finish() throws {}

    // MARK: Fast path

    /// The bytes `JSONSerialization` writes for `object` with `[.sortedKeys, .withoutEscapingSlashes]`,
    /// made without it (it spends most of its time bridging, casting and collating keys); nil for values
    /// this encoder leaves to `JSONSerialization` (floating-point numbers, Foundation objects).
    public static func encode(_ object: [String: Any]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        return append(object, to: &out) ? out : nil
    }

    private static func append(_ value: Any, to out: inout [UInt8]) -> Bool {
        switch value {
        case let s as String:
            appendString(s, to: &out)
        case let b as Bool:
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case let i as Int:
            out.append(contentsOf: String(i).utf8)
        case let i as Int64:
            out.append(contentsOf: String(i).utf8)
        case let array as [Any]:
            out.append(0x5B)
            for (n, element) in array.enumerated() {
                if n > 0 { out.append(0x2C) }
                guard append(element, to: &out) else { return false }
            }
            out.append(0x5D)
        case let dictionary as [String: Any]:
            out.append(0x7B)
            for (n, key) in dictionary.keys.sorted(by: keyOrder).enumerated() {
                if n > 0 { out.append(0x2C) }
                appendString(key, to: &out)
                out.append(0x3A)
                guard append(dictionary[key]!, to: &out) else { return false }
            }
            out.append(0x7D)
        case let dictionary as [String: String]:
            return append(dictionary as [String: Any], to: &out)
        default:
            return false
        }
        return true
    }

    /// JSONSerialization's key order (`compare` with numeric, case-insensitive, forced ordering); keys of
    /// ASCII letters that differ other than in case are ordered directly, as that comparison orders them.
    private static func keyOrder(_ a: String, _ b: String) -> Bool {
        let x = a.utf8, y = b.utf8
        func letter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
        if x.allSatisfy(letter), y.allSatisfy(letter) {
            for (c, d) in zip(x, y) where c | 0x20 != d | 0x20 { return c | 0x20 < d | 0x20 }
            if x.count != y.count { return x.count < y.count }
        }
        return a.compare(b, options: [.numeric, .caseInsensitive, .forcedOrdering], range: a.startIndex..<a.endIndex,
                         locale: NSLocale.system) == .orderedAscending
    }

    /// Per byte: 0 when it is copied as it is, else the letter after the backslash (`u` for `\u00XX`).
    private static let escapes: [UInt8] = (0..<256).map { b -> UInt8 in
        switch b {
        case 0x22: 0x22
        case 0x5C: 0x5C
        case 0x08: 0x62
        case 0x0C: 0x66
        case 0x0A: 0x6E
        case 0x0D: 0x72
        case 0x09: 0x74
        case 0..<0x20: 0x75
        default: 0
        }
    }

    /// The string quoted and escaped: runs of bytes that need no escape are copied whole.
    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { p in
            escapes.withUnsafeBufferPointer { table in
                let n = p.count
                var start = 0, i = 0
                while i < n {
                    let e = table[Int(p[i])]
                    if e == 0 { i += 1; continue }
                    if start < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i])) }
                    if e == 0x75 {
                        let hex: StaticString = "0123456789abcdef"
                        let h = hex.utf8Start
                        out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, h[Int(p[i] >> 4)], h[Int(p[i] & 15)]])
                    } else {
                        out.append(0x5C)
                        out.append(e)
                    }
                    i += 1
                    start = i
                }
                if start < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<n])) }
            }
        }
        out.append(0x22)
    }
}

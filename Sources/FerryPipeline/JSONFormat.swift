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
        guard JSONSerialization.isValidJSONObject(object) else {
            return .skipped(reason: "the \(item.kind.rawValue) has no JSON view")
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        try sink.write(Array(data) + [0x0A])
        return .written
    }

    public func finish() throws {}
}

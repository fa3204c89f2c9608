import FerryCore
import Foundation

/// A `.meta` entry: the item's database row as JSON (reference §4.4). Every key is kept, known or
/// not, and the original text too, so an unchanged `.meta` is written back byte for byte.
public struct ZimbraMeta: @unchecked Sendable {
    /// The usual `.meta` (a flat object of strings, integers and nulls) stays as its bytes with an
    /// index of where each key and value lies, and values are decoded when asked for: a reader
    /// that wants six fields of twenty builds no dictionary, no `NSNumber` and no string it does not
    /// use. Anything else, and a meta whose fields were changed, is a dictionary.
    private enum Storage {
        case flat(FlatIndex)
        case dictionary([String: Any])
    }

    private var storage: Storage
    /// The text as read; nil once a field changed or for a meta made from scratch.
    public private(set) var original: [UInt8]?

    /// The JSON object (values as `JSONSerialization` returns them: `String`, `NSNumber`, `NSNull`, …).
    public var fields: [String: Any] {
        switch storage {
        case .dictionary(let fields): return fields
        case .flat(let index): return index.dictionary(original ?? [])
        }
    }

    public init(fields: [String: Any] = [:]) {
        self.storage = .dictionary(fields)
        self.original = nil
    }

    public init(json: [UInt8]) throws {
        if let index = FlatIndex(json) {
            self.storage = .flat(index)
            self.original = json
            return
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json), options: [.fragmentsAllowed])
        } catch {
            throw FerryError.data("zimbra.meta-json", "the .meta entry is not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw FerryError.data("zimbra.meta-json", "the .meta entry is not a JSON object")
        }
        self.storage = .dictionary(dictionary)
        self.original = json
    }

    /// Where each member of a flat `.meta` object lies in its bytes, found in one pass. Nil for
    /// anything but one flat object of strings, integers and nulls with plain keys (booleans,
    /// fractions, nesting, escaped keys, integers beyond 64 bits, bad JSON), which takes the general parser.
    struct FlatIndex {
        enum Kind: UInt8 { case string, escapedString, integer, null }
        struct Member {
            var keyStart: Int32, keyEnd: Int32
            var valueStart: Int32, valueEnd: Int32
            var kind: Kind
            var integer: Int64
        }
        var members: [Member] = []

        init?(_ json: [UInt8]) {
            guard json.count < Int32.max else { return nil }
            let parsed = json.withUnsafeBufferPointer { b -> [Member]? in
                var i = 0
                let n = b.count
                var members: [Member] = []
                members.reserveCapacity(24)
                func skipSpace() { while i < n && (b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09) { i += 1 } }
                /// Scans a string; its content's range and whether it holds escapes (checked here).
                func string() -> (Int, Int, Bool)? {
                    guard i < n, b[i] == 0x22 else { return nil }
                    i += 1
                    let start = i
                    var escaped = false
                    while i < n && b[i] != 0x22 {
                        if b[i] == 0x5C { escaped = true; i += 1 }
                        else if b[i] < 0x20 { return nil }
                        i += 1
                    }
                    guard i < n else { return nil }
                    let end = i
                    i += 1
                    if escaped, FlatIndex.unescape(UnsafeBufferPointer(rebasing: b[start..<end])) == nil { return nil }
                    return (start, end, escaped)
                }
                skipSpace()
                guard i < n, b[i] == 0x7B else { return nil }
                i += 1
                skipSpace()
                if i < n && b[i] == 0x7D { i += 1 } else {
                    while true {
                        skipSpace()
                        guard let (keyStart, keyEnd, keyEscaped) = string(), !keyEscaped else { return nil }
                        skipSpace()
                        guard i < n, b[i] == 0x3A else { return nil }
                        i += 1
                        skipSpace()
                        guard i < n else { return nil }
                        var member = Member(keyStart: Int32(keyStart), keyEnd: Int32(keyEnd), valueStart: 0, valueEnd: 0,
                                            kind: .null, integer: 0)
                        switch b[i] {
                        case 0x22:
                            guard let (start, end, escaped) = string() else { return nil }
                            member.valueStart = Int32(start)
                            member.valueEnd = Int32(end)
                            member.kind = escaped ? .escapedString : .string
                        case 0x2D, 0x30...0x39:
                            let start = i
                            let negative = b[i] == 0x2D
                            if negative { i += 1 }
                            var value: Int64 = 0
                            var digits = 0
                            while i < n && b[i] >= 0x30 && b[i] <= 0x39 {
                                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                                let (v, o2) = negative ? m.subtractingReportingOverflow(Int64(b[i] - 0x30))
                                                       : m.addingReportingOverflow(Int64(b[i] - 0x30))
                                guard !o1, !o2 else { return nil }
                                value = v
                                digits += 1
                                i += 1
                            }
                            guard digits > 0 else { return nil }
                            if i < n && (b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45) { return nil }
                            member.valueStart = Int32(start)
                            member.valueEnd = Int32(i)
                            member.kind = .integer
                            member.integer = value
                        case 0x6E:
                            guard i + 4 <= n, b[i + 1] == 0x75, b[i + 2] == 0x6C, b[i + 3] == 0x6C else { return nil }
                            i += 4
                            member.kind = .null
                        default:
                            return nil
                        }
                        members.append(member)
                        skipSpace()
                        guard i < n else { return nil }
                        if b[i] == 0x2C { i += 1; continue }
                        if b[i] == 0x7D { i += 1; break }
                        return nil
                    }
                }
                skipSpace()
                return i == n ? members : nil
            }
            guard let parsed else { return nil }
            members = parsed
        }

        /// The last member named `key` (a repeated key means its last value, as in a dictionary).
        func member(_ key: String, in json: [UInt8]) -> Member? {
            var key = key
            return key.withUTF8 { k in
                json.withUnsafeBufferPointer { b in
                    for m in members.reversed() where Int(m.keyEnd - m.keyStart) == k.count {
                        if k.isEmpty || memcmp(b.baseAddress! + Int(m.keyStart), k.baseAddress!, k.count) == 0 { return m }
                    }
                    return nil
                }
            }
        }

        func string(_ m: Member, in json: [UInt8]) -> String? {
            switch m.kind {
            case .string:
                return json.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[Int(m.valueStart)..<Int(m.valueEnd)]), as: UTF8.self)
                }
            case .escapedString:
                return json.withUnsafeBufferPointer {
                    FlatIndex.unescape(UnsafeBufferPointer(rebasing: $0[Int(m.valueStart)..<Int(m.valueEnd)]))
                }
            case .integer: return String(m.integer)
            case .null: return nil
            }
        }

        /// The values `JSONSerialization` gives: `String`, `NSNumber`, `NSNull`.
        func dictionary(_ json: [UInt8]) -> [String: Any] {
            var fields: [String: Any] = [:]
            fields.reserveCapacity(members.count)
            for m in members {
                let key = json.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[Int(m.keyStart)..<Int(m.keyEnd)]), as: UTF8.self)
                }
                switch m.kind {
                case .string, .escapedString: fields[key] = string(m, in: json) ?? ""
                case .integer: fields[key] = NSNumber(value: m.integer)
                case .null: fields[key] = NSNull()
                }
            }
            return fields
        }

        /// A JSON string's content with its escapes resolved; nil for a bad escape or lone surrogate.
        static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var k = 0
            var pendingHigh: UInt32?
            while k < raw.count {
                let c = raw[k]
                guard c == 0x5C else { out.append(c); k += 1; continue }
                guard k + 1 < raw.count else { return nil }
                let e = raw[k + 1]
                k += 2
                var scalar: UInt32
                switch e {
                case 0x22, 0x5C, 0x2F: out.append(e); continue
                case 0x62: out.append(0x08); continue
                case 0x66: out.append(0x0C); continue
                case 0x6E: out.append(0x0A); continue
                case 0x72: out.append(0x0D); continue
                case 0x74: out.append(0x09); continue
                case 0x75:
                    guard k + 4 <= raw.count,
                          let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: raw[k..<(k + 4)]), as: UTF8.self), radix: 16)
                    else { return nil }
                    k += 4
                    scalar = v
                default: return nil
                }
                if scalar >= 0xD800 && scalar < 0xDC00 { pendingHigh = scalar; continue }
                if scalar >= 0xDC00 && scalar < 0xE000 {
                    guard let high = pendingHigh else { return nil }
                    scalar = 0x10000 + ((high - 0xD800) << 10) + (scalar - 0xDC00)
                }
                pendingHigh = nil
                guard let u = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    public subscript(key: String) -> Any? {
        get {
            switch storage {
            case .dictionary(let fields): return fields[key]
            case .flat(let index):
                guard let json = original, let m = index.member(key, in: json) else { return nil }
                switch m.kind {
                case .string, .escapedString: return index.string(m, in: json)
                case .integer: return NSNumber(value: m.integer)
                case .null: return NSNull()
                }
            }
        }
        set {
            var fields = self.fields
            storage = .dictionary([:])   // the only other reference: `fields` is now changed in place
            fields[key] = newValue
            storage = .dictionary(fields)
            original = nil
        }
    }

    public func int(_ key: String) -> Int64? {
        if case .flat(let index) = storage, let json = original {
            guard let m = index.member(key, in: json) else { return nil }
            switch m.kind {
            case .integer: return m.integer
            case .string, .escapedString: return index.string(m, in: json).flatMap { Int64($0) }
            case .null: return nil
            }
        }
        switch self[key] {
        case let n as NSNumber: return n.int64Value
        case let s as String: return Int64(s)
        default: return nil
        }
    }

    public func string(_ key: String) -> String? {
        if case .flat(let index) = storage, let json = original {
            return index.member(key, in: json).flatMap { index.string($0, in: json) }
        }
        switch self[key] {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }

    public var id: Int? { int("id").map { Int($0) } }
    public var type: ZimbraItemType? { int("type").flatMap { ZimbraItemType(rawValue: Int($0)) } }
    public var size: Int64? { int("size") }
    public var isUnread: Bool {
        if let flagString = string("FlagStr"), flagString.contains("u") { return true }
        return (int("unread") ?? 0) > 0
    }

    /// `Path` without its leading and trailing `/` (nil for the root).
    public var path: String? {
        guard var p = string("Path") else { return nil }
        while p.hasPrefix("/") { p.removeFirst() }
        while p.hasSuffix("/") { p.removeLast() }
        return p.isEmpty ? nil : p
    }

    public var date: Date? { int("date").map { Date(timeIntervalSince1970: TimeInterval($0)) } }

    /// Flag names from `FlagStr` (or, for old exports without it, the `flags` bits plus `unread`).
    public var flags: Set<String> {
        var flags: Set<String>
        if let flagString = string("FlagStr") {
            flags = MailFlag.fromZimbra(flagString).flags
        } else {
            let bits = Int(int("flags") ?? 0)
            flags = Set(MailFlag.zimbraTable.filter { $0.bit != 0 && bits & $0.bit != 0 }.map(\.name))
        }
        if (int("unread") ?? 0) > 0 { flags.insert(MailFlag.unread) }
        return flags
    }

    /// Tag names from `TagNames` (legacy `TagStr` holds ids, which cannot be resolved here).
    public var tags: [String] { string("TagNames").map(ZimbraTagNames.parse) ?? [] }

    /// The bencoded `metadata` column, decoded.
    public func metadata() throws -> BencodeValue? {
        guard let text = string("metadata"), !text.isEmpty else { return nil }
        return try BencodeValue.decode(text)
    }

    // MARK: Writing

    /// Keys in the order Ferry writes a `.meta` it builds (Zimbra's own order is unspecified).
    static let keyOrder = ["id", "uuid", "type", "parent_id", "folder_id", "index_id", "imap_id", "date", "size",
                           "volume_id", "blob_digest", "unread", "flags", "subject", "name", "metadata",
                           "mod_metadata", "change_date", "mod_content", "sender", "ExtraStr", "FlagStr", "Path",
                           "TagStr", "TagNames", "Ver"]

    /// The JSON text: the original when nothing changed, else one line with known keys first.
    public func jsonBytes() -> [UInt8] {
        if let original { return original }
        let fields = self.fields
        var out = "{"
        var first = true
        out.reserveCapacity(512)
        let known = ZimbraMeta.keyOrder.filter { fields[$0] != nil }
        let unknown = fields.count == known.count ? [] : fields.keys.filter { !ZimbraMeta.knownKeys.contains($0) }.sorted()
        for key in known + unknown {
            if !first { out += "," }
            first = false
            out += ZimbraMeta.quote(key)
            out += ":"
            out += ZimbraMeta.encode(fields[key]!)
        }
        out += "}"
        return Array(out.utf8)
    }

    static func encode(_ value: Any) -> String {
        if let s = value as? String { return quote(s) }
        let type = Swift.type(of: value)
        if type == Int.self { return String(value as! Int) }
        if type == Int64.self { return String(value as! Int64) }
        // JSON booleans arrive as __NSCFBoolean; plain NSNumbers also answer `as? Bool`, so ask the type.
        if type == Bool.self || String(describing: type) == "__NSCFBoolean" {
            return (value as? Bool ?? false) ? "true" : "false"
        }
        if let n = value as? NSNumber {
            let d = n.doubleValue
            if d == d.rounded(), abs(d) < 9.0e18 { return String(n.int64Value) }
            return n.stringValue
        }
        if value is NSNull { return "null" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "null"
    }

    static func quote(_ s: String) -> String { JSONText.quoted(s) }

    /// Zimbra's "filesystem-safe" digest: Base64 of SHA-256 with `/` replaced by `,`.
    public static func blobDigest(_ sha256: [UInt8]) -> String {
        // Base64 with padding, written straight with `,` in the place of `/` (per message: no Data,
        // no Foundation string search).
        var out: [UInt8] = []
        out.reserveCapacity((sha256.count + 2) / 3 * 4)
        var i = 0
        while i < sha256.count {
            let a = UInt32(sha256[i])
            let b = i + 1 < sha256.count ? UInt32(sha256[i + 1]) : 0
            let c = i + 2 < sha256.count ? UInt32(sha256[i + 2]) : 0
            let v = a << 16 | b << 8 | c
            out.append(digestAlphabet[Int(v >> 18 & 63)])
            out.append(digestAlphabet[Int(v >> 12 & 63)])
            out.append(i + 1 < sha256.count ? digestAlphabet[Int(v >> 6 & 63)] : 0x3D)
            out.append(i + 2 < sha256.count ? digestAlphabet[Int(v & 63)] : 0x3D)
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let digestAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    /// Keys of `keyOrder` as a set (which keys are unknown).
    static let knownKeys = Set(keyOrder)
}

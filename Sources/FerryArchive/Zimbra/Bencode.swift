import FerryCore

/// A value of Zimbra's `Metadata` encoding: bencode (`d…e`, `l…e`, `i…e`, `<len>:<str>`) over a Java
/// string, so a string's length counts **UTF-16 code units**, not bytes.
public indirect enum BencodeValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case list([BencodeValue])
    /// Entries in the order they were read (Zimbra writes keys sorted; order is kept for exact round trips).
    case dictionary([(key: String, value: BencodeValue)])

    public static func == (a: BencodeValue, b: BencodeValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.integer(x), .integer(y)): return x == y
        case let (.list(x), .list(y)): return x == y
        case let (.dictionary(x), .dictionary(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public subscript(key: String) -> BencodeValue? {
        guard case .dictionary(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The value as text (strings as they are, integers in decimal).
    public var text: String? {
        switch self {
        case .string(let s): return s
        case .integer(let i): return String(i)
        default: return nil
        }
    }

    // MARK: Decoding

    public static func decode(_ text: String) throws -> BencodeValue {
        let units = Array(text.utf16)
        var position = 0
        let value = try parse(units, &position, depth: 0)
        guard position == units.count else {
            throw FerryError.data("bencode.trailing", "unexpected data after the metadata value at offset \(position)")
        }
        return value
    }

    private static func parse(_ u: [UInt16], _ i: inout Int, depth: Int) throws -> BencodeValue {
        guard depth < 200 else { throw FerryError.data("bencode.depth", "metadata nested too deeply") }
        guard i < u.count else { throw FerryError.data("bencode.truncated", "metadata ends early") }
        switch u[i] {
        case 0x64: // d
            i += 1
            var entries: [(key: String, value: BencodeValue)] = []
            while i < u.count && u[i] != 0x65 {
                guard case .string(let key) = try parse(u, &i, depth: depth + 1) else {
                    throw FerryError.data("bencode.key", "a metadata dictionary key is not a string (offset \(i))")
                }
                entries.append((key, try parse(u, &i, depth: depth + 1)))
            }
            guard i < u.count else { throw FerryError.data("bencode.truncated", "metadata dictionary not closed") }
            i += 1
            return .dictionary(entries)
        case 0x6C: // l
            i += 1
            var items: [BencodeValue] = []
            while i < u.count && u[i] != 0x65 { items.append(try parse(u, &i, depth: depth + 1)) }
            guard i < u.count else { throw FerryError.data("bencode.truncated", "metadata list not closed") }
            i += 1
            return .list(items)
        case 0x69: // i
            i += 1
            let start = i
            while i < u.count && u[i] != 0x65 { i += 1 }
            guard i < u.count, let n = Int64(String(decoding: u[start..<i], as: UTF16.self)) else {
                throw FerryError.data("bencode.integer", "bad metadata integer at offset \(start)")
            }
            i += 1
            return .integer(n)
        case 0x30...0x39:
            var length = 0
            while i < u.count, (0x30...0x39).contains(u[i]) {
                length = length * 10 + Int(u[i] - 0x30)
                guard length <= u.count else { throw FerryError.data("bencode.length", "metadata string too long") }
                i += 1
            }
            guard i < u.count, u[i] == 0x3A, i + 1 + length <= u.count else {
                throw FerryError.data("bencode.string", "bad metadata string at offset \(i)")
            }
            i += 1
            let s = String(decoding: u[i..<(i + length)], as: UTF16.self)
            i += length
            return .string(s)
        default:
            throw FerryError.data("bencode.unexpected", "unexpected character in metadata at offset \(i)")
        }
    }

    // MARK: Encoding

    /// The encoding; dictionaries are written in their stored order (`sorted()` first for Zimbra's canonical form).
    public func encoded() -> String {
        var out = ""
        encode(into: &out)
        return out
    }

    private func encode(into out: inout String) {
        switch self {
        case .string(let s):
            out += "\(s.utf16.count):"
            out += s
        case .integer(let n):
            out += "i\(n)e"
        case .list(let items):
            out += "l"
            for item in items { item.encode(into: &out) }
            out += "e"
        case .dictionary(let entries):
            out += "d"
            for (key, value) in entries {
                BencodeValue.string(key).encode(into: &out)
                value.encode(into: &out)
            }
            out += "e"
        }
    }

    /// Keys sorted at every level (Java's `TreeMap` order: by UTF-16 code units).
    public func sorted() -> BencodeValue {
        switch self {
        case .list(let items): return .list(items.map { $0.sorted() })
        case .dictionary(let entries):
            return .dictionary(entries.map { ($0.key, $0.value.sorted()) }
                .sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) })
        default: return self
        }
    }
}

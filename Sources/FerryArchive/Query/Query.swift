import FerryCore
import Foundation

/// A subset of Zimbra's search language for `--query`: `from:`, `to:`, `cc:`, `subject:`, `in:`,
/// `under:`, `tag:`, `is:unread|read|flagged|unflagged|replied|forwarded|draft`, `has:attachment`,
/// `before:`, `after:`, `on:`, bare words (subject and body), quoted phrases, `and` / `or` / `not`
/// (and `-term`), parentheses. Terms side by side mean `and`, as in Zimbra.
public indirect enum ItemQuery: Sendable, Equatable {
    case term(field: String, value: String)
    case and(ItemQuery, ItemQuery)
    case or(ItemQuery, ItemQuery)
    case not(ItemQuery)

    static let fields: Set<String> = ["from", "to", "cc", "subject", "in", "under", "tag", "is", "has", "before",
                                      "after", "on", "content"]

    // MARK: Parsing

    public static func parse(_ text: String, context: TimeContext = TimeContext()) throws -> ItemQuery {
        var parser = Parser(tokens: try tokenize(text), context: context)
        guard !parser.tokens.isEmpty else { throw FerryError.usage("query.empty", "the query is empty") }
        let query = try parser.parseOr()
        if parser.position < parser.tokens.count {
            throw FerryError.usage("query.syntax", "unexpected '\(parser.tokens[parser.position].text)' in the query")
        }
        try query.validate(context: context)
        return query
    }

    struct Token: Equatable {
        var text: String
        var quoted: Bool
        /// `subject:"a phrase"`: the field before the quote.
        var field: String? = nil
    }

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        var current = ""
        var quoted = false
        var inQuote = false
        var field: String?
        func flush() {
            if !current.isEmpty || quoted { tokens.append(Token(text: current, quoted: quoted, field: field)) }
            current = ""
            quoted = false
            field = nil
        }
        for ch in text {
            if inQuote {
                if ch == "\"" { inQuote = false } else { current.append(ch) }
            } else if ch == "\"" {
                if current.hasSuffix(":"), fields.contains(current.dropLast().lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "-"))) {
                    field = String(current.dropLast())
                    current = ""
                }
                inQuote = true
                quoted = true
            } else if ch == "(" || ch == ")" {
                flush()
                tokens.append(Token(text: String(ch), quoted: false))
            } else if ch.isWhitespace {
                flush()
            } else {
                current.append(ch)
            }
        }
        if inQuote { throw FerryError.usage("query.quote", "unclosed quote in the query") }
        flush()
        return tokens
    }

    struct Parser {
        var tokens: [Token]
        var position = 0
        let context: TimeContext

        func peek() -> Token? { position < tokens.count ? tokens[position] : nil }
        func isWord(_ t: Token?, _ word: String) -> Bool { t.map { !$0.quoted && $0.text.lowercased() == word } ?? false }

        mutating func parseOr() throws -> ItemQuery {
            var left = try parseAnd()
            while isWord(peek(), "or") {
                position += 1
                left = .or(left, try parseAnd())
            }
            return left
        }

        mutating func parseAnd() throws -> ItemQuery {
            var left = try parseUnary()
            while let t = peek(), !(t.text == ")" && !t.quoted), !isWord(t, "or") {
                if isWord(t, "and") { position += 1 }
                left = .and(left, try parseUnary())
            }
            return left
        }

        mutating func parseUnary() throws -> ItemQuery {
            guard let t = peek() else { throw FerryError.usage("query.syntax", "the query ends too early") }
            if isWord(t, "not") {
                position += 1
                return .not(try parseUnary())
            }
            if !t.quoted && t.text == "(" {
                position += 1
                let inner = try parseOr()
                guard let close = peek(), close.text == ")", !close.quoted else {
                    throw FerryError.usage("query.syntax", "missing ')' in the query")
                }
                position += 1
                return inner
            }
            if !t.quoted && t.text == ")" { throw FerryError.usage("query.syntax", "unexpected ')' in the query") }
            position += 1
            if t.quoted {
                guard var field = t.field else { return .term(field: "content", value: t.text) }
                let negate = field.hasPrefix("-")
                if negate { field.removeFirst() }
                let term = ItemQuery.term(field: field.lowercased(), value: t.text)
                return negate ? .not(term) : term
            }
            var text = t.text
            var negate = false
            if text.hasPrefix("-") && text.count > 1 { negate = true; text.removeFirst() }
            var term: ItemQuery
            if let colon = text.firstIndex(of: ":"), ItemQuery.fields.contains(text[..<colon].lowercased()) {
                let field = text[..<colon].lowercased()
                var value = String(text[text.index(after: colon)...])
                if value.isEmpty, let next = peek(), next.quoted {
                    value = next.text
                    position += 1
                }
                term = .term(field: field, value: value)
            } else {
                term = .term(field: "content", value: text)
            }
            if negate { term = .not(term) }
            return term
        }
    }

    func validate(context: TimeContext) throws {
        switch self {
        case .and(let a, let b), .or(let a, let b): try a.validate(context: context); try b.validate(context: context)
        case .not(let a): try a.validate(context: context)
        case .term(let field, let value):
            switch field {
            case "is":
                guard ["unread", "read", "flagged", "unflagged", "replied", "unreplied", "forwarded", "draft", "sent"]
                    .contains(value.lowercased()) else {
                    throw FerryError.usage("query.is", "is:\(value) is not supported (unread, read, flagged, unflagged, replied, forwarded, draft, sent)")
                }
            case "has":
                guard ["attachment", "attachments"].contains(value.lowercased()) else {
                    throw FerryError.usage("query.has", "has:\(value) is not supported (has:attachment)")
                }
            case "before", "after", "on":
                _ = try TimeSpec.parse(value, in: context, option: field)
            default: break
            }
        }
    }

    // MARK: Matching

    public func matches(_ item: Item, context: TimeContext) -> Bool {
        let view = QueryView(item)
        return evaluate(view, context: context)
    }

    func evaluate(_ v: QueryView, context: TimeContext) -> Bool {
        switch self {
        case .and(let a, let b): return a.evaluate(v, context: context) && b.evaluate(v, context: context)
        case .or(let a, let b): return a.evaluate(v, context: context) || b.evaluate(v, context: context)
        case .not(let a): return !a.evaluate(v, context: context)
        case .term(let field, let value):
            let needle = value.lowercased()
            switch field {
            case "from": return v.header("From").contains(needle) || v.header("Sender").contains(needle)
            case "to": return v.header("To").contains(needle)
            case "cc": return v.header("Cc").contains(needle)
            case "subject": return v.header("Subject").contains(needle)
            case "in":
                return (v.item.metadata.folder ?? "inbox").lowercased() == needle.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            case "under":
                let folder = (v.item.metadata.folder ?? "inbox").lowercased()
                let base = needle.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                return folder == base || folder.hasPrefix(base + "/")
            case "tag": return v.item.metadata.tags.contains { $0.lowercased() == needle }
            case "is":
                let flags = v.item.metadata.flags
                switch needle {
                case "unread": return flags.contains(MailFlag.unread)
                case "read": return !flags.contains(MailFlag.unread)
                case "flagged": return flags.contains(MailFlag.flagged)
                case "unflagged": return !flags.contains(MailFlag.flagged)
                case "replied": return flags.contains(MailFlag.replied)
                case "unreplied": return !flags.contains(MailFlag.replied)
                case "forwarded": return flags.contains(MailFlag.forwarded)
                case "draft": return flags.contains(MailFlag.draft)
                case "sent": return flags.contains(MailFlag.sent)
                default: return false
                }
            case "has": return v.hasAttachment
            case "before", "after", "on":
                guard let date = v.date, let bound = try? TimeSpec.parse(value, in: context, option: field) else { return false }
                switch field {
                case "before": return date < bound
                case "after": return date > bound
                default:
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = context.timeZone
                    return calendar.isDate(date, inSameDayAs: bound)
                }
            default:
                return v.header("Subject").contains(needle) || v.bodyContains(needle)
            }
        }
    }
}

/// What a query looks at in an item, computed once and lazily.
final class QueryView {
    let item: Item
    private lazy var message: MessageBytes? = MessageBytes(item.payload)
    private lazy var parsed = message?.header ?? MessageHeader([])
    private var cache: [String: String] = [:]

    init(_ item: Item) { self.item = item }

    func header(_ name: String) -> String {
        if let hit = cache[name] { return hit }
        let value = parsed.all(name).map { EncodedWords.decode($0) }.joined(separator: ", ").lowercased()
        cache[name] = value
        return value
    }

    var date: Date? {
        item.metadata.date ?? parsed.decoded("Date").flatMap(MailDates.parse)
    }

    var hasAttachment: Bool {
        if item.metadata.flags.contains(MailFlag.attachment) { return true }
        return bodyContains("content-disposition: attachment") || bodyContains("content-disposition:attachment")
    }

    /// Case-insensitive (ASCII) search of the whole message, streamed piece by piece with an overlap
    /// of the needle's length, so a huge message is never held whole.
    func bodyContains(_ needle: String) -> Bool {
        let n = Array(needle.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
        guard !n.isEmpty, let message, message.count >= n.count else { return false }
        var tail: [UInt8] = []
        var found = false
        try? message.forEachPiece(0..<message.count) { piece in
            guard !found else { return }
            var window = tail
            window.append(contentsOf: piece.prefix(n.count - 1))
            if window.withUnsafeBytes({ QueryView.search($0, n) }) { found = true; return }
            if QueryView.search(piece, n) { found = true; return }
            tail = Array(piece.suffix(n.count - 1))
        }
        return found
    }

    private static func search(_ bytes: UnsafeRawBufferPointer, _ n: [UInt8]) -> Bool {
        guard bytes.count >= n.count else { return false }
        let first = n[0]
        var i = 0
        let last = bytes.count - n.count
        while i <= last {
            let b = bytes[i] | (bytes[i] >= 0x41 && bytes[i] <= 0x5A ? 0x20 : 0)
            if b == first {
                var j = 1
                while j < n.count {
                    let c = bytes[i + j]
                    if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != n[j] { break }
                    j += 1
                }
                if j == n.count { return true }
            }
            i += 1
        }
        return false
    }
}

/// `--query` and `--start/--end` applied to items between a reader and a writer. The date range
/// applies to messages and documents (by received date); other kinds are left to their formats.
public struct ItemFilter: Sendable {
    public let query: ItemQuery?
    public let range: TimeRange
    public let context: TimeContext

    public init(query: String?, range: TimeRange, context: TimeContext) throws {
        self.query = try query.map { try ItemQuery.parse($0, context: context) }
        self.range = range
        self.context = context
    }

    public var isEmpty: Bool { query == nil && range.isUnbounded }

    public func accepts(_ item: Item) -> Bool {
        if !range.isUnbounded, item.kind == .message || item.kind == .document {
            let date = item.metadata.date ?? (MessageBytes(item.payload)?.header.decoded("Date").flatMap(MailDates.parse))
            if let date, !range.contains(date) { return false }
        }
        if let query {
            // Folders and tags are structure and always pass; every other item is searched (a contact
            // has no unread state, so `is:unread` leaves it out, as Zimbra's search does).
            guard item.kind != .folder && item.kind != .tag else { return true }
            return query.matches(item, context: context)
        }
        return true
    }
}

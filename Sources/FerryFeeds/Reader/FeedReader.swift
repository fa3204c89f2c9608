import CSupport
import CXML2
import Foundation
import FerryCore
import FerryMIME

/// Reads Atom 1.0 and 0.3, RSS 0.9x, 1.0 (RDF) and 2.0 feeds, streaming: the input is decoded to UTF-8
/// (`FeedInput`), repaired (`Repairer`) and pushed through libxml2's SAX2 parser in recovery mode in
/// 64 KiB pieces; each entry becomes an item as soon as its end tag is parsed, so memory stays flat
/// whatever the feed's size. Every repair is a warning with line and column (the first ten of a kind
/// one by one, then a count). Input that is not XML at all, or XML that is not a feed, is an error.
public final class FeedReader: ItemReader {
    let source: ByteSource
    let log: DiagnosticLog
    let name: String
    private let options: ReadOptions
    private var state: SAXState?
    private var context: xmlParserCtxtPtr?
    private let repairer = Repairer()
    private var finished = false
    private var sawContent = false
    private var queue: [Item] = []
    private var head = 0

    public init(source: ByteSource, options: ReadOptions, log: DiagnosticLog) {
        self.source = source
        self.log = log
        self.options = options
        name = source.name
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    private var decoder: FeedInput?
    /// Tests: false sends every piece through FerryCore's validator (the general path), which the
    /// vector check must agree with byte for byte.
    var fastUTF8 = true
    /// Tests: the size of the pieces read after the first (charset detection reads its own sample).
    var pieceSize = 1 << 16

    public func next() throws -> Item? {
        while head >= queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
            if finished { return nil }
            try pump()
        }
        head += 1
        return queue[head - 1]
    }

    /// libxml2's global state is set up once, before any thread parses (its documented rule).
    private static let libxml2Ready: Bool = {
        xmlInitParser()
        return true
    }()

    private func start() throws {
        _ = Self.libxml2Ready
        let decoder = try FeedInput(source: source, name: name, log: log, declaredByUser: options.charset, fastUTF8: fastUTF8,
                                    pieceSize: pieceSize)
        self.decoder = decoder
        let state = SAXState(name: name, log: log)
        self.state = state
        repairer.report = { [unowned state] repair in
            state.report(repair.code, repair.message, line: repair.line, column: repair.column)
        }
        var sax = xmlSAXHandler()
        sax.initialized = 0xDEEDBEAF   // XML_SAX2_MAGIC
        sax.startElementNs = { ctx, localname, prefix, uri, _, _, attributeCount, _, attributes in
            guard let ctx, let localname else { return }
            Unmanaged<SAXState>.fromOpaque(ctx)._withUnsafeGuaranteedRef {
                $0.startElement(localname, prefix, uri, Int(attributeCount), attributes)
            }
        }
        sax.endElementNs = { ctx, _, _, _ in
            guard let ctx else { return }
            Unmanaged<SAXState>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.endElement() }
        }
        sax.characters = { ctx, ch, length in
            guard let ctx, let ch else { return }
            Unmanaged<SAXState>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.characters(ch, Int(length)) }
        }
        sax.cdataBlock = sax.characters
        // As libxml2's own SAX2 handler does: white space between elements goes to `characters`
        // directly (a different handler makes the parser test every text run for blankness first).
        sax.ignorableWhitespace = sax.characters
        sax.serror = { ctx, error in
            guard let ctx, let error else { return }
            Unmanaged<SAXState>.fromOpaque(ctx).takeUnretainedValue().xmlError(error.pointee)
        }
        let user = Unmanaged.passUnretained(state).toOpaque()
        guard let ctxt = name.withCString({ xmlCreatePushParserCtxt(&sax, user, nil, 0, $0) }) else {
            throw FerryError.io("feed.parser", "libxml2 could not create a parser", file: name)
        }
        let flags = XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue | XML_PARSE_IGNORE_ENC.rawValue
            | XML_PARSE_HUGE.rawValue | XML_PARSE_NOCDATA.rawValue
        xmlCtxtUseOptions(ctxt, Int32(flags))
        xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8)
        state.context = ctxt
        context = ctxt
    }

    private func pump() throws {
        if state == nil { try start() }
        guard let decoder, let state, let context else { return }
        let (piece, final) = try decoder.next()
        if !sawContent, let k = piece.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
            sawContent = true
            if piece[k] != 0x3C {
                let line = 1 + piece[..<k].filter { $0 == 0x0A }.count
                let column = k - (piece[..<k].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
                let shown = String(decoding: piece[k..<min(piece.count, k + 24)], as: UTF8.self).split(separator: "\n").first ?? ""
                finished = true
                throw FerryError.data("feed.not-xml", "not XML: the input starts with '\(shown)' where a feed starts with '<'",
                                      file: name, line: line, column: column)
            }
        }
        let repaired = repairer.process(piece, final: final)
        _ = repaired.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) {
                xmlParseChunk(context, buffer.count == 0 ? nil : $0, Int32(buffer.count), final ? 1 : 0)
            }
        }
        if let fatal = state.fatal { finished = true; throw fatal }
        queue.append(contentsOf: state.take())
        if final {
            finished = true
            if let fatal = state.fatal { throw fatal }
            if state.version == nil {
                throw FerryError.data("feed.empty", "no XML element found: the input is empty or not XML", file: name, line: repairer.line, column: 1)
            }
            state.finishReport()
        }
    }
}

/// The SAX side: builds entries from libxml2's events.
final class SAXState {
    let name: String
    let log: DiagnosticLog
    var context: xmlParserCtxtPtr?
    var fatal: FerryError?
    private(set) var version: String? {
        didSet { isAtom = version?.hasPrefix("atom") == true }
    }
    private var isAtom = false
    private var feed = FeedInfo(version: "")
    private var depth = 0
    private var channelDepth = -1
    private var entryDepth = -1
    private var entry: FeedEntry?
    /// `entry != nil`, kept apart: testing the optional entry (a large struct in a class) copies it.
    private var inEntry = false
    private var entryLine = 0
    private var done: [Item] = []
    private var reportCounts: [String: Int] = [:]
    private var entryHasID = false

    /// The element being captured (a child of the entry or of the channel). A class: libxml2 calls
    /// `characters` many times per element (once per entity reference), and the buffers grow in place.
    /// One object serves every field in turn (one element is captured at a time): no allocation per field.
    private final class Capture {
        var family: Family
        var local: String
        /// `local` as one of the names the mapping knows (a switch on an enum, not on strings).
        var field = Field.other
        var prefix: String?
        var attributes: Attributes
        /// The field's text: a view of the reader's text buffer, valid until the next field starts.
        var text = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        var markup: [UInt8] = []
        var hasMarkup = false
        var depth: Int
        var line: Int
        var column: Int
        /// A child of a structured element (atom:author's name/email/uri).
        var child: String?
        var childText: [UInt8] = []
        var parts = AuthorParts()

        /// The name as written (`dc:creator`): only messages and unmapped elements need it.
        var qualified: String { prefix.map { $0 + ":" + local } ?? local }

        init() {
            family = .other
            local = ""
            attributes = Attributes([])
            depth = 0
            line = 0
            column = 0
        }

        func start(family: Family, local: String, field: Field, prefix: String?, attributes: Attributes, depth: Int, line: Int, column: Int) {
            self.family = family
            self.local = local
            self.field = field
            self.prefix = prefix
            self.attributes = attributes
            self.depth = depth
            self.line = line
            self.column = column
            hasMarkup = false
            child = nil
        }

        /// Lets go of the field's text and parts (the reader's text buffers are then the only owners
        /// of their storage and are reused in place).
        func finish() {
            text = UnsafeBufferPointer(start: nil, count: 0)
            markup = []
            if !parts.isEmpty { parts = AuthorParts() }
            attributes = Attributes([])
        }
    }
    private var capture: Capture?
    private let captureObject = Capture()

    enum Family { case core, dc, dcterms, content, rdf, gd, xhtml, other }

    /// The children of an Atom `author` or `contributor` the mapping reads (the last of a repeated
    /// name wins); `isEmpty` until any child at all was read, as with a dictionary of every child.
    struct AuthorParts {
        var name: String?
        var email: String?
        var uri: String?
        var url: String?
        private(set) var isEmpty = true

        mutating func set(_ child: String, _ value: String) {
            isEmpty = false
            switch child {
            case "name": name = value
            case "email": email = value
            case "uri": uri = value
            case "url": url = value
            default: break
            }
        }
    }

    /// The local names of entry fields the mapping reads.
    enum Field {
        case title, link, id, guid, updated, modified, published, issued, created, pubDate, date, summary, description
        case content, encoded, author, contributor, creator, category, subject, enclosure, when, `where`, other

        init(_ local: String) {
            switch local {
            case "title": self = .title
            case "link": self = .link
            case "id": self = .id
            case "guid": self = .guid
            case "updated": self = .updated
            case "modified": self = .modified
            case "published": self = .published
            case "issued": self = .issued
            case "created": self = .created
            case "pubDate": self = .pubDate
            case "date": self = .date
            case "summary": self = .summary
            case "description": self = .description
            case "content": self = .content
            case "encoded": self = .encoded
            case "author": self = .author
            case "contributor": self = .contributor
            case "creator": self = .creator
            case "category": self = .category
            case "subject": self = .subject
            case "enclosure": self = .enclosure
            case "when": self = .when
            case "where": self = .where
            default: self = .other
            }
        }
    }

    /// The field of a local name, cached by libxml2's pointer for it like the names' strings.
    private var fieldKeys = [UnsafePointer<xmlChar>?](repeating: nil, count: slots)
    private var fieldValues = [Field](repeating: .other, count: slots)

    private func field(_ p: UnsafePointer<xmlChar>, _ local: String) -> Field {
        let slot = Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: p)) &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if fieldKeys[slot] == p { return fieldValues[slot] }
        let f = Field(local)
        fieldKeys[slot] = p
        fieldValues[slot] = f
        return f
    }

    init(name: String, log: DiagnosticLog) {
        self.name = name
        self.log = log
    }

    func take() -> [Item] {
        defer { done.removeAll(keepingCapacity: true) }
        return done
    }

    // MARK: Reporting

    private var position: (Int, Int) {
        guard let context else { return (0, 0) }
        return (Int(xmlSAX2GetLineNumber(context)), Int(xmlSAX2GetColumnNumber(context)))
    }

    func report(_ code: String, _ message: String, line: Int, column: Int) {
        let n = reportCounts[code, default: 0] + 1
        reportCounts[code] = n
        if n <= 10 { log.emit(.warning(code, message, file: name, line: line, column: column)) }
    }

    func finishReport() {
        for (code, n) in reportCounts.sorted(by: { $0.key < $1.key }) where n > 10 {
            log.emit(.warning(code, "\(n - 10) more repairs of this kind not shown (\(n) in all)", file: name))
        }
    }

    func xmlError(_ error: xmlError) {
        let message = error.message.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) } ?? "XML error"
        let line = Int(error.line), column = Int(error.int2)
        if version == nil, error.level == XML_ERR_FATAL {
            // Before the root element: this is not XML at all.
            if fatal == nil {
                fatal = FerryError.data("feed.not-xml", "not XML: \(message)", file: name, line: line, column: column)
            }
            return
        }
        report(error.domain == Int32(XML_FROM_NAMESPACE.rawValue) ? "feed.namespace" : "feed.xml",
               message + " (recovered)", line: line, column: column)
    }

    // MARK: Names

    private static let knownPrefixes: [String: Family] = [
        "dc": .dc, "dcterms": .dcterms, "content": .content, "rdf": .rdf, "gd": .gd, "atom": .core, "xhtml": .xhtml,
    ]

    private func family(_ uri: String?, prefix: String?) -> Family {
        guard let uri else {
            if let prefix {
                let f = Self.knownPrefixes[prefix] ?? .other
                return f
            }
            return .core
        }
        switch uri {
        case "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#", "http://purl.org/rss/1.0/",
             "http://my.netscape.com/rdf/simple/0.9/", "http://backend.userland.com/rss2", "http://blogs.law.harvard.edu/tech/rss",
             "http://backend.userland.com/rss":
            return .core
        case "http://purl.org/dc/elements/1.1/": return .dc
        case "http://purl.org/dc/terms/": return .dcterms
        case "http://purl.org/rss/1.0/modules/content/": return .content
        case "http://www.w3.org/1999/02/22-rdf-syntax-ns#": return .rdf
        case "http://schemas.google.com/g/2005": return .gd
        case "http://www.w3.org/1999/xhtml": return .xhtml
        default: return .other
        }
    }

    /// Names and namespace URIs come from libxml2's dictionary (one pointer per distinct string for the
    /// parser's life), so their Swift strings are made once.
    /// A feed uses a few dozen names: a direct-mapped table of pointers beats hashing them.
    private static let slots = 256  // the hash below keeps 8 bits
    private var nameKeys = [UnsafePointer<xmlChar>?](repeating: nil, count: slots)
    private var nameValues = [String](repeating: "", count: slots)
    private var names: [UnsafePointer<xmlChar>: String] = [:]
    private var familyKeys: [UnsafePointer<xmlChar>] = []
    private var familyValues: [Family] = []

    private func string(_ p: UnsafePointer<xmlChar>?) -> String? {
        guard let p else { return nil }
        // Direct-mapped on the pointer's bits; the dictionary holds every name (slots get overwritten).
        // (libxml2 packs the names one after another: Fibonacci hashing spreads neighbours.)
        let slot = Int(truncatingIfNeeded: (UInt64(UInt(bitPattern: p)) &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if nameKeys[slot] == p { return nameValues[slot] }
        let s: String
        if let known = names[p] {
            s = known
        } else {
            s = String(cString: p)
            names[p] = s
        }
        nameKeys[slot] = p
        nameValues[slot] = s
        return s
    }

    /// The bytes as a string without leading and trailing XML white space.
    static func trimmed<C: BidirectionalCollection>(_ bytes: C) -> String where C.Element == UInt8 {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x0A || bytes[start] == 0x09 || bytes[start] == 0x0D {
            start = bytes.index(after: start)
        }
        while end > start {
            let b = bytes[bytes.index(before: end)]
            guard b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D else { break }
            end = bytes.index(before: end)
        }
        let slice = bytes[start..<end]
        return slice.withContiguousStorageIfAvailable { makeString($0) } ?? String(decoding: slice, as: UTF8.self)
    }

    /// A string of UTF-8 bytes. The standard library checks them again as it copies (about 1 GB/s on
    /// text that is non-ASCII every few words: a sixth of reading a feed); `ferry_utf8_valid` does that
    /// check several times faster, and a `UTF8Span` made of checked bytes is copied unchecked. Anything
    /// not valid (never, in practice: the reader's input is valid UTF-8 by then) is repaired as before.
    static func makeString(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count >= 32, let base = bytes.baseAddress, ferry_utf8_valid(base, bytes.count) != 0 else {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(copying: unsafe UTF8Span(unchecked: bytes.span))
    }

    // MARK: Events

    func startElement(_ localname: UnsafePointer<xmlChar>, _ prefixPointer: UnsafePointer<xmlChar>?,
                      _ uriPointer: UnsafePointer<xmlChar>?, _ attributeCount: Int,
                      _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        depth += 1
        // Inside a captured field: child markup.
        if let c = capture, depth > c.depth {
            let local = string(localname)!
            if c.family == .core && (c.field == .author || c.field == .contributor) && depth == c.depth + 1 {
                c.child = local
                inChild = true
                capChildText.removeAll(keepingCapacity: true)
            } else {
                if !capHasMarkup {
                    capHasMarkup = true
                    capMarkup.removeAll(keepingCapacity: true)
                    Self.escape(buffers.pointee.text.bytes, into: &capMarkup)
                }
                markupNames.append(local)
                capMarkup += Array("<\(local)".utf8)
                for (k, v) in orderedAttributes(attributeCount, attributes) where k != "xmlns" {
                    capMarkup += Array(" \(k)=\"".utf8)
                    XMLEscape.append(v, to: &capMarkup, attribute: true)
                    capMarkup.append(0x22)
                }
                capMarkup.append(0x3E)
            }
            return
        }
        let local = string(localname)!
        let prefix = string(prefixPointer)
        let uri = string(uriPointer)
        let fam: Family
        if let uriPointer, let k = familyKeys.firstIndex(of: uriPointer) {
            fam = familyValues[k]
        } else {
            fam = family(uri, prefix: prefix)
            if let uriPointer, familyKeys.count < 64 {
                familyKeys.append(uriPointer)
                familyValues.append(fam)
            }
        }
        if depth == 1 {
            rootElement(local, uri: uri, attributeCount, attributes)
            return
        }
        if fam == .core && (local == "channel") && channelDepth < 0 {
            channelDepth = depth
            return
        }
        if !inEntry, fam == .core, local == "entry" || local == "item" {
            entryDepth = depth
            var e = FeedEntry(feed: feed)
            entryHasID = false
            let attrs = self.attributes(attributeCount, attributes)
            if let about = attrs["rdf:about"] ?? attrs["about"] {
                e.id = about
                entryHasID = true
            }
            entry = e
            inEntry = true
            entryLine = position.0
            return
        }
        let isEntryField = inEntry && depth == entryDepth + 1
        let isChannelField = !inEntry && depth == channelDepth + 1
        if isEntryField || isChannelField {
            let (line, column) = position
            capturing = true
            inChild = false
            capHasMarkup = false
            buffers.pointee.text.removeAll()
            captureObject.start(family: fam, local: local, field: field(localname, local), prefix: prefix,
                                attributes: self.attributes(attributeCount, attributes), depth: depth, line: line, column: column)
            capture = captureObject
        }
    }

    private func rootElement(_ local: String, uri: String?, _ count: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        let attrs = self.attributes(count, attributes)
        switch (local, uri) {
        case ("feed", "http://purl.org/atom/ns#"): version = "atom03"; channelDepth = 1
        case ("feed", _): version = "atom10"; channelDepth = 1
        case ("rss", _):
            let v = attrs["version"] ?? ""
            version = v.hasPrefix("0.9") ? "rss" + v.replacingOccurrences(of: ".", with: "") : "rss20"
        case ("RDF", _):
            version = "rss10"
        default:
            let (line, column) = position
            fatal = FerryError.data("feed.not-a-feed", "the root element is <\(local)>, not <feed>, <rss> or <rdf:RDF>: not a feed",
                                    file: name, line: line, column: column)
            version = "none"
        }
        feed.version = version ?? ""
    }

    /// The captured element's text (and, once it holds child elements, its markup) live here rather than
    /// in `Capture`: `characters` is the hottest callback (once per entity reference in escaped HTML).
    /// They sit behind a pointer the state owns (a `let`): Swift checks exclusive access to a class's
    /// `var`s at run time on every access, which cost more than the appends themselves.
    private struct CaptureBuffers {
        var capturing = false
        var inChild = false
        var hasMarkup = false
        var text = ByteBuffer()
        var markup: [UInt8] = []
        var childText: [UInt8] = []
    }
    private let buffers: UnsafeMutablePointer<CaptureBuffers> = {
        let p = UnsafeMutablePointer<CaptureBuffers>.allocate(capacity: 1)
        p.initialize(to: CaptureBuffers())
        return p
    }()
    private var capturing: Bool {
        get { buffers.pointee.capturing }
        set { buffers.pointee.capturing = newValue }
    }
    private var inChild: Bool {
        get { buffers.pointee.inChild }
        set { buffers.pointee.inChild = newValue }
    }
    private var capHasMarkup: Bool {
        get { buffers.pointee.hasMarkup }
        set { buffers.pointee.hasMarkup = newValue }
    }
    private var capMarkup: [UInt8] {
        get { buffers.pointee.markup }
        _modify { yield &buffers.pointee.markup }
    }
    private var capChildText: [UInt8] {
        get { buffers.pointee.childText }
        _modify { yield &buffers.pointee.childText }
    }

    deinit {
        buffers.pointee.text.free()
        buffers.deinitialize(count: 1)
        buffers.deallocate()
    }

    func characters(_ ch: UnsafePointer<xmlChar>, _ length: Int) {
        let b = buffers
        guard b.pointee.capturing else { return }
        let buffer = UnsafeBufferPointer(start: ch, count: length)
        if b.pointee.inChild {
            b.pointee.childText.append(contentsOf: buffer)
        } else {
            b.pointee.text.append(buffer)
            if b.pointee.hasMarkup { Self.escape(buffer, into: &b.pointee.markup) }
        }
    }

    private static let escapedAmp: [UInt8] = Array("&amp;".utf8), escapedLT: [UInt8] = Array("&lt;".utf8), escapedGT: [UInt8] = Array("&gt;".utf8)

    static func escape(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        for b in bytes {
            switch b {
            case 0x26: out.append(contentsOf: escapedAmp)
            case 0x3C: out.append(contentsOf: escapedLT)
            case 0x3E: out.append(contentsOf: escapedGT)
            default: out.append(b)
            }
        }
    }

    func endElement() {
        defer { depth -= 1 }
        if let c = capture {
            if depth > c.depth {
                if let child = c.child, depth == c.depth + 1 {
                    c.parts.set(child, Self.trimmed(capChildText))
                    c.child = nil
                    inChild = false
                } else if capHasMarkup {
                    let name = localNameAt()
                    if !Self.voidElements.contains(name) { capMarkup += Array("</\(name)>".utf8) }
                }
                return
            }
            capture = nil
            capturing = false
            c.text = buffers.pointee.text.bytes
            c.hasMarkup = capHasMarkup
            if capHasMarkup { c.markup = capMarkup }
            if inEntry { entryField(c, &entry!) } else { channelField(c) }
            c.finish()
            return
        }
        if inEntry, depth == entryDepth {
            finishEntry()
        } else if depth == channelDepth {
            channelDepth = version?.hasPrefix("atom") == true ? 1 : -1
        }
    }

    /// libxml2 does not pass the name to endElementNs in a form we keep; the markup of nested elements
    /// is closed by tracking names.
    private var markupNames: [String] = []
    /// HTML elements without an end tag (`<br>`, `<img …>`), rebuilt as HTML writes them.
    private static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                                                    "source", "track", "wbr"]
    private func localNameAt() -> String { markupNames.popLast() ?? "span" }

    /// An element's attributes by name (the first of a repeated name wins). A few per element: a
    /// linear search beats building a dictionary.
    struct Attributes {
        private(set) var pairs: [(key: String, value: String)] = []

        init(_ ordered: [(key: String, value: String)]) {
            if ordered.count <= 1 || (ordered.count <= 16 && !Self.hasRepeats(ordered)) {
                pairs = ordered
                return
            }
            pairs.reserveCapacity(ordered.count)
            if ordered.count > 16 {
                var seen = Set<String>()
                for (k, v) in ordered where seen.insert(k).inserted { pairs.append((k, v)) }
            } else {
                for (k, v) in ordered where !pairs.contains(where: { $0.key == k }) { pairs.append((k, v)) }
            }
        }

        private static func hasRepeats(_ ordered: [(key: String, value: String)]) -> Bool {
            for k in 1..<ordered.count where ordered[..<k].contains(where: { $0.key == ordered[k].key }) { return true }
            return false
        }

        subscript(_ name: String) -> String? {
            for p in pairs where p.key == name { return p.value }
            return nil
        }

        var isEmpty: Bool { pairs.isEmpty }

        func sorted(by order: ((key: String, value: String), (key: String, value: String)) -> Bool) -> [(key: String, value: String)] {
            pairs.sorted(by: order)
        }
    }

    private func attributes(_ count: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) -> Attributes {
        Attributes(orderedAttributes(count, attributes))
    }

    /// The attributes in document order (markup is rebuilt in that order: output never depends on hashing).
    private func orderedAttributes(_ count: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) -> [(key: String, value: String)] {
        guard count > 0, let attributes else { return [] }
        var out: [(key: String, value: String)] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            guard let local = attributes[5 * k], let value = attributes[5 * k + 3], let end = attributes[5 * k + 4] else { continue }
            // Attribute names come from libxml2's dictionary too: their strings are cached by pointer.
            let name = attributes[5 * k + 1].map { string($0)! + ":" + string(local)! } ?? string(local)!
            let bytes = UnsafeBufferPointer(start: value, count: end - value)
            // libxml2 hands an escaped '&' in attribute values on as "&#38;" when it does not substitute entities.
            if bytes.contains(0x26) {
                var fixed: [UInt8] = []
                var i = 0
                while i < bytes.count {
                    if bytes[i] == 0x26, i + 4 < bytes.count, bytes[i + 1] == 0x23, bytes[i + 2] == 0x33, bytes[i + 3] == 0x38, bytes[i + 4] == 0x3B {
                        fixed.append(0x26)
                        i += 5
                    } else {
                        fixed.append(bytes[i])
                        i += 1
                    }
                }
                out.append((name, String(decoding: fixed, as: UTF8.self)))
            } else {
                out.append((name, Self.makeString(bytes)))
            }
        }
        return out
    }

    // MARK: Mapping

    private func text(_ c: Capture, defaultHTML: Bool) -> FeedText {
        let type = Self.lowercased(c.attributes["type"] ?? "")
        let mode = Self.lowercased(c.attributes["mode"] ?? "")
        if c.hasMarkup {
            var markup = Self.trimmed(c.markup)
            if type == "xhtml" || type.contains("xhtml"), markup.hasPrefix("<div"), markup.hasSuffix("</div>"),
               let gt = markup.firstIndex(of: ">") {
                markup = String(markup[markup.index(after: gt)..<markup.index(markup.endIndex, offsetBy: -6)])
            }
            return FeedText(markup.trimmingCharacters(in: .whitespacesAndNewlines), isHTML: true)
        }
        var value = Self.trimmed(c.text)
        if mode == "base64", let data = Data(base64Encoded: value.filter { !$0.isWhitespace }) {
            value = Self.trimmed(Array(data))
        }
        let html: Bool
        switch type {
        case "html", "xhtml", "text/html", "application/xhtml+xml": html = true
        case "text", "text/plain": html = false
        default: html = defaultHTML || mode == "escaped"
        }
        return FeedText(value, isHTML: html)
    }

    /// `s.lowercased()`, without making a new string when it has no upper-case ASCII letter and no
    /// non-ASCII byte (`html`, `text`: the usual attribute values).
    static func lowercased(_ s: String) -> String {
        for b in s.utf8 where (b >= 0x41 && b <= 0x5A) || b >= 0x80 { return s.lowercased() }
        return s
    }

    /// The day name before an RFC 822 date's comma, lower-cased and trimmed; ASCII letters (the usual
    /// `Fri`) without Foundation's trimming.
    static func dayName(_ s: Substring) -> String {
        var letters = true
        for b in s.utf8 where !((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) { letters = false; break }
        if letters { return String(decoding: s.utf8.map { $0 | 0x20 }, as: UTF8.self) }
        return s.lowercased().trimmingCharacters(in: .whitespaces)
    }

    private static let englishDays: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    private func date(_ c: Capture, expected: FeedDate.Form) -> Date? {
        let raw = Self.trimmed(c.text)
        guard !raw.isEmpty else { return nil }
        guard let (date, form) = FeedDate.parse(raw) else {
            report("feed.date", "<\(c.qualified)> '\(raw)' is not a date Ferry can read; left out", line: c.line, column: c.column)
            return nil
        }
        if expected == .rfc822, form == .rfc822, let comma = raw.firstIndex(of: ","),
           !Self.englishDays.contains(Self.dayName(raw[..<comma])) {
            report("feed.date", "<\(c.qualified)> '\(raw)' has a day name RFC 822 does not know; read as \(FeedDate.rfc3339(date))",
                   line: c.line, column: c.column)
        } else if form != expected {
            let want = expected == .rfc3339 ? "an RFC 3339 date" : "an RFC 822 date"
            report("feed.date", "<\(c.qualified)> '\(raw)' is not \(want); read as \(FeedDate.rfc3339(date))", line: c.line, column: c.column)
        }
        return date
    }

    private func plain(_ c: Capture) -> String { Self.trimmed(c.text) }

    /// `email (Name)`, `Name <email>`, `email` or a name (RSS `author`, `managingEditor`).
    static func splitAuthor(_ s: String) -> (name: String?, email: String?) {
        splitSimpleAuthor(s) ?? splitAnyAuthor(s)
    }

    static func splitAnyAuthor(_ s: String) -> (name: String?, email: String?) {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if let open = t.firstIndex(of: "("), t.hasSuffix(")") {
            let email = t[..<open].trimmingCharacters(in: .whitespaces)
            let name = String(t[t.index(after: open)..<t.index(before: t.endIndex)])
            return (name.isEmpty ? nil : name, email.contains("@") ? email : nil)
        }
        if let open = t.firstIndex(of: "<"), t.hasSuffix(">") {
            let name = t[..<open].trimmingCharacters(in: CharacterSet(charactersIn: " \""))
            return (name.isEmpty ? nil : name, String(t[t.index(after: open)..<t.index(before: t.endIndex)]))
        }
        if t.contains("@"), !t.contains(" ") { return (nil, t) }
        return (t.isEmpty ? nil : t, nil)
    }

    /// `splitAuthor` on bytes, for text below U+0300 (ASCII, Latin-1, Latin Extended, IPA: nearly every
    /// name): there no character extends another (no combining marks, nothing composes with the ASCII
    /// delimiters), so Foundation's cluster-aware searches and trims come down to byte comparisons, and
    /// its white space to the few such characters below U+0300. Nil for other text (`splitAuthor` then
    /// takes the general way). Foundation's trimming and `contains` cost more than the rest of an RSS item.
    static func splitSimpleAuthor(_ s: String) -> (name: String?, email: String?)? {
        let b = Array(s.utf8)
        for byte in b where byte >= 0xCC { return nil }
        // White space of `.whitespacesAndNewlines` (`all`) or of `.whitespaces`, below U+0300: ASCII, NEL, NBSP.
        func space(at i: Int, all: Bool) -> Int {  // length of the white space character at i, or 0
            let c = b[i]
            if c == 0x20 || c == 0x09 { return 1 }
            if all, c >= 0x0A && c <= 0x0D { return 1 }
            if c == 0xC2, i + 1 < b.count, b[i + 1] == 0xA0 || (all && b[i + 1] == 0x85) { return 2 }
            return 0
        }
        func spaceBefore(_ end: Int, all: Bool) -> Int {
            let c = b[end - 1]
            if c == 0x20 || c == 0x09 { return 1 }
            if all, c >= 0x0A && c <= 0x0D { return 1 }
            if end >= 2, b[end - 2] == 0xC2, c == 0xA0 || (all && c == 0x85) { return 2 }
            return 0
        }
        func trim(_ start: Int, _ end: Int, all: Bool) -> (Int, Int) {
            var i = start, j = end
            while i < j { let k = space(at: i, all: all); if k == 0 { break }; i += k }
            while j > i { let k = spaceBefore(j, all: all); if k == 0 { break }; j -= k }
            return (i, j)
        }
        func string(_ i: Int, _ j: Int) -> String { String(decoding: b[i..<j], as: UTF8.self) }
        func has(_ byte: UInt8, _ i: Int, _ j: Int) -> Bool { b[i..<j].contains(byte) }
        let (start, end) = trim(0, b.count, all: true)
        if let open = b[start..<end].firstIndex(of: 0x28), b[end - 1] == 0x29 {
            let (i, j) = trim(start, open, all: false)
            let name = string(open + 1, end - 1)
            return (name.isEmpty ? nil : name, has(0x40, i, j) ? string(i, j) : nil)
        }
        if let open = b[start..<end].firstIndex(of: 0x3C), b[end - 1] == 0x3E {
            var i = start, j = open
            while i < j, b[i] == 0x20 || b[i] == 0x22 { i += 1 }
            while j > i, b[j - 1] == 0x20 || b[j - 1] == 0x22 { j -= 1 }
            return (i == j ? nil : string(i, j), string(open + 1, end - 1))
        }
        if has(0x40, start, end), !has(0x20, start, end) { return (nil, string(start, end)) }
        return (start == end ? nil : string(start, end), nil)
    }

    /// Contains '<' or "=?" (compared as bytes: Foundation's `contains` is a locale-aware search).
    static func mayBeRawSender(_ s: String) -> Bool {
        var previous: UInt8 = 0
        for b in s.utf8 {
            if b == 0x3C || (b == 0x3F && previous == 0x3D) { return true }
            previous = b
        }
        return false
    }

    /// `e` is the entry being built, modified in place (`&entry!`: no copy of the whole entry per field).
    private func entryField(_ c: Capture, _ e: inout FeedEntry) {
        let atom = isAtom
        switch (c.family, c.field) {
        case (.core, .title):
            e.title = text(c, defaultHTML: false)
        case (.dc, .title) where e.title == nil:
            e.title = text(c, defaultHTML: false)
        case (.core, .link):
            if let href = c.attributes["href"] {
                e.links.append(FeedLink(href: href, rel: c.attributes["rel"] ?? "alternate", type: c.attributes["type"]))
                if c.attributes["rel"] == "enclosure" {
                    e.enclosures.append(FeedEnclosure(url: href, type: c.attributes["type"], length: c.attributes["length"].flatMap { Int($0) }))
                }
            } else if !plain(c).isEmpty {
                e.links.append(FeedLink(href: plain(c), rel: "alternate", type: nil))
            }
        case (.core, .id), (.core, .guid):
            let value = plain(c)
            if !value.isEmpty {
                e.id = value
                entryHasID = true
                if c.field == .guid, (c.attributes["isPermaLink"] ?? "true") != "false", value.contains("://"),
                   !e.links.contains(where: { $0.href == value }) {
                    e.links.append(FeedLink(href: value, rel: e.links.isEmpty ? "alternate" : "related", type: nil))
                }
            }
        case (.core, .updated):
            e.updated = date(c, expected: .rfc3339) ?? e.updated
        case (.core, .modified):
            if version == "atom10" {
                report("feed.atom03", "Atom 0.3 <modified> in an Atom 1.0 feed (Zimbra writes these); read as <updated>", line: c.line, column: c.column)
            }
            e.updated = date(c, expected: .rfc3339) ?? e.updated
        case (.core, .published), (.core, .issued):
            e.published = date(c, expected: .rfc3339) ?? e.published
        case (.core, .created):
            // Atom 0.3: when the entry was created; the publication date (issued) wins.
            if let d = date(c, expected: .rfc3339), e.published == nil { e.published = d }
        case (.core, .pubDate):
            e.published = date(c, expected: .rfc822) ?? e.published
        case (.dc, .date), (.dcterms, .modified):
            if let d = date(c, expected: .rfc3339) {
                if e.updated == nil { e.updated = d }
                if e.published == nil && c.family == .dc { e.published = d }
            }
        case (.dcterms, .created), (.dcterms, .issued):
            e.published = date(c, expected: .rfc3339) ?? e.published
        case (.core, .summary):
            e.summary = text(c, defaultHTML: false)
        case (.core, .description):
            if atom { e.summary = text(c, defaultHTML: false) } else { e.summary = text(c, defaultHTML: true) }
        case (.core, .content):
            e.content = text(c, defaultHTML: false)
        case (.content, .encoded):
            e.content = text(c, defaultHTML: true)
        case (.core, .author), (.core, .contributor):
            if c.field == .contributor && (e.authorName != nil || e.authorEmail != nil) { break }
            if !c.parts.isEmpty {
                e.authorName = c.parts.name.flatMap { $0.isEmpty ? nil : $0 } ?? e.authorName
                e.authorEmail = c.parts.email.flatMap { $0.isEmpty ? nil : $0 } ?? e.authorEmail
                e.authorURI = c.parts.uri ?? c.parts.url ?? e.authorURI
                // Zimbra puts the raw sender (`"Name" <address>`, encoded words and all) in both name and email.
                if let raw = e.authorEmail, Self.mayBeRawSender(raw),
                   let mailbox = AddressList.parse(Array(raw.utf8)).flatMap(\.mailboxes).first {
                    report("feed.author", "<email> '\(raw)' is not an address; read as \(mailbox.name.map { "'\($0)' " } ?? "")<\(mailbox.address)>",
                           line: c.line, column: c.column)
                    if e.authorName == nil || e.authorName == raw { e.authorName = mailbox.name ?? mailbox.address }
                    e.authorEmail = mailbox.address
                }
            } else {
                let (name, email) = Self.splitAuthor(plain(c))
                e.authorName = name ?? e.authorName
                e.authorEmail = email ?? e.authorEmail
            }
        case (.dc, .creator), (.dc, .author):
            if e.authorName == nil {
                let (name, email) = Self.splitAuthor(plain(c))
                e.authorName = name
                if e.authorEmail == nil { e.authorEmail = email }
            }
        case (.core, .category):
            if let term = c.attributes["term"] ?? c.attributes["label"] { e.categories.append(term) }
            else if !plain(c).isEmpty { e.categories.append(plain(c)) }
        case (.dc, .subject):
            if !plain(c).isEmpty { e.categories.append(plain(c)) }
        case (.core, .enclosure):
            if let url = c.attributes["url"] {
                e.enclosures.append(FeedEnclosure(url: url, type: c.attributes["type"], length: c.attributes["length"].flatMap { Int($0) }))
            }
        case (.gd, .when):
            e.eventStart = c.attributes["startTime"]
            e.eventEnd = c.attributes["endTime"]
        case (.gd, .where):
            e.eventLocation = c.attributes["valueString"] ?? (plain(c).isEmpty ? nil : plain(c))
        default:
            let value = c.hasMarkup ? String(decoding: c.markup, as: UTF8.self) : plain(c)
            var extra = value
            if extra.isEmpty, !c.attributes.isEmpty {
                extra = c.attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            }
            e.extensions.append(FeedExtension(name: c.qualified, value: extra))
        }
    }

    private func channelField(_ c: Capture) {
        switch (c.family, c.local) {
        case (.core, "title"): feed.title = text(c, defaultHTML: false).plain
        case (.core, "link"):
            if let href = c.attributes["href"] {
                let rel = c.attributes["rel"] ?? "alternate"
                if rel == "self" || feed.link == nil { feed.link = href }
            } else if !plain(c).isEmpty, feed.link == nil {
                feed.link = plain(c)
            }
        case (.core, "id"): feed.id = plain(c)
        default: break
        }
    }

    private func finishEntry() {
        guard var e = entry.take() else { return }
        e.feed = feed
        if !entryHasID, version == "atom10" {
            report("feed.entry-id", "Atom entry without <id> (invalid Atom 1.0; Zimbra writes these); a stable id is derived", line: entryLine, column: 1)
        }
        let metadata = ItemMetadata(date: e.date, id: e.id)
        done.append(Item(e, metadata: metadata, origin: name + ":" + String(entryLine)))
        entry = nil
        inEntry = false
        entryDepth = -1
    }
}

/// A growable byte buffer for the text of the field being read: libxml2 hands text over in many small
/// pieces (one per entity reference in escaped HTML), and an `Array` append costs several times a
/// plain copy. Owned by one `SAXState` (never copied); `free()` releases the memory.
struct ByteBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init() {
        capacity = 4096
        base = .allocate(capacity: capacity)
    }

    /// The bytes, valid until the next change.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    mutating func append(_ piece: UnsafeBufferPointer<UInt8>) {
        guard let p = piece.baseAddress else { return }
        let n = piece.count
        if count + n > capacity { grow(count + n) }
        if n == 1 { base[count] = p[0] } else { (base + count).update(from: p, count: n) }
        count += n
    }

    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    mutating func removeAll() { count = 0 }

    func free() { base.deallocate() }
}

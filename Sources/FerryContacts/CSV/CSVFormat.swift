import FerryCore
import Foundation

/// `csv`: contact CSV in every dialect (detected on reading; `--csv-format`/`--locale` choose the
/// output dialect, zimbra-csv by default).
public struct ContactCSVFormat: Format, Explaining {
    public let name: String
    public let summary: String
    public let extensions: [String]
    public var kinds: [ItemKind] { [.contact] }
    /// For the per-dialect aliases (`--to thunderbird-csv`): the dialect this format writes.
    public let fixedDialect: String?

    public init() {
        name = "csv"
        summary = "contact CSV (zimbra, yahoo, thunderbird, outlook-2000, outlook-2003, outlook, google, …)"
        extensions = ["csv", "tab"]
        fixedDialect = nil
    }

    /// A format named like a dialect, writing (and reading as) that dialect.
    public init(dialect: String) {
        name = dialect
        summary = "contact CSV, \(dialect) dialect"
        extensions = []
        fixedDialect = dialect
    }

    /// One format per dialect name, for `--to outlook-2003-csv` and `ferry formats`.
    /// Built from the dialect names only (`dialectNames`): the format registry is made at every start,
    /// and the whole dialect catalog is loaded only when a CSV is sniffed, read or written.
    public static var dialectFormats: [ContactCSVFormat] {
        dialectNames.map { ContactCSVFormat(dialect: $0) }
    }

    /// `DialectCatalog.standard.names` (tests compare them) without loading the catalog: the `name`
    /// attributes of the `<format>` elements of the bundled resources, in order, without repeats.
    static let dialectNames: [String] = {
        var names: [String] = []
        var seen = Set<String>()
        for resource in DialectCatalog.resourceNames {
            guard let url = Bundle.module.url(forResource: resource, withExtension: "xml", subdirectory: "Resources")
                    ?? Bundle.module.url(forResource: resource, withExtension: "xml"),
                  let data = try? Data(contentsOf: url) else { return DialectCatalog.standard.names }
            guard let found = formatNames(Array(data)) else { return DialectCatalog.standard.names }
            for n in found where seen.insert(n).inserted { names.append(n) }
        }
        return names
    }()

    /// The `name` of every `<format …>` start tag outside comments (MiniXML's tag scan, without
    /// building the catalog); nil when one has no name, for the caller to load the catalog instead.
    static func formatNames(_ u: [UInt8]) -> [String]? {
        var names: [String] = []
        var plain = true
        let format = Array("format".utf8)
        MiniXML.forEachTag(u) { body in
            guard body.starts(with: format) else { return }
            let after = body.index(body.startIndex, offsetBy: format.count)
            guard after == body.endIndex || [0x20, 0x09, 0x0A, 0x0D, 0x2F].contains(body[after]) else { return }
            guard let name = MiniXML.parseTag(Array(body)).attributes["name"] else { plain = false; return }
            names.append(name)
        }
        return plain ? names : nil
    }

    public func bid(prefix: [UInt8], name: String?) -> Int {
        guard fixedDialect == nil else { return 0 }
        let byName = extensionBid(name, score: 40)
        guard !prefix.isEmpty else { return byName }
        if Self.isBinaryContainer(prefix) { return 0 }
        // An XML document (a feed, a Zimbra .meta) is no CSV: not worth the sniffer's time.
        if prefix.starts(with: Self.xmlDeclaration) || prefix.starts(with: [0xEF, 0xBB, 0xBF] + Self.xmlDeclaration) { return byName }
        let sniff = CSVSniffer.sniff(prefix, declared: nil, complete: true)
        if let g = sniff.dialect, !g.dialect.allFields, g.binding.recognised >= 3 { return 85 }
        if let g = sniff.dialect, g.dialect.allFields, g.binding.recognised >= 2, byName > 0 { return 70 }
        return byName
    }

    /// The start of an XML document (with its declaration), never CSV.
    static let xmlDeclaration: [UInt8] = Array("<?xml ".utf8)

    /// Compressed data and archives (gzip, zip, bzip2, xz, zstd, 7z, tar) are never CSV: refused
    /// before the sniffer spends its time on their bytes.
    static func isBinaryContainer(_ prefix: [UInt8]) -> Bool {
        let magics: [[UInt8]] = [[0x1F, 0x8B], [0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x05, 0x06], [0x42, 0x5A, 0x68],
                                 [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], [0x28, 0xB5, 0x2F, 0xFD],
                                 [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]]
        if magics.contains(where: { prefix.starts(with: $0) }) { return true }
        return prefix.count >= 262 && prefix[257..<262].elementsEqual("ustar".utf8)
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else {
            throw FerryError.usage("csv.directory", "a contact CSV is a file, not a directory")
        }
        var options = options
        if let fixedDialect { options.csvFormat = fixedDialect }
        return try ContactCSVReader(source: source, options: options, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("csv.directory", "a contact CSV is written to a file, not a directory")
        }
        var options = options
        if let fixedDialect { options.csvFormat = fixedDialect }
        return try ContactCSVWriter(sink: sink, options: options, log: log)
    }

    public func explain(_ source: ByteSource, options: ReadOptions, log: DiagnosticLog) throws -> FormatExplanation {
        var options = options
        if let fixedDialect { options.csvFormat = fixedDialect }
        let reader = try ContactCSVReader(source: source, options: options, log: log)
        var details: [(String, String)] = [
            ("dialect", "\(reader.dialect.id) (\(reader.dialectGuess.evidence))"),
            ("delimiter", reader.delimiter == 0x09 ? "TAB" : String(UnicodeScalar(reader.delimiter))),
        ]
        let unknown = reader.binding.unrecognisedHeaders
        if !unknown.isEmpty && !reader.dialect.allFields {
            details.append(("custom", "\(unknown.count) column\(unknown.count == 1 ? "" : "s") not in the dialect, kept "
                            + "as custom fields: " + unknown.prefix(8).joined(separator: ", ")
                            + (unknown.count > 8 ? ", …" : "")))
        }
        var charset = reader.sniff.charset
        charset.language = charset.language ?? reader.dialect.locale
        details.append(("charset evidence", reader.sniff.evidence))
        return FormatExplanation(details: details, charset: charset)
    }
}

import FerryCore
import FerryText

/// `vcf`: vCard 2.1, 3.0 and 4.0 on reading (many cards per file, streamed); vCard 3.0 in Zimbra's
/// property order on writing, or 4.0 with `formatOptions["vcard-version"] = "4.0"`. A card read and
/// not changed is written back byte for byte (unless another version is named).
public struct VCardFormat: Format, Validating {
    public let name = "vcf"
    public let summary = "vCard 2.1/3.0/4.0 contacts (writes 3.0, or 4.0 with vcard-version=4.0)"
    public let extensions = ["vcf", "vcard"]
    public var kinds: [ItemKind] { [.contact] }

    public init() {}

    public func bid(prefix: [UInt8], name: String?) -> Int {
        let byName = extensionBid(name, score: 40)
        // Skip a BOM and leading blank lines, then look for BEGIN:VCARD (case-insensitive).
        var i = 0
        if prefix.count >= 3, prefix[0] == 0xEF, prefix[1] == 0xBB, prefix[2] == 0xBF { i = 3 }
        while i < prefix.count, prefix[i] == 0x0D || prefix[i] == 0x0A || prefix[i] == 0x20 || prefix[i] == 0x09 { i += 1 }
        let want = Array("BEGIN:VCARD".utf8)
        if prefix.count - i >= want.count,
           zip(prefix[i..<(i + want.count)], want).allSatisfy({ $0 & 0xDF == $1 & 0xDF }) {
            return 95
        }
        return byName
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .stream(let source) = input else {
            throw FerryError.usage("vcf.directory", "a vCard file is a file, not a directory")
        }
        return VCardReader(source: source, options: options, log: log)
    }

    /// `ferry validate`: RFC 2426 (3.0), RFC 6350 (4.0), 2.1 leniently; rules in `VCardRules`.
    public func validate(_ source: ByteSource, log: DiagnosticLog) throws -> Int {
        try VCardValidator().validate(source, log: log)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .stream(let sink) = output else {
            throw FerryError.usage("vcf.directory", "vCards are written to a file, not a directory")
        }
        // No version named: unchanged cards are copied as read, changed ones keep their version
        // (2.1 becomes 3.0); a named version rewrites every card read in another one.
        guard let version = options.formatOptions["vcard-version"] else { return VCardWriter(sink: sink) }
        guard version == "3.0" || version == "4.0" else {
            throw FerryError.usage("vcf.version", "ferry writes vCard 3.0 or 4.0, not '\(version)'")
        }
        return VCardWriter(sink: sink, version: version == "4.0" ? .v4 : .v3)
    }
}

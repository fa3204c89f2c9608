import FerryCalendar
import FerryArchive
import FerryContacts
import FerryCore
import FerryFeeds
import FerryMIME

/// The formats compiled into this build. Each format module adds its `Format` values here.
let builtinFormats: [any Format] = [
    ContactCSVFormat(),
    VCardFormat(),
    IcsFormat(),
    FreeBusyFormat(),
    EMLFormat(),
    SyncFormat(),
    SyncFormat(headersOnly: true),
    JSONLinesFormat(),
    ArchiveFormat(.zip, memberDecoder: archiveMemberDecoder), ArchiveFormat(.tar, memberDecoder: archiveMemberDecoder),
    ArchiveFormat(.tgz, memberDecoder: archiveMemberDecoder), MboxFormat(),
    MaildirFormat(), EmlFolderFormat(),
    CalendarCSVFormat(), IcsFilesFormat(),
    AtomFormat(), RSSFormat(),
] + ContactCSVFormat.dialectFormats

/// Meta-less archive entries other formats own (`.vcf`, `.ics`, `.csv`, …) are read by those formats,
/// as Zimbra's importer does by extension; nil leaves the entry to the archive reader (a document).
let archiveMemberDecoder: MemberDecoder = { name, source, log in
    guard let dot = name.lastIndex(of: ".") else { return nil }
    let ext = name[name.index(after: dot)...].lowercased()
    guard ext != "eml", ext != "meta" else { return nil }
    let registry = FormatRegistry.standard
    guard let format = registry.formats.first(where: { $0.extensions.contains(ext) && !($0 is ArchiveFormat) }),
          format.canRead, !format.writesDirectory else { return nil }
    let prefix = try source.read(upTo: 64 * 1024)
    guard format.bid(prefix: prefix, name: name) > 0 else { return nil }
    let reader = try format.makeReader(.stream(PrefixedSource(prefix: prefix, rest: source)), options: ReadOptions(), log: log)
    var items: [Item] = []
    while let item = try reader.next() { items.append(item) }
    return items
}

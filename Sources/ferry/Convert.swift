import ArgumentParser
import FerryCore
import FerryMigration
import FerryPipeline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert between formats (formats from extensions and content; `-` is stdin/stdout).",
        discussion: """
            Examples:
              ferry convert export.tgz -o mail.mbox
              ferry convert outlook.csv --charset windows-1252 -o contacts.vcf
              ferry convert calendar.ics --start -7days --end +2weeks -o week.ics
              cat contacts.vcf | ferry convert - --from vcf --to csv --csv-format thunderbird-csv -o -
              ferry convert msg.eml --part 2 -o invoice.pdf
              ferry convert export.tgz -o account/          (explode: Maildir, .vcf, .ics, files, manifest.json)
              ferry convert account/ -o export.tgz          (assemble back into Zimbra's layout)
              ferry convert export.tgz --to ox -o ox-import/ (Open-Xchange import set)
              ferry convert calendar.ics -o events.csv
              ferry convert cal.ics -o rows.csv --expand --start 2024/01/01 --end 2025/01/01
              ferry convert calendar.ics -o events/

            Calendars: `-o x.csv` writes calendar-csv, one row per event (UID, summary, start, end, \
            time zone, location, description, recurrence, organizer, attendees, …); with --expand one \
            row per occurrence inside --start/--end. `-o dir/` (or --to ics -o dir/, --to ics-files) \
            writes one standalone .ics per event with the VTIMEZONEs it uses, named by its UID; a \
            UID's overrides share its file.
            """
    )

    @Argument(help: "Input files or directories (`-` for stdin).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output file or directory (`-` or absent: stdout).")
    var output: String?

    @Option(help: "Input format (required for stdin; see `ferry formats`).")
    var from: String?

    @Option(help: "Output format (default: from the output's extension).")
    var to: String?

    @Option(help: "Contact CSV dialect: zimbra-csv, yahoo-csv, thunderbird-csv, outlook-2000-csv, outlook-2003-csv, outlook-csv, google-csv, … (with CSV on both sides, name the output dialect with --to <dialect>).")
    var csvFormat: String?

    @Option(help: "Locale of a CSV dialect's headers (e.g. de, fr, ja).")
    var locale: String?

    @Flag(help: "Read CSV like Excel: keep stray quotes literally instead of skipping the row.")
    var lenient = false

    @Option(parsing: .unconditional, help: "Item query (Zimbra search syntax subset: from: to: cc: subject: in: under: tag: is:unread|read|flagged has:attachment before: after:, and/or/not, parentheses, quoted phrases).")
    var query: String?

    @Option(help: "Write only this MIME part's decoded content, numbered as Zimbra's part= (1, 2, 2.1).")
    var part: String?
    @Option(help: "mbox dialect: rd (default), o, cl, cl2 (reading trusts Content-Length for cl/cl2).")
    var mboxVariant: String?
    @Option(help: "vCard version to write: 3.0 (default, Zimbra's order) or 4.0.")
    var vcardVersion: String?

    @Option(help: "Mail in an exploded account (--to account): maildir (Maildir++, default) or mbox (one file per folder).")
    var mailFormat: String?
    @Option(help: "Also write each address book of an exploded account as this CSV dialect (e.g. outlook-2003-csv).")
    var contactsCsv: String?
    @Flag(help: "Calendar to CSV: one row per occurrence within --start/--end (recurring events expanded, overrides in place of the occurrences they move) instead of one row per event.")
    var expand = false
    @Option(help: "Feeds (atom, rss): the feed's title (default: Ferry: <folder>).")
    var feedTitle: String?
    @Option(help: "Feeds (atom, rss): the feed's own URL (Atom rel=\"self\", the RSS channel link).")
    var feedLink: String?
    @Flag(help: "Feeds (atom, rss): each message's body as the entry's content (default: the first text part as summary only).")
    var fullContent = false

    @OptionGroup var charsets: CharsetOptions
    @OptionGroup var time: TimeOptions

    @Flag(help: "Print the end-of-run summary as JSON on stdout's behalf (on stderr).")
    var json = false

    func run() throws {
        let log = makeLog(json: json)
        var request = ConversionRequest(inputs: inputs, output: output, from: from, to: to)
        let policy = try charsets.policy()
        request.readOptions.charset = try charsets.charset.map { try Charset($0) }
        request.readOptions.charsetPolicy = policy
        request.readOptions.csvFormat = csvFormat
        request.readOptions.locale = locale
        request.readOptions.csvLenient = lenient
        request.readOptions.query = query
        request.readOptions.mboxVariant = mboxVariant
        request.writeOptions.mboxVariant = mboxVariant
        if let vcardVersion { request.writeOptions.formatOptions["vcard-version"] = vcardVersion }
        request.readOptions.timeContext = try time.context()
        request.readOptions.timeRange = try time.range()
        request.writeOptions.charset = try charsets.outputCharset.map { try Charset($0) }
        request.writeOptions.charsetPolicy = policy
        request.writeOptions.csvFormat = csvFormat
        request.writeOptions.locale = locale
        request.writeOptions.timeContext = request.readOptions.timeContext
        if expand {
            request.writeOptions.formatOptions["instances"] = "1"
            request.writeOptions.timeRange = request.readOptions.timeRange
        }
        request.writeOptions.timeRange = request.readOptions.timeRange   // feeds: the calendar window
        if let feedTitle { request.writeOptions.formatOptions["title"] = feedTitle }
        if let feedLink { request.writeOptions.formatOptions["link"] = feedLink }
        if fullContent { request.writeOptions.formatOptions["content"] = "full" }
        if let part {
            guard inputs.count == 1 else {
                throw FerryError.usage("part.inputs", "--part takes exactly one input message")
            }
            try PartExtractor(converter: Converter(log: log)).run(input: inputs[0], from: from, part: part,
                                                                  output: output, readOptions: request.readOptions)
            if log.hasErrors { throw ExitCode(1) }
            return
        }
        // A multi-type export written to a plain directory explodes into an account tree.
        let registry = FormatRegistry.migration
        if request.to == nil, AccountRouting.explodes(inputs: inputs, output: output, from: from, registry: registry) {
            request.to = "account"
        }
        if let mailFormat { request.writeOptions.formatOptions["mail-format"] = mailFormat }
        if let contactsCsv { request.writeOptions.formatOptions["contacts-csv"] = contactsCsv }
        request.writeOptions.formatOptions["sources"] = inputs.joined(separator: "\n")
        let summary = try Converter(registry: registry, log: log).run(request)
        try finish(summary, log: log, json: json)
    }
}

/// Prints the summary (only when something was skipped or with --json) and picks the exit code.
func finish(_ summary: ConversionSummary, log: DiagnosticLog, json: Bool) throws {
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let data = try? encoder.encode(summary) { writeStderr(String(decoding: data, as: UTF8.self) + "\n") }
    } else if summary.totalSkipped > 0 || isatty(2) == 1 {
        // The end-of-run summary: on a terminal always, otherwise only when something was skipped.
        let written = summary.written.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var line = "ferry: \(written.isEmpty ? "nothing" : written) written"
        let folders = summary.folders.filter { !$0.key.isEmpty }.sorted { $0.key < $1.key }
        if !folders.isEmpty, folders.count <= 12 {
            line += " (" + folders.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
        } else if folders.count > 12 {
            line += " in \(folders.count) folders"
        }
        if summary.filtered > 0 { line += "; \(summary.filtered) left out by --query/--start/--end" }
        if summary.totalSkipped > 0 {
            let reasons = summary.skipReasons.sorted { $0.key < $1.key }.map { "\($0.value)× \($0.key)" }
            line += "; \(summary.totalSkipped) skipped (\(reasons.joined(separator: "; ")))"
        }
        writeStderr(line + "\n")
    }
    if summary.totalSkipped > 0 || log.hasErrors { throw ExitCode(1) }
}

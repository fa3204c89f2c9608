import ArgumentParser
import FerryCore
import FerryPipeline

struct Freebusy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the free/busy times of calendars as a VFREEBUSY (Zimbra's ifb).",
        discussion: "Default range as Zimbra's ifb: now - 31 days to now + 62 days."
    )

    @Argument(help: "Calendar files (.ics).")
    var calendars: [String]

    @Option(name: .shortAndLong, help: "Output file (default: stdout).")
    var output: String?

    @OptionGroup var time: TimeOptions

    @Flag(help: "Write one VEVENT per busy interval instead of a VFREEBUSY (Zimbra's fbfmt=event).")
    var events = false

    @Option(help: "ORGANIZER of the VFREEBUSY (an address; mailto: is added).")
    var organizer: String?

    func run() throws {
        let log = makeLog()
        var request = ConversionRequest(inputs: calendars, output: output, from: nil, to: "ifb")
        request.readOptions.timeContext = try time.context()
        request.readOptions.timeRange = try time.range(default: (start: "-31days", end: "+62days"))
        request.writeOptions.timeContext = request.readOptions.timeContext
        request.writeOptions.timeRange = request.readOptions.timeRange
        if events { request.writeOptions.formatOptions["events"] = "1" }
        if let organizer { request.writeOptions.formatOptions["organizer"] = organizer }
        let summary = try Converter(log: log).run(request)
        try finish(summary, log: log, json: false)
    }
}

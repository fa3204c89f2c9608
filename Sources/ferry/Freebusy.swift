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

    func run() throws {
        let log = makeLog()
        var request = ConversionRequest(inputs: calendars, output: output, from: nil, to: "ifb")
        request.readOptions.timeContext = try time.context()
        request.readOptions.timeRange = try time.range(default: (start: "-31days", end: "+62days"))
        request.writeOptions.timeContext = request.readOptions.timeContext
        request.writeOptions.timeRange = request.readOptions.timeRange
        let summary = try Converter(log: log).run(request)
        try finish(summary, log: log, json: false)
    }
}

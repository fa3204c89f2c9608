import ArgumentParser
import FerryCore
import Foundation

/// `--charset`, `--output-charset`, `--charset-errors`.
struct CharsetOptions: ParsableArguments {
    @Option(help: "Charset of the input (any ICU name or alias: UTF-8, Windows-1252, Windows-31J, GBK, …). Default: declared or detected.")
    var charset: String?

    @Option(help: "Charset of the output. Default: the format's (UTF-8 almost everywhere).")
    var outputCharset: String?

    @Option(help: "On bytes invalid in the charset or characters the output charset lacks: strict (stop with an error) or replace (U+FFFD / '?', counted).")
    var charsetErrors: String = "replace"

    func policy() throws -> CharsetPolicy {
        guard let policy = CharsetPolicy(rawValue: charsetErrors) else {
            throw FerryError.usage("option.charset-errors", "--charset-errors must be strict or replace")
        }
        return policy
    }
}

/// `--start`, `--end`, `--tz`, `--now`. Zimbra's relative times start with a dash, so these parse
/// their value unconditionally (`--start -7days`).
struct TimeOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Start of the time range (Zimbra grammar: -7days, p1week, 2024/01/31, 01/31/2024, epoch ms, ISO 8601).")
    var start: String?

    @Option(parsing: .unconditional, help: "End of the time range (same grammar as --start).")
    var end: String?

    @Option(help: "IANA time zone for dates and relative arithmetic (default: the local zone).")
    var tz: String?

    @Option(parsing: .unconditional, help: "Anchor for relative times, ISO 8601 (default: the clock); makes CI runs reproducible.")
    var now: String?

    func context() throws -> TimeContext { try TimeContext.from(now: now, tz: tz) }

    func range(default defaultRange: (start: String, end: String)? = nil) throws -> TimeRange {
        let context = try context()
        return try TimeRange.from(start: start ?? defaultRange?.start, end: end ?? defaultRange?.end, in: context)
    }
}

/// Prints diagnostics as they arrive on stderr, compiler style.
func makeLog(quiet: Bool = false, json: Bool = false) -> DiagnosticLog {
    DiagnosticLog { diagnostic in
        if quiet && diagnostic.severity == .note { return }
        let line = json ? diagnostic.jsonLine : diagnostic.description
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

func writeStdout(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

func writeStderr(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
}

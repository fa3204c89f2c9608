import FerryCore

/// The diagnostics sink of one file's content-line validation (iCalendar, vCard): reports at a line
/// and column, or at a byte of a content line, and lists at most `maxPerCode` diagnostics of each code,
/// so a file with the same mistake on every line does not flood the report.
open class CappedReporter {
    public let file: String
    public let log: DiagnosticLog
    public let maxPerCode: Int
    private var perCode: [String: Int] = [:]

    public init(file: String, log: DiagnosticLog, maxPerCode: Int) {
        self.file = file
        self.log = log
        self.maxPerCode = maxPerCode
    }

    public final func report(_ severity: Severity, _ code: String, _ message: String, line: Int, column: Int) {
        let n = perCode[code, default: 0] + 1
        perCode[code] = n
        if n <= maxPerCode {
            log.emit(Diagnostic(severity, code: code, message, file: file, line: line, column: column))
        }
    }

    /// At `byte` of `line` (its name when nil).
    public final func report(_ severity: Severity, _ code: String, _ message: String, at line: ContentLine, byte: Int? = nil) {
        let (l, c) = line.location(ofByte: byte ?? line.nameStart)
        report(severity, code, message, line: l, column: c)
    }

    /// One note per code past the cap, saying how many were not listed; the note's code is `noteCode`,
    /// or the capped code itself when nil.
    public final func noteOmitted(noteCode: String? = nil) {
        for (code, n) in perCode.sorted(by: { $0.key < $1.key }) where n > maxPerCode {
            log.emit(.note(noteCode ?? code, "\(n - maxPerCode) more \(code) diagnostics not listed", file: file))
        }
    }
}

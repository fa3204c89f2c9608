import ArgumentParser
import FerryCore
import FerryMigration
import FerryPipeline
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert many accounts from a manifest, on all cores, resumably.",
        discussion: """
            The manifest lists one account per line, as CSV (input,output[,account][,options], header optional) \
            or JSON lines ({"input":…,"output":…,"account":…,"options":{"mail-format":"mbox"}}). Relative paths \
            are relative to the manifest. Options: to, from, mail-format, contacts-csv, csv-format, charset. An \
            output without a file extension is an exploded account tree (see `ferry convert --help`).

            State (journal.jsonl, logs/ACCOUNT.log, summary.json) goes to MANIFEST.ferry/ or --state. A rerun \
            skips accounts the journal has finished and redoes interrupted (or failed) ones; every output appears \
            atomically, so nothing is converted twice.

            Shards: --shard I/N takes the accounts at positions I, I+N, … (0-based), for GNU parallel \
            (parallel ferry batch m.csv --shard {}/4 ::: 0 1 2 3) or a Kubernetes Indexed Job (--shard auto/N \
            reads JOB_COMPLETION_INDEX).

            Exit codes: 0 every account converted; 1 some account had skipped items; 2 usage or I/O error, or \
            some account failed.
            """
    )

    @Argument(help: "The batch manifest (CSV or JSON lines).")
    var manifest: String

    @Option(help: "Accounts converted at once (default: the number of cores).")
    var jobs: Int?

    @Option(help: "Take every N-th account: I/N (0-based I), or auto/N for I from JOB_COMPLETION_INDEX.")
    var shard: String?

    @Option(help: "Directory for the journal, per-account logs and the summary (default: MANIFEST.ferry).")
    var state: String?

    @Option(help: "Progress on stderr: auto (a line on a terminal), json (JSON lines for orchestrators), none.")
    var progress: String = "auto"

    @Flag(help: "Print the summary JSON on stdout as well.")
    var json = false

    @Flag(help: "Leave accounts that failed before alone (default: retry them).")
    var noRetryFailed = false

    func run() throws {
        guard ["auto", "json", "none", "tty"].contains(progress) else {
            throw FerryError.usage("option.progress", "--progress must be auto, json or none")
        }
        let jobsList = try BatchManifest.load(manifest)
        guard !jobsList.isEmpty else {
            throw FerryError.usage("batch.empty", "the manifest lists no accounts")
        }
        var options = BatchRunner.Options(stateDirectory: state ?? manifest + ".ferry")
        if let jobs {
            guard jobs > 0 else { throw FerryError.usage("option.jobs", "--jobs must be at least 1") }
            options.jobs = jobs
        }
        options.shard = try shard.map { try Shard.parse($0) }
        options.retryFailed = !noRetryFailed
        if let pace = ProcessInfo.processInfo.environment["FERRY_BATCH_PACE_MS"], let ms = Int(pace) {
            options.paceMilliseconds = ms
        }
        let runner = try BatchRunner(jobs: jobsList, options: options)
        let reporter = BatchProgressPrinter(mode: progress == "json" ? .json
                                            : progress == "none" ? .none
                                            : (progress == "tty" || isatty(2) == 1) ? .line : .none)
        let summary = try runner.run { reporter.report($0) }
        reporter.finish()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            writeStdout(String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n")
        }
        if summary.failed > 0 || summary.withSkips > 0 || isatty(2) == 1 {
            var line = "ferry batch: \(summary.accounts["ok", default: 0] + summary.withSkips) of \(summary.results.count + summary.accounts["pending", default: 0]) accounts converted"
            line += " (\(summary.convertedNow) now, \(summary.alreadyDone) before)"
            if summary.withSkips > 0 { line += "; \(summary.withSkips) with skipped items" }
            if summary.failed > 0 {
                let names = summary.results.filter { $0.status == "failed" }.prefix(5).map(\.account)
                line += "; \(summary.failed) failed (\(names.joined(separator: ", "))\(summary.failed > 5 ? ", …" : ""))"
            }
            writeStderr(line + "; summary in \(runner.summaryPath)\n")
        }
        if summary.failed > 0 { throw ExitCode(2) }
        if summary.withSkips > 0 { throw ExitCode(1) }
    }
}

/// Draws batch progress: one redrawn line on a terminal, or JSON lines.
final class BatchProgressPrinter: @unchecked Sendable {
    enum Mode { case line, json, none }
    let mode: Mode
    private var drawn = false
    private var lastDraw = Date.distantPast

    init(mode: Mode) { self.mode = mode }

    func report(_ e: BatchProgressEvent) {
        switch mode {
        case .none:
            return
        case .json:
            var object: [String: Any] = ["event": e.event, "done": e.done, "total": e.total, "running": e.running,
                                         "items": e.items, "bytes": e.bytes, "totalBytes": e.totalBytes,
                                         "elapsed": (e.elapsed * 1000).rounded() / 1000,
                                         "rate": e.rate.rounded()]
            if let eta = e.eta { object["eta"] = eta.rounded() }
            if let account = e.account { object["account"] = account }
            if let status = e.status { object["status"] = status }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                writeStderr(String(decoding: data, as: UTF8.self) + "\n")
            }
        case .line:
            let now = Date()
            guard e.event == "end" || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
            lastDraw = now
            var line = "ferry batch: \(e.done)/\(e.total) accounts · \(e.running) running · \(e.items) items · "
                + BatchProgressPrinter.bytes(e.bytes) + " · " + BatchProgressPrinter.bytes(Int64(e.rate)) + "/s"
            if let eta = e.eta, e.done < e.total {
                let s = Int(eta)
                line += " · ETA " + String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
            }
            writeStderr("\r\u{1B}[K" + line)
            drawn = true
        }
    }

    func finish() {
        if mode == .line && drawn { writeStderr("\r\u{1B}[K") }
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}

import ArgumentParser
import FerryCore
import Foundation

/// `ferry` — carries mail, contacts and calendars between servers and formats.
struct Ferry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Convert and validate mail, contact and calendar exports.",
        discussion: """
            Exit codes: 0 success; 1 some input invalid or some item skipped (counted on stderr); \
            2 usage or I/O error.
            """,
        version: "0.1.0",
        subcommands: [Convert.self, Validate.self, Freebusy.self, Inspect.self, Formats.self, Batch.self]
    )
}

@main
enum Main {
    static func main() {
        do {
            var command = try Ferry.parseAsRoot()
            try command.run()
        } catch let error as FerryError {
            removePendingTemporaryOutputs()
            FileHandle.standardError.write(Data((error.diagnostic.description + "\n").utf8))
            exit(2)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            removePendingTemporaryOutputs()
            let code = Ferry.exitCode(for: error)
            let message = Ferry.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            // Usage errors from the argument parser (its own code is 64) are exit 2 in Ferry.
            exit(code == .validationFailure ? 2 : (code.rawValue == 0 ? 0 : 2))
        }
    }
}

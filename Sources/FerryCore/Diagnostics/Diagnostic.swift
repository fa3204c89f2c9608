import Foundation

/// How bad a diagnostic is. Ordered: `note < warning < error`.
public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// One problem found in an input or in a command line: the single type for errors and warnings.
///
/// `code` is stable across releases (scripts and CI rules may match on it); `message` is for people.
public struct Diagnostic: Codable, Sendable, Hashable, CustomStringConvertible {
    public var severity: Severity
    public var code: String
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?

    public init(_ severity: Severity, code: String, _ message: String,
                file: String? = nil, line: Int? = nil, column: Int? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    public static func error(_ code: String, _ message: String, file: String? = nil, line: Int? = nil,
                             column: Int? = nil) -> Diagnostic {
        Diagnostic(.error, code: code, message, file: file, line: line, column: column)
    }

    public static func warning(_ code: String, _ message: String, file: String? = nil, line: Int? = nil,
                               column: Int? = nil) -> Diagnostic {
        Diagnostic(.warning, code: code, message, file: file, line: line, column: column)
    }

    public static func note(_ code: String, _ message: String, file: String? = nil, line: Int? = nil,
                            column: Int? = nil) -> Diagnostic {
        Diagnostic(.note, code: code, message, file: file, line: line, column: column)
    }

    /// Compiler style: `file:line:col: error: message [code]`; parts that are unknown are left out.
    public var description: String {
        var location = ""
        if let file { location = file }
        if let line {
            location += location.isEmpty ? "line \(line)" : ":\(line)"
            if let column { location += ":\(column)" }
        }
        let prefix = location.isEmpty ? "ferry" : location
        return "\(prefix): \(severity.rawValue): \(message) [\(code)]"
    }

    /// One JSON object on one line (keys sorted, so output is stable).
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self), let text = String(data: data, encoding: .utf8) else {
            return "{}"
        }
        return text
    }

    /// The same diagnostic attributed to `file` when it has none yet.
    public func located(in file: String?) -> Diagnostic {
        var copy = self
        if copy.file == nil { copy.file = file }
        return copy
    }
}

/// An error that carries a diagnostic and says which exit code it stands for.
public struct FerryError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// The command line is wrong (exit 2).
        case usage
        /// An input could not be read or an output not written (exit 2).
        case io
        /// The input's content is invalid (exit 1 when it only skips an item, 2 when nothing could be read).
        case data
    }

    public var kind: Kind
    public var diagnostic: Diagnostic

    public init(_ kind: Kind, _ diagnostic: Diagnostic) {
        self.kind = kind
        self.diagnostic = diagnostic
    }

    public static func usage(_ code: String, _ message: String) -> FerryError {
        FerryError(.usage, .error(code, message))
    }

    public static func io(_ code: String, _ message: String, file: String? = nil) -> FerryError {
        FerryError(.io, .error(code, message, file: file))
    }

    public static func data(_ code: String, _ message: String, file: String? = nil, line: Int? = nil,
                            column: Int? = nil) -> FerryError {
        FerryError(.data, .error(code, message, file: file, line: line, column: column))
    }

    public var description: String { diagnostic.description }
}

/// Collects diagnostics from readers, writers and filters; thread-safe; counts by severity.
public final class DiagnosticLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Diagnostic] = []
    private var counts: [Severity: Int] = [:]
    private let limit: Int
    private let onEmit: (@Sendable (Diagnostic) -> Void)?

    /// - Parameters:
    ///   - limit: how many diagnostics are kept in memory (counting goes on past it).
    ///   - onEmit: called for every diagnostic as it arrives (e.g. to print it at once).
    public init(limit: Int = 10_000, onEmit: (@Sendable (Diagnostic) -> Void)? = nil) {
        self.limit = limit
        self.onEmit = onEmit
    }

    public func emit(_ diagnostic: Diagnostic) {
        lock.lock()
        counts[diagnostic.severity, default: 0] += 1
        if stored.count < limit { stored.append(diagnostic) }
        lock.unlock()
        onEmit?(diagnostic)
    }

    public var diagnostics: [Diagnostic] {
        lock.lock(); defer { lock.unlock() }
        return stored
    }

    public func count(_ severity: Severity) -> Int {
        lock.lock(); defer { lock.unlock() }
        return counts[severity, default: 0]
    }

    public var hasErrors: Bool { count(.error) > 0 }
}

/// A format that can check its inputs against its specification (`ferry validate`).
public protocol Validating: Sendable {
    /// Checks one input and reports every problem to `log` (with file, line and column).
    /// Returns the number of items (components, cards) checked.
    func validate(_ source: ByteSource, log: DiagnosticLog) throws -> Int
}

/// A format that can check its inputs against its specification (`ferry validate`).
public protocol Validating: Sendable {
    /// Checks one input and reports every problem to `log` (with file, line and column).
    /// Returns the number of items (components, cards) checked.
    func validate(_ source: ByteSource, log: DiagnosticLog) throws -> Int
}

/// What a format found out about an input beyond its items (a CSV's dialect, the evidence for its
/// charset), for `ferry inspect`.
public struct FormatExplanation: Sendable {
    /// Labelled lines, in order (`dialect`, `delimiter`, …).
    public var details: [(label: String, value: String)]
    /// The charset the format decided on, when it decides better than the generic detector.
    public var charset: CharsetGuess?

    public init(details: [(label: String, value: String)], charset: CharsetGuess? = nil) {
        self.details = details
        self.charset = charset
    }
}

/// A format that can explain what it detected in an input (`ferry inspect`).
public protocol Explaining: Sendable {
    func explain(_ source: ByteSource, options: ReadOptions, log: DiagnosticLog) throws -> FormatExplanation
}

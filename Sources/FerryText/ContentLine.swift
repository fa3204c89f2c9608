import FerryCore

/// One parameter of a content line: `TYPE=work,voice`, `TZID="America/New_York"`, or vCard 2.1's bare
/// `HOME` (a parameter with no `=`, which vCard readers take as a TYPE value).
public struct Parameter: Sendable, Equatable, Hashable {
    public var name: String
    /// Values with surrounding quotes removed; RFC 6868 `^` escapes decoded.
    public var values: [String]
    /// False for vCard 2.1 bare parameters (`TEL;HOME:`).
    public var hasValue: Bool

    public init(_ name: String, _ values: [String], hasValue: Bool = true) {
        self.name = name
        self.values = values
        self.hasValue = hasValue
    }

    public init(_ name: String, _ value: String) {
        self.init(name, [value])
    }

    /// The first value.
    public var value: String? { values.first }
}

/// One logical content line of an iCalendar or vCard stream (RFC 5545 §3.1, RFC 6350 §3.3):
/// `[group "."] name *(";" param) ":" value`, unfolded.
///
/// The value is kept as written (still escaped, still quoted-printable or base64 encoded) so nothing
/// is lost; the typed layers above decode it on demand. When the line was read from bytes, `raw`
/// holds its exact physical bytes (folds and line ends included) so an unchanged line is written
/// back byte-identical.
public struct ContentLine: Sendable, Equatable {
    public var group: String?
    public var name: String
    public var parameters: [Parameter]
    /// The value's bytes as written after unfolding (UTF-8 in practice; vCard 2.1 may carry a legacy
    /// charset named by `CHARSET=`).
    public var valueBytes: [UInt8]
    /// The exact physical bytes this line was read from, terminators included; nil for built lines.
    public var raw: [UInt8]?
    /// 1-based physical line number where the line starts (0 for built lines).
    public var line: Int

    public init(group: String? = nil, name: String, parameters: [Parameter] = [], value: String) {
        self.group = group
        self.name = name
        self.parameters = parameters
        self.valueBytes = Array(value.utf8)
        self.raw = nil
        self.line = 0
    }

    public init(group: String?, name: String, parameters: [Parameter], valueBytes: [UInt8], raw: [UInt8]?, line: Int) {
        self.group = group
        self.name = name
        self.parameters = parameters
        self.valueBytes = valueBytes
        self.raw = raw
        self.line = line
    }

    /// The value as text (UTF-8; invalid bytes become U+FFFD).
    public var value: String {
        get { String(decoding: valueBytes, as: UTF8.self) }
        set { valueBytes = Array(newValue.utf8); raw = nil }
    }

    /// Upper-cased name, for comparisons (names are case-insensitive).
    public var key: String { name.uppercased() }

    /// The first parameter with this name (case-insensitive).
    public func parameter(_ name: String) -> Parameter? {
        let key = name.uppercased()
        return parameters.first { $0.name.uppercased() == key }
    }

    /// Values of every parameter with this name, flattened.
    public func parameterValues(_ name: String) -> [String] {
        let key = name.uppercased()
        return parameters.filter { $0.name.uppercased() == key }.flatMap(\.values)
    }

    /// True when a bare vCard 2.1 parameter or any value of `name`… matches `value` (case-insensitive).
    public func hasParameter(_ name: String, value: String) -> Bool {
        parameterValues(name).contains { $0.equalsIgnoringCase(value) }
    }

    /// Replaces the parameters named `name` by one with `values` (or removes them when empty).
    public mutating func setParameter(_ name: String, _ values: [String]) {
        let key = name.uppercased()
        if let index = parameters.firstIndex(where: { $0.name.uppercased() == key }) {
            parameters.removeAll { $0.name.uppercased() == key }
            if !values.isEmpty { parameters.insert(Parameter(name, values), at: index) }
        } else if !values.isEmpty {
            parameters.append(Parameter(name, values))
        }
        raw = nil
    }
}

extension String {
    func equalsIgnoringCase(_ other: String) -> Bool {
        lowercased() == other.lowercased()
    }
}

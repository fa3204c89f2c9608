/// How a CSV producer quotes its fields.
public enum CSVQuoting: String, Sendable {
    /// Every field in double quotes, empty ones as `""` (Zimbra, Outlook, Yahoo).
    case always
    /// Only fields holding the delimiter, a quote, CR or LF (Thunderbird, Google); leading or trailing
    /// spaces are quoted too so no reader trims them.
    case minimal
}

/// The shape of the CSV a producer writes.
public struct CSVStyle: Sendable, Equatable {
    public var delimiter: UInt8
    public var quoting: CSVQuoting
    public var lineEnding: [UInt8]

    public init(delimiter: UInt8 = 0x2C, quoting: CSVQuoting = .always, lineEnding: [UInt8] = [0x0D, 0x0A]) {
        self.delimiter = delimiter
        self.quoting = quoting
        self.lineEnding = lineEnding
    }
}

/// Serialises rows as CSV bytes (UTF-8; the caller encodes to the output charset).
public struct CSVWriter: Sendable {
    public var style: CSVStyle

    public init(style: CSVStyle) { self.style = style }

    /// Appends one row, with its line ending, to `out`.
    public func append(_ fields: [String], to out: inout [UInt8]) {
        for (i, field) in fields.enumerated() {
            if i > 0 { out.append(style.delimiter) }
            appendField(field, to: &out)
        }
        out.append(contentsOf: style.lineEnding)
    }

    public func appendField(_ field: String, to out: inout [UInt8]) {
        var field = field
        field.withUTF8 { appendField(UnsafeRawBufferPointer($0), to: &out) }
    }

    public func appendField(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let needsQuotes: Bool
        switch style.quoting {
        case .always:
            needsQuotes = true
        case .minimal:
            let d = style.delimiter
            needsQuotes = bytes.contains { $0 == d || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || bytes.first == 0x20 || bytes.last == 0x20
        }
        guard needsQuotes else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(0x22)
        var start = 0
        for i in 0..<bytes.count where bytes[i] == 0x22 {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...i]))
            out.append(0x22)
            start = i + 1
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
        out.append(0x22)
    }
}

import FerryCore
import Foundation

/// The outcome of validating one file.
public struct FileValidation: Sendable {
    public var path: String
    public var format: String?
    public var items: Int
    public var diagnostics: [Diagnostic]
    /// Seconds spent (for JUnit's `time`).
    public var seconds: Double

    public init(path: String, format: String?, items: Int, diagnostics: [Diagnostic], seconds: Double) {
        self.path = path
        self.format = format
        self.items = items
        self.diagnostics = diagnostics
        self.seconds = seconds
    }

    public func failed(strict: Bool) -> Bool {
        diagnostics.contains { $0.severity == .error || (strict && $0.severity == .warning) }
    }
}

/// Report styles for `ferry validate --report`.
public enum ReportStyle: String, CaseIterable, Sendable {
    case text, json, junit, sarif, github
}

/// Renders validation results for people (text), scripts (json), CI test views (junit), code
/// scanning (SARIF 2.1.0) and GitHub workflow annotations.
public enum ValidationReport {
    public static func render(_ results: [FileValidation], style: ReportStyle, strict: Bool) -> String {
        switch style {
        case .text: return text(results, strict: strict)
        case .json: return json(results, strict: strict)
        case .junit: return junit(results, strict: strict)
        case .sarif: return sarif(results, strict: strict)
        case .github: return github(results, strict: strict)
        }
    }

    static func effectiveSeverity(_ d: Diagnostic, strict: Bool) -> Severity {
        strict && d.severity == .warning ? .error : d.severity
    }

    static func text(_ results: [FileValidation], strict: Bool) -> String {
        var out = ""
        for result in results {
            for d in result.diagnostics {
                var shown = d
                shown.severity = effectiveSeverity(d, strict: strict)
                out += shown.located(in: result.path).description + "\n"
            }
        }
        let failed = results.filter { $0.failed(strict: strict) }.count
        let errors = results.flatMap(\.diagnostics).filter { effectiveSeverity($0, strict: strict) == .error }.count
        let warnings = results.flatMap(\.diagnostics).filter { effectiveSeverity($0, strict: strict) == .warning }.count
        out += "\(results.count) file\(results.count == 1 ? "" : "s") checked: \(results.count - failed) valid, "
            + "\(failed) invalid (\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"))\n"
        return out
    }

    /// Pretty-printed JSON with sorted keys, written directly (JSONSerialization's dynamic casts cost
    /// more than validating the files did, for a directory of small valid calendars).
    static func jsonString(_ value: Any) -> String {
        var out = ""
        out.reserveCapacity(4096)
        writeJSON(value, indent: 0, into: &out)
        return out
    }

    private static func writeJSON(_ value: Any, indent: Int, into out: inout String) {
        func pad(_ n: Int) { out += String(repeating: "  ", count: n) }
        switch value {
        case let s as String: JSONText.appendQuoted(s, to: &out)
        case let b as Bool: out += b ? "true" : "false"
        case let i as Int: out += String(i)
        case let d as Double: out += d.isFinite ? String(d) : "null"
        case is NSNull: out += "null"
        case let dict as [String: Any]:
            if dict.isEmpty { out += "{}"; return }
            out += "{\n"
            for (k, key) in dict.keys.sorted().enumerated() {
                pad(indent + 1)
                JSONText.appendQuoted(key, to: &out)
                out += " : "
                writeJSON(dict[key]!, indent: indent + 1, into: &out)
                out += k == dict.count - 1 ? "\n" : ",\n"
            }
            pad(indent)
            out += "}"
        case let array as [Any]:
            if array.isEmpty { out += "[]"; return }
            out += "[\n"
            for (k, element) in array.enumerated() {
                pad(indent + 1)
                writeJSON(element, indent: indent + 1, into: &out)
                out += k == array.count - 1 ? "\n" : ",\n"
            }
            pad(indent)
            out += "]"
        default: JSONText.appendQuoted("\(value)", to: &out)
        }
    }


    static func diagnosticObject(_ d: Diagnostic, path: String, strict: Bool) -> [String: Any] {
        var o: [String: Any] = ["severity": effectiveSeverity(d, strict: strict).rawValue, "code": d.code,
                                "message": d.message, "file": d.file ?? path]
        if let line = d.line { o["line"] = line }
        if let column = d.column { o["column"] = column }
        return o
    }

    /// The JSON report, written field by field (same shape and key order as `jsonString` would give).
    static func json(_ results: [FileValidation], strict: Bool) -> String {
        var out = "{\n  \"files\" : ["
        out.reserveCapacity(results.count * 160 + 128)
        for (k, r) in results.enumerated() {
            out += k == 0 ? "\n    {\n" : ",\n    {\n"
            if r.diagnostics.isEmpty {
                out += "      \"diagnostics\" : [],\n"
            } else {
                out += "      \"diagnostics\" : [\n"
                for (j, d) in r.diagnostics.enumerated() {
                    out += "        {\n"
                    out += "          \"code\" : "; JSONText.appendQuoted(d.code, to: &out); out += ",\n"
                    if let column = d.column { out += "          \"column\" : \(column),\n" }
                    out += "          \"file\" : "; JSONText.appendQuoted(d.file ?? r.path, to: &out); out += ",\n"
                    if let line = d.line { out += "          \"line\" : \(line),\n" }
                    out += "          \"message\" : "; JSONText.appendQuoted(d.message, to: &out); out += ",\n"
                    out += "          \"severity\" : "; JSONText.appendQuoted(effectiveSeverity(d, strict: strict).rawValue, to: &out)
                    out += j == r.diagnostics.count - 1 ? "\n        }\n" : "\n        },\n"
                }
                out += "      ],\n"
            }
            out += "      \"format\" : "
            if let format = r.format { JSONText.appendQuoted(format, to: &out) } else { out += "null" }
            out += ",\n      \"items\" : \(r.items),\n      \"path\" : "
            JSONText.appendQuoted(r.path, to: &out)
            out += ",\n      \"valid\" : \(!r.failed(strict: strict))\n    }"
        }
        let invalid = results.filter { $0.failed(strict: strict) }.count
        out += results.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"summary\" : {\n    \"files\" : \(results.count),\n    \"invalid\" : \(invalid),\n"
        out += "    \"strict\" : \(strict),\n    \"valid\" : \(results.count - invalid)\n  }\n}\n"
        return out
    }

    static func xmlEscape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most C0 controls even as references.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func junit(_ results: [FileValidation], strict: Bool) -> String {
        let failures = results.filter { $0.failed(strict: strict) }.count
        let total = results.reduce(0) { $0 + $1.seconds }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"ferry validate\" tests=\"\(results.count)\" failures=\"\(failures)\" "
            + "time=\"\(String(format: "%.3f", total))\">\n"
        out += "  <testsuite name=\"ferry validate\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" "
            + "time=\"\(String(format: "%.3f", total))\">\n"
        for r in results {
            out += "    <testcase classname=\"\(xmlEscape(r.format ?? "unknown"))\" name=\"\(xmlEscape(r.path))\" "
                + "time=\"\(String(format: "%.3f", r.seconds))\""
            let problems = r.diagnostics.filter { effectiveSeverity($0, strict: strict) == .error }
            if problems.isEmpty {
                out += "/>\n"
                continue
            }
            out += ">\n"
            let first = problems[0]
            out += "      <failure type=\"\(xmlEscape(first.code))\" message=\"\(xmlEscape("\(problems.count) error\(problems.count == 1 ? "" : "s"): \(first.message)"))\">"
            out += xmlEscape(r.diagnostics.map {
                var shown = $0
                shown.severity = effectiveSeverity($0, strict: strict)
                return shown.located(in: r.path).description
            }.joined(separator: "\n"))
            out += "</failure>\n    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    static func sarif(_ results: [FileValidation], strict: Bool) -> String {
        var rules: [String: String] = [:]
        var sarifResults: [[String: Any]] = []
        for r in results {
            for d in r.diagnostics {
                rules[d.code] = rules[d.code] ?? d.message
                var region: [String: Any] = [:]
                if let line = d.line { region["startLine"] = line }
                if let column = d.column { region["startColumn"] = column }
                var physical: [String: Any] = ["artifactLocation": ["uri": d.file ?? r.path]]
                if !region.isEmpty { physical["region"] = region }
                let level: String
                switch effectiveSeverity(d, strict: strict) {
                case .error: level = "error"
                case .warning: level = "warning"
                case .note: level = "note"
                }
                sarifResults.append([
                    "ruleId": d.code, "level": level, "message": ["text": d.message],
                    "locations": [["physicalLocation": physical]],
                ])
            }
        }
        let ruleList: [[String: Any]] = rules.keys.sorted().map { ["id": $0, "shortDescription": ["text": $0]] }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": ["name": "ferry", "informationUri": "https://github.com/ferry/ferry",
                                    "rules": ruleList]],
                "results": sarifResults,
                "artifacts": results.map { ["location": ["uri": $0.path]] },
            ]],
        ]
        return jsonString(log) + "\n"
    }

    /// GitHub workflow commands: `::error file=…,line=…,col=…,title=CODE::message`.
    static func github(_ results: [FileValidation], strict: Bool) -> String {
        func escapeData(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        func escapeProperty(_ s: String) -> String {
            escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
        }
        var out = ""
        for r in results {
            for d in r.diagnostics {
                let command: String
                switch effectiveSeverity(d, strict: strict) {
                case .error: command = "error"
                case .warning: command = "warning"
                case .note: command = "notice"
                }
                var props = ["file=\(escapeProperty(d.file ?? r.path))"]
                if let line = d.line { props.append("line=\(line)") }
                if let column = d.column { props.append("col=\(column)") }
                props.append("title=\(escapeProperty(d.code))")
                out += "::\(command) \(props.joined(separator: ","))::\(escapeData(d.message))\n"
            }
        }
        return out
    }
}

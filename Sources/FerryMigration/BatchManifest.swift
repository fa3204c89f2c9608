import FerryCore
import Foundation

/// One account of a batch: an export in, a converted account out.
public struct BatchJob: Sendable, Equatable {
    /// Unique name in the batch (journal key, log file name).
    public var account: String
    public var input: String
    public var output: String
    /// Per-account conversion options: `to`, `from`, `mail-format`, `contacts-csv`, `csv-format`, `charset`.
    public var options: [String: String]
    /// 0-based position in the manifest (shards take every N-th).
    public var position: Int

    public init(account: String, input: String, output: String, options: [String: String] = [:], position: Int) {
        self.account = account
        self.input = input
        self.output = output
        self.options = options
        self.position = position
    }
}

/// The batch manifest: CSV (`input,output[,account][,options]`, header optional, options as
/// `key=value;key=value`) or JSON lines (`{"input":…,"output":…,"account":…,"options":{…}}`).
/// `#` lines and blank lines are ignored; relative paths are relative to the manifest's directory.
public enum BatchManifest {
    public static let optionKeys: Set<String> = ["to", "from", "mail-format", "contacts-csv", "csv-format", "charset"]

    public static func load(_ path: String) throws -> [BatchJob] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FerryError.io("io.read", "cannot read the batch manifest", file: path)
        }
        let text = String(decoding: data, as: UTF8.self)
        let base = (path as NSString).deletingLastPathComponent
        return try parse(text, name: path, baseDirectory: base.isEmpty ? "." : base)
    }

    public static func parse(_ text: String, name: String, baseDirectory: String) throws -> [BatchJob] {
        var jobs: [BatchJob] = []
        var header: [String]?
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        let firstContent = lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
        let isJSON = firstContent?.trimmingCharacters(in: .whitespaces).hasPrefix("{") ?? false
        for (number, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") { continue }
            var input = "", output = "", account: String?
            var options: [String: String] = [:]
            if isJSON {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
                    throw FerryError.data("batch.json", "not a JSON object", file: name, line: number + 1)
                }
                input = object["input"] as? String ?? ""
                output = object["output"] as? String ?? ""
                account = object["account"] as? String
                if let dict = object["options"] as? [String: Any] {
                    for (k, v) in dict { options[k] = "\(v)" }
                } else if let string = object["options"] as? String {
                    options = try parseOptions(string, name: name, line: number + 1)
                }
                for key in optionKeys { if let v = object[key] as? String { options[key] = v } }
            } else {
                let cells = csvCells(line)
                if header == nil, jobs.isEmpty, cells.first?.lowercased() == "input" {
                    header = cells.map { $0.lowercased() }
                    continue
                }
                let positional = ["input", "output", "account", "options"]
                var columns = header ?? positional
                if columns.count < positional.count { columns += positional[columns.count...] }
                for (i, cell) in cells.enumerated() where i < columns.count {
                    switch columns[i] {
                    case "input": input = cell
                    case "output": output = cell
                    case "account": account = cell.isEmpty ? nil : cell
                    case "options": options.merge(try parseOptions(cell, name: name, line: number + 1)) { $1 }
                    case let key where optionKeys.contains(key): if !cell.isEmpty { options[key] = cell }
                    default: break
                    }
                }
            }
            guard !input.isEmpty, !output.isEmpty else {
                throw FerryError.data("batch.row", "every account needs an input and an output", file: name, line: number + 1)
            }
            for key in options.keys where !optionKeys.contains(key) {
                throw FerryError.data("batch.option", "unknown option '\(key)' (known: "
                                      + optionKeys.sorted().joined(separator: ", ") + ")", file: name, line: number + 1)
            }
            let resolvedInput = resolve(input, base: baseDirectory)
            let resolvedOutput = resolve(output, base: baseDirectory)
            let accountName = account ?? defaultAccountName(input)
            jobs.append(BatchJob(account: accountName, input: resolvedInput, output: resolvedOutput, options: options,
                                 position: jobs.count))
        }
        var seen: [String: Int] = [:]
        var outputs: [String: String] = [:]
        for job in jobs {
            if let other = seen[job.account] {
                throw FerryError.data("batch.duplicate", "account '\(job.account)' is listed twice (rows \(other + 1) and "
                                      + "\(job.position + 1)); name accounts uniquely", file: name)
            }
            seen[job.account] = job.position
            let key = job.output.hasSuffix("/") ? String(job.output.dropLast()) : job.output
            if let other = outputs[key] {
                throw FerryError.data("batch.duplicate-output", "accounts '\(other)' and '\(job.account)' write the same "
                                      + "output \(job.output)", file: name)
            }
            outputs[key] = job.account
        }
        return jobs
    }

    static func resolve(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? path : (base == "." ? path : base + "/" + path)
    }

    /// `alice.tgz` → `alice`, `exports/bob.tar.gz` → `bob`.
    static func defaultAccountName(_ input: String) -> String {
        var name = (input.hasSuffix("/") ? String(input.dropLast()) : input)
        name = (name as NSString).lastPathComponent
        for ext in [".tar.gz", ".tgz", ".zip", ".tar", ".mbox"] where name.lowercased().hasSuffix(ext) {
            name.removeLast(ext.count)
            break
        }
        return name
    }

    static func parseOptions(_ text: String, name: String, line: Int) throws -> [String: String] {
        var options: [String: String] = [:]
        for part in text.split(whereSeparator: { $0 == ";" || $0 == " " }) where !part.isEmpty {
            guard let eq = part.firstIndex(of: "=") else {
                throw FerryError.data("batch.option", "option '\(part)' is not key=value", file: name, line: line)
            }
            var key = String(part[..<eq])
            if key.hasPrefix("--") { key.removeFirst(2) }
            options[key] = String(part[part.index(after: eq)...])
        }
        return options
    }

    /// One CSV record's cells (RFC 4180 quoting; a record is one line here).
    static func csvCells(_ line: String) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var chars = Array(line)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count, chars[i + 1] == "\"" { cell.append("\""); i += 1 } else { quoted = false }
                } else {
                    cell.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                cells.append(cell.trimmingCharacters(in: .whitespaces))
                cell = ""
            } else {
                cell.append(c)
            }
            i += 1
        }
        cells.append(cell.trimmingCharacters(in: .whitespaces))
        return cells
    }
}

import FerryCore
import FerryPipeline
import Foundation

/// `account`: a whole account as a folder tree of standard formats (see `AccountLayout`). Reading
/// one assembles it back into items (`ferry convert account/ -o export.tgz`); writing one explodes
/// an export (`ferry convert export.tgz -o account/`).
public struct AccountFormat: Format {
    public let profile: AccountWriter.Profile

    public init(_ profile: AccountWriter.Profile = .account) {
        self.profile = profile
    }

    public var name: String { profile.rawValue }
    public var summary: String {
        switch profile {
        case .account: return "account folder tree: Maildir++ (or mbox) mail, .vcf, .ics, files, manifest.json"
        case .ox: return "Open-Xchange import set: .eml messages, .vcf + Outlook CSV, .ics, files, manifest.json"
        }
    }
    public var extensions: [String] { [] }
    public var kinds: [ItemKind] { [.message, .contact, .calendar, .task, .document, .folder, .tag] }
    public var writesDirectory: Bool { true }
    public var canRead: Bool { profile == .account }

    /// A directory with a Ferry manifest, or with the tree's areas (mail/, contacts/, calendars/, files/).
    public func bid(prefix: [UInt8], name: String?) -> Int {
        guard profile == .account, let name, name.hasSuffix("/") else { return 0 }
        let root = String(name.dropLast())
        if FileManager.default.fileExists(atPath: root + "/" + AccountLayout.manifest) { return 95 }
        if isDirectory(root + "/cur") { return 0 }
        // Without a manifest: only the tree's areas at the top (a folder of .eml files whose folders
        // happen to be called "mail" stays an emldir).
        let areas: Set<String> = [AccountLayout.mail, AccountLayout.contacts, AccountLayout.calendars, AccountLayout.files,
                                  AccountLayout.unconverted]
        guard let entries = DirectoryListing.names(root) else { return 0 }
        let visible = entries.filter { !$0.hasPrefix(".") }
        guard !visible.isEmpty, visible.allSatisfy({ areas.contains($0) && isDirectory(root + "/" + $0) }) else { return 0 }
        return 65
    }

    public func makeReader(_ input: FormatInput, options: ReadOptions, log: DiagnosticLog) throws -> any ItemReader {
        guard case .directory(let path) = input else {
            throw FerryError.usage("format.not-directory", "an account input must be a directory")
        }
        return try AccountReader(directory: path, options: options, log: log, registry: .standard)
    }

    public func makeWriter(_ output: FormatOutput, options: WriteOptions, log: DiagnosticLog) throws -> any ItemWriter {
        guard case .directory(let path) = output else {
            throw FerryError.usage("format.not-directory", "an \(name) output must be a directory (-o DIR/)")
        }
        return try AccountWriter(directory: path, profile: profile, options: options, log: log, registry: .standard)
    }
}

extension FormatRegistry {
    /// The standard formats plus whole accounts (`account`, `ox`).
    public static var migration: FormatRegistry {
        FormatRegistry(FormatRegistry.standard.formats + [AccountFormat(.account), AccountFormat(.ox)])
    }
}

/// When `ferry convert` explodes an export without being told: the output is a directory that is not
/// recognisably a Maildir, and an input's format holds more than one kind of content (a Zimbra tgz
/// holds mail, contacts, calendars and files; a Maildir only mail).
public enum AccountRouting {
    /// Content families: an input explodes when it holds more than one (events and to-dos are one family,
    /// so an `.ics` written to `dir/` stays a calendar, split one file per event by `ics-files`).
    static func family(_ kind: ItemKind) -> Int? {
        switch kind {
        case .message: return 0
        case .contact: return 1
        case .calendar, .task: return 2
        case .document: return 3
        default: return nil
        }
    }

    public static func explodes(inputs: [String], output: String?, from: String?, registry: FormatRegistry) -> Bool {
        guard let output, output != "-" else { return false }
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: output, isDirectory: &isDir)
        guard output.hasSuffix("/") || (exists && isDir.boolValue) else { return false }
        // An existing or Maildir-named target stays a Maildir.
        let name = output.hasSuffix("/") ? output : output + "/"
        let mailBid = registry.formats.filter { $0.writesDirectory && !($0 is AccountFormat) }
            .map { $0.bid(prefix: [], name: name) }.max() ?? 0
        guard mailBid < 60 else { return false }
        let converter = Converter(registry: registry, log: DiagnosticLog())
        for input in inputs where input != "-" {
            guard let opened = try? converter.openInput(input, declared: from) else { continue }
            if Set(opened.format.kinds.compactMap(family)).count > 1, !(opened.format is AccountFormat) {
                return true
            }
        }
        return false
    }
}

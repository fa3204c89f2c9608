import FerryArchive
import FerryContacts
import FerryCore
import FerryMigration
import FerryPipeline
import FerryTestSupport
import Foundation
import Testing

/// Explode a whole Zimbra account into the tree and assemble it back: every item equal.
@Suite struct AccountTreeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let export = root.appendingPathComponent("Fixtures/migration/account-export.tgz").path

    static func temporaryDirectory() throws -> String {
        try TestDirectory.makePath("ferry-migration")
    }

    static func convert(_ inputs: [String], to output: String, format: String? = nil,
                        options: [String: String] = [:]) throws -> ConversionSummary {
        var request = ConversionRequest(inputs: inputs, output: output, from: nil, to: format)
        request.writeOptions.formatOptions = options
        return try Converter(registry: .migration, log: DiagnosticLog(), progress: .never).run(request)
    }

    static func items(_ path: String) throws -> [Item] {
        let converter = Converter(registry: .migration, log: DiagnosticLog(), progress: .never)
        let opened = try converter.openInput(path, declared: nil)
        let reader = try opened.format.makeReader(opened.input, options: ReadOptions(), log: DiagnosticLog())
        var items: [Item] = []
        while let item = try reader.next() { items.append(item) }
        return items
    }

    /// What must survive: kind, folder, flags, tags, id, and the content (message and document bytes,
    /// contact fields, calendar objects or blobs).
    static func signature(_ item: Item) -> String {
        var content = ""
        if let contact = item.payload as? Contact {
            content = contact.fields.map { "\($0.name)=\($0.value)" }.sorted().joined(separator: "|")
                + " tags=" + contact.tags.joined(separator: ",")
        } else if let bytes = item.payload.originalBytes {
            content = SHA256.hex(SHA256.hash(bytes))
        } else {
            content = (item.payload.jsonObject()["name"] as? String) ?? ""
        }
        let m = item.metadata
        return [item.kind.rawValue, m.folder ?? "-", m.flags.sorted().joined(separator: ","),
                m.tags.joined(separator: ","), m.id ?? "-", content].joined(separator: " ¦ ")
    }

    static func assertRoundTrip(options: [String: String], format: String? = nil) throws -> (tree: String, summary: ConversionSummary) {
        let dir = try temporaryDirectory()
        let tree = dir + "/account"
        let exploded = try convert([export], to: tree + "/", format: format ?? "account", options: options)
        let back = dir + "/back.tgz"
        let assembled = try convert([tree], to: back)
        #expect(assembled.totalSkipped == 0)
        let original = try items(export).map(signature).sorted()
        let again = try items(back).map(signature).sorted()
        #expect(original == again)
        #expect(original.count == 29)   // 12 folders, 2 tags, 7 messages, 3 contacts, 2 appointments, 1 task, 2 documents
        return (tree, exploded)
    }

    @Test func explodesEveryItemTypeIntoTheTree() throws {
        let (tree, summary) = try Self.assertRoundTrip(options: [:])
        let fm = FileManager.default
        // Mail as Maildir++ (folders, empty ones too), address books as vCard, Briefcase files.
        #expect(fm.fileExists(atPath: tree + "/mail/cur"))
        #expect(fm.fileExists(atPath: tree + "/mail/.Inbox.Projects/cur"))
        #expect(fm.fileExists(atPath: tree + "/mail/.Inbox.Empty/maildirfolder"))
        #expect(!fm.fileExists(atPath: tree + "/mail/.Contacts"))
        let work = try String(contentsOfFile: tree + "/contacts/Work Contacts.vcf", encoding: .utf8)
        #expect(work.components(separatedBy: "BEGIN:VCARD").count - 1 == 2)
        #expect(work.contains("EMAIL;TYPE=internet:drake@example.org"))
        #expect(work.contains("CATEGORIES:later"))
        #expect(fm.contents(atPath: tree + "/files/Briefcase/Specs/diagram.png")?.count == 8 + 768)
        // Tags as Dovecot keywords, flags as Maildir letters.
        let keywords = try String(contentsOfFile: tree + "/mail/.Inbox.Projects/dovecot-keywords", encoding: .utf8)
        #expect(keywords == "0 important\n1 later\n")
        let projects = try fm.contentsOfDirectory(atPath: tree + "/mail/.Inbox.Projects/cur")
        #expect(projects.count == 1 && projects[0].hasSuffix(":2,PSab"))
        // Appointments and tasks come out as iCalendar: nothing is skipped.
        #expect(summary.skipped.isEmpty)
        #expect(!fm.fileExists(atPath: tree + "/unconverted"))
        #expect(try String(contentsOfFile: tree + "/calendars/Tasks.ics", encoding: .utf8).contains("BEGIN:VTODO"))
        // The manifest lists every item with source and destination.
        let manifest = try AccountManifest.load(tree + "/manifest.json")
        #expect(manifest.entries.count == 29)
        for entry in manifest.entries where entry.kind != "folder" && entry.kind != "tag" {
            #expect(entry.source?.hasPrefix(Self.export + ":") == true)
            #expect(entry.destination != nil)
        }
        let skippedEntries = manifest.entries.filter { $0.status == "skipped" }
        #expect(skippedEntries.count == summary.totalSkipped)
        #expect(skippedEntries.allSatisfy { $0.reason?.isEmpty == false })
    }

    @Test func mboxAndContactCSVVariantRoundTrips() throws {
        let (tree, _) = try Self.assertRoundTrip(options: ["mail-format": "mbox", "contacts-csv": "thunderbird-csv"])
        let inbox = try String(contentsOfFile: tree + "/mail/Inbox.mbox", encoding: .utf8)
        let separators = (inbox as NSString).components(separatedBy: "\nFrom ").count - 1 + (inbox.hasPrefix("From ") ? 1 : 0)
        #expect(separators == 4)
        let csv = try String(contentsOfFile: tree + "/contacts/Work Contacts.csv", encoding: .utf8)
        #expect(csv.contains("joey@example.org"))
    }

    @Test func openXchangeImportSetRoundTrips() throws {
        let (tree, _) = try Self.assertRoundTrip(options: [:], format: "ox")
        let fm = FileManager.default
        #expect(try fm.contentsOfDirectory(atPath: tree + "/mail/Inbox").filter { $0.hasSuffix(".eml") }.count == 4)
        #expect(fm.fileExists(atPath: tree + "/contacts/Contacts.csv"))   // Outlook CSV for OX's OUTLOOK_CSV import
        #expect(fm.fileExists(atPath: tree + "/contacts/Contacts.vcf"))
    }

    @Test func editedTreeAssemblesWithTheEdits() throws {
        let dir = try Self.temporaryDirectory()
        let tree = dir + "/account"
        _ = try Self.convert([Self.export], to: tree + "/", format: "account")
        let fm = FileManager.default
        // Flag the unread message in the Inbox (a mail client marked it read and flagged), delete the
        // newsletter, add a contact at the end of an address book.
        let inbox = tree + "/mail/cur"
        let names = try fm.contentsOfDirectory(atPath: inbox)
        let unread = try #require(names.first { $0.hasPrefix("1700000100.") })
        let newsletter = try #require(names.first { $0.hasPrefix("1700000700.") })
        try fm.moveItem(atPath: inbox + "/" + unread, toPath: inbox + "/" + unread.replacingOccurrences(of: ":2,", with: ":2,FS"))
        try fm.removeItem(atPath: inbox + "/" + newsletter)
        let book = tree + "/contacts/Contacts.vcf"
        let added = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Janice Hosenstein\r\nEMAIL:janice@example.org\r\nEND:VCARD\r\n"
        try Data((try String(contentsOfFile: book, encoding: .utf8) + added).utf8).write(to: URL(fileURLWithPath: book))
        let back = dir + "/back.tgz"
        _ = try Self.convert([tree], to: back)
        let items = try Self.items(back)
        let messages = items.filter { $0.kind == .message }
        #expect(messages.count == 6)
        let rachel = try #require(messages.first { $0.metadata.id == "257" })
        #expect(rachel.metadata.flags == [MailFlag.flagged])
        #expect(!messages.contains { $0.metadata.id == "263" })
        let contacts = items.compactMap { $0.payload as? Contact }
        #expect(contacts.count == 4)
        #expect(contacts.contains { $0["email"] == "janice@example.org" })
        // The untouched items keep their ids.
        #expect(Set(items.filter { $0.kind == .contact }.compactMap(\.metadata.id)).isSuperset(of: ["400", "401", "402"]))
    }

    @Test func treeWithoutManifestAssembles() throws {
        let dir = try Self.temporaryDirectory()
        let tree = dir + "/loose"
        let fm = FileManager.default
        // A Maildir from the mailbox fixtures, a vCard address book, a calendar, a file.
        try fm.copyItem(atPath: Self.root.appendingPathComponent("Fixtures/archives/maildir").path, toPath: tree + "/mail")
        try fm.createDirectory(atPath: tree + "/contacts", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.root.appendingPathComponent("Fixtures/contacts/apple-3.0.vcf").path,
                        toPath: tree + "/contacts/Friends.vcf")
        try fm.createDirectory(atPath: tree + "/calendars", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Self.root.appendingPathComponent("Fixtures/calendar/zimbra.ics").path,
                        toPath: tree + "/calendars/Work.ics")
        try fm.createDirectory(atPath: tree + "/files/Briefcase", withIntermediateDirectories: true)
        try Data("notes\n".utf8).write(to: URL(fileURLWithPath: tree + "/files/Briefcase/notes.txt"))
        let input = try Self.items(tree)
        let mailOnly = try Self.items(tree + "/mail")
        #expect(input.filter { $0.kind == .message }.count == mailOnly.filter { $0.kind == .message }.count)
        #expect(input.filter { $0.kind == .contact }.allSatisfy { $0.metadata.folder == "Friends" })
        #expect(input.contains { $0.kind == .calendar && $0.metadata.folder == "Work" })
        #expect(input.contains { $0.kind == .document && $0.metadata.folder == "Briefcase" })
        let out = dir + "/out.tgz"
        let summary = try Self.convert([tree], to: out)
        let back = try Self.items(out)
        #expect(back.filter { $0.kind == .message }.count == mailOnly.filter { $0.kind == .message }.count)
        #expect(back.filter { $0.kind == .contact }.count == input.filter { $0.kind == .contact }.count)
        #expect(back.filter { $0.kind == .document }.count == 1)
        // The calendar's events and task become Zimbra calendar items (the task in a list of its own:
        // a Zimbra folder holds one kind), nothing skipped.
        #expect(back.filter { $0.kind == .calendar }.count == 2)
        #expect(back.filter { $0.kind == .calendar }.allSatisfy { $0.metadata.folder == "Work" })
        #expect(back.filter { $0.kind == .task }.map(\.metadata.folder) == ["Work Tasks"])
        #expect(summary.totalSkipped == 0)
    }

    @Test func hostileFolderNamesStayInsideTheTree() throws {
        let dir = try Self.temporaryDirectory()
        let tree = dir + "/inner/account"
        let writer = try AccountWriter(directory: tree, profile: .account, options: WriteOptions(), log: DiagnosticLog())
        var doc = Item(BlobPayload(kind: .document, name: "../../escape.txt", bytes: Array("x".utf8)))
        doc.metadata.folder = "../../.."
        #expect(try writer.write(doc) == .written)
        var contact = Item(Contact([("firstName", "Eve"), ("email", "eve@example.org")]))
        contact.metadata.folder = "../../evil"
        #expect(try writer.write(contact) == .written)
        try writer.finish()
        let everything = FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []
        #expect(everything.allSatisfy { $0.hasPrefix("inner") })
        #expect(!FileManager.default.fileExists(atPath: dir + "/escape.txt"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/inner/.account.ferry-partial"))
    }

    @Test func refusesANonEmptyOutputDirectory() throws {
        let dir = try Self.temporaryDirectory()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/precious.txt"))
        #expect(throws: FerryError.self) {
            _ = try AccountWriter(directory: dir, profile: .account, options: WriteOptions(), log: DiagnosticLog())
        }
        #expect(FileManager.default.fileExists(atPath: dir + "/precious.txt"))
    }

    @Test func accountTreesAreRecognisedWithoutTakingOtherFolders() throws {
        let dir = try Self.temporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/tree/mail/cur", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/tree/contacts", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/emls/mail", withIntermediateDirectories: true)
        try Data("Subject: x\r\n\r\nx\r\n".utf8).write(to: URL(fileURLWithPath: dir + "/emls/1.eml"))
        let format = AccountFormat()
        #expect(format.bid(prefix: [], name: dir + "/tree/") == 65)
        #expect(format.bid(prefix: [], name: dir + "/emls/") == 0)
        #expect(format.bid(prefix: [], name: dir + "/tree/mail/") == 0)
        #expect(FormatRegistry.migration.sniff(prefix: [], name: dir + "/emls/")?.format.name == "emldir")
    }

    @Test func routingExplodesOnlyMultiTypeInputsIntoPlainDirectories() throws {
        let registry = FormatRegistry.migration
        let mbox = Self.root.appendingPathComponent("Fixtures/archives/thunderbird.mbox").path
        #expect(AccountRouting.explodes(inputs: [Self.export], output: "/tmp/x/account/", from: nil, registry: registry))
        #expect(!AccountRouting.explodes(inputs: [Self.export], output: "/tmp/x/Maildir/", from: nil, registry: registry))
        #expect(!AccountRouting.explodes(inputs: [Self.export], output: "/tmp/x/out.mbox", from: nil, registry: registry))
        #expect(!AccountRouting.explodes(inputs: [mbox], output: "/tmp/x/account/", from: nil, registry: registry))
    }
}

import FerryArchive
import FerryCore
import Foundation
import Testing

/// The folder `_` is the Maildir++ directory `._`, a name FileManager's directory listing on Linux
/// leaves out: Maildir directories are listed with readdir.
@Suite struct MaildirListingTests {
    func message(_ subject: String, folder: String) -> Item {
        Item(RawMessage(Array("Subject: \(subject)\n\nbody\n".utf8)), metadata: ItemMetadata(folder: folder))
    }

    @Test func folderNamedUnderscoreIsReadBack() throws {
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/Maildir"
        let writer = try MaildirWriter(directory: target, log: DiagnosticLog())
        for (subject, folder) in [("one", "Inbox"), ("two", "_"), ("three", "_/Sub"), ("four", "Sent")] {
            #expect(try writer.write(message(subject, folder: folder)) == .written)
        }
        try writer.finish()
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: target + "/._/cur", isDirectory: &isDirectory) && isDirectory.boolValue)

        let items = try readAll(MaildirReader(directory: target, log: DiagnosticLog()))
        let read = messages(items).map { "\(subject($0) ?? "") in \($0.metadata.folder ?? "")" }.sorted()
        #expect(read == ["four in Sent", "one in Inbox", "three in _/Sub", "two in _"])
    }

    /// A Maildir written to a new target is staged in a hidden sibling; a run that does not finish
    /// removes the staged tree, the folder `._` included.
    @Test func unfinishedStagedMaildirLeavesNothingBehind() throws {
        let dir = try Paths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let writer = try MaildirWriter(directory: dir + "/Maildir", log: DiagnosticLog())
            for (subject, folder) in [("one", "Inbox"), ("two", "_"), ("three", "Sent")] {
                #expect(try writer.write(message(subject, folder: folder)) == .written)
            }
            let staged = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(staged.count == 1 && staged.first?.hasPrefix(".Maildir.ferry-") == true)
            #expect(FileManager.default.fileExists(atPath: dir + "/" + (staged.first ?? "") + "/._/cur"))
            withExtendedLifetime(writer) {}
        }
        // subpaths, unlike contentsOfDirectory, shows a `._`.
        #expect(try FileManager.default.subpathsOfDirectory(atPath: dir) == [])
    }
}

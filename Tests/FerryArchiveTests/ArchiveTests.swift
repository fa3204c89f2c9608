import FerryArchive
import FerryCalendar
import FerryContacts
import FerryCore
import Foundation
import Testing

@Suite struct ZimbraArchiveReadingTests {
    func readExport() throws -> [Item] {
        let source = try FileSource(path: Paths.fixture("zimbra-export.tgz"))
        return try readAll(ZimbraArchiveReader(source: source, options: ReadOptions(), log: DiagnosticLog()))
    }

    @Test func itemsFoldersFlagsTagsDates() throws {
        let items = try readExport()
        #expect(items.filter { $0.kind == .folder }.map { $0.metadata.folder } == ["Inbox", "Sent", "Inbox/Projects"])
        #expect(items.filter { $0.kind == .tag }.count == 1)
        let mail = messages(items)
        #expect(mail.count == 5)
        #expect(mail[0].metadata.flags == [MailFlag.unread])
        #expect(mail[1].metadata.flags == [MailFlag.replied, MailFlag.flagged])
        #expect(mail[1].metadata.tags == ["important"])
        #expect(mail[2].metadata.folder == "Inbox/Projects")
        #expect(mail[2].metadata.date == Date(timeIntervalSince1970: 1_700_000_300))
        #expect(mail[3].metadata.id == "260")
        #expect(subject(mail[3])?.hasPrefix("Très long sujet") == true)
        // The message bytes are the data entry exactly (the last one ends without a line break).
        #expect(text(mail[4]).hasSuffix("\r\n\r\nThis body ends without a line break"))
    }

    @Test func contactFieldsComeFromTheBencodedMeta() throws {
        let contacts = try readExport().filter { $0.kind == .contact }
        #expect(contacts.count == 1)
        let contact = try #require(contacts[0].payload as? Contact)
        #expect(contact["firstName"] == "Chandler")
        #expect(contact["company"] == "Transponsters 📡 Inc.")   // the UTF-16 length of 📡 is 2
        #expect(contact["notes"] == "Could he BE any more…")
        #expect(contact.tags == ["important"])
    }

    @Test func appointmentAndDocumentKeepTheirBlobs() throws {
        let items = try readExport()
        let appointment = try #require(items.first { $0.kind == .calendar })
        // The .appt blob (multipart/digest of invites) becomes the VEVENT; the blob stays in the metadata.
        let event = try #require(appointment.payload as? CalendarObject)
        #expect(event.component.name == "VEVENT")
        #expect(event.component.property("SUMMARY")?.textValue == "Standup")
        #expect(event.component.property("RRULE") != nil)
        let blob = try #require(appointment.metadata.extra["zimbra.blob"].flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: blob, as: UTF8.self).contains("multipart/digest"))
        #expect(appointment.metadata.folder == "Calendar")
        let document = try #require(items.first { $0.kind == .document })
        #expect(text(document) == "Quarterly report\nAll good.\n")
    }

    @Test func tgzToTgzKeepsEveryEntryByteForByte() throws {
        let dir = try Paths.temporaryDirectory()
        let out = dir + "/copy.tgz"
        let sink = try AtomicFileSink(path: out)
        let writer = try ZimbraArchiveWriter(sink: sink, container: .tgz, options: WriteOptions(), log: DiagnosticLog())
        for item in try readExport() { #expect(try writer.write(item) == .written) }
        try writer.finish()
        try sink.finish()
        let script = """
            import tarfile, sys
            def entries(p):
                t = tarfile.open(p)
                return [(m.name, m.mode, m.gname, m.devmajor, m.mtime, t.extractfile(m).read()) for m in t]
            a, b = entries(sys.argv[1]), entries(sys.argv[2])
            print("same" if a == b else "differ", len(a))
            for x, y in zip(a, b):
                if x != y: print(x[:5], y[:5])
            """
        guard let result = try runPython(script, [Paths.fixture("zimbra-export.tgz"), out]) else { return }
        #expect(result.output.hasPrefix("same 19"), "\(result.output)")
    }
}

@Suite struct ArchiveWriterTests {
    func sampleItems() -> [Item] {
        var items: [Item] = []
        for i in 0..<3 {
            var metadata = ItemMetadata(folder: i == 2 ? "Inbox/Work" : "Inbox", flags: i == 0 ? [MailFlag.unread] : [MailFlag.flagged],
                                        tags: i == 1 ? ["a:b", "plain"] : [], date: Date(timeIntervalSince1970: 1_700_000_000 + Double(i)))
            metadata.id = nil
            let subject = i == 2 ? String(repeating: "Long subject ", count: 12) : "Message \(i)"
            let bytes = Array("From: x@example.org\r\nSubject: \(subject)\r\n\r\nbody \(i)\r\n".utf8)
            items.append(Item(RawMessage(bytes), metadata: metadata))
        }
        return items
    }

    func write(_ container: ZimbraArchiveWriter.Container, to path: String) throws {
        let sink = try AtomicFileSink(path: path)
        let writer = try ZimbraArchiveWriter(sink: sink, container: container, options: WriteOptions(), log: DiagnosticLog())
        for item in sampleItems() { _ = try writer.write(item) }
        try writer.finish()
        try sink.finish()
    }

    @Test func tarCarriesZimbraMarks() throws {
        let dir = try Paths.temporaryDirectory()
        try write(.tar, to: dir + "/out.tar")
        let script = """
            import tarfile, sys, json
            t = tarfile.open(sys.argv[1])
            for m in t:
                meta = json.loads(t.extractfile(m).read()) if m.name.endswith('.meta') else None
                print(m.name, oct(m.mode), m.gname, m.devmajor, m.mtime, meta and meta['Path'], meta and meta['FlagStr'], meta and meta['Ver'], meta and meta.get('TagNames'))
            """
        guard let result = try runPython(script, [dir + "/out.tar"]) else { return }
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(result.output)")
        #expect(lines[0] == "Inbox/0000000257-Message 0.eml.meta 0o100444 message 5 1700000000 /Inbox u 10 None")
        #expect(lines[1] == "Inbox/0000000257-Message 0.eml 0o100644 message 5 1700000000 None None None None")
        #expect(lines[2].hasSuffix("/Inbox f 10 a\\:b:plain"))
        // A name of 100 bytes or more travels in a GNU long-name entry.
        #expect(lines[4].hasPrefix("Inbox/Work/0000000259-Long subject Long subject"))
        #expect(lines[4].count > 120)
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/out.tar")[.size] as! Int
        #expect(size % 10_240 == 0)
        if let bsdtar = try runTool("/usr/bin/bsdtar", ["-tf", dir + "/out.tar"]) {
            #expect(bsdtar.status == 0)
            #expect(bsdtar.output.split(separator: "\n").count == 6)
        }
    }

    @Test func zipCarriesCommentsModesAndPassesUnzip() throws {
        let dir = try Paths.temporaryDirectory()
        try write(.zip, to: dir + "/out.zip")
        let script = """
            import zipfile, sys
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            for i in z.infolist():
                print(i.filename, i.comment.decode(), oct(i.external_attr >> 16), i.flag_bits & 0x800 != 0)
            """
        if let result = try runPython(script, [dir + "/out.zip"]) {
            let lines = result.output.split(separator: "\n").map(String.init)
            #expect(lines.count == 6, "\(result.output)")
            #expect(lines[0] == "Inbox/0000000257-Message 0.eml.meta message-unread 0o100640 True")
            #expect(lines[1] == "Inbox/0000000257-Message 0.eml message 0o100660 True")
            #expect(lines[2].hasSuffix(".meta message 0o100660 True"))
        }
        if let unzip = try runTool("/usr/bin/unzip", ["-t", dir + "/out.zip"]) {
            #expect(unzip.status == 0)
            #expect(unzip.output.contains("No errors detected"))
        }
        // And Ferry reads its own zip back with the same metadata.
        let back = try readAll(ZimbraArchiveReader(source: try FileSource(path: dir + "/out.zip"), options: ReadOptions(),
                                                   log: DiagnosticLog()))
        #expect(back.map(\.metadata.flags) == sampleItems().map(\.metadata.flags))
        #expect(back.map(\.metadata.tags) == sampleItems().map(\.metadata.tags))
        #expect(back.map { $0.payload.originalBytes! } == sampleItems().map { $0.payload.originalBytes! })
    }

    @Test func zip64RecordsPastTheEntryLimit() throws {
        // 70,000 tiny entries need the Zip64 end records (more than 65,535 entries).
        let dir = try Paths.temporaryDirectory()
        let sink = try AtomicFileSink(path: dir + "/many.zip")
        let zip = ZipWriter(sink: sink, level: 1)
        for i in 0..<70_000 {
            var h = ArchiveEntryHeader(name: "e\(i).txt", size: 1, modificationTime: 1_700_000_000)
            h.comment = "c"
            try zip.add(h) { try $0.write([UInt8(i & 0x7f)]) }
        }
        try zip.close()
        try sink.finish()
        if let result = try runPython("import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), z.read('e69999.txt'))",
                                      [dir + "/many.zip"]) {
            #expect(result.output.hasPrefix("70000 b'o'"), "\(result.output)")
        }
        var count = 0
        let reader = try ArchiveReader(source: try FileSource(path: dir + "/many.zip"), log: DiagnosticLog())
        while try reader.nextEntry() != nil { count += 1 }
        #expect(count == 70_000)
    }
}

@Suite struct HostileArchiveTests {
    /// Builds a tar with Python's tarfile holding every kind of hostile entry next to a good one.
    func hostileTar() throws -> String? {
        let dir = try Paths.temporaryDirectory()
        let path = dir + "/hostile.tar"
        let script = """
            import tarfile, io, sys
            t = tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT)
            def add(name, data=b'', **kw):
                i = tarfile.TarInfo(name); i.size = len(data)
                for k, v in kw.items(): setattr(i, k, v)
                t.addfile(i, io.BytesIO(data) if data else None)
            msg = b'From: a@example.org\\r\\nSubject: good\\r\\n\\r\\nok\\r\\n'
            add('../../etc/evil.eml', msg)
            add('/etc/passwd.eml', msg)
            add('Inbox/../../escape.eml', msg)
            add('Inbox/link.eml', type=tarfile.SYMTYPE, linkname='/etc/passwd')
            add('Inbox/inner-link.eml', type=tarfile.SYMTYPE, linkname='../../outside')
            add('Inbox/hard.eml', type=tarfile.LNKTYPE, linkname='../../../etc/shadow')
            add('dev/sda', type=tarfile.BLKTYPE, devmajor=8, devminor=0)
            add('fifo', type=tarfile.FIFOTYPE)
            add('Inbox/', type=tarfile.DIRTYPE)
            add('Inbox/./good.eml', msg)
            t.close()
            """
        guard let result = try runPython(script, [path]), result.status == 0 else { return nil }
        return path
    }

    @Test func hostileEntriesAreRefusedWithAWarningEach() throws {
        guard let path = try hostileTar() else { return }
        let log = DiagnosticLog()
        let items = try readAll(ZimbraArchiveReader(source: try FileSource(path: path), options: ReadOptions(), log: log))
        #expect(items.count == 1)
        #expect(items[0].metadata.folder == "Inbox")
        let codes = log.diagnostics.map(\.code)
        #expect(codes.filter { $0 == "archive.path-traversal" }.count == 2)
        #expect(codes.contains("archive.absolute-path"))
        #expect(codes.filter { $0 == "archive.link-outside" }.count == 3)
        #expect(codes.filter { $0 == "archive.special-file" }.count == 2)
        #expect(log.diagnostics.allSatisfy { $0.severity == .warning && $0.file?.contains("hostile.tar:") == true })
    }

    @Test func folderNamesNeverEscapeADirectoryOutput() throws {
        let dir = try Paths.temporaryDirectory()
        let target = dir + "/out"
        let bytes = Array("Subject: x\n\nbody\n".utf8)
        let evil = ["../../escaped", "/abs/olute", "a/../../b", ".", "..", "Inbox/.."]
        let maildir = try MaildirWriter(directory: target + "-maildir", log: DiagnosticLog())
        let emls = try EmlFolderWriter(directory: target + "-eml")
        for folder in evil {
            let item = Item(RawMessage(bytes), metadata: ItemMetadata(folder: folder))
            #expect(try maildir.write(item) == .written)
            #expect(try emls.write(item) == .written)
        }
        try maildir.finish()
        // Nothing appeared next to the targets.
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(siblings == ["out-eml", "out-maildir"])
        let everything = FileManager.default.enumerator(atPath: target + "-eml")!.allObjects as! [String]
        #expect(everything.allSatisfy { !$0.contains("..") })
    }
}

/// Zimbra's calendar item blobs (`.appt`/`.task`): every invite's VEVENT/VTODO, decoded from its
/// transfer encoding and charset, without the iTIP METHOD.
@Suite struct ZimbraCalendarBlobTests {
    static func invite(_ ics: String, encoding: String? = nil, charset: String = "utf-8") -> String {
        var body = ics
        var cte = ""
        if encoding == "base64" {
            body = Data(ics.data(using: charset == "utf-8" ? .utf8 : .isoLatin1)!).base64EncodedString(options: .lineLength76Characters)
                + "\r\n"
            cte = "Content-Transfer-Encoding: base64\r\n"
        }
        return "Subject: invite\r\nContent-Type: text/calendar; method=REQUEST; charset=\(charset)\r\n\(cte)\r\n\(body)"
    }

    static func digest(_ invites: [String]) -> [UInt8] {
        var out = "Content-Type: multipart/digest; boundary=\"----=_Part_7\"\r\n\r\n"
        for (i, invite) in invites.enumerated() {
            out += "------=_Part_7\r\ninvId: \(311 + i)\r\nContent-Type: message/rfc822\r\n\r\n\(invite)\r\n"
        }
        return Array((out + "------=_Part_7--\r\n").utf8)
    }

    @Test func seriesAndExceptionBecomeTwoEvents() throws {
        let series = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:u1\r\nSUMMARY:Weekly\r\n"
            + "DTSTART:20240108T090000Z\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let exception = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
            + "RECURRENCE-ID:20240115T090000Z\r\nSUMMARY:Weekly (moved)\r\nDTSTART:20240115T100000Z\r\nEND:VEVENT\r\n"
            + "END:VCALENDAR\r\n"
        let objects = ZimbraCalendarBlob.objects(Self.digest([Self.invite(series), Self.invite(exception, encoding: "base64")]),
                                                 name: "x.appt", log: DiagnosticLog())
        #expect(objects.count == 2)
        #expect(objects.map { $0.component.property("SUMMARY")?.textValue } == ["Weekly", "Weekly (moved)"])
        #expect(objects[1].component.property("RECURRENCE-ID") != nil)
        #expect(objects.allSatisfy { $0.calendar.method == nil && $0.kind == .calendar })
    }

    @Test func taskInLatin1BecomesAVTODO() throws {
        let task = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nUID:t1\r\nSUMMARY:Réunion à préparer\r\n"
            + "STATUS:NEEDS-ACTION\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
        let objects = ZimbraCalendarBlob.objects(Self.digest([Self.invite(task, encoding: "base64", charset: "iso-8859-1")]),
                                                 name: "x.task", log: DiagnosticLog())
        #expect(objects.count == 1)
        #expect(objects.first?.kind == .task)
        #expect(objects.first?.component.property("SUMMARY")?.textValue == "Réunion à préparer")
    }

    @Test func aMissingDTSTAMPComesFromTheItemDateAndAStampIsKept() throws {
        let withStamp = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:a\r\n"
            + "DTSTAMP:20200101T000000Z\r\nDTSTART:20240108T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let without = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:b\r\n"
            + "DTSTART:20240108T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        let log = DiagnosticLog()
        let objects = ZimbraCalendarBlob.objects(Self.digest([Self.invite(withStamp), Self.invite(without)]), name: "x.appt",
                                                 stamp: Date(timeIntervalSince1970: 1_704_700_000), log: log)
        #expect(objects.map { $0.component.properties("DTSTAMP").map(\.textValue) } == [["20200101T000000Z"], ["20240108T074640Z"]])
        // DTSTAMP follows UID, and the repair is said once, for the component that needed it.
        #expect(objects[1].component.properties.map(\.name).prefix(2) == ["UID", "DTSTAMP"])
        #expect(log.diagnostics.filter { $0.code == "zimbra.calendar-dtstamp" }.count == 1)
    }

    @Test func aBlobWithoutCalendarsIsReported() {
        let log = DiagnosticLog()
        let objects = ZimbraCalendarBlob.objects(Array("Subject: x\r\n\r\nnothing\r\n".utf8), name: "x.appt", log: log)
        #expect(objects.isEmpty)
        #expect(log.diagnostics.contains { $0.code == "zimbra.calendar-blob" })
    }
}

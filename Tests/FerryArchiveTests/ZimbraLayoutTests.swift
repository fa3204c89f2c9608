import FerryArchive
import FerryCore
import Foundation
import Testing
import FerryTestSupport

@Suite struct BencodeTests {
    @Test func stringLengthsCountUTF16Units() throws {
        // "📡" is one scalar, two UTF-16 units, four UTF-8 bytes: Zimbra (Java) writes 2.
        let value = BencodeValue.dictionary([("company", .string("Sat 📡")), ("n", .integer(-42))])
        #expect(value.encoded() == "d7:company6:Sat 📡1:ni-42ee")
        #expect(try BencodeValue.decode("d7:company6:Sat 📡1:ni-42ee") == value)
    }

    @Test func nestedValuesAndSortedKeys() throws {
        let text = "d3:fldd5:email13:a@example.org9:firstName3:Anne3:attl1:x1:yee"
        let decoded = try BencodeValue.decode(text)
        #expect(decoded["fld"]?["firstName"] == .string("Ann"))
        #expect(decoded.encoded() == text)
        let unsorted = BencodeValue.dictionary([("b", .integer(1)), ("a", .integer(2))])
        #expect(unsorted.sorted().encoded() == "d1:ai2e1:bi1ee")
    }

    @Test func malformedInputIsAnError() {
        for bad in ["d3:abc", "i12", "5:abc", "x", "d1:ai1e", "l1:a"] {
            #expect(throws: FerryError.self) { try BencodeValue.decode(bad) }
        }
    }

    @Test func roundTripOfGeneratedValues() throws {
        var rng = SeededGenerator(seed: 7)
        let alphabet = Array("abcé€📡:de0123 ")
        func randomString() -> String { String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }) }
        func value(_ depth: Int) -> BencodeValue {
            switch Int.random(in: 0..<(depth > 3 ? 2 : 4), using: &rng) {
            case 0: return .string(randomString())
            case 1: return .integer(Int64.random(in: -1_000_000...1_000_000, using: &rng))
            case 2: return .list((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth + 1) })
            default:
                return .dictionary((0..<Int.random(in: 0...4, using: &rng)).map { i in ("k\(i)" + randomString(), value(depth + 1)) })
            }
        }
        for _ in 0..<300 {
            let v = value(0)
            #expect(try BencodeValue.decode(v.encoded()) == v)
        }
    }
}

/// SplitMix64 seeded as these tests always were (the seed plus the golden gamma), so their data stays the same.
func SeededGenerator(seed: UInt64) -> SplitMix64 { SplitMix64(state: seed &+ 0x9E37_79B9_7F4A_7C15) }

@Suite struct NamingTests {
    @Test func currentSchemeNames() {
        #expect(ZimbraNaming.itemName(id: 257, title: "Meeting notes", type: .message) == "0000000257-Meeting notes")
        #expect(ZimbraNaming.itemName(id: 257, title: nil, type: .message) == "message-257")
        #expect(ZimbraNaming.itemName(id: 9, title: "Re: a/b *c* <d> | \"e\"?", type: .message)
                == "0000000009-Re_ a_b _c_ _d_ _ _e__")
        #expect(ZimbraNaming.itemName(id: 1, title: "  dots...  . ", type: .message) == "0000000001-  dots")
    }

    @Test func cutAt120WhenLongerThan121() {
        let exactly121 = String(repeating: "x", count: 121 - 11)
        #expect(ZimbraNaming.itemName(id: 5, title: exactly121, type: .message).count == 121)
        let longer = String(repeating: "y", count: 200)
        #expect(ZimbraNaming.itemName(id: 5, title: longer, type: .message).count == 120)
        // Never half a surrogate pair.
        let emoji = String(repeating: "a", count: 108) + String(repeating: "📡", count: 10)
        let cut = ZimbraNaming.itemName(id: 5, title: emoji, type: .message)
        #expect(cut.utf16.count <= 120)
        #expect(!cut.unicodeScalars.contains("\u{FFFD}"))
    }

    @Test func foldersSplitEvery500Items() {
        var naming = ZimbraNaming()
        var buckets: [String] = []
        for _ in 0..<1001 { buckets.append(naming.bucketedFolder("Inbox")) }
        #expect(buckets[0] == "Inbox")
        #expect(buckets[498] == "Inbox")       // the first 499 items
        #expect(buckets[499] == "Inbox!1")     // item 500
        #expect(buckets[998] == "Inbox!1")
        #expect(buckets[999] == "Inbox!2")     // item 1000
        #expect(naming.bucketedFolder("Sent") == "Sent")  // counters are per folder
        #expect(naming.bucketedFolder("a:b*c") == "a_b_c")
    }

    @Test func duplicatesGetNumberedSuffixes() {
        var naming = ZimbraNaming()
        #expect(naming.unique("Contacts/Smith, John", extension: nil) == "Contacts/Smith, John")
        #expect(naming.unique("Contacts/smith, john", extension: nil) == "Contacts/smith, john-01")
        #expect(naming.unique("Contacts/Smith, John", extension: nil) == "Contacts/Smith, John-02")
        #expect(naming.unique("Briefcase/a", extension: "pdf") == "Briefcase/a.pdf")
        #expect(naming.unique("Briefcase/a", extension: "pdf") == "Briefcase/a-01.pdf")
    }

    @Test func namesOfEveryEraParse() {
        let current = ZimbraNaming.parse("Inbox!2/0000000257-Hello.eml")
        #expect(current == .init(folder: "Inbox", id: 257, title: "Hello", fileExtension: "eml"))
        let zcs6 = ZimbraNaming.parse("Inbox/Work!1/Hello.eml")  // no prefix: `!1` is a real name then
        #expect(zcs6.folder == "Inbox/Work!1")
        #expect(zcs6.id == nil)
        let era2005 = ZimbraNaming.parse("Inbox/Lunch on Friday 312.eml")
        #expect(era2005.id == 312)
        #expect(era2005.title == "Lunch on Friday")
        let flattened = ZimbraNaming.parse("Inbox_Work/Status report.eml")  // 2006–2009: folders flattened
        #expect(flattened.folder == "Inbox_Work")
        #expect(ZimbraNaming.parse("0000000002-Inbox.meta").folder == nil)
    }
}

@Suite struct FlagTests {
    @Test func flagStringRoundTrip() {
        let (flags, unknown) = MailFlag.fromZimbra("sarwfdxnu!")
        #expect(unknown.isEmpty)
        #expect(flags.contains(MailFlag.unread) && flags.contains(MailFlag.forwarded) && flags.contains(MailFlag.highPriority))
        #expect(MailFlag.zimbraString(flags) == "sarwfdxnu!")
        #expect(MailFlag.zimbraBits([MailFlag.replied, MailFlag.flagged, MailFlag.unread]) == 4 | 32)
        #expect(MailFlag.fromZimbra("uZ").unknown == "Z")
    }

    @Test func tagNamesEscaping() {
        let names = ["a:b", "c\\d", "plain"]
        let text = ZimbraTagNames.format(names)
        #expect(text == "a\\:b:c\\\\d:plain")
        #expect(ZimbraTagNames.parse(text) == names)
    }

    @Test func typeCodesAndNames() {
        #expect(ZimbraItemType(name: "appointment") == .appointment)
        #expect(ZimbraItemType.message.rawValue == 5)
        #expect(ZimbraItemType.virtualConversation.name == "virtual_conversation")
        #expect(ZimbraItemType.task.fileExtension == "task")
    }
}

@Suite struct DigestTests {
    @Test func sha256KnownVectors() {
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let million = [UInt8](repeating: 0x61, count: 1_000_000)
        #expect(SHA256.hex(SHA256.hash(million)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The portable code and the SHA-extension path (where the CPU has it) give the same digests.
    @Test func portableAndHardwarePathsAgree() {
        var rng = SeededGenerator(seed: 11)
        let data = (0..<100_003).map { _ in UInt8.random(in: 0...255, using: &rng) }
        defer { SHA256.useHardware(true) }
        var digests: [[UInt8]] = []
        for hardware in [false, true] {
            SHA256.useHardware(hardware)
            #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            let text = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
            #expect(SHA256.hex(SHA256.hash(text)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
            digests.append(SHA256.hash(data))
        }
        #expect(digests[0] == digests[1])
    }

    @Test func chunkedEqualsWhole() {
        var rng = SeededGenerator(seed: 3)
        let data = (0..<10_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var s = SHA256()
        var i = 0
        while i < data.count {
            let n = min(Int.random(in: 1...200, using: &rng), data.count - i)
            s.update(Array(data[i..<(i + n)]))
            i += n
        }
        #expect(s.finalize() == SHA256.hash(data))
    }

    @Test func blobDigestIsFilesystemSafe() {
        let digest = ZimbraMeta.blobDigest(SHA256.hash(Array("x".utf8)))
        #expect(!digest.contains("/"))
        #expect(digest.count == 44)
    }
}

/// `.meta` JSON read by the one-pass reader gives what `JSONSerialization` gives.
@Suite struct MetaJSONTests {
    @Test(arguments: [
        #"{"id":257,"type":5,"date":-12,"subject":"Caf\u00e9 \"quoted\" \\ back\/slash\n","Path":"/Inbox","x":null}"#,
        #" { "sender" : "Transponsters \ud83d\udce1 Inc.", "size" : 0 } "#,
        #"{"FlagStr":"uf","TagNames":"a\\,b","metadata":"d3:fldd5:email1:xee"}"#,
        #"{"unread":true,"ratio":1.5,"list":[1,2]}"#,   // the general parser's cases
        "{}",
    ])
    func sameAsJSONSerialization(text: String) throws {
        let meta = try ZimbraMeta(json: Array(text.utf8))
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(meta.fields.keys) == Set(reference.keys))
        for (key, value) in reference {
            if let s = value as? String { #expect(meta.string(key) == s, "\(key)") }
            else if value is NSNull { #expect(meta.fields[key] is NSNull) }
            else if let n = value as? NSNumber, n.doubleValue == n.doubleValue.rounded() {
                #expect(meta.int(key) == n.int64Value, "\(key)")
            }
        }
        #expect(meta.jsonBytes() == Array(text.utf8))   // unchanged: written back as read
    }

    @Test func badJSONIsRefused() {
        #expect(throws: FerryError.self) { try ZimbraMeta(json: Array(#"{"id":1,"#.utf8)) }
        #expect(throws: FerryError.self) { try ZimbraMeta(json: Array(#"{"a":"\x"}"#.utf8)) }
    }
}

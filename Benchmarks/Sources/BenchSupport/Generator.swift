import FerryCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always)
func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

/// Deterministic benchmark inputs: mail-shaped text lines, and contact/address text in a legacy
/// charset (German/French in windows-1252, Japanese in Windows-31J, Chinese in GBK).
public enum Generator {
    /// SplitMix64: the same bytes on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    }

    static let mailWords = """
        the of and to in is that for it as with was on be by at this from have or an are not which
        meeting tomorrow please find attached invoice report quarterly review project budget schedule
        regards thanks hello team update migration server mailbox calendar contact export import folder
        message delivery status notification subject reply forward archive backup restore account
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let headers = ["From: ", "To: ", "Subject: ", "Date: ", "Message-ID: ", "Received: from ",
                          "Content-Type: text/plain; charset=utf-8", "MIME-Version: 1.0", "X-Mailer: Ferry"]

    static let latin = (
        first: ["Jürgen", "Björn", "Käthe", "Hélène", "François", "Jérôme", "Cécile", "Günther", "Sören", "Anaïs", "Noël"],
        last: ["Müller", "Schäfer", "Weiß", "Lefèvre", "Dupré", "Bénard", "Crémieux", "Köhler", "Groß", "Lœwy"],
        street: ["Hauptstraße 12", "Königsallee 5", "12 rue de la Forêt", "3 place de l’Église", "Mühlenweg 3",
                 "27 avenue Jean-Jaurès", "Schloßstraße 44"],
        city: ["München", "Köln", "Düsseldorf", "Orléans", "Besançon", "Nîmes", "Saint-Étienne", "Zürich"],
        note: ["Kunde seit 2015 – Rückruf erbeten", "À rappeler après les fêtes", "Geburtstagsgrüße schicken",
               "Préfère être contacté par e-mail", "Preis: 120 € zzgl. MwSt."])

    static let japanese = (
        first: ["太郎", "花子", "健", "誠", "美咲", "翔太", "由美", "大輔", "さくら", "直樹"],
        last: ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林"],
        street: ["丸の内1-1-1", "西新宿2-8-1", "梅田3丁目1-3", "栄4-1-1", "銀座4-6-16", "博多駅前2-1-1"],
        city: ["東京都千代田区", "東京都新宿区", "大阪市北区", "名古屋市中区", "福岡市博多区", "札幌市中央区"],
        note: ["年末に連絡すること", "展示会で名刺交換", "木曜日に打ち合わせ（会議室Ａ）", "携帯電話を優先～", "ｶﾀｶﾅ表記あり"])

    static let chinese = (
        first: ["伟", "芳", "娜", "洋", "静", "磊", "敏", "强", "杰", "丽"],
        last: ["张", "王", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴"],
        street: ["朝阳区建国路88号", "海淀区中关村大街27号", "浦东新区世纪大道100号", "天河区天河路385号"],
        city: ["北京市", "上海市", "广州市", "深圳市", "成都市", "杭州市"],
        note: ["节后回电", "展会上认识，请保持联系", "周四开会", "优先打手机"])

    /// Lines for the line-splitting benchmark: header-ish and body-ish lines of 0–120 bytes, LF.
    public static func mailLines(count: Int, seed: UInt64 = 1) -> [String] {
        var random = Random(state: seed)
        var lines: [String] = []
        lines.reserveCapacity(count)
        for _ in 0..<count {
            switch random.int(10) {
            case 0: lines.append("")
            case 1: lines.append(random.pick(headers) + String(random.next() % 1_000_000_007))
            default:
                var line = ""
                let target = 20 + random.int(100)
                while line.utf8.count < target { line += (line.isEmpty ? "" : " ") + random.pick(mailWords) }
                lines.append(line)
            }
        }
        return lines
    }

    /// Contact/address lines (CSV-shaped) in the language of `charset`.
    public static func contactLines(charset: String, count: Int, seed: UInt64 = 2) -> [String] {
        var random = Random(state: seed)
        let key = charset.lowercased()
        let words = key.contains("31j") || key.contains("jis") || key.contains("932") ? japanese
            : key.contains("gb") ? chinese : latin
        return (0..<count).map { i in
            let first = random.pick(words.first), last = random.pick(words.last)
            return "\(first),\(last),\(last) \(first),contact\(i)@example.com,\(random.pick(words.street)),"
                + "\(random.pick(words.city)),\(10000 + random.int(89999)),\(random.pick(words.note))"
        }
    }

    /// Encoded bytes of `lines` joined by LF.
    public static func encoded(_ lines: [String], charset: String) throws -> [UInt8] {
        let text = lines.joined(separator: "\n") + "\n"
        if charset.lowercased() == "utf-8" { return Array(text.utf8) }
        return try CharsetEncoder(charset, policy: .strict).encode(text)
    }

    /// Writes about `bytes` bytes of the given kind to `path` (a pool of distinct lines, repeated in a
    /// shuffled order).
    public static func write(kind: String, bytes: Int, to path: String) throws {
        let pool: [UInt8]
        switch kind.lowercased() {
        case "lines": pool = Array((mailLines(count: 200_000).joined(separator: "\n") + "\n").utf8)
        case "windows-1252", "windows-31j", "gbk":
            pool = try encoded(contactLines(charset: kind, count: 60_000), charset: kind)
        default:
            throw FerryError.usage("bench.kind", "unknown kind '\(kind)' (lines, windows-1252, windows-31j, gbk)")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FerryError.io("bench.open", "cannot create \(path)") }
        defer { close(fd) }
        var written = 0
        while written < bytes {
            try pool.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
                    guard n > 0 else { throw FerryError.io("bench.write", "write to \(path) failed") }
                    offset += n
                }
            }
            written += pool.count
        }
    }
}

// Fuzzes Zimbra's `.meta` reading: the bencoded metadata decoder (decode ∘ encode ∘ decode = decode,
// sorting is idempotent) and the JSON `.meta` file with every accessor, never a crash or a hang.
import FerryArchive
import FerryCore
import FuzzSupport

@_cdecl("FuzzMeta_main")
func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    ferry_fuzz_run(argc, argv) { data, size in
        let raw = Array(UnsafeBufferPointer(start: data, count: size))
        if let value = try? BencodeValue.decode(String(decoding: raw, as: UTF8.self)) {
            guard let again = try? BencodeValue.decode(value.encoded()) else {
                ferry_fuzz_fail("encoded bencode does not decode")
            }
            if again != value { ferry_fuzz_fail("bencode decode(encode(v)) != v") }
            if value.sorted().sorted() != value.sorted() { ferry_fuzz_fail("bencode sorting is not idempotent") }
            _ = value["d"]?.text
        }
        if let meta = try? ZimbraMeta(json: raw) {
            _ = meta.id
            _ = meta.type
            _ = meta.size
            _ = meta.isUnread
            _ = meta.path
            _ = meta.date
            _ = meta.flags
            _ = meta.tags
            _ = try? meta.metadata()
            guard let back = try? ZimbraMeta(json: meta.jsonBytes()) else { ferry_fuzz_fail("re-encoded .meta does not read") }
            if back.id != meta.id || back.path != meta.path || back.flags != meta.flags || back.tags != meta.tags {
                ferry_fuzz_fail(".meta fields change when re-encoded")
            }
        }
        return 0
    }
}

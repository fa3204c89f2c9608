/// A fixed set of attribute names looked up without case (ASCII) and without allocating: FNV-1a over
/// the lower-cased bytes, open addressing, keys compared as bytes. Built once; used on every field of
/// every contact, where a `[String: …]` dictionary's hashing (and lower-casing the name first) was a
/// large part of a conversion's time.
struct NameTable: Sendable {
    let names: [String]
    private let slots: [Int32]  // index into names, -1 empty
    private let mask: Int
    /// Lower-cased bytes of every name, back to back; `starts[i]..<starts[i + 1]` is name i.
    private let keys: [UInt8]
    private let starts: [Int]

    init(_ names: [String]) {
        self.names = names
        var keys: [UInt8] = [], starts: [Int] = [0]
        for n in names {
            keys.append(contentsOf: n.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 })
            starts.append(keys.count)
        }
        self.keys = keys
        self.starts = starts
        var size = 16
        while size < names.count * 4 { size <<= 1 }
        mask = size - 1
        var slots = [Int32](repeating: -1, count: size)
        for i in names.indices {
            let key = Array(keys[starts[i]..<starts[i + 1]])
            var h = key.withUnsafeBufferPointer { Self.hash($0.baseAddress!, key.count) } & (size - 1)
            var duplicate = false
            while slots[h] >= 0 {
                let j = Int(slots[h])
                if Array(keys[starts[j]..<starts[j + 1]]) == key { duplicate = true; break }  // first spelling wins
                h = (h + 1) & (size - 1)
            }
            if !duplicate { slots[h] = Int32(i) }
        }
        self.slots = slots
    }

    @inline(__always)
    private static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var h: UInt32 = 2_166_136_261
        for k in 0..<n {
            let b = p[k]
            h = (h ^ UInt32(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)) &* 16_777_619
        }
        return Int(h)
    }

    /// Index of `name` (its first `count` UTF-8 bytes when given), ignoring ASCII case.
    func index(of name: String, count: Int? = nil) -> Int? {
        if let found = name.utf8.withContiguousStorageIfAvailable({ find($0, count) }) { return found }
        var copy = name
        return copy.withUTF8 { find($0, count) }
    }

    private func find(_ buf: UnsafeBufferPointer<UInt8>, _ count: Int?) -> Int? {
        do {
            let n = min(count ?? buf.count, buf.count)
            guard n > 0, let p = buf.baseAddress else { return nil }
            var h = Self.hash(p, n) & mask
            return keys.withUnsafeBufferPointer { k -> Int? in
                while true {
                    let s = Int(slots[h])
                    if s < 0 { return nil }
                    let start = starts[s]
                    if starts[s + 1] - start == n {
                        var equal = true
                        for i in 0..<n {
                            let b = p[i]
                            if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != k[start + i] { equal = false; break }
                        }
                        if equal { return s }
                    }
                    h = (h + 1) & mask
                }
            }
        }
    }
}

/// A fixed set of attribute names looked up without case (ASCII) and without allocating: FNV-1a over
/// the lower-cased bytes, open addressing. Built once; used on every field of every contact, where a
/// `[String: …]` dictionary's hashing (and lower-casing the name first) was a large part of the time.
struct NameTable: Sendable {
    let names: [String]
    private let slots: [Int32]  // index into names, -1 empty
    private let mask: Int

    init(_ names: [String]) {
        self.names = names
        var size = 16
        while size < names.count * 4 { size <<= 1 }
        mask = size - 1
        var slots = [Int32](repeating: -1, count: size)
        for (i, n) in names.enumerated() {
            var h = Self.hash(n.utf8, count: n.utf8.count) & (size - 1)
            while slots[h] >= 0 {
                if names[Int(slots[h])].equalsIgnoringASCIICase(n) { break }  // first spelling wins
                h = (h + 1) & (size - 1)
            }
            if slots[h] < 0 { slots[h] = Int32(i) }
        }
        self.slots = slots
    }

    @inline(__always)
    static func hash(_ utf8: String.UTF8View, count: Int) -> Int {
        var h: UInt32 = 2_166_136_261
        var k = 0
        for b in utf8 {
            if k == count { break }
            h = (h ^ UInt32(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)) &* 16_777_619
            k += 1
        }
        return Int(h)
    }

    /// Index of `name` (its first `count` UTF-8 bytes when given), ignoring ASCII case.
    func index(of name: String, count: Int? = nil) -> Int? {
        let n = count ?? name.utf8.count
        var h = Self.hash(name.utf8, count: n) & mask
        while true {
            let s = slots[h]
            if s < 0 { return nil }
            let candidate = names[Int(s)]
            if candidate.utf8.count == n && Self.prefixEquals(candidate, name, n) { return Int(s) }
            h = (h + 1) & mask
        }
    }

    @inline(__always)
    private static func prefixEquals(_ a: String, _ b: String, _ n: Int) -> Bool {
        var i = a.utf8.makeIterator(), j = b.utf8.makeIterator()
        for _ in 0..<n {
            guard var x = i.next(), var y = j.next() else { return false }
            if x != y {
                if x >= 0x41 && x <= 0x5A { x |= 0x20 }
                if y >= 0x41 && y <= 0x5A { y |= 0x20 }
                if x != y { return false }
            }
        }
        return true
    }
}

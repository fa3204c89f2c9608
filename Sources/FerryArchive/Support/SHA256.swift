import CDigest

/// SHA-256 (FIPS 180-4), streaming (in C, with the x86 SHA extensions when the CPU has them). Zimbra
/// names blobs by it (`blob_digest`), and round-trip checks compare messages by it.
public struct SHA256: Sendable {
    private var context = ferry_sha256_ctx()

    public init() { ferry_sha256_init(&context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        ferry_sha256_update(&context, base, bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { ferry_sha256_final(&context, $0.baseAddress!) }
        return out
    }

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var s = SHA256()
        s.update(bytes)
        return s.finalize()
    }

    public static func hex(_ digest: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// Tests: false limits the digest to the portable code. Returns whether the SHA extensions are used.
    @discardableResult
    public static func useHardware(_ on: Bool) -> Bool { ferry_sha256_set_level(on ? 1 : 0) == 1 }
}

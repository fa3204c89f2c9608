import CICU

/// Streaming decoder: bytes in a charset → UTF-8, chunk by chunk, with converter state (a multi-byte
/// character or an ISO-2022 shift state) carried across chunk boundaries.
///
/// Engines, fastest first: UTF-8 input is validated and passed through; single-byte code pages use a
/// 256-entry table and stateless double-byte code pages (Windows-31J, GBK, Big5, EUC-KR) a
/// lead/trail table, both built from ICU's own converter, with ICU handling whatever the tables do
/// not (invalid or unusual sequences); everything else goes through ICU. A leading BOM is dropped.
/// Invalid input follows `policy`: `strict` throws naming the byte offset, `replace` writes U+FFFD
/// and counts it in `replacements`.
public final class CharsetDecoder {
    public let charset: Charset
    public let policy: CharsetPolicy
    public let sourceName: String?
    /// Replacement characters written so far (policy `replace`).
    public var replacements: Int { ownReplacements + (icu.map { Int(ferry_conv_replacements($0)) } ?? 0) }
    /// Input bytes consumed so far.
    public private(set) var offset: Int64 = 0

    private enum Engine {
        case utf8
        case table(SingleByteTable)
        case doubleByte(DoubleByteTable)
        case icu
    }

    private let engine: Engine
    private var validator = UTF8Validator()
    /// The ICU converter: the engine itself (`.icu`) or the fallback of the double-byte tables.
    private var icu: OpaquePointer?
    private var ownReplacements = 0
    private var atStart = true
    private let scratch = ScratchBuffer()
    /// Double-byte engine: a lead byte left at the end of the previous chunk.
    private var pendingLead: UInt8?
    /// Double-byte engine: ICU holds part of a character; feed it until it completes.
    private var fallbackBusy = false
    /// ICU's converter swaps three ASCII controls (IBM style); its output is corrected.
    private let swapsControls: Bool

    public convenience init(_ charset: Charset, policy: CharsetPolicy = .replace, sourceName: String? = nil) throws {
        try self.init(charset, policy: policy, sourceName: sourceName, icuOnly: false)
    }

    /// `icuOnly` skips the fast paths (tests compare them with ICU).
    init(_ charset: Charset, policy: CharsetPolicy, sourceName: String?, icuOnly: Bool) throws {
        self.charset = charset
        self.policy = policy
        self.sourceName = sourceName
        self.swapsControls = !charset.isUTF8 && ControlSwap.applies(to: charset.decoderName)
        if icuOnly {
            engine = .icu
            icu = try openConverter(charset.decoderName, direction: FERRY_DECODE, policy: policy)
        } else if charset.isUTF8 {
            engine = .utf8
        } else if charset.remap == nil, let table = SingleByteTable.table(for: charset.decoderName) {
            engine = .table(table)
        } else if let table = DoubleByteTable.table(for: charset.decoderName, remap: charset.remap) {
            engine = .doubleByte(table)
        } else {
            engine = .icu
            icu = try openConverter(charset.decoderName, direction: FERRY_DECODE, policy: policy)
        }
    }

    public convenience init(_ label: String, policy: CharsetPolicy = .replace, sourceName: String? = nil) throws {
        try self.init(Charset(label), policy: policy, sourceName: sourceName)
    }

    deinit {
        if let icu { ferry_conv_close(icu) }
    }

    /// Decodes `input` and appends UTF-8 to `output`. Pass `final: true` with the last chunk (it may be empty).
    public func decode(_ input: UnsafeRawBufferPointer, final: Bool, into output: inout [UInt8]) throws {
        try decode(input, final: final) { output.append(contentsOf: $0) }
    }

    /// Decodes `input` and hands the UTF-8 to `emit` (borrowed memory, valid during the call). The
    /// fastest way: no copy at all for UTF-8 input, no intermediate array otherwise. Pass
    /// `final: true` with the last chunk (it may be empty). On a strict-policy error, what decoded
    /// before the bad sequence is emitted first.
    public func decode(_ input: UnsafeRawBufferPointer, final: Bool,
                       emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        defer { offset += Int64(input.count) }
        switch engine {
        case .utf8:
            var emitError: Error?
            let result = validator.process(input, final: final, policy: policy) { chunk in
                guard emitError == nil else { return }
                do { try self.emitStrippingBOM(chunk, emit) } catch { emitError = error }
            }
            if let emitError { throw emitError }
            ownReplacements += result.replacements
            if let bad = result.invalidAt {
                throw invalid(at: offset + Int64(bad), bytes: result.invalidBytes)
            }
            return
        case .table(let table):
            scratch.count = 0
            let result = table.decode(input, policy: policy, into: scratch)
            ownReplacements += result.replacements
            if let bad = result.invalidAt {
                try emitStrippingBOM(scratch.bytes, emit)
                throw invalid(at: offset + Int64(bad), bytes: [input[bad]])
            }
        case .doubleByte(let table):
            scratch.count = 0
            do {
                try decodeDoubleByte(table, input, final: final)
            } catch {
                try emitStrippingBOM(scratch.bytes, emit)
                throw error
            }
        case .icu:
            scratch.count = 0
            do {
                try runICU(input, final: final, base: offset)
            } catch {
                try emitStrippingBOM(scratch.bytes, emit)
                throw error
            }
            if charset.remap == .jisX0208 && scratch.count > 0 {
                var bytes = Array(scratch.bytes)
                JISRemap.apply(JISRemap.microsoftToJIS, to: &bytes, from: 0)
                scratch.count = 0
                scratch.append(bytes)
            }
        }
        try emitStrippingBOM(scratch.bytes, emit)
    }

    @inline(__always)
    private func emitStrippingBOM(_ bytes: UnsafeRawBufferPointer,
                                  _ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard bytes.count > 0 else { return }
        if atStart {
            atStart = false
            // Every engine emits whole characters, so a BOM arrives complete in the first output.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                if bytes.count > 3 { try emit(UnsafeRawBufferPointer(rebasing: bytes[3...])) }
                return
            }
        }
        try emit(bytes)
    }

    /// Decodes a whole byte array (convenience for small inputs).
    public func decode(_ bytes: [UInt8]) throws -> String {
        var output: [UInt8] = []
        try bytes.withUnsafeBytes { try decode($0, final: true, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    // MARK: Double-byte tables, with ICU for the rest

    private func decodeDoubleByte(_ table: DoubleByteTable, _ input: UnsafeRawBufferPointer, final: Bool) throws {
        let count = input.count
        var i = 0
        // Finish what the previous chunk left open.
        if let lead = pendingLead {
            pendingLead = nil
            let entry = count > 0 ? table.pairs[Int(lead) << 8 | Int(input[0])] : 0
            if entry != 0 {
                scratch.reserve(4)
                UnsafeMutableRawPointer(scratch.base + scratch.count).storeBytes(of: entry.littleEndian, as: UInt32.self)
                scratch.count += Int(entry >> 24)
                i = 1
            } else {
                try feedICU([lead], at: offset - 1, final: final && count == 0)
                i = try drainICU(input, from: 0, final: final)
                if fallbackBusy { return }
            }
        } else if fallbackBusy {
            i = try drainICU(input, from: 0, final: final)
            if fallbackBusy { return }
        }
        guard count > i, let src = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let single = table.single, isLead = table.lead, pairs = table.pairs
        while i < count {
            scratch.reserve((count - i) * 3 + 8)
            let dst = scratch.base + scratch.count
            var written = 0
            var stop = false
            while i < count {
                copyASCIIRun(src, count, &i, dst, &written)
                if i >= count { break }
                let b = src[i]
                if b < 0x80 {
                    dst[written] = b
                    written &+= 1
                    i &+= 1
                    continue
                }
                let s = single[Int(b)]
                if s != 0 {
                    UnsafeMutableRawPointer(dst + written).storeBytes(of: s.littleEndian, as: UInt32.self)
                    written &+= Int(s >> 24)
                    i &+= 1
                    continue
                }
                if isLead[Int(b)] {
                    if i + 1 < count {
                        let p = pairs[Int(b) << 8 | Int(src[i + 1])]
                        if p != 0 {
                            UnsafeMutableRawPointer(dst + written).storeBytes(of: p.littleEndian, as: UInt32.self)
                            written &+= Int(p >> 24)
                            i &+= 2
                            continue
                        }
                    } else if !final {
                        pendingLead = b
                        i += 1
                        break
                    }
                }
                stop = true
                break
            }
            scratch.count += written
            guard stop else { return }
            // Not in the tables: ICU decodes this character (error policy included), fed byte by
            // byte until it holds nothing, then the tables take over again.
            try feedICU([src[i]], at: offset + Int64(i), final: final && i + 1 == count)
            i = try drainICU(input, from: i + 1, final: final)
            if fallbackBusy { return }
        }
    }

    /// Feeds bytes from `from` to ICU one at a time while it holds a partial character. Returns where
    /// the tables resume; leaves `fallbackBusy` set when the chunk ended first.
    private func drainICU(_ input: UnsafeRawBufferPointer, from: Int, final: Bool) throws -> Int {
        var j = from
        while ferry_conv_pending(icu!) > 0 {
            if j >= input.count {
                if final { try feedICU([], at: offset + Int64(j), final: true) }
                fallbackBusy = !final
                return j
            }
            try feedICU([input[j]], at: offset + Int64(j), final: final && j + 1 == input.count)
            j += 1
        }
        fallbackBusy = false
        return j
    }

    private func feedICU(_ bytes: [UInt8], at position: Int64, final: Bool) throws {
        if icu == nil {
            icu = try openConverter(charset.decoderName, direction: FERRY_DECODE, policy: policy)
        }
        try bytes.withUnsafeBytes { try runICU($0, final: final, base: position) }
    }

    /// Runs ICU over `input` into the scratch buffer. `base` is the input offset of `input[0]`; a bad
    /// sequence may start before it, in bytes ICU held from before.
    private func runICU(_ input: UnsafeRawBufferPointer, final: Bool, base: Int64) throws {
        let conv = icu!
        let before = scratch.count
        let (status, consumed) = runConverter(conv, input, final: final, expansion: 3, into: scratch)
        if swapsControls { ControlSwap.fixDecoded(scratch.base + before, count: scratch.count - before) }
        switch status {
        case Int32(FERRY_CONV_OK.rawValue):
            return
        case Int32(FERRY_CONV_INVALID.rawValue), Int32(FERRY_CONV_TRUNCATED.rawValue):
            var bad = [UInt8](repeating: 0, count: 32)
            let n = Int(ferry_conv_error_bytes(conv, &bad, 32))
            throw invalid(at: base + Int64(consumed - n), bytes: Array(bad.prefix(n)),
                          truncated: status == Int32(FERRY_CONV_TRUNCATED.rawValue))
        default:
            throw FerryError.data("charset.failed", "conversion from \(charset) failed", file: sourceName)
        }
    }

    private func invalid(at position: Int64, bytes: [UInt8], truncated: Bool = false) -> FerryError {
        let hex = bytes.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined(separator: " ")
        let what = truncated ? "input ends inside a character" : "invalid byte sequence \(hex)"
        return FerryError.data("charset.invalid",
                               "\(what) for \(charset) at byte offset \(position) "
                               + "(use --charset to name the right charset, or --charset-errors replace)",
                               file: sourceName)
    }
}

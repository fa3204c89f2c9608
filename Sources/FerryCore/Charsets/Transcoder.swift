import CICU

/// Streaming decoder: bytes in a charset → UTF-8, chunk by chunk, with converter state (a multi-byte
/// character or an ISO-2022 shift state) carried across chunk boundaries.
///
/// Engines, fastest first: UTF-8 input is validated and passed through; single-byte code pages use a
/// 256-entry table built from ICU's own converter; everything else goes through ICU. A leading BOM
/// is dropped. Invalid input follows `policy`: `strict` throws naming the byte offset, `replace`
/// writes U+FFFD and counts it in `replacements`.
public final class CharsetDecoder {
    public let charset: Charset
    public let policy: CharsetPolicy
    public let sourceName: String?
    /// Replacement characters written so far (policy `replace`).
    public private(set) var replacements = 0
    /// Input bytes consumed so far.
    public private(set) var offset: Int64 = 0

    private enum Engine {
        case utf8(UTF8Validator)
        case table(SingleByteTable)
        case icu(OpaquePointer)
    }

    private var engine: Engine
    private var atStart = true
    private var scratch: [UInt8] = []

    public init(_ charset: Charset, policy: CharsetPolicy = .replace, sourceName: String? = nil) throws {
        self.charset = charset
        self.policy = policy
        self.sourceName = sourceName
        if charset.isUTF8 {
            engine = .utf8(UTF8Validator())
        } else if charset.remap == nil, let table = SingleByteTable.table(for: charset.decoderName) {
            engine = .table(table)
        } else {
            engine = .icu(try openConverter(charset.decoderName, direction: FERRY_DECODE, policy: policy))
        }
    }

    public convenience init(_ label: String, policy: CharsetPolicy = .replace, sourceName: String? = nil) throws {
        try self.init(Charset(label), policy: policy, sourceName: sourceName)
    }

    deinit {
        if case .icu(let conv) = engine { ferry_conv_close(conv) }
    }

    /// Decodes `input` and appends UTF-8 to `output`. Pass `final: true` with the last chunk (it may be empty).
    public func decode(_ input: UnsafeRawBufferPointer, final: Bool, into output: inout [UInt8]) throws {
        let outputStart = output.count
        switch engine {
        case .utf8(var validator):
            let result = validator.process(input, final: final, policy: policy, into: &output)
            engine = .utf8(validator)
            if let bad = result.invalidAt {
                throw invalid(at: offset + Int64(bad), bytes: result.invalidBytes)
            }
            replacements += result.replacements
        case .table(let table):
            let result = table.decode(input, policy: policy, into: &output)
            if let bad = result.invalidAt {
                throw invalid(at: offset + Int64(bad), bytes: [input[bad]])
            }
            replacements += result.replacements
        case .icu(let conv):
            try runICU(conv, input, final: final, into: &output)
            replacements = Int(ferry_conv_replacements(conv))
        }
        offset += Int64(input.count)
        if charset.remap == .jisX0208 {
            JISRemap.apply(JISRemap.microsoftToJIS, to: &output, from: outputStart)
        }
        if atStart && output.count > outputStart {
            atStart = false
            if output.count - outputStart >= 3, output[outputStart] == 0xEF, output[outputStart + 1] == 0xBB,
               output[outputStart + 2] == 0xBF {
                output.removeSubrange(outputStart..<(outputStart + 3))
            }
        }
    }

    /// Decodes a whole byte array (convenience for small inputs).
    public func decode(_ bytes: [UInt8]) throws -> String {
        var output: [UInt8] = []
        try bytes.withUnsafeBytes { try decode($0, final: true, into: &output) }
        return String(decoding: output, as: UTF8.self)
    }

    private func runICU(_ conv: OpaquePointer, _ input: UnsafeRawBufferPointer, final: Bool,
                        into output: inout [UInt8]) throws {
        let (status, consumed) = runConverter(conv, input, final: final, expansion: 3, into: &output)
        switch status {
        case Int32(FERRY_CONV_OK.rawValue):
            return
        case Int32(FERRY_CONV_INVALID.rawValue), Int32(FERRY_CONV_TRUNCATED.rawValue):
            var bad = [UInt8](repeating: 0, count: 32)
            let n = Int(ferry_conv_error_bytes(conv, &bad, 32))
            throw invalid(at: offset + Int64(max(0, consumed - n)), bytes: Array(bad.prefix(n)),
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

/// Runs an ICU converter over all of `input`, growing `output` as needed. Returns the final status
/// (never OUTPUT_FULL) and how many input bytes were consumed.
func runConverter(_ conv: OpaquePointer, _ input: UnsafeRawBufferPointer, final: Bool, expansion: Int,
                  into output: inout [UInt8]) -> (Int32, Int) {
    var placeholder: UInt8 = 0
    return withUnsafeMutablePointer(to: &placeholder) { empty -> (Int32, Int) in
        let base = UnsafeRawPointer(input.baseAddress ?? UnsafeRawPointer(empty)).assumingMemoryBound(to: CChar.self)
        var source: UnsafePointer<CChar>? = base
        let limit = base + input.count
        while true {
            let room = max(input.count * expansion + 64, 4096)
            let before = output.count
            output.append(contentsOf: repeatElement(0, count: room))
            var status: Int32 = 0
            var produced = 0
            output.withUnsafeMutableBufferPointer { buffer in
                let start = UnsafeMutableRawPointer(buffer.baseAddress! + before).assumingMemoryBound(to: CChar.self)
                var target: UnsafeMutablePointer<CChar>? = start
                status = ferry_conv_run(conv, &source, limit, &target, start + room, final ? 1 : 0)
                produced = target! - start
            }
            output.removeSubrange((before + produced)...)
            if status != Int32(FERRY_CONV_OUTPUT_FULL.rawValue) { return (status, source! - base) }
        }
    }
}

/// Streaming encoder: UTF-8 → bytes in a charset. Unmappable characters follow `policy`:
/// `strict` throws naming the character and its byte offset in the UTF-8 input, `replace` writes `?`.
public final class CharsetEncoder {
    public let charset: Charset
    public let policy: CharsetPolicy
    public private(set) var replacements = 0
    public private(set) var offset: Int64 = 0
    private var validator: UTF8Validator?
    private var converter: OpaquePointer?
    private var carry: [UInt8] = []

    public init(_ charset: Charset, policy: CharsetPolicy = .replace) throws {
        self.charset = charset
        self.policy = policy
        if charset.isUTF8 {
            validator = UTF8Validator()
        } else {
            converter = try openConverter(charset.encoderName, direction: FERRY_ENCODE, policy: policy)
        }
    }

    public convenience init(_ label: String, policy: CharsetPolicy = .replace) throws {
        try self.init(Charset(label), policy: policy)
    }

    deinit { if let converter { ferry_conv_close(converter) } }

    /// Encodes UTF-8 `input` and appends the charset's bytes to `output`.
    public func encode(_ input: UnsafeRawBufferPointer, final: Bool, into output: inout [UInt8]) throws {
        if var validator {
            let result = validator.process(input, final: final, policy: policy, into: &output)
            self.validator = validator
            if let bad = result.invalidAt {
                throw FerryError.data("charset.invalid-utf8", "invalid UTF-8 at byte offset \(offset + Int64(bad))")
            }
            replacements += result.replacements
            offset += Int64(input.count)
            return
        }
        guard let converter else { return }
        var bytes = carry + Array(input)
        carry = []
        if charset.remap == .jisX0208 {
            // Keep an incomplete trailing sequence for the next chunk so the remap sees whole scalars.
            if !final {
                var cut = bytes.count
                var back = 0
                while cut > 0 && back < 3 && bytes[cut - 1] & 0xC0 == 0x80 { cut -= 1; back += 1 }
                if cut > 0 && bytes[cut - 1] >= 0xC0 {
                    let lead = bytes[cut - 1]
                    let need = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                    if back + 1 < need { carry = Array(bytes[(cut - 1)...]); bytes.removeSubrange((cut - 1)...) }
                }
            }
            JISRemap.apply(JISRemap.jisToMicrosoft, to: &bytes, from: 0)
        }
        let (status, consumed) = bytes.withUnsafeBytes { raw in
            runConverter(converter, raw, final: final, expansion: 2, into: &output)
        }
        if status != Int32(FERRY_CONV_OK.rawValue) {
            let codepoint = ferry_conv_error_codepoint(converter)
            let character: String
            if codepoint != 0xFFFF_FFFF, let scalar = Unicode.Scalar(codepoint) {
                character = "'\(Character(scalar))' (U+\(String(codepoint, radix: 16, uppercase: true).leftPadded(4)))"
            } else {
                character = "invalid UTF-8"
            }
            throw FerryError.data("charset.unmappable",
                                  "\(character) cannot be written in \(charset) (near byte offset "
                                  + "\(offset + Int64(consumed)) of the UTF-8 text; use --charset-errors replace "
                                  + "to write '?')")
        }
        replacements = Int(ferry_conv_replacements(converter))
        offset += Int64(input.count)
    }

    /// Encodes a whole string (convenience).
    public func encode(_ text: String) throws -> [UInt8] {
        var output: [UInt8] = []
        try Array(text.utf8).withUnsafeBytes { try encode($0, final: true, into: &output) }
        return output
    }
}

func openConverter(_ name: String, direction: ferry_conv_direction, policy: CharsetPolicy) throws -> OpaquePointer {
    var message = [CChar](repeating: 0, count: 256)
    guard let conv = ferry_conv_open(name, Int32(direction.rawValue),
                                     policy == .strict ? Int32(FERRY_POLICY_STRICT.rawValue)
                                                       : Int32(FERRY_POLICY_REPLACE.rawValue),
                                     &message, 256) else {
        let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw FerryError.usage("charset.unknown", text)
    }
    return conv
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

import CICU

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
    private let scratch = ScratchBuffer()
    private let swapsControls: Bool

    public init(_ charset: Charset, policy: CharsetPolicy = .replace) throws {
        self.charset = charset
        self.policy = policy
        self.swapsControls = !charset.isUTF8 && ControlSwap.applies(to: charset.encoderName)
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
        try encode(input, final: final) { output.append(contentsOf: $0) }
    }

    /// Encodes UTF-8 `input` and hands the charset's bytes to `emit` (borrowed during the call).
    public func encode(_ input: UnsafeRawBufferPointer, final: Bool,
                       emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        defer { offset += Int64(input.count) }
        if var validator {
            var emitError: Error?
            let result = validator.process(input, final: final, policy: policy) { chunk in
                guard emitError == nil else { return }
                do { try emit(chunk) } catch { emitError = error }
            }
            self.validator = validator
            if let emitError { throw emitError }
            replacements += result.replacements
            if let bad = result.invalidAt {
                throw FerryError.data("charset.invalid-utf8", "invalid UTF-8 at byte offset \(offset + Int64(bad))")
            }
            return
        }
        guard let converter else { return }
        var bytes = carry
        bytes.append(contentsOf: input)
        let carried = carry.count
        carry = []
        if swapsControls { ControlSwap.fixForEncoding(&bytes) }
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
        scratch.count = 0
        let (status, consumed) = bytes.withUnsafeBytes { raw in
            runConverter(converter, raw, final: final, expansion: 4, into: scratch)
        }
        replacements = Int(ferry_conv_replacements(converter))
        if status != Int32(FERRY_CONV_OK.rawValue) {
            if scratch.count > 0 { try emit(scratch.bytes) }
            let codepoint = ferry_conv_error_codepoint(converter)
            let character: String
            if codepoint != 0xFFFF_FFFF, let scalar = Unicode.Scalar(codepoint) {
                character = "'\(Character(scalar))' (U+\(String(codepoint, radix: 16, uppercase: true).leftPadded(4)))"
            } else {
                character = "invalid UTF-8"
            }
            throw FerryError.data("charset.unmappable",
                                  "\(character) cannot be written in \(charset) (near byte offset "
                                  + "\(offset - Int64(carried) + Int64(consumed)) of the UTF-8 text; use --charset-errors replace "
                                  + "to write '?')")
        }
        if scratch.count > 0 { try emit(scratch.bytes) }
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

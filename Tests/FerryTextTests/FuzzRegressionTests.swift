import FerryCore
import FerryText
import Testing

/// Inputs the fuzzers (Fuzz/) found; each once broke the property named.
@Suite struct TextFuzzRegressionTests {
    /// FuzzICalendar: a property name with invalid UTF-8 decodes to U+FFFD (3 bytes per bad byte), and
    /// `hasStrictName` sliced the line by the decoded length: past the end of the line, a crash.
    @Test func strictNameCheckOnInvalidUTF8Names() throws {
        let bytes: [UInt8] = Array("VER".utf8) + [UInt8](repeating: 0xA1, count: 40) + Array("SION:2.0".utf8)
        let line = try ContentLine(parsing: UnfoldedLine(bytes: bytes))
        #expect(!line.hasStrictName)
        #expect(try ContentLine(parsing: UnfoldedLine(bytes: Array("X-ABLabel:x".utf8))).hasStrictName)
        #expect(try !ContentLine(parsing: UnfoldedLine(bytes: Array("N\u{e4}me:x".utf8))).hasStrictName)
    }

    /// FuzzVCard: folding put a line break right after `=` in a quoted-printable value, which readers take
    /// for a soft break: `D=FCsseldorf` came back as `D FCsseldorf`. No physical line ends with `=` now.
    @Test func foldingNeverEndsALineWithEquals() {
        for shift in 0..<8 {
            let value = String(repeating: "x", count: 60 + shift) + "K=F6nigsallee 12;D=FCsseldorf=0D=0A" + String(repeating: "=3D", count: 30)
            let folded = Folding.fold("ADR;ENCODING=QUOTED-PRINTABLE:" + value)
            for physical in folded.split(separator: "\r\n") {
                #expect(!physical.hasSuffix("="), "\(physical)")
                #expect(physical.utf8.count <= 75)
            }
            // Unfolding gives the logical line back.
            #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == "ADR;ENCODING=QUOTED-PRINTABLE:" + value + "\r\n")
        }
    }
}

/// FerryText — the content-line codec shared by vCard (RFC 2425/2426/6350) and iCalendar (RFC 5545).
///
/// One implementation for both families:
///
/// - `ContentLineReader` pulls logical lines from a `ByteSource`: CRLF, LF and lone CR line ends;
///   unfolding of a line break followed by a space or tab; optional quoted-printable soft breaks for
///   vCard 2.1 (`ENCODING=QUOTED-PRINTABLE`); a UTF-8 BOM is noted and kept. Each `UnfoldedLine` knows
///   the physical line it started on, maps any byte to a physical line and column
///   (`location(ofByte:)`), and rebuilds its exact physical bytes (`appendRaw`).
/// - `ContentLine(parsing:)` splits a logical line into group, upper-cased name, parameters
///   (`ContentParameter`: quoted values, value lists, vCard 2.1 bare tokens) and the value, or throws a
///   `ContentLineError` with a stable code and the byte index. An unchanged line writes its original
///   bytes (`appendRaw`); a line built or changed in code is written folded with CRLF.
/// - `Folding.fold` folds at 75 octets, never inside a UTF-8 sequence or an escape; CRLF.
/// - `TextEscaping` (`\n \, \; \\`, structured-value splitting), `ParameterEscaping` (RFC 6868),
///   `QuotedPrintable` (with soft line breaks) and `Base64`.
///
/// Typical reader loop:
///
/// ```swift
/// let reader = ContentLineReader(source: try FileSource(path: path))
/// while let raw = try reader.next() {
///     do {
///         let line = try ContentLine(parsing: raw)
///         // line.name, line.parameterValue("TZID"), line.textValue …
///     } catch {
///         let (l, c) = raw.location(ofByte: error.index)   // report error.code at l:c, keep raw
///     }
/// }
/// ```
public enum FerryText {}

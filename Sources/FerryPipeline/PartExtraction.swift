import FerryCore
import FerryMIME

/// `ferry convert msg.eml --part 2 -o file`: one MIME part's decoded content (Zimbra's `part=`).
public struct PartExtractor {
    public let converter: Converter

    public init(converter: Converter) { self.converter = converter }

    /// Writes part `number` of the first message of `input` to `output` (`-` or nil = stdout).
    public func run(input: String, from: String?, part number: String, output: String?,
                    readOptions: ReadOptions) throws {
        let opened = try converter.openInput(input, declared: from)
        let format = opened.format
        let source = opened.input
        guard format.kinds.contains(.message) else {
            throw FerryError.usage("part.not-mail", "--part needs a message input; \(input) is \(format.name)")
        }
        let reader = try format.makeReader(source, options: readOptions, log: converter.log)
        guard let item = try reader.next() else {
            throw FerryError.data("part.no-message", "no message in the input", file: input)
        }
        guard let message = item.payload as? MIMEMessage else {
            throw FerryError.usage("part.not-mime", "--part needs a MIME message; \(input) holds \(item.kind.rawValue)s")
        }
        guard let part = message.part(number) else {
            let known = message.parts.compactMap { (p: MIMEPart) in p.number }.joined(separator: ", ")
            throw FerryError.usage("part.not-found", "\(input): no part \(number) in the message (parts: \(known))")
        }
        if try reader.next() != nil {
            converter.log.emit(.warning("part.first-message", "the input holds several messages; part \(number) "
                                        + "was taken from the first", file: input))
        }
        let outputPath = output ?? "-"
        if outputPath != "-", let target = FileIdentity(path: outputPath), FileIdentity(path: input) == target {
            throw FerryError.usage("output.is-input", "output '\(outputPath)' is also an input; inputs are never modified")
        }
        let sink: ByteSink = outputPath == "-" ? StandardOutputSink() : try AtomicFileSink(path: outputPath)
        do {
            let invalid = try message.writeContent(of: part, to: sink)
            if invalid > 0 {
                converter.log.emit(.warning("part.bad-encoding", "\(invalid) byte(s) of part \(number) were not valid "
                                            + part.transferEncoding.name + " and were skipped", file: input))
            }
            try sink.finish()
        } catch {
            sink.abort()
            throw error
        }
    }
}

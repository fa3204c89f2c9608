// ferry-mime-bench structure|decode MBOX
//   structure: every message's MIME tree, plus Subject and From decoded (RFC 2047 → Unicode)
//   decode:    the same, plus every leaf part's transfer encoding decoded (base64, QP) to nowhere
// Prints one JSON line: messages, bytes, seconds, MB/s, decoded bytes, a checksum of the decoded text.
import Foundation
import FerryCore
import FerryMIME

let arguments = CommandLine.arguments
guard arguments.count == 3, ["structure", "decode"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data("usage: ferry-mime-bench structure|decode MBOX\n".utf8))
    exit(2)
}
let decode = arguments[1] == "decode"
let file = try FileSource(path: arguments[2])
let size = file.size ?? 0
let start = DispatchTime.now().uptimeNanoseconds
let splitter = SimpleMboxSplitter(source: file)
// Messages refer to their bytes in the mbox (no copy), as GMime's persistent stream does.
let shared = try SharedFile(path: arguments[2])
let parser = MIMEParser()
var messages = 0
var parts = 0
var headerText = 0
var decodedBytes = 0
while let source = try splitter.next() {
    let message = try parser.parse(source, file: shared, offset: splitter.messageOffset)
    messages += 1
    headerText &+= message.subject?.unicodeScalars.count ?? 0
    for mailbox in message.from { headerText &+= mailbox.address.utf8.count + (mailbox.name?.unicodeScalars.count ?? 0) }
    if decode {
        message.root.walk { part in
            guard part.kind == .leaf else { return }
            parts += 1
            _ = try? message.decodeContent(of: part) { decodedBytes += $0.count }
        }
    }
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
print("{\"parser\":\"ferry\",\"mode\":\"\(arguments[1])\",\"messages\":\(messages),\"parts\":\(parts),"
      + "\"bytes\":\(size),\"seconds\":\(String(format: "%.3f", seconds)),"
      + "\"mbps\":\(String(format: "%.1f", Double(size) / 1e6 / seconds)),\"decoded\":\(decodedBytes),\"headerChars\":\(headerText)}")

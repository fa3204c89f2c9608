import Foundation
import FerryCore

extension MIMEMessage {
    /// The `json` view: decoded header fields, addresses, date, the MIME tree with part numbers,
    /// types, charsets, file names and sizes. (Flags, folder and tags come from the item's metadata.)
    public func jsonObject() -> [String: any Sendable] {
        var object: [String: any Sendable] = ["size": size]
        if let subject { object["subject"] = subject }
        for (key, field) in [("from", "From"), ("sender", "Sender"), ("replyTo", "Reply-To"), ("to", "To"),
                             ("cc", "Cc"), ("bcc", "Bcc")] {
            let entries = addresses(field)
            if !entries.isEmpty { object[key] = entries.map(Self.jsonAddressEntry) }
        }
        if let date { object["date"] = Self.isoDate(date) }
        if let messageID { object["messageId"] = messageID }
        if let value = header.first("In-Reply-To") { object["inReplyTo"] = String(decoding: value.unfoldedValue, as: UTF8.self) }
        object["headers"] = header.fields.map { field -> [String: any Sendable] in
            field.isWellFormed
                ? ["name": field.name, "value": field.text(fallback: headerFallback)]
                : ["malformed": String(decoding: HeaderField.unfold(field.raw), as: UTF8.self)]
        }
        object["mime"] = jsonPart(root)
        if !warnings.isEmpty {
            object["warnings"] = warnings.map { w -> [String: any Sendable] in
                ["code": w.code, "message": w.message, "line": spool.lineAndColumn(of: w.offset).line]
            }
        }
        return object
    }

    func jsonPart(_ part: MIMEPart) -> [String: any Sendable] {
        var object: [String: any Sendable] = [
            "contentType": part.contentType.mimeType,
            "size": part.bodyRange.count,
        ]
        if let number = part.number { object["part"] = number }
        if part.kind == .leaf {
            object["encoding"] = part.transferEncoding.name
            if let charset = part.contentType.charset { object["charset"] = charset }
        }
        if let filename = part.filename { object["filename"] = filename }
        if let disposition = part.disposition, !disposition.value.isEmpty { object["disposition"] = disposition.value }
        if let id = part.header.first("Content-ID") { object["contentId"] = String(decoding: id.unfoldedValue, as: UTF8.self) }
        if part.kind == .message, let inner = part.children.first {
            var embedded: [String: any Sendable] = [:]
            if let s = inner.header.text("Subject", fallback: headerFallback) { embedded["subject"] = s }
            let from = inner.header.all("From").flatMap { AddressList.parse($0.unfoldedValue, fallback: headerFallback) }
            if !from.isEmpty { embedded["from"] = from.map(Self.jsonAddressEntry) }
            if let d = inner.header.first("Date").flatMap({ MailDate.parse($0.unfoldedValue) }) { embedded["date"] = Self.isoDate(d) }
            embedded["mime"] = jsonPart(inner)
            object["message"] = embedded
        } else if !part.children.isEmpty {
            object["parts"] = part.children.map { jsonPart($0) }
        }
        return object
    }

    static func jsonAddressEntry(_ entry: AddressEntry) -> [String: any Sendable] {
        switch entry {
        case .mailbox(let m): return jsonMailbox(m)
        case .group(let name, let members): return ["group": name, "members": members.map(jsonMailbox)]
        }
    }

    static func jsonMailbox(_ m: MailAddress) -> [String: any Sendable] {
        var o: [String: any Sendable] = ["address": m.address]
        if let name = m.name { o["name"] = name }
        return o
    }

    static func isoDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

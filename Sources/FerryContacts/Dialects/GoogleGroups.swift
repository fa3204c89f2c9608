/// Google's repeating column groups ("E-mail 1 - Label", "E-mail 1 - Value", …) ↔ Zimbra attributes.
///
/// A value cell may hold several values joined by " ::: "; a label starting with "* " marks the
/// primary value. Labels name the attribute family (Home/Work/Other/Mobile/…); labels Ferry does
/// not know keep their value under an attribute named after the group and label.
enum GoogleGroups {
    static let multiSeparator = " ::: "

    static func apply(kind: String, values: [Int: String], to contact: inout Contact) {
        var label = values[0] ?? ""
        var primary = false
        if label.hasPrefix("* ") { label = String(label.dropFirst(2)); primary = true }
        let key = label.lowercased()
        func each(_ v: String?) -> [String] {
            (v ?? "").components(separatedBy: multiSeparator).map { $0.trimming(" ") }.filter { !$0.isEmpty }
        }
        switch kind {
        case "email":
            for (i, v) in each(values[1]).enumerated() {
                if key == "work" && !primary { contact.appendNumbered("workEmail", v, numberedFrom: 1) }
                else if primary && i == 0 && contact["email"] != nil {
                    // The primary address goes first.
                    let existing = contact.numbered("email")
                    for (name, _) in existing { contact[name] = nil }
                    contact["email"] = v
                    for (_, e) in existing { contact.appendNumbered("email", e) }
                } else { contact.appendNumbered("email", v) }
            }
        case "phone":
            let base: String
            switch key {
            case "mobile", "cell": base = "mobilePhone"
            case "home": base = "homePhone"
            case "work": base = "workPhone"
            case "home fax": base = "homeFax"
            case "work fax": base = "workFax"
            case "other fax": base = "otherFax"
            case "pager": base = "pager"
            case "main", "company main": base = "companyPhone"
            case "car": base = "carPhone"
            case "assistant": base = "assistant"
            case "callback": base = "callbackPhone"
            case "isdn": base = "isdn"
            case "radio": base = "radioPhone"
            case "telex": base = "telex"
            case "tty/tdd", "tty": base = "ttyTDDPhone"
            case "other", "": base = "otherPhone"
            default: base = "Phone \(label)"
            }
            for v in each(values[1]) { contact.appendNumbered(base, v) }
        case "address":
            let prefix = key == "work" ? "work" : key == "home" ? "home" : "other"
            // Formatted (1), Street (2), City (3), PO Box (4), Region (5), Postal Code (6), Country (7), Extended (8)
            let suffixes = [2: "Street", 3: "City", 4: "POBox", 5: "State", 6: "PostalCode", 7: "Country"]
            var n = 1
            func name(_ s: String) -> String { prefix + s + (n == 1 ? "" : String(n)) }
            while suffixes.values.contains(where: { contact[name($0)] != nil }) { n += 1 }
            var any = false
            for (part, suffix) in suffixes {
                if let v = values[part], !v.isEmpty { contact[name(suffix)] = v; any = true }
            }
            if let ext = values[8], !ext.isEmpty {
                contact[name("Street")] = [contact[name("Street")], ext].compactMap { $0 }.joined(separator: "\n")
                any = true
            }
            if !any, let formatted = values[1], !formatted.isEmpty { contact[name("Street")] = formatted }
            if prefix == "other" && !key.isEmpty && key != "other" { contact.setIfAbsent(name("Label"), label) }
        case "website":
            let base = key == "home" || key == "home page" ? "homeURL" : key == "work" ? "workURL" : "otherURL"
            for v in each(values[1]) { contact.appendNumbered(base, v) }
        case "event":
            for v in each(values[1]) {
                if key == "anniversary" { contact.setIfAbsent("anniversary", DateParsing.normalize(v, order: nil)) }
                else { contact.appendNumbered("Event \(label.isEmpty ? "Other" : label)", v) }
            }
        case "relation":
            let base: String
            switch key {
            case "spouse": base = "spouse"
            case "child": base = "children"
            case "assistant": base = "assistantName"
            case "manager": base = "managerName"
            case "referred by": base = "referredBy"
            default: base = "Relation \(label.isEmpty ? "Other" : label)"
            }
            for v in each(values[1]) {
                if base == "children", let c = contact["children"] { contact["children"] = c + ", " + v }
                else { contact.appendNumbered(base, v) }
            }
        case "im":
            let service = (values[1] ?? "").lowercased().trimming(" ")
            for v in each(values[2]) {
                contact.appendNumbered("imAddress", service.isEmpty ? v : "\(service)://\(v)", numberedFrom: 1)
            }
        case "organization":
            contact.setIfAbsent("company", values[1] ?? "")
            contact.setIfAbsent("phoneticCompany", values[2] ?? "")
            contact.setIfAbsent("jobTitle", values[3] ?? "")
            contact.setIfAbsent("department", values[4] ?? "")
            contact.setIfAbsent("Organization Symbol", values[5] ?? "")
            contact.setIfAbsent("office", values[6] ?? "")
            contact.setIfAbsent("Organization Job Description", values[7] ?? "")
        default:  // custom
            if let v = values[1], !v.isEmpty { contact.setIfAbsent(label.isEmpty ? "Custom" : label, v) }
        }
    }
}

import FerryCalendar
import FerryContacts
import FerryCore
import FerryMIME

/// The formats compiled into this build. Each format module adds its `Format` values here.
let builtinFormats: [any Format] = [
    ContactCSVFormat(),
    IcsFormat(),
    FreeBusyFormat(),
    EMLFormat(),
    SyncFormat(),
    SyncFormat(headersOnly: true),
    JSONLinesFormat(),
] + ContactCSVFormat.dialectFormats

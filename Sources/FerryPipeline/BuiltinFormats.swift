import FerryArchive
import FerryContacts
import FerryCore

/// The formats compiled into this build. Each format module adds its `Format` values here.
let builtinFormats: [any Format] = [
    ContactCSVFormat(),
    ArchiveFormat(.zip), ArchiveFormat(.tar), ArchiveFormat(.tgz), MboxFormat(),
    MaildirFormat(), EmlFolderFormat(),
] + ContactCSVFormat.dialectFormats

/// What a language's text looks like beyond ASCII: the letters it uses and how common they are.
///
/// Used by `CharsetDetector` to verify candidate charsets: decoding a Polish windows-1250 file as
/// ISO-8859-2 gives `¶` and `±` inside words, a KOI8-R file decoded as windows-1251 gives
/// `иВАНОВ`-shaped words, a French file decoded as windows-1250 gives `ŕ` and `č` that French does
/// not use. Each profile lists the lowercase non-ASCII letters of the language; letters listed in
/// `common` are the frequent ones (they weigh more as evidence). For Cyrillic, Greek and the like
/// every letter of the script is non-ASCII, so `common` carries the frequency ranking.
struct LanguageProfile: Sendable {
    let code: String
    /// Lowercase non-ASCII letters used in the language.
    let letters: Set<Unicode.Scalar>
    /// The most frequent of them.
    let common: Set<Unicode.Scalar>
    /// Lowercase ASCII letters that are frequent in the language (for a weak language prior from the
    /// ASCII part of names and streets).
    let asciiCommon: Set<Unicode.Scalar>
    /// Letters of the script that are rare in the language (still valid, weak evidence).
    let rare: Set<Unicode.Scalar>
    /// True when words are written in a non-Latin script (then ASCII letters inside a word are odd).
    let nonLatin: Bool

    init(_ code: String, _ letters: String, common: String = "", rare: String = "", ascii: String = "",
         nonLatin: Bool = false) {
        self.code = code
        self.letters = Set(letters.unicodeScalars)
        self.common = Set(common.unicodeScalars)
        self.rare = Set(rare.unicodeScalars)
        self.asciiCommon = Set(ascii.unicodeScalars)
        self.nonLatin = nonLatin
    }

    /// The weight of one non-ASCII letter as evidence for this language.
    @inline(__always)
    func weight(_ lower: Unicode.Scalar) -> Double? {
        guard letters.contains(lower) else { return nil }
        if common.contains(lower) { return 1.5 }
        if rare.contains(lower) { return 0.25 }
        return 1.0
    }

    static let all: [LanguageProfile] = [
        // Western European (windows-1252, ISO-8859-1/15)
        LanguageProfile("de", "äöüß", common: "äöüß", ascii: "enrhcstg"),
        LanguageProfile("fr", "àâæçéèêëîïôœùûüÿ", common: "éèàçê", rare: "æÿüœ", ascii: "eusqroi"),
        LanguageProfile("es", "áéíñóúü", common: "áéíñó", ascii: "eaosrdl"),
        LanguageProfile("it", "àèéìíîòóùú", common: "àèéìòù", ascii: "eaiorlnz"),
        LanguageProfile("pt", "áâãàçéêíóôõú", common: "ãçéáõ", ascii: "aeosrdm"),
        LanguageProfile("ca", "àçèéíïòóúü", common: "àèéòç", ascii: "easlrt"),
        LanguageProfile("nl", "éëïóöüèáà", rare: "áàóö", ascii: "enatdijv"),
        LanguageProfile("sv", "åäöé", common: "åäö", ascii: "eanrtsl"),
        LanguageProfile("da", "æøåé", common: "æøå", ascii: "erntdsl"),
        LanguageProfile("no", "æøåéèóôò", common: "æøå", ascii: "ernstlk"),
        LanguageProfile("fi", "äöå", common: "äö", ascii: "aitnesk"),
        LanguageProfile("is", "áðéíóúýþæö", common: "áðíóþ", ascii: "anrisu"),
        // Central European (windows-1250, ISO-8859-2)
        LanguageProfile("pl", "ąćęłńóśźż", common: "ąęłóśż", ascii: "aiozwnrcyk"),
        LanguageProfile("cs", "áčďéěíňóřšťúůýž", common: "áčéěířšýž", rare: "ďňť", ascii: "aoevnkl"),
        LanguageProfile("sk", "áäčďéíĺľňóôŕšťúýž", common: "áčéíšýž", rare: "äĺŕ", ascii: "aoeinvk"),
        LanguageProfile("hu", "áéíóöőúüű", common: "áéóöő", ascii: "eatlnkszg"),
        LanguageProfile("sl", "čšž", common: "čšž", ascii: "eaoinrj"),
        LanguageProfile("hr", "čćđšž", common: "čšž", ascii: "aioejnr"),
        LanguageProfile("ro", "ăâîșțşţ", common: "ăâîșțşţ", ascii: "eairnut"),
        // Turkish, Baltic
        LanguageProfile("tr", "çğıöşüâî", common: "çğıöşü", ascii: "aeinrlk"),
        LanguageProfile("lt", "ąčęėįšųūž", common: "ąėįšųūž", ascii: "aiseortu"),
        LanguageProfile("lv", "āčēģīķļņšūž", common: "āēīšū", ascii: "aisetrn"),
        LanguageProfile("et", "äõöüšž", common: "äõöü", ascii: "aeistlu"),
        // Cyrillic: frequency-ranked (Russian), alphabet (Ukrainian, Bulgarian, Serbian/Macedonian)
        LanguageProfile("ru", "абвгдежзийклмнопрстуфхцчшщъыьэюяё",
                        common: "оеаинтсрвлкмд", rare: "ъёщэфцюшжх", nonLatin: true),
        LanguageProfile("uk", "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
                        common: "оаніивтерсл", rare: "ґщфцюшжхє", nonLatin: true),
        LanguageProfile("bg", "абвгдежзийклмнопрстуфхцчшщъьюя",
                        common: "оаеинтрсвл", rare: "щфцюшжхь", nonLatin: true),
        LanguageProfile("sr", "абвгдђежзијклљмнњопрстћуфхцчџш",
                        common: "аоиенрстј", rare: "ђћџфхц", nonLatin: true),
        // Greek
        LanguageProfile("el", "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰς",
                        common: "αεοινστρ", rare: "ψξζϊϋΐΰ", nonLatin: true),
    ]
}

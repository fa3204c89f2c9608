#!/usr/bin/env python3
"""Generates Ferry's charset-detection corpus: contact CSVs shaped like Thunderbird exports.

Reproduces the test set of shared/reference/contact-csv-and-charsets.md §2.6: 46 files with the
en-US Thunderbird header (37 columns, ASCII) and rows of realistic names, streets and cities in
10 languages, each in the legacy charsets a Windows "system charset" export or an old mail client
would use, as "tiny" (header + 2 rows) and "small" (header + 25 rows).

Output (deterministic, seeded), next to this script in detection/:
  <lang>.<size>.<codec>.csv      the sample, encoded with Python's codec of that name
  original/<lang>.<size>.txt     the same text in UTF-8: the truth a detector's guess must reproduce
  MANIFEST.tsv                   file, charset label Ferry uses, language, original

Legacy files use CRLF (Windows exports), UTF-8 files LF (Thunderbird on Linux). Run from anywhere:
  python3 Fixtures/charsets/generate-detection-corpus.py [--seed S --out DIR]
A different seed gives a fresh corpus of the same shape, to check that the detector generalises:
  FERRY_DETECTION_CORPUS=DIR swift test --filter CharsetDetectionTests/accuracyAgainstUchardetAndICU
"""

import argparse
import os
import random
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "detection")

HEADER = [
    "First Name", "Last Name", "Display Name", "Nickname", "Primary Email", "Secondary Email",
    "Screen Name", "Work Phone", "Home Phone", "Fax Number", "Pager Number", "Mobile Number",
    "Home Address", "Home Address 2", "Home City", "Home State", "Home ZipCode", "Home Country",
    "Work Address", "Work Address 2", "Work City", "Work State", "Work ZipCode", "Work Country",
    "Job Title", "Department", "Organization", "Web Page 1", "Web Page 2", "Birth Year",
    "Birth Month", "Birth Day", "Custom 1", "Custom 2", "Custom 3", "Custom 4", "Notes",
]

# Python codec name -> the label Ferry resolves (what a correct guess must decode like).
LABELS = {
    "cp1252": "windows-1252", "iso8859_1": "ISO-8859-1", "utf_8": "UTF-8",
    "cp1250": "windows-1250", "iso8859_2": "ISO-8859-2", "cp1251": "windows-1251",
    "koi8_r": "KOI8-R", "cp932": "Windows-31J", "euc_jp": "EUC-JP", "gbk": "GBK",
    "big5": "Big5", "euc_kr": "EUC-KR",
}

# language: (codecs, family-name-first display, tld, phone prefix, country, data)
LANGUAGES = {}


def lang(code, codecs, family_first, tld, phone, country, names, streets, cities, jobs, notes):
    LANGUAGES[code] = dict(codecs=codecs, family_first=family_first, tld=tld, phone=phone,
                           country=country, names=names, streets=streets, cities=cities,
                           jobs=jobs, notes=notes)


lang("de", ["cp1252", "iso8859_1", "utf_8"], False, "de", "+49", "Deutschland",
     names=[("Jürgen", "Müller"), ("Björn", "Schäfer"), ("Käthe", "Weiß"), ("Günther", "Köhler"),
            ("Sören", "Schröder"), ("Jörg", "Bäcker"), ("Ursula", "Groß"), ("Dörte", "Hoffmann"),
            ("Matthias", "Krüger"), ("Bärbel", "Fuß"), ("Hans-Jürgen", "Möller"), ("Ines", "Jäger"),
            ("Torsten", "Schütz"), ("Gisela", "Kühn"), ("Uwe", "Börner"), ("Anneliese", "Lösch"),
            ("Klaus", "Süßmann"), ("Renate", "Günther"), ("Frank", "Strauß"), ("Heike", "Brückner"),
            ("Dieter", "Müller-Lüdenscheidt"), ("Sabine", "Wöhler"), ("Ralf", "Höfer"),
            ("Monika", "Schüler"), ("Rüdiger", "Voß")],
     streets=["Hauptstraße 12", "Königsallee 5", "Mühlenweg 3", "Am Bühl 17", "Schloßstraße 44",
              "Bahnhofstraße 8a", "Lindenstraße 21", "Gärtnerweg 9", "Rosenhöhe 2", "Blücherplatz 6",
              "Friedrich-Ebert-Straße 103", "Schönhauser Allee 70"],
     cities=[("München", "Bayern", "80331"), ("Köln", "Nordrhein-Westfalen", "50667"),
             ("Düsseldorf", "Nordrhein-Westfalen", "40213"), ("Nürnberg", "Bayern", "90402"),
             ("Lübeck", "Schleswig-Holstein", "23552"), ("Göttingen", "Niedersachsen", "37073"),
             ("Würzburg", "Bayern", "97070"), ("Saarbrücken", "Saarland", "66111"),
             ("Osnabrück", "Niedersachsen", "49074"), ("Fürth", "Bayern", "90762"),
             ("Berlin", "Berlin", "10115"), ("Tübingen", "Baden-Württemberg", "72070")],
     jobs=["Geschäftsführer", "Vertriebsleiterin", "Bürokauffrau", "Steuerberater", "Ärztin"],
     notes=["Kunde seit 2015", "Rückruf erbeten", "Geburtstagsgrüße schicken", "Kontakt über Messe Köln"])

lang("fr", ["cp1252", "utf_8"], False, "fr", "+33", "France",
     names=[("Hélène", "Lefèvre"), ("François", "Dupré"), ("Jérôme", "Bénard"), ("Cécile", "Crémieux"),
            ("Stéphane", "Lemaître"), ("Maëlle", "Giraud"), ("Noël", "Béranger"), ("Amélie", "Fournier"),
            ("Frédéric", "Chênevert"), ("Lætitia", "Rousseau"), ("Benoît", "Lefèbvre"), ("Gaëlle", "Morel"),
            ("Thérèse", "Dubœuf"), ("Jean-René", "Mercier"), ("Clémence", "Faure"), ("Aurélien", "Brûlé"),
            ("Geneviève", "Barthélemy"), ("Raphaël", "Guérin"), ("Océane", "Périer"), ("Loïc", "Ménard"),
            ("Élodie", "Ducrocq"), ("Joël", "Hébert"), ("Inès", "Lacroix"), ("Théo", "Garçon"),
            ("Solène", "Prévost")],
     streets=["12 rue de la Forêt", "8 boulevard Saint-Germain", "3 place de l'Église",
              "27 avenue Jean-Jaurès", "5 rue du Général-Leclerc", "14 rue du Sacré-Cœur",
              "41 quai de la Tournelle", "9 impasse des Frênes", "2 allée des Châtaigniers",
              "66 rue de Bercy", "19 chemin des Écoliers", "7 rue Émile-Zola"],
     cities=[("Orléans", "Centre-Val de Loire", "45000"), ("Besançon", "Bourgogne-Franche-Comté", "25000"),
             ("Nîmes", "Occitanie", "30000"), ("Angoulême", "Nouvelle-Aquitaine", "16000"),
             ("Saint-Étienne", "Auvergne-Rhône-Alpes", "42000"), ("Évry", "Île-de-France", "91000"),
             ("Béziers", "Occitanie", "34500"), ("Sète", "Occitanie", "34200"),
             ("Fréjus", "Provence-Alpes-Côte d'Azur", "83600"), ("Paris", "Île-de-France", "75005"),
             ("Nancy", "Grand Est", "54000"), ("Vénissieux", "Auvergne-Rhône-Alpes", "69200")],
     jobs=["Chargée de clientèle", "Ingénieur système", "Secrétaire générale", "Directeur financier"],
     notes=["Rencontré au salon à Lyon", "À rappeler après les fêtes", "Préfère être contacté par e-mail",
            "Client fidèle"])

lang("pl", ["cp1250", "iso8859_2", "utf_8"], False, "pl", "+48", "Polska",
     names=[("Łukasz", "Wiśniewski"), ("Małgorzata", "Wójcik"), ("Grzegorz", "Kamiński"),
            ("Agnieszka", "Lewandowska"), ("Paweł", "Zieliński"), ("Katarzyna", "Szymańska"),
            ("Wojciech", "Woźniak"), ("Żaneta", "Dąbrowska"), ("Michał", "Kozłowski"),
            ("Jolanta", "Jankowska"), ("Bożena", "Mazur"), ("Zbigniew", "Kwiatkowski"),
            ("Jarosław", "Krawczyk"), ("Dorota", "Piotrowska"), ("Przemysław", "Grabowski"),
            ("Elżbieta", "Nowakowska"), ("Tomasz", "Pawłowski"), ("Stanisław", "Michalski"),
            ("Ewa", "Nowicka"), ("Jędrzej", "Adamczyk"), ("Sławomir", "Zając"), ("Grażyna", "Wieczorek"),
            ("Henryk", "Jabłoński"), ("Krystyna", "Król"), ("Ścibor", "Gołębiowski")],
     streets=["ul. Świętokrzyska 12", "ul. Marszałkowska 84/92", "al. Jerozolimskie 65", "ul. Piękna 7",
              "ul. Źródlana 3", "ul. Żeromskiego 15", "ul. Kościuszki 22", "ul. Długa 41", "ul. Słoneczna 9",
              "ul. Łąkowa 18", "os. Bolesława Śmiałego 4", "ul. Ściegiennego 30"],
     cities=[("Warszawa", "mazowieckie", "00-950"), ("Kraków", "małopolskie", "31-001"),
             ("Łódź", "łódzkie", "90-001"), ("Wrocław", "dolnośląskie", "50-001"),
             ("Poznań", "wielkopolskie", "60-001"), ("Gdańsk", "pomorskie", "80-001"),
             ("Białystok", "podlaskie", "15-001"), ("Częstochowa", "śląskie", "42-200"),
             ("Toruń", "kujawsko-pomorskie", "87-100"), ("Rzeszów", "podkarpackie", "35-001"),
             ("Zielona Góra", "lubuskie", "65-001"), ("Bielsko-Biała", "śląskie", "43-300")],
     jobs=["Kierownik działu", "Księgowa", "Specjalista ds. sprzedaży", "Właściciel"],
     notes=["Zadzwonić po świętach", "Klient od 2012 r.", "Spotkanie w środę", "Numer prywatny"])

lang("cs", ["cp1250", "iso8859_2"], False, "cz", "+420", "Česká republika",
     names=[("Jiří", "Novák"), ("Petr", "Svoboda"), ("Jana", "Dvořáková"), ("Tomáš", "Černý"),
            ("Lucie", "Procházková"), ("Martin", "Kučera"), ("Kateřina", "Veselá"), ("Josef", "Horák"),
            ("Zdeněk", "Němec"), ("Hana", "Marková"), ("Miroslav", "Pokorný"), ("Věra", "Pospíšilová"),
            ("Václav", "Hájek"), ("Eva", "Jelínková"), ("Jaroslav", "Růžička"), ("Markéta", "Benešová"),
            ("Ondřej", "Fiala"), ("Alena", "Šťastná"), ("Stanislav", "Sedláček"), ("Radka", "Doležalová"),
            ("Luboš", "Zeman"), ("Božena", "Kolářová"), ("Přemysl", "Navrátil"), ("Dagmar", "Čermáková"),
            ("Štěpán", "Šimek")],
     streets=["Václavské náměstí 12", "Národní třída 25", "Dlouhá 8", "Palackého 14", "Masarykova 31",
              "Štefánikova 7", "Husova 19", "Smetanovo nábřeží 2", "Žižkova 45", "Křižíkova 58",
              "Šafaříkova 11", "Těšnov 3"],
     cities=[("Praha", "Hlavní město Praha", "110 00"), ("Brno", "Jihomoravský kraj", "602 00"),
             ("Ostrava", "Moravskoslezský kraj", "702 00"), ("Plzeň", "Plzeňský kraj", "301 00"),
             ("Liberec", "Liberecký kraj", "460 01"), ("Olomouc", "Olomoucký kraj", "779 00"),
             ("České Budějovice", "Jihočeský kraj", "370 01"), ("Hradec Králové", "Královéhradecký kraj", "500 02"),
             ("Ústí nad Labem", "Ústecký kraj", "400 01"), ("Havířov", "Moravskoslezský kraj", "736 01"),
             ("Žďár nad Sázavou", "Kraj Vysočina", "591 01"), ("Děčín", "Ústecký kraj", "405 02")],
     jobs=["Vedoucí oddělení", "Účetní", "Obchodní zástupce", "Jednatel společnosti"],
     notes=["Zavolat po svátcích", "Zákazník od roku 2014", "Schůzka ve čtvrtek", "Soukromé číslo"])

lang("hu", ["cp1250", "iso8859_2"], True, "hu", "+36", "Magyarország",
     names=[("László", "Nagy"), ("Éva", "Kovács"), ("István", "Tóth"), ("Zsófia", "Szabó"),
            ("Gábor", "Horváth"), ("Katalin", "Kiss"), ("Péter", "Varga"), ("Ildikó", "Molnár"),
            ("Ferenc", "Németh"), ("Erzsébet", "Farkas"), ("Zoltán", "Balogh"), ("Judit", "Papp"),
            ("Sándor", "Takács"), ("Mária", "Juhász"), ("Ödön", "Lakatos"), ("Győző", "Mészáros"),
            ("Tünde", "Oláh"), ("Béla", "Simon"), ("Gyöngyi", "Rácz"), ("Ágnes", "Fekete"),
            ("Örs", "Szilágyi"), ("Csaba", "Török"), ("Enikő", "Szűcs"), ("Lőrinc", "Pintér"),
            ("Dénes", "Balázs")],
     streets=["Andrássy út 12", "Kossuth Lajos utca 5", "Petőfi Sándor utca 23", "Rákóczi út 40",
              "Széchenyi tér 1", "Dózsa György út 88", "Bajcsy-Zsilinszky út 17", "Váci utca 31",
              "Üllői út 66", "Fő utca 9", "Erzsébet körút 44", "Szőlő utca 3"],
     cities=[("Budapest", "Pest", "1061"), ("Debrecen", "Hajdú-Bihar", "4024"), ("Szeged", "Csongrád-Csanád", "6720"),
             ("Miskolc", "Borsod-Abaúj-Zemplén", "3525"), ("Pécs", "Baranya", "7621"), ("Győr", "Győr-Moson-Sopron", "9021"),
             ("Nyíregyháza", "Szabolcs-Szatmár-Bereg", "4400"), ("Kecskemét", "Bács-Kiskun", "6000"),
             ("Székesfehérvár", "Fejér", "8000"), ("Hódmezővásárhely", "Csongrád-Csanád", "6800"),
             ("Gödöllő", "Pest", "2100"), ("Veszprém", "Veszprém", "8200")],
     jobs=["Ügyvezető igazgató", "Könyvelő", "Értékesítési vezető", "Műszaki előkészítő"],
     notes=["Ünnepek után hívni", "Ügyfél 2013 óta", "Csütörtökön találkozó", "Magánszám"])

lang("ru", ["cp1251", "koi8_r", "utf_8"], False, "ru", "+7", "Россия",
     names=[("Иван", "Петров"), ("Сергей", "Смирнов"), ("Анна", "Кузнецова"), ("Дмитрий", "Попов"),
            ("Ольга", "Васильева"), ("Алексей", "Соколов"), ("Елена", "Михайлова"), ("Андрей", "Новиков"),
            ("Наталья", "Фёдорова"), ("Михаил", "Морозов"), ("Татьяна", "Волкова"), ("Николай", "Алексеев"),
            ("Юлия", "Лебедева"), ("Владимир", "Семёнов"), ("Екатерина", "Егорова"), ("Павел", "Павлов"),
            ("Светлана", "Козлова"), ("Игорь", "Степанов"), ("Мария", "Николаева"), ("Артём", "Орлов"),
            ("Ирина", "Андреева"), ("Виктор", "Макаров"), ("Людмила", "Никитина"), ("Юрий", "Захаров"),
            ("Галина", "Зайцева")],
     streets=["ул. Ленина, д. 12, кв. 5", "Невский проспект, д. 28", "ул. Тверская, д. 7", "ул. Пушкина, д. 3",
              "пр. Мира, д. 101", "ул. Садовая, д. 45, кв. 12", "Ленинградское шоссе, д. 16",
              "ул. Гагарина, д. 9", "наб. реки Фонтанки, д. 20", "ул. Советская, д. 31",
              "ул. Щорса, д. 8", "пер. Чернышевского, д. 4"],
     cities=[("Москва", "Москва", "125009"), ("Санкт-Петербург", "Санкт-Петербург", "191186"),
             ("Новосибирск", "Новосибирская область", "630099"), ("Екатеринбург", "Свердловская область", "620014"),
             ("Казань", "Республика Татарстан", "420111"), ("Нижний Новгород", "Нижегородская область", "603005"),
             ("Челябинск", "Челябинская область", "454091"), ("Самара", "Самарская область", "443099"),
             ("Ростов-на-Дону", "Ростовская область", "344002"), ("Воронеж", "Воронежская область", "394018"),
             ("Пермь", "Пермский край", "614000"), ("Уфа", "Республика Башкортостан", "450008")],
     jobs=["Генеральный директор", "Бухгалтер", "Менеджер по продажам", "Инженер"],
     notes=["Перезвонить после праздников", "Клиент с 2011 года", "Встреча в четверг", "Личный номер"])

lang("ja", ["cp932", "euc_jp", "utf_8"], True, "jp", "+81", "日本",
     names=[("太郎", "山田"), ("健", "佐藤"), ("花子", "鈴木"), ("誠", "高橋"), ("美咲", "田中"),
            ("翔太", "伊藤"), ("由美", "渡辺"), ("大輔", "山本"), ("さくら", "中村"), ("直樹", "小林"),
            ("恵", "加藤"), ("拓也", "吉田"), ("愛", "山口"), ("和也", "松本"), ("陽子", "井上"),
            ("亮", "木村"), ("真理子", "林"), ("健一", "斎藤"), ("彩", "清水"), ("雄一", "山崎"),
            ("優子", "森"), ("浩", "池田"), ("千尋", "橋本"), ("剛", "阿部"), ("舞", "石川")],
     streets=["丸の内1-1-1", "西新宿2-8-1", "梅田3丁目1-3", "栄4-1-1", "銀座4-6-16", "西天満2-1-2",
              "博多駅前2-1-1", "大通西4丁目", "本町1-5-7 コーポ山田201号", "烏丸通七条下ル", "元町通3-10",
              "青葉区一番町3-7-1"],
     cities=[("千代田区", "東京都", "100-0005"), ("新宿区", "東京都", "163-8001"), ("大阪市北区", "大阪府", "530-0001"),
             ("名古屋市中区", "愛知県", "460-0008"), ("福岡市博多区", "福岡県", "812-0011"),
             ("札幌市中央区", "北海道", "060-0042"), ("横浜市西区", "神奈川県", "220-0011"),
             ("京都市下京区", "京都府", "600-8216"), ("神戸市中央区", "兵庫県", "650-0022"),
             ("仙台市青葉区", "宮城県", "980-0811")],
     jobs=["営業部長", "経理担当", "システムエンジニア", "代表取締役"],
     notes=["年末に連絡", "展示会で名刺交換", "木曜日に打ち合わせ", "携帯優先"])

lang("zh_cn", ["gbk", "utf_8"], True, "cn", "+86", "中国",
     names=[("伟", "张"), ("芳", "王"), ("娜", "李"), ("洋", "刘"), ("静", "陈"), ("磊", "杨"), ("敏", "赵"),
            ("强", "黄"), ("杰", "周"), ("丽", "吴"), ("明", "徐"), ("婷", "孙"), ("军", "胡"), ("琳", "朱"),
            ("飞", "高"), ("涛", "林"), ("雪", "何"), ("鹏", "郭"), ("超", "马"), ("丹", "罗"), ("斌", "梁"),
            ("佳", "宋"), ("浩", "郑"), ("颖", "谢"), ("冰", "韩")],
     streets=["朝阳区建国路88号", "海淀区中关村大街27号", "浦东新区世纪大道100号", "天河区天河路385号",
              "南山区科技园南路18号", "武侯区人民南路四段12号", "西湖区文三路90号", "鼓楼区中山路321号",
              "江汉区解放大道690号", "雁塔区小寨东路1号"],
     cities=[("北京市", "北京", "100020"), ("上海市", "上海", "200120"), ("广州市", "广东省", "510620"),
             ("深圳市", "广东省", "518057"), ("成都市", "四川省", "610041"), ("杭州市", "浙江省", "310012"),
             ("南京市", "江苏省", "210008"), ("武汉市", "湖北省", "430022"), ("西安市", "陕西省", "710061")],
     jobs=["销售经理", "会计", "软件工程师", "总经理"],
     notes=["节后回电", "展会上认识", "周四开会", "优先打手机"])

lang("zh_tw", ["big5"], True, "tw", "+886", "臺灣",
     names=[("志明", "陳"), ("美玲", "林"), ("建宏", "黃"), ("淑芬", "張"), ("俊傑", "李"), ("雅婷", "王"),
            ("家豪", "吳"), ("怡君", "劉"), ("宗翰", "蔡"), ("佩珊", "楊"), ("志豪", "許"), ("惠如", "鄭"),
            ("承恩", "謝"), ("依婷", "郭"), ("文雄", "洪"), ("雅雯", "邱"), ("冠宇", "曾"), ("欣怡", "廖"),
            ("俊宏", "賴"), ("詩涵", "周"), ("明哲", "葉"), ("美惠", "蘇"), ("子豪", "莊"), ("佳穎", "呂"),
            ("志偉", "江")],
     streets=["信義區信義路五段7號", "大安區忠孝東路四段100號", "中正區重慶南路一段122號", "西屯區臺灣大道三段99號",
              "前鎮區中山二路5號", "東區大學路1號", "北區三民路三段129號", "中壢區中大路300號"],
     cities=[("臺北市", "臺北", "110"), ("臺中市", "臺中", "407"), ("高雄市", "高雄", "806"),
             ("臺南市", "臺南", "701"), ("新竹市", "新竹", "300"), ("桃園市", "桃園", "320")],
     jobs=["業務經理", "會計", "軟體工程師", "總經理"],
     notes=["節後回電", "展覽會上認識", "週四開會", "優先打手機"])

lang("ko", ["euc_kr", "utf_8"], True, "kr", "+82", "대한민국",
     names=[("민준", "김"), ("서연", "이"), ("지훈", "박"), ("수빈", "최"), ("예준", "정"), ("하은", "강"),
            ("도윤", "조"), ("지우", "윤"), ("현우", "장"), ("서윤", "임"), ("준서", "한"), ("지민", "오"),
            ("민서", "서"), ("유진", "신"), ("태현", "권"), ("수아", "황"), ("성민", "안"), ("다은", "송"),
            ("재원", "류"), ("채원", "홍"), ("승우", "전"), ("은지", "고"), ("동현", "문"), ("소연", "양"),
            ("정호", "손")],
     streets=["강남구 테헤란로 152", "중구 세종대로 110", "해운대구 해운대해변로 264", "수성구 달구벌대로 2450",
              "유성구 대학로 99", "서구 둔산로 100", "종로구 사직로 161", "마포구 월드컵북로 396"],
     cities=[("서울특별시", "서울", "06236"), ("부산광역시", "부산", "48099"), ("대구광역시", "대구", "42192"),
             ("대전광역시", "대전", "34134"), ("인천광역시", "인천", "21554"), ("광주광역시", "광주", "61945")],
     jobs=["영업부장", "회계 담당", "소프트웨어 개발자", "대표이사"],
     notes=["명절 후 연락", "전시회에서 명함 교환", "목요일 회의", "휴대폰 우선"])


def ascii_fold(text):
    text = text.replace("ł", "l").replace("Ł", "L").replace("ß", "ss").replace("œ", "oe").replace("æ", "ae")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalnum() or c in ".-")


def quote(field):
    if any(c in field for c in ',"\r\n\t'):
        return '"' + field.replace('"', '""') + '"'
    return field


def row(data, rng, index):
    first, last = data["names"][index % len(data["names"])]
    if not data["family_first"]:
        display = f"{first} {last}"
    elif data["tld"] in ("cn", "tw", "kr"):
        display = f"{last}{first}"  # Chinese and Korean names are written without a space
    else:
        display = f"{last} {first}"
    local = ascii_fold(f"{first}.{last}")
    if len(local) < 4 or not local[0].isalpha():
        local = f"contact{index + 1:02d}"
    email = f"{local}@example.{data['tld']}"
    city, state, zipcode = rng.choice(data["cities"])
    phone = f"{data['phone']} {rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    mobile = f"{data['phone']} {rng.randint(500, 799)} {rng.randint(100, 999)} {rng.randint(100, 999)}" \
        if rng.random() < 0.6 else ""
    fields = [""] * len(HEADER)
    fields[0], fields[1], fields[2] = first, last, display
    fields[4] = email
    fields[8] = phone
    fields[11] = mobile
    fields[12] = rng.choice(data["streets"])
    fields[14], fields[15], fields[16], fields[17] = city, state, zipcode, data["country"]
    if rng.random() < 0.4:
        fields[24] = rng.choice(data["jobs"])
    if rng.random() < 0.3:
        fields[29], fields[30], fields[31] = str(rng.randint(1950, 2000)), str(rng.randint(1, 12)), str(rng.randint(1, 28))
    if rng.random() < 0.35:
        fields[36] = rng.choice(data["notes"])
    return ",".join(quote(f) for f in fields)


def main():
    global OUT
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", default="ferry")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    OUT = args.out
    os.makedirs(os.path.join(OUT, "original"), exist_ok=True)
    manifest = ["file\tcharset\tlanguage\toriginal"]
    for code, data in LANGUAGES.items():
        for size, rows in (("tiny", 2), ("small", 25)):
            rng = random.Random(f"{args.seed}-{code}-{size}")
            start = rng.randrange(len(data["names"]))
            lines = [",".join(HEADER)] + [row(data, rng, start + i) for i in range(rows)]
            original_name = f"{code}.{size}.txt"
            with open(os.path.join(OUT, "original", original_name), "w", encoding="utf-8", newline="") as f:
                f.write("\n".join(lines) + "\n")
            for codec in data["codecs"]:
                newline = "\n" if codec == "utf_8" else "\r\n"
                text = newline.join(lines) + newline
                name = f"{code}.{size}.{codec}.csv"
                with open(os.path.join(OUT, name), "wb") as f:
                    f.write(text.encode(codec))  # raises if a character is not in the charset
                manifest.append(f"{name}\t{LABELS[codec]}\t{code}\toriginal/{original_name}")
    with open(os.path.join(OUT, "MANIFEST.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(manifest) + "\n")
    print(f"{len(manifest) - 1} files in {OUT}")


if __name__ == "__main__":
    main()

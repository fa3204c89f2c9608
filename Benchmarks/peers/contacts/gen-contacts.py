#!/usr/bin/env python3
"""Deterministic contact inputs for the contacts peer benchmark.

    gen-contacts.py outlook-csv N FILE   # N contacts, English Outlook 2003 CSV, Windows-1252, CRLF, all quoted
    gen-contacts.py vcf N FILE           # N vCard 3.0 cards (UTF-8, CRLF), Apple/Zimbra-shaped

The header is the one of Fixtures/contacts/outlook-en.csv (92 columns); each row fills the columns
real exports fill (names, company, two addresses, four phones, two e-mails, birthday, categories,
notes with an embedded line break in one row of eight) and leaves the rest empty, as Outlook does.
"""
import random, sys, os

FIRST = ["José", "Anna", "Jürgen", "Zoë", "François", "Mary Ann", "Søren", "Chloé", "Wei", "Ingrid", "Björn", "Amélie"]
LAST = ["Ramírez", "Müller", "O'Brien", "Lefèvre", "Van Buren", "Nørgaard", "Smith", "Dubois", "Chen", "Åberg"]
CITY = ["Austin", "Düsseldorf", "Paris", "Montréal", "København", "Zürich", "Springfield", "Málaga"]
CO = ["Café Olé, Inc.", "Müller & Söhne GmbH", "Atelier Lefèvre", "Acme \"Widgets\" Ltd", "Nørd ApS", ""]

def header():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "..", "Fixtures", "contacts", "outlook-en.csv")
    with open(path, encoding="cp1252", newline="") as f:
        return f.readline().rstrip("\r\n")

def q(v):
    return '"' + v.replace('"', '""') + '"'

def outlook(n, out):
    cols = [c.strip('"') for c in header().split('","')]
    idx = {c: i for i, c in enumerate(cols)}
    rnd = random.Random(42)
    with open(out, "w", encoding="cp1252", newline="") as f:
        f.write(",".join(q(c) for c in cols) + "\r\n")
        for i in range(n):
            row = [""] * len(cols)
            fn, ln = rnd.choice(FIRST), rnd.choice(LAST)
            def put(c, v): row[idx[c]] = v
            put("First Name", fn); put("Last Name", ln)
            if i % 3 == 0: put("Middle Name", rnd.choice(FIRST)[0] + ".")
            put("Company", rnd.choice(CO)); put("Job Title", rnd.choice(["Owner", "Engineer", "Geschäftsführer", ""]))
            put("Business Street", f"{rnd.randint(1, 999)} Main St"); put("Business City", rnd.choice(CITY))
            put("Business Postal Code", f"{rnd.randint(10000, 99999)}"); put("Business Country/Region", "United States of America")
            if i % 2: put("Home Street", f"{rnd.randint(1, 99)} Elm Rd"); put("Home City", rnd.choice(CITY))
            put("Business Phone", f"(512) 555-{rnd.randint(0, 9999):04d}")
            put("Mobile Phone", f"+1 512 555 {rnd.randint(0, 9999):04d}")
            if i % 4 == 0: put("Home Phone", f"+1 737 555 {rnd.randint(0, 9999):04d}")
            if i % 5 == 0: put("Business Fax", f"(512) 555-{rnd.randint(0, 9999):04d}")
            mail = f"{fn.split()[0].lower()}.{i}@example.com".encode("ascii", "ignore").decode()
            put("E-mail Address", mail); put("E-mail Type", "SMTP"); put("E-mail Display Name", f"{fn} {ln} ({mail})")
            if i % 3 == 1: put("E-mail 2 Address", f"c{i}@mail.example.org"); put("E-mail 2 Type", "SMTP")
            put("Birthday", f"{rnd.randint(1, 12)}/{rnd.randint(1, 28)}/{rnd.randint(1940, 2005)}" if i % 2 else "0/0/00")
            put("Anniversary", "0/0/00")
            put("Categories", rnd.choice(["Customers;VIP", "Friends", "", "Work"]))
            put("Notes", "Prefers \"espresso\", not coffee.\r\nCall after 10am." if i % 8 == 0 else "")
            put("Gender", "Unspecified"); put("Priority", "Normal"); put("Private", "False"); put("Sensitivity", "Normal")
            f.write(",".join(q(v) for v in row) + "\r\n")

def vcf(n, out):
    rnd = random.Random(7)
    with open(out, "w", encoding="utf-8", newline="") as f:
        for i in range(n):
            fn, ln = rnd.choice(FIRST), rnd.choice(LAST)
            co = rnd.choice(CO).replace(",", "\\,").replace(";", "\\;")
            lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{fn} {ln}", f"N:{ln};{fn};;;",
                     f"ORG:{co};Sales" if co else "ORG:;Sales",
                     "TITLE:Engineer",
                     f"ADR;TYPE=work,postal,parcel:;;{rnd.randint(1, 999)} Main St;{rnd.choice(CITY)};TX;{rnd.randint(10000, 99999)};USA",
                     f"TEL;TYPE=work,voice:(512) 555-{rnd.randint(0, 9999):04d}",
                     f"TEL;TYPE=cell,voice:+1 512 555 {rnd.randint(0, 9999):04d}",
                     f"EMAIL;TYPE=internet:p{i}@example.com",
                     f"item1.EMAIL;TYPE=INTERNET:q{i}@example.org", "item1.X-ABLabel:_$!<Other>!$_",
                     f"BDAY;VALUE=date:{rnd.randint(1940, 2005)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                     "CATEGORIES:Customers,VIP",
                     f"UID:{i:08d}-5b6d-4e7f-9a0b-1c2d3e4f5a6b",
                     "NOTE:Prefers espresso\\, not coffee.\\nCall after 10am." if i % 4 == 0 else "X-ZIMBRA-MAIDENNAME:Ng",
                     "END:VCARD"]
            f.write("\r\n".join(lines) + "\r\n")

if __name__ == "__main__":
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    {"outlook-csv": outlook, "vcf": vcf}[kind](n, out)

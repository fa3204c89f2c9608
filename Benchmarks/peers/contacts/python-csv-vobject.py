#!/usr/bin/env python3
"""A converter built from Python's csv module and vobject: Outlook CSV → vCard 3.0, the way the
small vcf2csv/csv2vcard tools do it (fixed column mapping). Writes the cards to stdout, prints the
count to stderr.   python-csv-vobject.py FILE [CHARSET]"""
import csv, sys, vobject

def main():
    out = sys.stdout
    n = 0
    with open(sys.argv[1], encoding=sys.argv[2] if len(sys.argv) > 2 else "cp1252", newline="") as f:
        r = csv.reader(f)
        h = {name: i for i, name in enumerate(next(r))}
        g = lambda row, k: row[h[k]] if h.get(k) is not None and h[k] < len(row) else ""
        for row in r:
            c = vobject.vCard()
            first, middle, last = g(row, "First Name"), g(row, "Middle Name"), g(row, "Last Name")
            c.add("n").value = vobject.vcard.Name(family=last, given=first, additional=middle)
            c.add("fn").value = " ".join(x for x in (first, middle, last) if x) or g(row, "E-mail Address")
            if g(row, "Company"):
                c.add("org").value = [g(row, "Company")] + ([g(row, "Department")] if g(row, "Department") else [])
            if g(row, "Job Title"): c.add("title").value = g(row, "Job Title")
            for prefix, t in (("Business", "work"), ("Home", "home"), ("Other", None)):
                street = "\n".join(x for x in (g(row, f"{prefix} Street"), g(row, f"{prefix} Street 2"), g(row, f"{prefix} Street 3")) if x)
                city, code, country = g(row, f"{prefix} City"), g(row, f"{prefix} Postal Code"), g(row, f"{prefix} Country/Region")
                if street or city or code or country:
                    a = c.add("adr")
                    a.value = vobject.vcard.Address(street=street, city=city, region=g(row, f"{prefix} State"), code=code, country=country)
                    if t: a.type_param = t
            for col, t in (("Business Phone", "work"), ("Mobile Phone", "cell"), ("Home Phone", "home"), ("Business Fax", "fax")):
                if g(row, col):
                    tel = c.add("tel"); tel.value = g(row, col); tel.type_param = t
            for col in ("E-mail Address", "E-mail 2 Address", "E-mail 3 Address"):
                if g(row, col):
                    e = c.add("email"); e.value = g(row, col); e.type_param = "INTERNET"
            if g(row, "Birthday") and g(row, "Birthday") != "0/0/00": c.add("bday").value = g(row, "Birthday")
            if g(row, "Categories"): c.add("categories").value = g(row, "Categories").split(";")
            if g(row, "Notes"): c.add("note").value = g(row, "Notes")
            out.write(c.serialize())
            n += 1
    print(n, file=sys.stderr)

main()

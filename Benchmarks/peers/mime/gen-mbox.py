#!/usr/bin/env python3
"""gen-mbox.py small|attachments|huge OUT [MB] — deterministic mboxrd inputs for the MIME peers.
small:       ~4 KB messages: RFC 2047 From/Subject (UTF-8 B and Q), folded Received lines, QP and
             8-bit Latin-1 bodies, a third multipart/alternative, some small base64 attachments
             with RFC 2231 names, ~20 % bodies with an escaped '>From ' line.
attachments: multipart/mixed with 1–3 base64 attachments of 2 KB–600 KB each.
huge:        one message holding one attachment of the given size (default 1024 MB)."""
import base64, quopri, random, sys

kind, out = sys.argv[1], sys.argv[2]
target = int(sys.argv[3]) if len(sys.argv) > 3 else (1024 if kind == "huge" else 100)
rng = random.Random(20240501)
WORDS = ("the of and to in is that for it as with was on be by at this are from or have an they which one "
         "you were all we can her has there been if more when will would who so no Grüße café naïve Straße "
         "déjà über façade résumé jalapeño").split()

def sentence(n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

def paragraph():
    return " ".join(sentence(rng.randint(6, 16)) for _ in range(rng.randint(2, 6)))

def wrap(text, width=72):
    out, line = [], ""
    for w in text.split(" "):
        if len(line) + len(w) + 1 > width:
            out.append(line)
            line = w
        else:
            line = (line + " " + w).strip()
    out.append(line)
    return "\n".join(out)

def ew(text):
    if rng.random() < 0.5:
        return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="
    q = "".join(c if c.isascii() and c.isalnum() else ("_" if c == " " else "".join("=%02X" % b for b in c.encode())) for c in text)
    return "=?UTF-8?Q?" + q + "?="

def b64(data):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))

def headers(i, ctype):
    name = rng.choice(["Jürgen Müller", "Zoë Ødegård", "José Núñez", "Anna Schmidt", "François Lefèvre"])
    return (f"Received: from mx{i % 7}.example.net (mx{i % 7}.example.net [192.0.2.{i % 250}])\n"
            f"\tby mail.example.org (Postfix) with ESMTPS id {i:08X}\n\tfor <user@example.org>; Mon, 6 May 2024 10:{i % 60:02d}:00 +0200\n"
            f"From: {ew(name)} <user{i % 97}@example.net>\n"
            f"To: user@example.org\n"
            f"Subject: {ew(sentence(rng.randint(3, 8)))}\n"
            f"Date: Mon, 6 May 2024 10:{i % 60:02d}:{i % 60:02d} +0200\n"
            f"Message-ID: <{i}.{rng.randint(0, 10**9)}@example.net>\n"
            f"MIME-Version: 1.0\n"
            f"Content-Type: {ctype}\n")

def text_part():
    body = "\n\n".join(wrap(paragraph()) for _ in range(rng.randint(2, 8)))
    if rng.random() < 0.2:
        body += "\n\nFrom the desk of the editor.\n"
    if rng.random() < 0.5:
        return ("text/plain; charset=ISO-8859-1", "Content-Transfer-Encoding: 8bit\n", body.encode("latin-1", "replace"))
    return ("text/plain; charset=UTF-8", "Content-Transfer-Encoding: quoted-printable\n", quopri.encodestring(body.encode()))

def attachment(size):
    name = rng.choice(["Übersicht", "report", "naïve plan", "résumé"]) + f" {rng.randint(1, 999)}.bin"
    enc = "".join(c if c.isascii() and c.isalnum() else "".join("%%%02X" % b for b in c.encode()) for c in name)
    head = (f"Content-Type: application/octet-stream; name*=UTF-8''{enc}\n"
            f"Content-Disposition: attachment;\n filename*0*=UTF-8''{enc[:len(enc)//2]};\n filename*1*={enc[len(enc)//2:]}\n"
            f"Content-Transfer-Encoding: base64\n\n")
    return head.encode() + b64(rng.randbytes(size)).encode() + b"\n"

def message(i, kind):
    if kind == "small" and rng.random() < 0.65:
        ctype, cte, body = text_part()
        return headers(i, ctype).encode() + cte.encode() + b"\n" + body + b"\n"
    boundary = f"----=_Part_{i}_{rng.randint(0, 10**9)}"
    out = headers(i, f'multipart/{"mixed" if kind == "attachments" or rng.random() < 0.5 else "alternative"};\n\tboundary="{boundary}"').encode() + b"\nThis is a multi-part message in MIME format.\n"
    ctype, cte, body = text_part()
    out += f"--{boundary}\nContent-Type: {ctype}\n{cte}\n".encode() + body + b"\n"
    if kind == "attachments":
        for _ in range(rng.randint(1, 3)):
            out += f"--{boundary}\n".encode() + attachment(rng.randint(2_000, 600_000))
    elif rng.random() < 0.5:
        html = "<html><body><p>" + paragraph() + "</p></body></html>"
        out += f"--{boundary}\nContent-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n\n".encode() + quopri.encodestring(html.encode()) + b"\n"
    else:
        out += f"--{boundary}\n".encode() + attachment(rng.randint(500, 4000))
    return out + f"--{boundary}--\n".encode()

def escape(data):
    # mboxrd: '>' before any line matching ^>*From
    lines = data.split(b"\n")
    return b"\n".join((b">" + l) if l.lstrip(b">").startswith(b"From ") else l for l in lines)

with open(out, "wb") as f:
    if kind == "huge":
        f.write(b"From sender@example.net Mon May  6 10:00:00 2024\n")
        f.write(headers(0, 'multipart/mixed; boundary="HUGE"').encode() + b"\n--HUGE\nContent-Type: text/plain\n\nSee attachment.\n--HUGE\n")
        f.write(b"Content-Type: application/octet-stream; name=huge.bin\nContent-Transfer-Encoding: base64\n\n")
        block = b64(rng.randbytes(57 * 20000)).encode() + b"\n"
        written = 0
        while written < target * 1_000_000:
            f.write(block)
            written += len(block)
        f.write(b"--HUGE--\n")
    else:
        i = 0
        while f.tell() < target * 1_000_000:
            f.write(f"From user{i % 97}@example.net Mon May  6 10:00:00 2024\n".encode())
            f.write(escape(message(i, kind)) + b"\n")
            i += 1

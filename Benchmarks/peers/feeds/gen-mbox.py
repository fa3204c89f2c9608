#!/usr/bin/env python3
"""gen-mbox.py OUT [COUNT] — a deterministic mboxrd of COUNT (default 100,000) small messages: RFC 2047
subjects and names, plain text or multipart/alternative bodies, some quoted-printable, a Message-ID each."""
import base64, random, sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
rng = random.Random(7)
WORDS = "the of and to in is that for it as with was on be by at this are from meeting report café Grüße über".split()
NAMES = [("Rachel Green", "rachel@example.org"), ("Ross Geller", "ross@example.org"), ("Zoë Müller", "zoe@example.de")]

def words(n):
    return " ".join(rng.choice(WORDS) for _ in range(n))

def encoded(text):
    if all(ord(c) < 128 for c in text):
        return text
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="

with open(out, "wb") as f:
    for n in range(count):
        name, addr = rng.choice(NAMES)
        day = 1 + n % 28
        subject = words(rng.randint(2, 8)).capitalize()
        body = "\n".join(words(rng.randint(8, 14)) for _ in range(rng.randint(3, 12)))
        head = ("From %s Mon Jan %2d 10:%02d:00 2024\n" % (addr, day, n % 60)
                + "From: %s <%s>\nTo: team@example.org\nSubject: %s\n" % (encoded(name), addr, encoded(subject))
                + "Date: Mon, %d Jan 2024 10:%02d:00 +0000\nMessage-ID: <msg-%d@example.org>\nMIME-Version: 1.0\n" % (day, n % 60, n))
        if n % 3 == 0:
            boundary = "b%d" % n
            msg = (head + 'Content-Type: multipart/alternative; boundary="%s"\n\n--%s\n' % (boundary, boundary)
                   + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body
                   + "\n--%s\nContent-Type: text/html; charset=utf-8\n\n<p>%s</p>\n--%s--\n" % (boundary, body.replace("\n", "<br>"), boundary))
        else:
            msg = head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body + "\n"
        f.write(msg.encode() + b"\n")

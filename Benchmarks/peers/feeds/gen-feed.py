#!/usr/bin/env python3
"""gen-feed.py atom|rss OUT [MB] — a deterministic feed of about MB megabytes (default 50) shaped like
a busy blog's full-content feed: escaped HTML content, authors, categories, RFC 3339 / RFC 822 dates,
non-ASCII text, a few CDATA sections and links with query strings."""
import random, sys
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

kind, out = sys.argv[1], sys.argv[2]
target = int(float(sys.argv[3]) * 1024 * 1024) if len(sys.argv) > 3 else 50 * 1024 * 1024
rng = random.Random(20240105)
WORDS = ("the of and to in is that for it as with was on be by at this are from or have an they which one "
         "you were all we can her has there been if more when will would who so no Grüße café naïve Straße "
         "déjà über façade résumé jalapeño 東京 データ").split()
AUTHORS = [("Ana Ruiz", "ana@example.com"), ("Tom Berg", "tom@example.com"), ("Zoë Müller", "zoe@example.de"),
           ("Kenji Sato", "kenji@example.jp")]
CATS = ["Garden", "Workshop", "Travel", "Kitchen", "Notes", "Photography"]

def sentence(n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

def html():
    paras = []
    for _ in range(rng.randint(3, 9)):
        s = " ".join(sentence(rng.randint(6, 18)) for _ in range(rng.randint(2, 5)))
        if rng.random() < 0.3:
            s += ' <a href="https://blog.example.com/p?id=%d&amp;ref=feed">more</a>' % rng.randint(1, 99999)
        paras.append("<p>" + s + "</p>")
    return "\n".join(paras)

start = datetime(2024, 1, 5, 12, 0, tzinfo=timezone.utc)
with open(out, "w", encoding="utf-8") as f:
    if kind == "atom":
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
                '<title>Field Notes</title>\n<id>tag:blog.example.com,2024:feed</id>\n'
                '<updated>2024-01-05T12:00:00Z</updated>\n<link rel="self" href="https://blog.example.com/feed.atom"/>\n')
    else:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n<title>Field Notes</title>\n'
                '<link>https://blog.example.com/</link>\n<description>Notes</description>\n')
    n = 0
    while f.tell() < target:
        n += 1
        name, email = rng.choice(AUTHORS)
        when = start - timedelta(minutes=17 * n)
        title = sentence(rng.randint(3, 9))[:-1]
        url = "https://blog.example.com/%d/%s" % (when.year, "-".join(title.lower().split()[:5]))
        body = html()
        cats = rng.sample(CATS, rng.randint(1, 3))
        if kind == "atom":
            f.write("<entry>\n<id>tag:blog.example.com,2024:post-%d</id>\n<title>%s</title>\n" % (n, escape(title)))
            f.write('<link rel="alternate" href="%s"/>\n' % escape(url))
            f.write("<updated>%s</updated>\n<published>%s</published>\n" % (when.strftime("%Y-%m-%dT%H:%M:%SZ"), when.strftime("%Y-%m-%dT%H:%M:%SZ")))
            f.write("<author><name>%s</name><email>%s</email></author>\n" % (escape(name), email))
            for c in cats:
                f.write('<category term="%s"/>\n' % c)
            f.write('<summary type="text">%s</summary>\n' % escape(sentence(20)))
            f.write('<content type="html">%s</content>\n</entry>\n' % escape(body))
        else:
            f.write("<item>\n<title>%s</title>\n<link>%s</link>\n" % (escape(title), escape(url)))
            f.write('<guid isPermaLink="false">https://blog.example.com/?p=%d</guid>\n' % n)
            f.write("<pubDate>%s</pubDate>\n" % when.strftime("%a, %d %b %Y %H:%M:%S +0000"))
            f.write("<dc:creator><![CDATA[%s]]></dc:creator>\n" % name)
            for c in cats:
                f.write("<category><![CDATA[%s]]></category>\n" % c)
            f.write("<description>%s</description>\n" % escape(sentence(20)))
            f.write("<content:encoded><![CDATA[%s]]></content:encoded>\n</item>\n" % body)
    f.write("</feed>\n" if kind == "atom" else "</channel>\n</rss>\n")
print(n, file=sys.stderr)

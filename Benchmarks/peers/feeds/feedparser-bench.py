#!/usr/bin/env python3
"""feedparser-bench.py FEED — Python feedparser's time to read a feed (defaults: sanitising and relative
URI resolution on, as feedparser ships). Prints one JSON line."""
import json, sys, time
import feedparser

path = sys.argv[1]
t = time.perf_counter()
d = feedparser.parse(path)
s = time.perf_counter() - t
print(json.dumps({"tool": "feedparser " + feedparser.__version__, "seconds": round(s, 3), "entries": len(d.entries),
                  "bozo": int(d.bozo)}))

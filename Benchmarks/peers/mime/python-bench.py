#!/usr/bin/env python3
"""python-bench.py structure|decode MBOX — Python's email package with policy.default.
structure: parse every message (BytesParser, policy.default), read Subject and From;
decode:    also get_payload(decode=True) of every leaf part."""
import email.policy, json, sys, time
from email.parser import BytesParser

mode, path = sys.argv[1], sys.argv[2]
parser = BytesParser(policy=email.policy.default)

def messages(f):
    lines = []
    for line in f:
        if line.startswith(b"From "):
            if lines:
                yield b"".join(lines)
            lines = []
            continue
        lines.append(line)
    if lines:
        yield b"".join(lines)

start = time.monotonic()
count = parts = decoded = chars = 0
size = 0
with open(path, "rb") as f:
    for raw in messages(f):
        size += len(raw)
        msg = parser.parsebytes(raw)
        count += 1
        chars += len(str(msg["subject"] or "")) + len(str(msg["from"] or ""))
        if mode == "decode":
            for part in msg.walk():
                if not part.is_multipart():
                    payload = part.get_payload(decode=True)
                    parts += 1
                    decoded += len(payload or b"")
seconds = time.monotonic() - start
import os
total = os.path.getsize(path)
print(json.dumps({"parser": "python-email-policy.default", "mode": mode, "messages": count, "parts": parts,
                  "bytes": total, "seconds": round(seconds, 3), "mbps": round(total / 1e6 / seconds, 1),
                  "decoded": decoded, "headerChars": chars}))

#!/usr/bin/env python3
"""python-bench.py PATH... — the Python peer of `ferry validate` (Benchmarks/peers/calendar/run).

Parses every file (directories walked for *.ics) with icalendar's Calendar.from_ical and prints one
JSON line: files, bytes, top-level components (the cross-check with Ferry's count)."""
import json
import os
import sys

from icalendar import Calendar, __version__


def paths(args):
    for a in args:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                for n in sorted(names):
                    if n.endswith(".ics"):
                        yield os.path.join(root, n)
        else:
            yield a


files = size = components = 0
for path in paths(sys.argv[1:]):
    with open(path, "rb") as f:
        data = f.read()
    files += 1
    size += len(data)
    for cal in Calendar.from_ical(data, multiple=True):
        components += len(cal.subcomponents)
print(json.dumps({"parser": f"python-icalendar-{__version__}", "files": files, "bytes": size, "components": components}))

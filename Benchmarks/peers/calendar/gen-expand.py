#!/usr/bin/env python3
"""gen-expand.py OUT N — N daily series (UTC, 09:00, one hour) starting 2024-01-01, each with 5 EXDATEs and
2 RECURRENCE-ID overrides (moved by two hours), for the recurrence-expansion benchmark."""
import sys
out, n = sys.argv[1], int(sys.argv[2])
lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ferry//bench expand//EN"]
for i in range(n):
    uid = f"series-{i}@bench.example"
    lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20231201T000000Z", "DTSTART:20240101T090000Z",
              "DTEND:20240101T100000Z", f"SUMMARY:Daily {i}", "RRULE:FREQ=DAILY"]
    for d in (10, 40, 80, 120, 200):
        m, day = divmod(d, 28)
        lines.append(f"EXDATE:2024{m + 1:02d}{day + 1:02d}T090000Z")
    lines.append("END:VEVENT")
    for m in (3, 9):
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20231201T000000Z", f"RECURRENCE-ID:2024{m:02d}15T090000Z",
                  f"DTSTART:2024{m:02d}15T110000Z", f"DTEND:2024{m:02d}15T120000Z", f"SUMMARY:Daily {i} (moved)", "END:VEVENT"]
lines.append("END:VCALENDAR")
open(out, "w", newline="").write("\r\n".join(lines) + "\r\n")

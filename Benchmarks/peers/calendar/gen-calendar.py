#!/usr/bin/env python3
"""Deterministic iCalendar corpora in the shapes producers write (for Benchmarks/peers/calendar/run).

  gen-calendar.py big FILE MB        one VCALENDAR of ~MB megabytes: VTIMEZONEs, recurring events with
                                     EXDATEs and RECURRENCE-ID overrides, all-day events, alarms,
                                     attendees, folded UTF-8 descriptions, to-dos
  gen-calendar.py dir DIR COUNT      COUNT files of 1-12 components each (a calendar export per person)

Every file is valid RFC 5545 (CRLF, lines folded at 75 octets, VTIMEZONE for every TZID used).
"""
import os
import random
import sys

ZONES = {
    "Europe/Berlin": ("+0100", "+0200", "CET", "CEST", "3", "10"),
    "America/New_York": ("-0500", "-0400", "EST", "EDT", "3", "11"),
    "Australia/Sydney": ("+1000", "+1100", "AEST", "AEDT", "10", "4"),
}
WORDS = ("budget review planning sync roadmap lunch retro demo hiring offsite board quarterly design "
         "Überprüfung réunion 会議 встреча café naïve customer release security training").split()
PEOPLE = ["anna", "bob", "chen", "dana", "emil", "fatima", "gus", "hana", "ivan", "jose", "kim", "lea"]


def fold(line):
    data = line.encode()
    out, cur = [], b""
    i = 0
    limit = 75
    while i < len(data):
        # Never split a UTF-8 sequence.
        j = i + 1
        while j < len(data) and (data[j] & 0xC0) == 0x80:
            j += 1
        if len(cur) + (j - i) > limit:
            out.append(cur)
            cur = b" "
            limit = 75
        cur += data[i:j]
        i = j
    out.append(cur)
    return b"\r\n".join(out) + b"\r\n"


def esc(text):
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def timezone(tzid):
    std, dst, sname, dname, dmonth, smonth = ZONES[tzid]
    return [
        "BEGIN:VTIMEZONE", f"TZID:{tzid}",
        "BEGIN:DAYLIGHT", f"TZOFFSETFROM:{std}", f"TZOFFSETTO:{dst}", f"TZNAME:{dname}",
        "DTSTART:19700329T020000", f"RRULE:FREQ=YEARLY;BYMONTH={dmonth};BYDAY=-1SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", f"TZOFFSETFROM:{dst}", f"TZOFFSETTO:{std}", f"TZNAME:{sname}",
        "DTSTART:19701025T030000", f"RRULE:FREQ=YEARLY;BYMONTH={smonth};BYDAY=1SU", "END:STANDARD",
        "END:VTIMEZONE",
    ]


def sentence(r, n):
    return " ".join(r.choice(WORDS) for _ in range(n))


def event(r, k, zones):
    tz = r.choice(zones)
    y, m, d = 2024 + r.randrange(2), 1 + r.randrange(12), 1 + r.randrange(27)
    h = 7 + r.randrange(10)
    uid = f"{k:08d}-{r.randrange(1 << 30):08x}@ferry.example"
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:2024{1 + r.randrange(12):02d}{1 + r.randrange(28):02d}T120000Z"]
    kind = r.randrange(10)
    if kind < 2:  # all-day
        lines += [f"DTSTART;VALUE=DATE:{y}{m:02d}{d:02d}", f"DTEND;VALUE=DATE:{y}{m:02d}{d + 1:02d}"]
        if kind == 0:
            lines.append("RRULE:FREQ=YEARLY")
    else:
        lines.append(f"DTSTART;TZID={tz}:{y}{m:02d}{d:02d}T{h:02d}0000")
        if r.randrange(3):
            lines.append(f"DTEND;TZID={tz}:{y}{m:02d}{d:02d}T{h + 1:02d}{r.choice(['00', '30'])}00")
        else:
            lines.append(f"DURATION:PT{r.choice(['30M', '1H', '1H30M', '2H'])}")
        if kind < 6:
            rule = r.choice([
                "FREQ=WEEKLY;BYDAY=MO,WE,FR", f"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL={y + 1}1231T235959Z",
                "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=12", "FREQ=MONTHLY;BYDAY=-1FR", "FREQ=DAILY;COUNT=10",
                "FREQ=YEARLY;BYMONTH=6;BYDAY=2SU", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            ])
            lines.append(f"RRULE:{rule}")
            if r.randrange(2):
                lines.append(f"EXDATE;TZID={tz}:{y}{m:02d}{d:02d}T{h:02d}0000,{y + 1}{m:02d}{d:02d}T{h:02d}0000")
    lines.append(f"SUMMARY:{esc(sentence(r, 2 + r.randrange(4)).capitalize())}")
    if r.randrange(2):
        lines.append(f"LOCATION:{esc('Room ' + str(r.randrange(500)) + ', Building ' + r.choice('ABCD'))}")
    if r.randrange(3):
        text = "\n".join(sentence(r, 5 + r.randrange(25)) for _ in range(1 + r.randrange(4)))
        lines.append(f"DESCRIPTION:{esc(text)}")
    org = r.choice(PEOPLE)
    lines.append(f'ORGANIZER;CN="{org.capitalize()}, Team":mailto:{org}@example.com')
    for p in r.sample(PEOPLE, r.randrange(5)):
        lines.append(f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT="
                     f"{r.choice(['ACCEPTED', 'NEEDS-ACTION', 'TENTATIVE'])};RSVP=TRUE;CN={p.capitalize()}:mailto:{p}@example.com")
    lines += [f"STATUS:{r.choice(['CONFIRMED', 'TENTATIVE'])}", f"TRANSP:{r.choice(['OPAQUE', 'TRANSPARENT'])}",
              f"SEQUENCE:{r.randrange(4)}", f"CATEGORIES:{r.choice(['Work', 'Personal'])},{r.choice(WORDS)}",
              f"CREATED:2023{1 + r.randrange(12):02d}01T090000Z", f"LAST-MODIFIED:2024010{1 + r.randrange(9)}T100000Z",
              "CLASS:PUBLIC", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY"]
    if r.randrange(2):
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder",
                  f"TRIGGER:-PT{r.choice([5, 10, 15, 30])}M", "END:VALARM"]
    lines.append("END:VEVENT")
    if kind in (2, 3) and r.randrange(2):
        # An override of one instance.
        lines += ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20240201T120000Z",
                  f"RECURRENCE-ID;TZID={tz}:{y}{m:02d}{d:02d}T{h:02d}0000",
                  f"DTSTART;TZID={tz}:{y}{m:02d}{d:02d}T{h + 1:02d}0000", "DURATION:PT1H",
                  "SUMMARY:Moved", "SEQUENCE:1", "END:VEVENT"]
    return lines


def todo(r, k):
    return ["BEGIN:VTODO", f"UID:todo-{k:08d}@ferry.example", "DTSTAMP:20240101T120000Z",
            f"DUE:2024{1 + r.randrange(12):02d}{1 + r.randrange(28):02d}T170000Z",
            f"STATUS:{r.choice(['NEEDS-ACTION', 'IN-PROCESS', 'COMPLETED'])}",
            f"PERCENT-COMPLETE:{r.randrange(101)}", f"PRIORITY:{r.randrange(10)}",
            f"SUMMARY:{esc(sentence(r, 3))}", "END:VTODO"]


def header(name):
    return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Ferry//Benchmark Corpus//EN", "CALSCALE:GREGORIAN",
            f"X-WR-CALNAME:{esc(name)}"]


def write(path, lines_iter):
    with open(path, "wb") as f:
        for line in lines_iter:
            f.write(fold(line))


def main():
    kind, target = sys.argv[1], sys.argv[2]
    r = random.Random(20241123)
    if kind == "big":
        want = int(sys.argv[3]) * 1024 * 1024
        zones = list(ZONES)
        with open(target, "wb") as f:
            size = 0
            for line in header("Big") + sum((timezone(z) for z in zones), []):
                size += f.write(fold(line))
            k = 0
            while size < want:
                comp = todo(r, k) if k % 17 == 0 else event(r, k, zones)
                for line in comp:
                    size += f.write(fold(line))
                k += 1
            f.write(fold("END:VCALENDAR"))
    elif kind == "dir":
        count = int(sys.argv[3])
        os.makedirs(target, exist_ok=True)
        for n in range(count):
            zones = r.sample(list(ZONES), 1 + r.randrange(2))
            lines = header(f"Calendar {n}") + sum((timezone(z) for z in zones), [])
            for k in range(1 + r.randrange(12)):
                lines += todo(r, n * 100 + k) if k % 7 == 6 else event(r, n * 100 + k, zones)
            lines.append("END:VCALENDAR")
            sub = os.path.join(target, f"{n // 1000:02d}")
            os.makedirs(sub, exist_ok=True)
            write(os.path.join(sub, f"cal-{n:05d}.ics"), lines)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

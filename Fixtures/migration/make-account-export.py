#!/usr/bin/env python3
"""Writes account-export.tgz: a whole Zimbra account export with every item type, in the layout
Zimbra's TgzFormatter writes (see ../archives/make-zimbra-export.py, whose tar writer this reuses):
folders with their views (mail, address books, calendars, a task list, Briefcase sub-folder), two tags,
messages with every Maildir-expressible flag plus Zimbra-only ones (sent, notified, high priority),
tagged and untagged, a message without a final line break; contacts in two address books (one
with an attachment blob, one with several e-mail addresses and a tag); appointments in two
calendars; a task; Briefcase documents (text and binary, in a sub-folder).

Deterministic: run it again and the archive is byte-identical.
Usage: python3 make-account-export.py [OUT.tgz]
"""
import gzip, importlib.util, os, sys
from email.utils import formatdate

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("zx", os.path.join(here, "..", "archives", "make-zimbra-export.py"))
zx = importlib.util.module_from_spec(spec)
spec.loader.exec_module(zx)

BASE = {"index_id": 0, "volume_id": 0, "mod_metadata": 1200, "change_date": 1700000000, "mod_content": 1100, "Ver": 10}


def meta(**kw):
    m = dict(BASE)
    m.update(kw)
    return m


def folder(t, entry, fid, parent, path, view, date=1690000000):
    md = {"v": 1}
    if view:
        md["vt"] = view
    t.pair(entry, meta(id=fid, type=1, parent_id=parent, folder_id=parent, date=date, size=0, unread=0, flags=0,
                       name=path.split("/")[-1], Path="/" + path, metadata=zx.bencode(md)))


def calendar_blob(component, uid, summary, extra):
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Zimbra-Calendar-Provider\r\nBEGIN:%s\r\nUID:%s\r\nSUMMARY:%s\r\n%s"
           "END:%s\r\nEND:VCALENDAR\r\n" % (component, uid, summary, extra, component))
    invite = "Subject: %s\r\nContent-Type: text/calendar; method=PUBLISH; charset=utf-8\r\n\r\n%s" % (summary, ics)
    return ("Content-Type: multipart/digest; boundary=\"----=_Part_7\"\r\n\r\n------=_Part_7\r\ninvId: 1\r\n"
            "Content-Type: message/rfc822\r\n\r\n" + invite + "\r\n------=_Part_7--\r\n").encode()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "account-export.tgz")
    t = zx.Tar()
    # Folders (views: 5 message, 6 contact, 11 appointment, 15 task, 8 document), then tags.
    folder(t, "0000000002-Inbox", 2, 1, "Inbox", 5)
    folder(t, "0000000005-Sent", 5, 1, "Sent", 5)
    folder(t, "0000000006-Drafts", 6, 1, "Drafts", 5)
    folder(t, "0000000007-Contacts", 7, 1, "Contacts", 6)
    folder(t, "0000000010-Calendar", 10, 1, "Calendar", 11)
    folder(t, "0000000015-Tasks", 15, 1, "Tasks", 15)
    folder(t, "0000000016-Briefcase", 16, 1, "Briefcase", 8)
    folder(t, "Inbox/0000000300-Projects", 300, 2, "Inbox/Projects", 5, date=1690000100)
    folder(t, "Inbox/0000000301-Empty", 301, 2, "Inbox/Empty", 5, date=1690000100)
    folder(t, "0000000320-Work Contacts", 320, 1, "Work Contacts", 6)
    folder(t, "0000000330-Team Calendar", 330, 1, "Team Calendar", 11)
    folder(t, "Briefcase/0000000340-Specs", 340, 16, "Briefcase/Specs", 8)
    t.pair("Tags/0000000064-important", meta(id=64, type=3, parent_id=8, folder_id=8, date=1690000000, size=0,
                                             unread=0, flags=0, name="important", Path="/Tags/important",
                                             metadata="d1:ci6ee"))
    t.pair("Tags/0000000065-later", meta(id=65, type=3, parent_id=8, folder_id=8, date=1690000000, size=0,
                                         unread=0, flags=0, name="later", Path="/Tags/later", metadata="d1:ci3ee"))
    # Messages: (id, folder, subject, sender, FlagStr, TagNames, body, date)
    msgs = [
        (257, "Inbox", "Hello from Rachel", "Rachel Green <rachel@example.org>", "u", "",
         "Hi Ross,\r\n\r\nAre we still on for coffee?\r\n", 1700000100),
        (258, "Inbox", "Re: Budget 2024", "Monica Geller <monica@example.org>", "rf", "important",
         "Numbers attached.\r\n>From the old sheet nothing carries over.\r\n", 1700000200),
        (259, "Inbox/Projects", "Dinosaur exhibit", "Ross Geller <ross@example.com>", "sw", "important:later",
         "From the museum:\r\n>From here\r\n", 1700000300),
        (260, "Sent", "Fwd: Tickets", "Ross Geller <ross@example.com>", "sn", "", "See below.\r\n", 1700000400),
        (261, "Inbox", "Sans fin", "Phoebe Buffay <phoebe@example.org>", "u!", "later",
         "This body ends without a line break", 1700000500),
        (262, "Drafts", "Draft: speech", "Ross Geller <ross@example.com>", "d", "", "Unagi.\r\n", 1700000600),
        (263, "Inbox", "Old newsletter", "News <news@example.net>", "x?", "", "Deleted but kept.\r\n", 1700000700),
    ]
    bits = {"s": 1, "a": 2, "r": 4, "w": 8, "f": 32, "d": 64, "x": 128, "n": 256, "!": 1024, "?": 2048}
    fids = {"Inbox": 2, "Sent": 5, "Drafts": 6, "Inbox/Projects": 300}
    for mid, fold, subject, sender, flags, tags, body, date in msgs:
        data = zx.message(mid, subject, sender, body, formatdate(date, usegmt=True))
        name = "%010d-%s" % (mid, subject.replace("/", "_").replace(":", "_"))
        m = meta(id=mid, type=5, parent_id=fids[fold], folder_id=fids[fold], imap_id=mid, date=date,
                 unread=1 if "u" in flags else 0, flags=sum(bits.get(c, 0) for c in flags), subject=subject,
                 sender=sender, FlagStr=flags, Path="/" + fold,
                 metadata=zx.bencode({"f": body[:40], "s": sender, "v": 10}))
        if tags:
            m["TagNames"] = tags
        t.pair("%s/%s.eml" % (fold, name), m, data)
    # Contacts: fields in the .meta; one with an attachment (its blob is a MIME message).
    chandler = {"firstName": "Chandler", "lastName": "Bing", "email": "chandler@example.org",
                "company": "Transponsters Inc.", "workPhone": "+1 212 555 0100", "notes": "Could he BE any more…"}
    t.pair("Contacts/Bing, Chandler", meta(id=400, type=6, parent_id=7, folder_id=7, date=1695000000, size=0, unread=0,
                                            flags=0, sender="Bing, Chandler", Path="/Contacts",
                                            metadata=zx.bencode({"fld": chandler}), TagNames="important"))
    joey = {"firstName": "Joey", "lastName": "Tribbiani", "email": "joey@example.org", "email2": "drake@example.org",
            "mobilePhone": "+1 212 555 0199", "homeStreet": "90 Bedford St", "homeCity": "New York",
            "homePostalCode": "10014", "jobTitle": "Actor", "birthday": "1968-01-09"}
    t.pair("Work Contacts/Tribbiani, Joey", meta(id=401, type=6, parent_id=320, folder_id=320, date=1695000100,
                                                  size=0, unread=0, flags=0, sender="Tribbiani, Joey",
                                                  Path="/Work Contacts", metadata=zx.bencode({"fld": joey}),
                                                  TagNames="later"))
    gunther = {"firstName": "Gunther", "email": "gunther@centralperk.example", "company": "Central Perk"}
    blob = ("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"att\"\r\n\r\n--att\r\n"
            "Content-Type: text/plain; name=\"menu.txt\"\r\nContent-Disposition: attachment; filename=\"menu.txt\"\r\n"
            "X-Zimbra-Field: notes\r\n\r\nCoffee 2.50\r\n--att--\r\n").encode()
    gm = meta(id=402, type=6, parent_id=320, folder_id=320, date=1695000200, unread=0, flags=2, sender="Gunther",
              Path="/Work Contacts", metadata=zx.bencode({"fld": gunther}))
    t.pair("Work Contacts/Gunther", gm, blob)
    # Appointments in two calendars and a task.
    t.pair("Calendar/0000000310-Standup.appt",
           meta(id=310, type=11, parent_id=10, folder_id=10, date=1704700000, unread=0, flags=0, subject="Standup",
                Path="/Calendar", metadata=zx.bencode({"uid": "3f1e6f2a-5d1c-4d84-8d2d-2a9c1e4b7a10"})),
           calendar_blob("VEVENT", "3f1e6f2a-5d1c-4d84-8d2d-2a9c1e4b7a10", "Standup",
                         "DTSTART:20240108T090000Z\r\nDTEND:20240108T091500Z\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\n"))
    t.pair("Team Calendar/0000000331-Offsite.appt",
           meta(id=331, type=11, parent_id=330, folder_id=330, date=1704800000, unread=0, flags=0, subject="Offsite",
                Path="/Team Calendar", metadata=zx.bencode({"uid": "offsite-2024@example.com"}), TagNames="later"),
           calendar_blob("VEVENT", "offsite-2024@example.com", "Offsite",
                         "DTSTART;VALUE=DATE:20240315\r\nDTEND;VALUE=DATE:20240316\r\nLOCATION:Montauk\r\n"))
    t.pair("Tasks/0000000350-Buy a duck.task",
           meta(id=350, type=15, parent_id=15, folder_id=15, date=1704900000, unread=0, flags=0, subject="Buy a duck",
                Path="/Tasks", metadata=zx.bencode({"uid": "duck-task@example.com"}), TagNames="important"),
           calendar_blob("VTODO", "duck-task@example.com", "Buy a duck",
                         "DUE:20240401T170000Z\r\nSTATUS:NEEDS-ACTION\r\nPRIORITY:1\r\n"))
    # Briefcase documents: text at the top, binary in a sub-folder.
    t.pair("Briefcase/report.txt", meta(id=500, type=8, parent_id=16, folder_id=16, date=1698000000, unread=0, flags=0,
                                        name="report.txt", Path="/Briefcase",
                                        metadata=zx.bencode({"ct": "text/plain", "d": "Quarterly report"})),
           b"Quarterly report\nAll good.\n")
    png = bytes([0x89]) + b"PNG\r\n\x1a\n" + bytes(range(256)) * 3
    t.pair("Briefcase/Specs/diagram.png", meta(id=501, type=8, parent_id=340, folder_id=340, date=1698000100,
                                               unread=0, flags=0, name="diagram.png", Path="/Briefcase/Specs",
                                               metadata=zx.bencode({"ct": "image/png"})), png)
    data = t.close()
    with open(out, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(data)


if __name__ == "__main__":
    main()

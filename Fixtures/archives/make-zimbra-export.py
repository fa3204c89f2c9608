#!/usr/bin/env python3
"""Writes zimbra-export.tgz: a small mailbox export in the shape Zimbra's TgzFormatter produces
(reference zimbra-formats.md §4): `.meta` JSON + data pairs in order, 10-digit id prefixes, tar headers
as Zimbra's patched Ant tar writes them (magic "ustar" + NULs, gname = item type name, devmajor = type
code, mtime = item date, mode 0100444 on the .meta of an unread item, GNU ././@LongLink for names of
100 bytes or more), gzip around it, 10,240-byte blocking.

Deterministic: run it again and the archive is byte-identical (fixed gzip mtime).
Usage: python3 make-zimbra-export.py [OUT.tgz]
"""
import base64, gzip, hashlib, io, json, sys

TYPES = {"folder": 1, "tag": 3, "message": 5, "contact": 6, "document": 8, "appointment": 11, "task": 15}


def bencode(v):
    """Zimbra Metadata: string lengths count UTF-16 code units."""
    if isinstance(v, dict):
        return "d" + "".join(bencode(k) + bencode(v[k]) for k in sorted(v)) + "e"
    if isinstance(v, list):
        return "l" + "".join(bencode(x) for x in v) + "e"
    if isinstance(v, int):
        return "i%de" % v
    units = len(v.encode("utf-16-le")) // 2
    return "%d:%s" % (units, v)


def header(name, size, mode, mtime, typ, gname, devmajor):
    b = bytearray(512)
    def put(off, data):
        b[off:off + len(data)] = data
    def octal(off, length, value):
        put(off, ("%0*o" % (length - 1, value)).encode() + b"\0")
    put(0, name[:100])
    octal(100, 8, mode)
    octal(108, 8, 0)
    octal(116, 8, 0)
    octal(124, 12, size)
    octal(136, 12, mtime)
    put(148, b" " * 8)
    b[156] = ord(typ)
    put(257, b"ustar\0\0\0")          # Zimbra's Ant tar: "ustar" followed by NULs, no "00" version
    put(297, gname.encode()[:32])
    octal(329, 8, devmajor)
    octal(337, 8, 0)
    put(148, ("%06o" % sum(b)).encode() + b"\0 ")
    return bytes(b)


class Tar:
    def __init__(self):
        self.out = io.BytesIO()

    def add(self, name, data, mtime, gname, unread_meta=False):
        raw = name.encode("utf-8")
        if len(raw) >= 100:
            long = raw + b"\0"
            self.out.write(header(b"././@LongLink", len(long), 0o100644, 0, "L", "", 0))
            self.out.write(long + b"\0" * (-len(long) % 512))
        mode = 0o100444 if unread_meta else 0o100644
        self.out.write(header(raw, len(data), mode, mtime, "0", gname, TYPES[gname]))
        self.out.write(data + b"\0" * (-len(data) % 512))

    def pair(self, path, meta, data=None):
        gname = [k for k, v in TYPES.items() if v == meta["type"]][0]
        unread = "u" in meta.get("FlagStr", "")
        if data is not None:
            meta["size"] = len(data)
            meta["blob_digest"] = base64.b64encode(hashlib.sha256(data).digest()).decode().replace("/", ",")
        self.add(path + ".meta", json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode(), meta["date"],
                 gname, unread_meta=unread)
        if data is not None:
            self.add(path, data, meta["date"], gname)

    def close(self):
        self.out.write(b"\0" * 1024)
        self.out.write(b"\0" * (-self.out.tell() % 10240))
        return self.out.getvalue()


def message(mid, subject, sender, body, date_hdr):
    return ("Return-Path: <%s>\r\nReceived: from mx.example.org by mail.example.com; %s\r\n"
            "From: %s\r\nTo: Ross Geller <ross@example.com>\r\nSubject: %s\r\nDate: %s\r\n"
            "Message-ID: <%d@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n%s" % (sender.split("<")[-1].rstrip(">"), date_hdr, sender, subject,
                                                          date_hdr, mid, body)).encode("utf-8")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "zimbra-export.tgz"
    t = Tar()
    base = {"index_id": 0, "volume_id": 0, "mod_metadata": 1200, "change_date": 1700000000, "mod_content": 1100,
            "Ver": 10}
    def meta(**kw):
        m = dict(base)
        m.update(kw)
        return m
    # Folders, tags (whole-mailbox export: folders first, then tags; sorted by path).
    t.pair("0000000002-Inbox", meta(id=2, type=1, parent_id=1, folder_id=1, date=1690000000, size=0, unread=0,
                                    flags=0, name="Inbox", Path="/Inbox", metadata="d1:vi1ee"))
    t.pair("0000000005-Sent", meta(id=5, type=1, parent_id=1, folder_id=1, date=1690000000, size=0, unread=0,
                                   flags=0, name="Sent", Path="/Sent", metadata="d1:vi1ee"))
    t.pair("Inbox/0000000300-Projects", meta(id=300, type=1, parent_id=2, folder_id=2, date=1690000100, size=0,
                                             unread=0, flags=0, name="Projects", Path="/Inbox/Projects",
                                             metadata="d1:vi1ee", uuid="0f3c2a8e-1b55-4a8b-9f51-7a1d2c3b4e5f"))
    t.pair("Tags/0000000064-important", meta(id=64, type=3, parent_id=8, folder_id=8, date=1690000000, size=0,
                                             unread=0, flags=0, name="important", Path="/Tags/important",
                                             metadata="d1:ci6ee"))
    # Messages: one unread, one flagged+replied+tagged, one with mbox traps, one with a long subject.
    msgs = [
        (257, "Inbox", "Hello from Rachel", "Rachel Green <rachel@example.org>", "u", "",
         "Hi Ross,\r\n\r\nAre we still on for coffee?\r\n\r\nRachel\r\n", 1700000100),
        (258, "Inbox", "Re: Budget 2024", "Monica Geller <monica@example.org>", "rf", "important",
         "Numbers attached.\r\nFrom now on we use the new sheet.\r\n>From the old one nothing carries over.\r\n", 1700000200),
        (259, "Inbox/Projects", "Dinosaur exhibit: the mbox trap", "Ross Geller <ross@example.com>", "s", "",
         "From the museum:\r\n>From here\r\n>>From there\r\nFrom: not a header\r\n", 1700000300),
        (260, "Sent", "Très long sujet qui dépasse largement la limite de cent octets pour un nom d'entrée tar",
         "Ross Geller <ross@example.com>", "s", "", "Bonjour à tous.\r\n", 1700000400),
        (261, "Inbox", "Sans fin", "Phoebe Buffay <phoebe@example.org>", "", "important",
         "This body ends without a line break", 1700000500),
    ]
    for mid, folder, subject, sender, flags, tags, body, date in msgs:
        from email.utils import formatdate
        data = message(mid, subject, sender, body, formatdate(date, usegmt=True))
        safe = subject.replace("/", "_").replace(":", "_")
        name = ("%010d-%s" % (mid, safe))[:120] if len("%010d-%s" % (mid, safe)) > 121 else "%010d-%s" % (mid, safe)
        folder_id = {"Inbox": 2, "Sent": 5, "Inbox/Projects": 300}[folder]
        m = meta(id=mid, type=5, parent_id=folder_id, folder_id=folder_id, imap_id=mid, date=date, unread=1 if "u" in flags else 0,
                 flags=(4 if "r" in flags else 0) | (32 if "f" in flags else 0) | (1 if "s" in flags else 0),
                 subject=subject, sender=sender, FlagStr=flags, Path="/" + folder,
                 metadata=bencode({"f": body[:40], "s": sender, "v": 10}))
        if tags:
            m["TagNames"] = tags
        t.pair("%s/%s.eml" % (folder, name), m, data)
    # A contact without attachments: no data entry, fields in the .meta's bencoded fld (note the
    # emoji: its UTF-16 length is 2).
    fld = {"firstName": "Chandler", "lastName": "Bing", "email": "chandler@example.org",
           "company": "Transponsters 📡 Inc.", "workPhone": "+1 212 555 0100", "notes": "Could he BE any more…"}
    t.pair("Contacts/Bing, Chandler", meta(id=400, type=6, parent_id=7, folder_id=7, date=1695000000, size=0,
                                            unread=0, flags=0, sender="Bing, Chandler", Path="/Contacts",
                                            metadata=bencode({"fld": fld}), TagNames="important"))
    # An appointment: the calendar item blob is multipart/digest of message/rfc822 invites.
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Zimbra-Calendar-Provider\r\nBEGIN:VEVENT\r\n"
           "UID:3f1e6f2a-5d1c-4d84-8d2d-2a9c1e4b7a10\r\nSUMMARY:Standup\r\nDTSTART:20240108T090000Z\r\n"
           "DTEND:20240108T091500Z\r\nRRULE:FREQ=WEEKLY;BYDAY=MO\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    invite = ("Subject: Standup\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n" + ics)
    appt = ("Content-Type: multipart/digest; boundary=\"----=_Part_1\"\r\n\r\n------=_Part_1\r\ninvId: 311\r\n"
            "Content-Type: message/rfc822\r\n\r\n" + invite + "\r\n------=_Part_1--\r\n").encode()
    t.pair("Calendar/0000000310-Standup.appt", meta(id=310, type=11, parent_id=10, folder_id=10, date=1704700000,
                                                    unread=0, flags=0, subject="Standup", Path="/Calendar",
                                                    metadata=bencode({"uid": "3f1e6f2a-5d1c-4d84-8d2d-2a9c1e4b7a10"})), appt)
    # A document in the Briefcase: named by its file name, no prefix.
    t.pair("Briefcase/report.txt", meta(id=500, type=8, parent_id=16, folder_id=16, date=1698000000, unread=0,
                                        flags=0, name="report.txt", Path="/Briefcase",
                                        metadata=bencode({"ct": "text/plain", "d": "Quarterly report"})),
           b"Quarterly report\nAll good.\n")
    data = t.close()
    with open(out, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as g:
            g.write(data)


if __name__ == "__main__":
    main()

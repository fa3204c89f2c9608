"""Writes a Zimbra-layout account export for the migration benchmark: N messages (default 5000, 2-10 KB)
in 5 folders, N/10 contacts, 50 Briefcase documents of 20 KB. Deterministic.
Usage: python3 gen-export.py OUT.tgz [MESSAGES]"""
import importlib.util, gzip, os, random, sys
spec = importlib.util.spec_from_file_location("zx", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "Fixtures", "archives", "make-zimbra-export.py"))
zx = importlib.util.module_from_spec(spec); spec.loader.exec_module(zx)
from email.utils import formatdate
random.seed(1)
t = zx.Tar()
base = {"index_id": 0, "volume_id": 0, "Ver": 10}
folders = ["Inbox", "Sent", "Inbox/A", "Inbox/B", "Archive"]
for i, f in enumerate(folders):
    t.pair("%010d-%s" % (300 + i, f.replace("/", "_")), dict(base, id=300 + i, type=1, parent_id=1, folder_id=1, date=1690000000, size=0, unread=0, flags=0, name=f.split("/")[-1], Path="/" + f))
count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
for n in range(count):
    f = folders[n % 5]
    body = ("Line %d of a message body with some words in it.\r\n" % n) * random.randint(20, 150)
    data = zx.message(1000 + n, "Subject %d" % n, "Sender <s%d@example.org>" % n, body, formatdate(1700000000 + n, usegmt=True))
    t.pair("%s/%010d-Subject %d.eml" % (f, 1000 + n, n), dict(base, id=1000 + n, type=5, parent_id=1, folder_id=1, date=1700000000 + n, unread=n % 3 == 0, flags=0, FlagStr="u" if n % 3 == 0 else "", Path="/" + f), data)
for n in range(count // 10):
    fld = {"firstName": "First%d" % n, "lastName": "Last%d" % n, "email": "c%d@example.org" % n, "workPhone": "+1 555 %04d" % n}
    t.pair("Contacts/Last%d, First%d" % (n, n), dict(base, id=20000 + n, type=6, parent_id=7, folder_id=7, date=1695000000, size=0, unread=0, flags=0, Path="/Contacts", metadata=zx.bencode({"fld": fld})))
for n in range(50):
    t.pair("Briefcase/doc%d.bin" % n, dict(base, id=30000 + n, type=8, parent_id=16, folder_id=16, date=1698000000, unread=0, flags=0, name="doc%d.bin" % n, Path="/Briefcase"), bytes(random.getrandbits(8) for _ in range(20000)))
with open(sys.argv[1], "wb") as f:
    with gzip.GzipFile(fileobj=f, mode="wb", mtime=0) as g:
        g.write(t.close())

#!/usr/bin/env python3
"""Writes the MIME fixtures (deterministic). Shapes follow what the named clients write; the
decoded values the tests expect are the plain strings in this file, encoded here with Python's
own codecs (base64, quopri, RFC 2047 by hand), so the tests check Ferry against an independent encoder."""
import base64, quopri, os, zlib

HERE = os.path.dirname(os.path.abspath(__file__))

def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + width] for i in range(0, len(s), width))

def ew(text, charset="UTF-8", enc="B"):
    raw = text.encode(charset)
    if enc == "B":
        return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode())
    out = ""
    for b in raw:
        c = chr(b)
        if c == " ":
            out += "_"
        elif c.isascii() and c.isalnum():
            out += c
        else:
            out += "=%02X" % b
    return "=?%s?Q?%s?=" % (charset, out)

def write(name, text, crlf=True, extra=b""):
    data = text.encode("utf-8") if isinstance(text, str) else text
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data + extra)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n" * 3
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + bytes(range(256))

# 1. Outlook: mixed > alternative(plain QP cp1252, html QP) + PDF with an RFC 2047 name (Outlook style)
plain = "Hallo Jürgen,\n\nanbei die Rechnung für März – bitte bis Freitag prüfen.\n\nGrüße\nAnna Müller\n"
html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body><p>Hallo J&uuml;rgen,</p><p>anbei die Rechnung f&uuml;r M&auml;rz &#8211; bitte bis Freitag pr&uuml;fen.</p></body></html>\n"
write("outlook-mixed-alternative.eml", f"""Received: from EXCH01.corp.example.com (10.0.0.5) by EXCH02.corp.example.com
 (10.0.0.6) with Microsoft SMTP Server (version=TLS1_2,
 cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.23; Mon, 4 Mar 2024
 09:15:02 +0100
From: =?iso-8859-1?Q?Anna_M=FCller?= <anna.mueller@corp.example.com>
To: =?iso-8859-1?Q?J=FCrgen_Schr=F6der?= <juergen.schroeder@corp.example.com>
CC: "Buchhaltung" <buchhaltung@corp.example.com>
Subject: =?iso-8859-1?Q?Rechnung_f=FCr_M=E4rz?=
Thread-Topic: =?iso-8859-1?Q?Rechnung_f=FCr_M=E4rz?=
Thread-Index: AdpuDm5rq2D9p3tFQ1mK1p9c3d3w==
Date: Mon, 4 Mar 2024 08:15:01 +0000
Message-ID: <AM0PR01MB1234ABCD5678EF@AM0PR01MB1234.eurprd01.prod.outlook.com>
Accept-Language: de-DE, en-US
Content-Language: de-DE
X-MS-Has-Attach: yes
X-MS-TNEF-Correlator:
Content-Type: multipart/mixed;
	boundary="_004_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_"
MIME-Version: 1.0

--_004_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_
Content-Type: multipart/alternative;
	boundary="_000_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_"

--_000_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(plain.encode('cp1252')).decode()}
--_000_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_
Content-Type: text/html; charset="windows-1252"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(html.encode('cp1252')).decode()}
--_000_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_--

--_004_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_
Content-Type: application/pdf; name="{ew('Rechnung März 2024.pdf')}"
Content-Description: {ew('Rechnung März 2024.pdf')}
Content-Disposition: attachment; filename="{ew('Rechnung März 2024.pdf')}";
	size={len(PDF)}; creation-date="Mon, 04 Mar 2024 08:14:00 GMT";
	modification-date="Mon, 04 Mar 2024 08:15:00 GMT"
Content-Transfer-Encoding: base64

{b64(PDF)}

--_004_AM0PR01MB1234ABCD5678EFAM0PR01MB1234eurprd01prod_--
""")

# 2. Thunderbird: RFC 2231 continued UTF-8 filename, format=flowed text, LF line endings
tb_name = "Überweisungsbestätigung für das Projekt Ålesund 2024 (endgültig).txt"
enc = "".join(c if (c.isascii() and c.isalnum()) or c in ".-_" else "%%%02X" % b for ch in tb_name for b, c in [(b, chr(b)) for b in ch.encode("utf-8")])
half = len(enc) // 2
while enc[half - 1] == "%" or enc[half - 2] == "%":
    half += 1
TB_ATTACHMENT = b64("Betrag: 1.250,00 €\nReferenz: ÅL-2024-07\n".encode('utf-8'))
write("thunderbird-rfc2231.eml", f"""Message-ID: <5f0c3a1e-9d2b-4c1a-8e7f-0123456789ab@example.net>
Date: Tue, 9 Apr 2024 17:03:44 +0200
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: de-DE
To: =?UTF-8?Q?Bj=C3=B6rn_=C3=85kesson?= <bjorn@example.se>
From: Karin Lindqvist <karin@example.net>
Subject: =?UTF-8?Q?=C3=9Cberweisung_und_Best=C3=A4tigung?=
Content-Type: multipart/mixed; boundary="------------0R1v6Qx2l3m4n5o6p7q8r9s0"

This is a multi-part message in MIME format.
--------------0R1v6Qx2l3m4n5o6p7q8r9s0
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Hej Björn,

hier die Bestätigung als Anhang.

Karin

--------------0R1v6Qx2l3m4n5o6p7q8r9s0
Content-Type: text/plain; charset=UTF-8; name*0*=UTF-8''{enc[:half]};
 name*1*={enc[half:]}
Content-Disposition: attachment;
 filename*0*=UTF-8''{enc[:half]};
 filename*1*={enc[half:]}
Content-Transfer-Encoding: base64

{TB_ATTACHMENT}

--------------0R1v6Qx2l3m4n5o6p7q8r9s0--
""", crlf=False)

# 3. Gmail: alternative, plain + html QP utf-8, DKIM/ARC, 0000 boundary
gm_plain = "Hi team,\n\nthe build is green again 🎉 — see https://ci.example.org/runs/4711 for details.\nA very long line that Gmail wraps with a soft line break because it is longer than seventy-six characters.\n"
gm_html = '<div dir="ltr">Hi team,<div><br></div><div>the build is green again 🎉 — see <a href="https://ci.example.org/runs/4711">run 4711</a>.</div></div>\n'
write("gmail-alternative.eml", f"""Delivered-To: dev@example.org
Received: by 2002:a05:6a10:1234:b0:4c1:2e3f:abcd with SMTP id h20csp123456pxb;
        Wed, 10 Apr 2024 02:11:07 -0700 (PDT)
X-Received: by 2002:a17:906:1234:b0:a51:abc:def0 with SMTP id x20mr1234567ejb.12.1712740267000;
        Wed, 10 Apr 2024 02:11:07 -0700 (PDT)
ARC-Seal: i=1; a=rsa-sha256; t=1712740267; cv=none;
        d=google.com; s=arc-20160816;
        b=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/abcdefghijklmnop
         qrstuvwxyz0123456789==
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
        d=gmail.com; s=20230601; t=1712740266; x=1713345066; darn=example.org;
        h=to:subject:message-id:date:from:mime-version:from:to:cc:subject
         :date:message-id:reply-to;
        bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;
        b=Zm9vYmFyYmF6
MIME-Version: 1.0
From: Priya Raman <priya.raman@gmail.com>
Date: Wed, 10 Apr 2024 11:10:55 +0200
Message-ID: <CAF1xYz=abc123DEF456ghi789JKL@mail.gmail.com>
Subject: =?UTF-8?B?QnVpbGQgaXMgZ3JlZW4g8J+OiQ==?=
To: dev@example.org
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(gm_plain.encode('utf-8')).decode()}
--000000000000a1b2c3d4e5f60718
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{quopri.encodestring(gm_html.encode('utf-8')).decode()}
--000000000000a1b2c3d4e5f60718--
""")

# 4. Apple Mail: alternative > related(html + inline png)
write("apple-mail-related.eml", f"""Content-Type: multipart/alternative;
	boundary="Apple-Mail=_8F3C2B1A-0D9E-4F7A-B6C5-1E2D3C4B5A69"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.500.171.1.1\\))
Subject: Photo from the trip
Message-Id: <7A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9@example.com>
Date: Sat, 18 May 2024 20:45:12 -0400
To: Tom Berger <tom@example.com>
From: Lea Novak <lea@example.com>
X-Mailer: Apple Mail (2.3774.500.171.1.1)


--Apple-Mail=_8F3C2B1A-0D9E-4F7A-B6C5-1E2D3C4B5A69
Content-Transfer-Encoding: 7bit
Content-Type: text/plain;
	charset=us-ascii

Here is the view from the summit.

--Apple-Mail=_8F3C2B1A-0D9E-4F7A-B6C5-1E2D3C4B5A69
Content-Type: multipart/related;
	type="text/html";
	boundary="Apple-Mail=_0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D"


--Apple-Mail=_0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D
Content-Transfer-Encoding: 7bit
Content-Type: text/html;
	charset=us-ascii

<html><head><meta http-equiv="content-type" content="text/html; charset=us-ascii"></head><body style="overflow-wrap: break-word;">Here is the view from the summit.<div><img apple-inline="yes" id="0D1E2F30" src="cid:4B5C6D7E-8F90-4A1B-B2C3-D4E5F6071829"></div></body></html>
--Apple-Mail=_0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D
Content-Transfer-Encoding: base64
Content-Disposition: inline;
	filename=summit.png
Content-Type: image/png;
	x-unix-mode=0644;
	name="summit.png"
Content-Id: <4B5C6D7E-8F90-4A1B-B2C3-D4E5F6071829>

{b64(PNG)}
--Apple-Mail=_0A1B2C3D-4E5F-4A6B-8C7D-9E0F1A2B3C4D--

--Apple-Mail=_8F3C2B1A-0D9E-4F7A-B6C5-1E2D3C4B5A69--
""")

# 5. Raw Latin-1 8-bit headers and body (no MIME declaration of the header charset)
latin = ("From: Fran\xe7ois Lef\xe8vre <francois@example.fr>\n"
         "To: H\xe9l\xe8ne <helene@example.fr>\n"
         "Subject: R\xe9sum\xe9 de la r\xe9union \xe0 No\xebl\n"
         "Date: Thu, 21 Dec 2023 14:02:33 +0100\n"
         "Message-ID: <20231221140233.1234@example.fr>\n"
         "MIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=ISO-8859-1\n"
         "Content-Transfer-Encoding: 8bit\n"
         "\n"
         "Bonjour H\xe9l\xe8ne,\n\nvoici le r\xe9sum\xe9 : tr\xe8s bien, \xe0 bient\xf4t.\n").encode("latin-1")
write("latin1-8bit-headers.eml", latin)

# 6. ISO-2022-JP: a subject split over two encoded words (folded), body in ISO-2022-JP
jp_subject = "会議の議事録について確認のお願い"
first, second = jp_subject[:8], jp_subject[8:]
jp_body = "山田様\n\nお世話になっております。\n議事録を送付いたします。\n"
write("iso2022jp-subject.eml", (f"""From: {ew('鈴木一郎', 'ISO-2022-JP')} <suzuki@example.co.jp>
To: yamada@example.co.jp
Subject: {ew(first, 'ISO-2022-JP')}
 {ew(second, 'ISO-2022-JP')}
Date: Fri, 12 Jan 2024 10:30:00 +0900
Message-ID: <20240112103000.ABCD@example.co.jp>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-2022-JP
Content-Transfer-Encoding: 7bit

""").encode('ascii') + jp_body.encode('iso2022_jp'))

# 7. GBK encoded words and a GBK base64 body
gbk_body = "王先生：\n\n附件是本季度的销售报告，请查收。\n"
write("gbk-encoded-words.eml", f"""From: {ew('李明', 'GBK')} <liming@example.cn>
To: {ew('王伟', 'GBK', 'Q')} <wangwei@example.cn>
Subject: {ew('季度销售报告', 'GBK')}
Date: Mon, 1 Apr 2024 09:00:00 +0800
Message-ID: <1711933200.5678@example.cn>
MIME-Version: 1.0
Content-Type: text/plain; charset="GBK"
Content-Transfer-Encoding: base64

{b64(gbk_body.encode('gbk'))}
""")

# 8. Forwarded message/rfc822 (itself multipart/alternative)
write("forwarded-rfc822.eml", """From: Max Power <max@example.com>
To: Sam Doe <sam@example.com>
Subject: Fwd: Quarterly numbers
Date: Tue, 2 Jul 2024 08:00:00 +0000
Message-ID: <fwd-1@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer-boundary-1"

--outer-boundary-1
Content-Type: text/plain; charset=utf-8

See the forwarded message below.

--outer-boundary-1
Content-Type: message/rfc822
Content-Disposition: attachment; filename="Quarterly numbers.eml"

From: CFO <cfo@example.com>
To: Max Power <max@example.com>
Subject: Quarterly numbers
Date: Mon, 1 Jul 2024 17:30:00 -0700
Message-ID: <q2-numbers@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="inner-boundary-2"

--inner-boundary-2
Content-Type: text/plain; charset=us-ascii

Revenue is up 12%.

--inner-boundary-2
Content-Type: text/html; charset=us-ascii

<p>Revenue is up <b>12%</b>.</p>

--inner-boundary-2--

--outer-boundary-1--
""")

# 9. Missing final boundary (the message was cut off)
CSV_B64 = b64(b"host,status\ndb1,ok\ndb2,warning\nweb1,warning\n")
write("missing-final-boundary.eml", f"""From: backup@example.com
To: admin@example.com
Subject: Nightly report
Date: Wed, 3 Jul 2024 02:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_report_42"

--=_report_42
Content-Type: text/plain

Backup finished with 2 warnings.

--=_report_42
Content-Type: text/csv; name="report.csv"
Content-Disposition: attachment; filename="report.csv"
Content-Transfer-Encoding: base64

{CSV_B64}
""")

# 10. Broken base64: garbage characters, a line with spaces, missing padding
payload = b"The quick brown fox jumps over the lazy dog. 0123456789"
good = base64.b64encode(payload).decode().rstrip("=")
broken = good[:20] + "!!" + good[20:40] + "\n" + good[40:60] + " *\n" + good[60:]
write("broken-base64.eml", f"""From: scanner@example.com
To: archive@example.com
Subject: Scan
Date: Thu, 4 Jul 2024 12:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

Attached.
--b1
Content-Type: text/plain; name="fox.txt"
Content-Disposition: attachment; filename=fox.txt
Content-Transfer-Encoding: base64

{broken}
--b1--
""")

# 11. Address groups, comments, quoted names with commas, obsolete date
write("addresses-obsolete-date.eml", """From: "Doe, Jane" <jane.doe@example.com>
Sender: list-bounces@example.com (Mailing List)
To: undisclosed-recipients:;
Cc: Team: alice@example.com, "Bob B." <bob@example.com>;, carol@example.com (Carol C.)
Reply-To: Doe, John <john.doe@example.com>
Subject: Old-style date
Date: Tue, 5 Jul 94 18:44 EDT
Message-ID: <old-1@example.com>

Body.
""")

# 12. Digest with default message/rfc822 children and a preamble/epilogue
write("digest.eml", """From: list@example.org
To: subscriber@example.org
Subject: Digest Vol 1, Issue 2
Date: Sat, 6 Jul 2024 00:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/digest; boundary="digest-b"

Preamble text that readers do not show.
--digest-b

From: a@example.org
Subject: First post

Hello from A.
--digest-b

From: b@example.org
Subject: Second post

Hello from B.
--digest-b--
Epilogue text.
""")

# 13. Headers without a blank line, then an mbox From_ line at the top
write("from-line-no-separator.eml", """From sender@example.com Thu Jan  4 10:00:00 2024
From: sender@example.com
Subject: No blank line
This line is the body, not a header.
Second body line.
""", crlf=False)

# 14. Zimbra REST fmt=sync: meta headers prepended to the message (CRLF, as the server writes them)
write("zimbra-sync-message.txt", """X-Zimbra-ItemId: 257
X-Zimbra-FolderId: 2
X-Zimbra-Tags: 64,65
X-Zimbra-Tag-Names: Projekt\\, alt,Wichtig
X-Zimbra-Flags: rfu
X-Zimbra-Received: 1712740267000
X-Zimbra-Modified: 1712740300000
X-Zimbra-Change: 4711
X-Zimbra-Revision: 4700
X-Zimbra-Conv: -257
Return-Path: <priya.raman@gmail.com>
From: Priya Raman <priya.raman@gmail.com>
To: dev@example.org
Subject: Status
Date: Wed, 10 Apr 2024 11:10:55 +0200
Message-ID: <status-1@mail.gmail.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

All green.
""")

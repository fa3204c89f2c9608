#!/usr/bin/env python3
"""vobject reading every card of a .vcf (parse + the fields a converter reads). Prints the count.
   python-vobject-read.py FILE"""
import sys, vobject
n = 0
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for card in vobject.readComponents(f):
        card.fn.value
        getattr(card, "n", None) and card.n.value
        for e in card.contents.get("email", []): e.value
        for t in card.contents.get("tel", []): t.value
        n += 1
print(n)

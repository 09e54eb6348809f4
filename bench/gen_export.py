#!/usr/bin/env python3
"""gen_export.py: writes a Salesforce Data Export folder (Account.csv,
Contact.csv) of any size, with the mess of the bundled sample org spread
through it: websites in several spellings, duplicate domains and emails,
blank and personal-email values, non-ASCII names, quoted commas, quotes and
newlines. Deterministic for a given seed.

usage: gen_export.py OUT_DIR ACCOUNTS CONTACTS [SEED]
"""
import csv
import os
import random
import sys


def sfid(prefix, n):
    return "%s%012dAAA" % (prefix, n)


def main():
    out, n_acc, n_con = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 42)
    os.makedirs(out, exist_ok=True)
    names = ["Acme", "Société Générale", "Müller GmbH", "株式会社東京",
             "北京科技", "São Paulo Ltda", "O'Brien & Sons", "Nordic, AB"]
    spellings = ["http://www.{d}/", "{D}/about", "https://{d}", "  www.{d}  ",
                 "{d}"]
    with open(os.path.join(out, "Account.csv"), "w", newline="",
              encoding="utf-8-sig") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(["Id", "Name", "Website", "Industry", "Description",
                    "OwnerId", "CreatedDate"])
        for i in range(n_acc):
            # One account in 20 shares its domain with the one before it.
            dom = "company%d.com" % (i - 1 if i % 20 == 19 else i)
            r = rng.random()
            if r < 0.05:
                site = ""
            elif r < 0.07:
                site = "gmail.com"
            else:
                site = rng.choice(spellings).format(d=dom, D=dom.upper())
            desc = rng.choice(["", "Customer since 2019, renewal due",
                               'Says "call me"\nafter 5pm', "Tier 1"])
            w.writerow([sfid("001", i), "%s %d" % (rng.choice(names), i),
                        site, "Technology", desc, "005000000000001AAA",
                        "2024-03-05T14:22:11.000+0000"])
    with open(os.path.join(out, "Contact.csv"), "w", newline="",
              encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        w.writerow(["Id", "AccountId", "FirstName", "LastName", "Email",
                    "Title", "CreatedDate"])
        for i in range(n_con):
            acc = rng.randrange(n_acc) if n_acc else 0
            r = rng.random()
            if r < 0.04:
                email = ""
            elif r < 0.08:
                email = "person%d@gmail.com" % i
            elif r < 0.11:
                email = "  Person%d@Company%d.COM " % (i - 1, acc)
            else:
                email = "person%d@company%d.com" % (i, acc)
            w.writerow([sfid("003", i), sfid("001", acc) if r > 0.02 else "",
                        rng.choice(["Ada", "José", "Zoë", "太郎"]),
                        "Person %d" % i, email, "Engineer",
                        "2024-03-05T14:22:11.000+0000"])


if __name__ == "__main__":
    main()

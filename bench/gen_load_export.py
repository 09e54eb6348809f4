#!/usr/bin/env python3
"""gen_load_export.py: the records of the load benchmark (bench/load_bench.sh)
as a Salesforce Data Export folder, and the mapping.yaml that sends them to
Attio: N records, three in five companies with a unique domain, the rest
people with a unique email, every one carrying its Salesforce Id into a
salesforce_id text attribute so that the destination can be counted by
source id.

usage: gen_load_export.py EXPORT_DIR MAPPING_FILE N
"""
import csv
import os
import sys

MAPPING = """version: 1
objects:
  Account:
    to: companies
    match: domains
    fields:
      Id: {to: salesforce_id, type: text}
      Name: {to: name, type: text}
      Website: {to: domains, type: domain}
  Contact:
    to: people
    match: email_addresses
    fields:
      Id: {to: salesforce_id, type: text}
      FirstName: {to: name, type: name, part: first_name}
      LastName: {to: name, type: name, part: last_name}
      Email: {to: email_addresses, type: email}
"""


def counts(n):
    """How many companies and people make N records."""
    companies = n * 3 // 5
    return companies, n - companies


def accounts(n):
    """(Id, Name, Website) of each company."""
    return [("001B%014d" % i, "Bench Company %d" % i, "bench-co-%d.test" % i)
            for i in range(counts(n)[0])]


def contacts(n):
    """(Id, FirstName, LastName, Email) of each person."""
    return [("003B%014d" % i, "First%d" % i, "Last%d" % i,
             "person%d@bench-people.test" % i)
            for i in range(counts(n)[1])]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    out, mapping, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    write_csv(os.path.join(out, "Account.csv"), ["Id", "Name", "Website"],
              accounts(n))
    write_csv(os.path.join(out, "Contact.csv"),
              ["Id", "FirstName", "LastName", "Email"], contacts(n))
    with open(mapping, "w") as f:
        f.write(MAPPING)


if __name__ == "__main__":
    main()

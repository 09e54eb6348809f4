#!/usr/bin/env python3
"""prepare_mapping.py: what a person does between `ferry analyze` and
`ferry plan`, done for the demo, the scenarios, the bench and the soak
against the Attio sandbox: in mapping.yaml, every record's owner that
nobody matches goes to one sandbox member (owners.default for every object
of the mapping), national phone numbers are read as US ones
(options.default_country), and amounts are in US dollars (options.currency:
schema setup creates each currency attribute with it). The attributes the mapping writes are made by
ferry itself: `ferry run` (or `ferry schema --apply`) sets the workspace
up first.

usage: prepare_mapping.py WORKSPACE
"""
import os
import re
import sys


def read_mapping(path):
    """Objects with their `to` and fields, and the value tables' titles,
    from the drafted mapping.yaml's regular layout."""
    objects, tables = {}, {}
    section, obj, table = None, None, None
    for line in open(path, encoding="utf-8"):
        line = line.split(" #", 1)[0].rstrip("\n")
        if re.match(r"^\S", line):
            section = line.rstrip(":")
            continue
        m = re.match(r"^  (\S+):\s*$", line)
        if m and section == "objects":
            obj = objects.setdefault(m.group(1), {"to": None, "fields": []})
            continue
        if m and section == "value_tables":
            table = tables.setdefault(m.group(1), [])
            continue
        m = re.match(r"^    to: (\S+)", line)
        if m and section == "objects" and obj is not None:
            obj["to"] = m.group(1)
            continue
        m = re.match(r"^      (\S+): \{(.*)\}", line)
        if m and section == "objects" and obj is not None:
            keys = dict(re.findall(r"(\w+): ([^,}]+)", m.group(2)))
            obj["fields"].append(keys)
            continue
        m = re.match(r"^      (.+?): (.+)$", line)
        if m and section == "value_tables" and table is not None:
            table.append(m.group(2).strip())
    return objects, tables


def prepare_yaml(path, objects):
    text = open(path, encoding="utf-8").read()
    names = ", ".join(sorted(objects))
    if "  default_for:" not in text:
        text = text.replace(
            "  table: {}",
            "  table: {}\n  default: ada@ferry.test\n"
            "  default_for: [%s]" % names)
    if "default_country" not in text:
        text += "options:\n  default_country: US\n  currency: USD\n"
    open(path, "w", encoding="utf-8").write(text)


def main():
    ws = sys.argv[1]
    path = os.path.join(ws, "mapping.yaml")
    objects, _ = read_mapping(path)
    prepare_yaml(path, objects)


if __name__ == "__main__":
    main()

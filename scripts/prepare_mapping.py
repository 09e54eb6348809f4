#!/usr/bin/env python3
"""prepare_mapping.py: what a person does between `ferry analyze` and
`ferry plan`, done for the demo, the scenarios and the soak against the
Attio sandbox:

1. mapping.yaml: every record's owner that nobody matches goes to one
   sandbox member (owners.default for every object of the mapping), and
   national phone numbers are read as US ones (options.default_country);
2. with a base URL: the attributes mapping.yaml writes that the sandbox
   lacks are created there, select attributes with the options of their
   value tables (what ferry's schema setup will do).

usage: prepare_mapping.py WORKSPACE [BASE_URL]   (token: $FERRY_SANDBOX_TOKEN)
"""
import json
import os
import re
import sys
import urllib.request

# ferry's field types -> Attio attribute types (and multiselect).
TYPES = {
    "text": ("text", False), "number": ("number", False),
    "currency": ("currency", False), "checkbox": ("checkbox", False),
    "date": ("date", False), "timestamp": ("timestamp", False),
    "select": ("select", False), "multiselect": ("select", True),
    "domain": ("domain", True), "email": ("email-address", True),
    "phone": ("phone-number", True), "location": ("location", False),
    "owner": ("actor-reference", False),
}


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
        text += "options:\n  default_country: US\n"
    open(path, "w", encoding="utf-8").write(text)


def call(base, method, path, body=None):
    token = os.environ.get("FERRY_SANDBOX_TOKEN", "ferry-sandbox-token")
    req = urllib.request.Request(
        base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + token,
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def prepare_sandbox(base, objects, tables):
    for obj in objects.values():
        dest = obj["to"]
        if dest in (None, "null", "notes", "tasks", "files", "links",
                    "list_entries"):
            continue
        have = {a["api_slug"] for a in
                call(base, "GET", "/v2/objects/%s/attributes" % dest)["data"]}
        for f in obj["fields"]:
            slug, kind = f.get("to"), f.get("type")
            config = {}
            if kind == "reference" and f.get("object"):
                atype, multi = "record-reference", False
                config = {"record_reference":
                          {"allowed_objects": [f["object"].strip()]}}
            elif kind in TYPES:
                atype, multi = TYPES[kind]
            else:
                continue
            if not slug or slug == "null" or slug in have:
                continue
            call(base, "POST", "/v2/objects/%s/attributes" % dest, {"data": {
                "title": slug.replace("_", " ").title(), "description": None,
                "api_slug": slug, "type": atype, "is_required": False,
                "is_unique": False, "is_multiselect": multi,
                "config": config}})
            have.add(slug)
            for title in dict.fromkeys(tables.get(f.get("values", ""), [])):
                call(base, "POST", "/v2/objects/%s/attributes/%s/options"
                     % (dest, slug), {"data": {"title": title}})


def main():
    ws = sys.argv[1]
    path = os.path.join(ws, "mapping.yaml")
    objects, tables = read_mapping(path)
    prepare_yaml(path, objects)
    if len(sys.argv) > 2:
        prepare_sandbox(sys.argv[2], objects, tables)


if __name__ == "__main__":
    main()

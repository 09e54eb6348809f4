#!/usr/bin/env python3
"""check_plan.py: checks the promise of `ferry plan` on a workspace,
independently of ferry: it reads the workspace database (.ferry/state.db)
with Python's own sqlite3 and the `ferry plan --json` document, and
counts for itself. Used by tests/scenarios/plan_generated.sh and
scripts/bench_sf.sh.

usage: check_plan.py WORKSPACE PLAN_JSON
       check_plan.py --digest WORKSPACE

The check, per object:
  - records in staged_records == rows in the plan table == write + merged
    + held + skipped of the --json document (and each of those four equals
    the plan table's count of that decision);
  - every staged (object, source_id) has exactly one plan row, and every
    plan row is a staged record;
  - every held or skipped row has a non-empty reasons array whose every
    entry has a code and a non-empty message; every reason of a held row
    says what releases it (a non-empty `release`), and no reason anywhere
    has an empty `release`;
  - a merged row names its survivor, which has a plan row itself.
Every failure is printed with its object and record id (the first 20 of
each kind, then how many more) and the exit status is 1. On success it
prints, for the whole org:
  N staged = W write + M merged + H held + S skipped: balanced

--digest prints one line: the SHA-256 of the plan table's rows (every
column, ordered by object and source id), its row count and the number of
audit events, so that two plans of an unchanged workspace can be compared.
"""
import hashlib
import json
import os
import sqlite3
import sys

DECISIONS = ("write", "merged", "held", "skipped")
SHOWN = 20


def connect(workspace):
    path = os.path.join(workspace, ".ferry", "state.db")
    if not os.path.exists(path):
        sys.exit("check_plan: %s: no workspace database" % path)
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True)


class Problems:
    def __init__(self):
        self.by_kind = {}

    def add(self, kind, where, detail=""):
        self.by_kind.setdefault(kind, []).append((where, detail))

    def report(self):
        n = 0
        for kind, items in self.by_kind.items():
            for where, detail in items[:SHOWN]:
                print("check_plan: FAIL: %s: %s%s" % (where, kind,
                      (": " + detail) if detail else ""), file=sys.stderr)
            if len(items) > SHOWN:
                print("check_plan: FAIL: ... and %d more: %s"
                      % (len(items) - SHOWN, kind), file=sys.stderr)
            n += len(items)
        return n


def check_counts(db, doc, problems):
    """Staged records, plan rows and the JSON document, object by object."""
    staged = dict(db.execute(
        "SELECT object, count(*) FROM staged_records GROUP BY object"))
    for obj, status in db.execute(
            "SELECT object, status FROM staged_objects"):
        if status != "complete":
            problems.add("staging is not complete (status '%s')" % status,
                         obj)
    planned = {}
    for obj, decision, n in db.execute(
            "SELECT object, decision, count(*) FROM plan "
            "GROUP BY object, decision"):
        planned.setdefault(obj, dict.fromkeys(DECISIONS, 0))
        if decision not in DECISIONS:
            problems.add("unknown decision '%s'" % decision, obj)
            continue
        planned[obj][decision] = n
    if doc.get("every_record_decided") is not True:
        problems.add("every_record_decided is not true", "plan --json")
    objects = {}
    for o in doc["objects"]:
        if o["object"] in objects:
            problems.add("listed twice", "plan --json: " + o["object"])
        objects[o["object"]] = o
    totals = dict.fromkeys(DECISIONS, 0)
    for obj in sorted(set(staged) | set(planned) | set(objects)):
        n_staged = staged.get(obj, 0)
        rows = planned.get(obj, dict.fromkeys(DECISIONS, 0))
        n_rows = sum(rows.values())
        o = objects.get(obj)
        if n_staged != n_rows:
            problems.add("%d staged records but %d plan rows"
                         % (n_staged, n_rows), obj)
        if o is None:
            if n_staged or n_rows:
                problems.add("missing from plan --json (%d staged)"
                             % n_staged, obj)
            continue
        decided = sum(o[d] for d in DECISIONS)
        if not (o["staged"] == n_staged == decided):
            problems.add(
                "staged %d in staged_records, %d in plan --json, but "
                "write + merged + held + skipped = %d + %d + %d + %d = %d"
                % (n_staged, o["staged"], o["write"], o["merged"],
                   o["held"], o["skipped"], decided), obj)
        for d in DECISIONS:
            totals[d] += o[d]
            if o[d] != rows[d]:
                problems.add("plan --json says %d %s, the plan table has %d"
                             % (o[d], d, rows[d]), obj)
        for r in o.get("reasons", {}).get("held", []):
            if not (r.get("code") and r.get("example") and r.get("release")):
                problems.add("a held reason in plan --json lacks a code, "
                             "an example or a release", obj, json.dumps(r))
    n_staged = sum(staged.values())
    if doc["staged"] != n_staged:
        problems.add("plan --json says %d staged, staged_records has %d"
                     % (doc["staged"], n_staged), "the org")
    for d in DECISIONS:
        if doc["decisions"][d] != totals[d]:
            problems.add("plan --json says %d %s in all, its objects add up "
                         "to %d" % (doc["decisions"][d], d, totals[d]),
                         "the org")
    return n_staged, totals


def check_pairs(db, problems):
    """Exactly one plan row per staged record, and no other row."""
    for obj, sid in db.execute(
            "SELECT s.object, s.source_id FROM staged_records s "
            "LEFT JOIN plan p ON p.object = s.object "
            "AND p.source_id = s.source_id WHERE p.source_id IS NULL"):
        problems.add("staged but has no decision", "%s %s" % (obj, sid))
    for obj, sid, decision in db.execute(
            "SELECT p.object, p.source_id, p.decision FROM plan p "
            "LEFT JOIN staged_records s ON s.object = p.object "
            "AND s.source_id = p.source_id WHERE s.source_id IS NULL"):
        problems.add("has a decision (%s) but is not staged" % decision,
                     "%s %s" % (obj, sid))
    for obj, sid, n in db.execute(
            "SELECT object, source_id, count(*) FROM plan "
            "GROUP BY object, source_id HAVING count(*) > 1"):
        problems.add("has %d decisions" % n, "%s %s" % (obj, sid))


def check_reasons(db, problems):
    """Held and skipped rows say why (and held ones what releases them)."""
    for obj, sid, decision, text in db.execute(
            "SELECT object, source_id, decision, reasons FROM plan "
            "WHERE decision != 'write'"):
        where = "%s %s (%s)" % (obj, sid, decision)
        try:
            reasons = json.loads(text)
        except ValueError as e:
            problems.add("reasons are not JSON", where, str(e))
            continue
        if not isinstance(reasons, list):
            problems.add("reasons are not an array", where, text[:200])
            continue
        if decision in ("held", "skipped") and not reasons:
            problems.add("no reason", where)
        for r in reasons:
            if not isinstance(r, dict) or not r.get("code") or \
                    not str(r.get("message", "")).strip():
                problems.add("a reason without a code or a message", where,
                             json.dumps(r)[:200])
                continue
            if "release" in r and not str(r["release"]).strip():
                problems.add("a reason with an empty release", where,
                             json.dumps(r)[:200])
            elif decision == "held" and not r.get("release"):
                problems.add("a held reason that does not say what "
                             "releases it", where, json.dumps(r)[:200])


def check_survivors(db, problems):
    """A merged record names a survivor that has a decision itself."""
    for obj, sid, sobj, ssid in db.execute(
            "SELECT p.object, p.source_id, p.survivor_object, p.survivor_id "
            "FROM plan p LEFT JOIN plan s ON s.object = p.survivor_object "
            "AND s.source_id = p.survivor_id WHERE p.decision = 'merged' "
            "AND s.source_id IS NULL"):
        if not sobj or not ssid:
            problems.add("merged into no named survivor",
                         "%s %s" % (obj, sid))
        else:
            problems.add("merged into %s %s, which has no decision"
                         % (sobj, ssid), "%s %s" % (obj, sid))


def digest(workspace):
    db = connect(workspace)
    h = hashlib.sha256()
    rows = 0
    for row in db.execute("SELECT * FROM plan ORDER BY object, source_id"):
        h.update(json.dumps(row, ensure_ascii=False).encode())
        h.update(b"\n")
        rows += 1
    events = db.execute("SELECT count(*) FROM audit").fetchone()[0]
    print("%s %d %d" % (h.hexdigest(), rows, events))


def main(argv):
    if len(argv) == 3 and argv[1] == "--digest":
        digest(argv[2])
        return 0
    if len(argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    workspace, plan_json = argv[1:]
    with open(plan_json) as f:
        doc = json.load(f)
    db = connect(workspace)
    problems = Problems()
    n_staged, totals = check_counts(db, doc, problems)
    check_pairs(db, problems)
    check_reasons(db, problems)
    check_survivors(db, problems)
    n = problems.report()
    if n:
        print("check_plan: %d problem%s in %s: the plan does not keep its "
              "promise" % (n, "" if n == 1 else "s", workspace),
              file=sys.stderr)
        return 1
    print("{:,} staged = {:,} write + {:,} merged + {:,} held + {:,} skipped: "
          "balanced".format(n_staged, totals["write"], totals["merged"],
                            totals["held"], totals["skipped"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

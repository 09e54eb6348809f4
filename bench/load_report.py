#!/usr/bin/env python3
"""load_report.py: the table of bench/load_bench.sh. Reads what the three
loads left in the bench's folder (ferry run's --json and its start and end
times, the seed script's results), asks each sandbox for its stats, reads
every record back from the sandboxes through the records query API, and
prints ferry beside the seed script, then PASS or FAIL for each of
ferry's targets. Exits 1 if any target fails.

usage: load_report.py WORK_DIR EXPORT_DIR FERRY_URL FAITHFUL_URL RETRY_URL
The token is $FERRY_SANDBOX_TOKEN.
"""
import csv
import datetime
import json
import os
import sys
import urllib.request

LIMIT = 25.0  # writes/s: Attio's rule, the sandbox's and ferry.yaml's
TARGET_SHARE = 0.95
MAX_429_SHARE = 0.01
TOKEN = os.environ.get("FERRY_SANDBOX_TOKEN", "")


def call(url, method, path, body=None):
    req = urllib.request.Request(
        url + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + TOKEN,
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.load(r)


def source_ids(export):
    ids = []
    for name in ("Account.csv", "Contact.csv"):
        with open(os.path.join(export, name), newline="") as f:
            ids += [r["Id"] for r in csv.DictReader(f)]
    return ids


def destination_ids(url):
    """salesforce_id of every company and person, as many times as held."""
    out = []
    for obj in ("companies", "people"):
        offset = 0
        while True:
            page = call(url, "POST", "/v2/objects/%s/records/query" % obj,
                        {"limit": 500, "offset": offset})["data"]
            for rec in page:
                v = rec["values"].get("salesforce_id") or []
                out.append(v[0].get("value") if v else None)
            if len(page) < 500:
                break
            offset += 500
    return out


def count_duplicates(stats):
    """Values of a unique attribute more than one record holds."""
    n = 0
    for attrs in (stats.get("duplicates") or {}).values():
        for dups in attrs.values():
            n += len(dups)
    return n


def write_phase(log):
    """Arrival times of the record writes in a sandbox's --log."""
    times = []
    with open(log) as f:
        for line in f:
            p = line.split()
            if len(p) < 5 or p[1] not in ("PUT", "POST", "PATCH"):
                continue
            path = p[2].split("?")[0]
            if not path.startswith("/v2/objects/") or \
                    not path.endswith("/records"):
                continue
            end = datetime.datetime.strptime(
                p[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                tzinfo=datetime.timezone.utc).timestamp()
            times.append(end - float(p[-1].rstrip("ms")) / 1000.0)
    times.sort()
    return times


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__.strip().splitlines()[-2])
    work, export, f_url, s_url, r_url = sys.argv[1:6]
    ids = source_ids(export)
    n = len(ids)

    # ---- ferry run
    run = json.load(open(os.path.join(work, "run.json")))
    t0, t1, rc = open(os.path.join(work, "run.times")).read().split()
    elapsed = float(t1) - float(t0)
    stats = call(f_url, "GET", "/__sandbox/stats")
    to_write = sum(o["to_write"] for o in run["objects"])
    written = sum(o["written"] for o in run["objects"])
    unchanged = sum(o["unchanged"] for o in run["objects"])
    req = run["requests"]
    held = destination_ids(f_url)
    counts = {}
    for i in held:
        counts[i] = counts.get(i, 0) + 1
    missing = [i for i in ids if counts.get(i, 0) == 0]
    twice = [i for i in ids if counts.get(i, 0) > 1]
    strays = [i for i in counts if i not in set(ids)]
    lost = to_write - written - unchanged
    dups = count_duplicates(stats)
    times = write_phase(os.path.join(work, "ferry.log"))
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    req_rate = (len(times) - 1) / span
    rec_rate = req_rate * written / len(times)
    share_429 = req["rate_limited"] / max(req["sent"], 1)

    # ---- the seed script, as written and with a retry on 5xx
    faithful = json.load(open(os.path.join(work, "faithful.json")))
    retry = json.load(open(os.path.join(work, "retry.json")))
    f_stats = call(s_url, "GET", "/__sandbox/stats")
    r_stats = call(r_url, "GET", "/__sandbox/stats")
    f_held = destination_ids(s_url)
    f_first = set(ids[:faithful["confirmed"]])
    f_prefix = set(f_held) == f_first and len(f_held) == len(f_first)
    r_held = destination_ids(r_url)
    r_rate = retry["confirmed"] / retry["seconds"]
    p_clean = 0.98 ** n

    stop = faithful["stopped"]
    if stop:
        why = stop["exception"]
        if "Server Error" in stop["message"]:
            why = "HTTPError (5xx)"
        elif stop["exception"] == "ValueError":
            why = "ValueError (Retry-After date)"
        f_stop = "died at record %d (%s): %s" % (
            stop["at_record"], stop["object"], why)
    else:
        f_stop = "finished"

    rows = [
        ("records to write", "%d" % to_write, "%d" % faithful["records"],
         "%d (--seq-limit)" % retry["records"]),
        ("written (confirmed)", "%d" % (written + unchanged),
         "%d" % faithful["confirmed"], "%d" % retry["confirmed"]),
        ("how it ended", "exit %s" % rc, f_stop,
         "finished" if not retry["stopped"] else
         "died: " + retry["stopped"]["exception"]),
        ("elapsed", "%.1f s" % elapsed, "%.1f s" % faithful["seconds"],
         "%.1f s" % retry["seconds"]),
        ("sustained writes/s", "%.2f (%.1f%% of 25)" %
         (req_rate, 100 * req_rate / LIMIT),
         "%.2f" % (faithful["requests"] / max(faithful["seconds"], 1e-9)),
         "%.2f (%.1f%% of 25)" % (retry["requests"] / retry["seconds"],
                                  4 * retry["requests"] / retry["seconds"])),
        ("  records/s", "%.2f (%.1f%% of 25)" %
         (rec_rate, 100 * rec_rate / LIMIT),
         "%.2f" % (faithful["confirmed"] / max(faithful["seconds"], 1e-9)),
         "%.2f" % r_rate),
        ("  records/s, whole run", "%.2f" % (written / elapsed), "", ""),
        ("requests", "%d" % req["sent"], "%d" % faithful["requests"],
         "%d" % retry["requests"]),
        ("retries", "%d" % req["retried"], "0 (none in the script)",
         "%d" % retry["retries"]),
        ("5xx received", "%d" % req["server_errors"],
         "%d" % faithful["server_errors"], "%d" % retry["server_errors"]),
        ("429s (% of requests)", "%d (%.2f%%)" % (req["rate_limited"],
                                                  100 * share_429),
         "%d" % faithful["rate_limited"], "%d" % retry["rate_limited"]),
        ("lost (to write - written)", "%d" % lost,
         "%d never written" % (faithful["records"] - faithful["confirmed"]),
         "%d" % (retry["records"] - retry["confirmed"])),
        ("source ids in Attio once", "%d of %d%s" % (
            n - len(missing) - len(twice), n,
            "" if not (missing or twice or strays) else
            " (%d missing, %d twice, %d unknown)" % (
                len(missing), len(twice), len(strays))),
         "%d (the first %d: %s)" % (len(f_held), faithful["confirmed"],
                                    "yes" if f_prefix else "NO"),
         "%d" % len(set(r_held))),
        ("what it knows it wrote", "the ledger: every record",
         "nothing (ID_MAP: %d entry, in memory)" %
         faithful["id_map_entries"],
         "nothing (ID_MAP: %d entry, in memory)" %
         retry["id_map_entries"]),
        ("duplicates (sandbox)", "%d" % dups, "%d" % count_duplicates(f_stats),
         "%d" % count_duplicates(r_stats)),
        ("sandbox: max writes/s (10 s)", "%s" % stats["max_write_rate_10s"],
         "%s" % f_stats["max_write_rate_10s"],
         "%s" % r_stats["max_write_rate_10s"]),
        ("time for %d records" % n, "%.0f s" % elapsed,
         "never (a pass with no 5xx: p = %.1e)" % p_clean,
         "%.0f s projected (%.1f min)" % (n / r_rate, n / r_rate / 60)),
    ]
    heads = ("", "ferry run", "seed script (faithful)",
             "seed script + retry on 5xx")
    w = [max(len(r[i]) for r in rows + [heads]) for i in range(4)]
    fmt = "  %-*s  %-*s  %-*s  %s"
    print(fmt % (w[0], heads[0], w[1], heads[1], w[2], heads[2], heads[3]))
    for r in rows:
        print(fmt % (w[0], r[0], w[1], r[1], w[2], r[2], r[3]))
    if stop:
        print("  the faithful script's last words: %s: %s" % (
            stop["exception"], stop["message"][:160]))

    checks = [
        (req_rate >= TARGET_SHARE * LIMIT,
         "sustained %.2f writes/s >= 95%% of 25 (%.2f)" %
         (req_rate, TARGET_SHARE * LIMIT)),
        (share_429 <= MAX_429_SHARE,
         "429s %.2f%% of requests <= 1%%" % (100 * share_429)),
        (lost == 0 and not missing and not twice and not strays,
         "lost 0 (to write - written = %d; %d source ids missing, %d "
         "twice, %d unknown)" % (lost, len(missing), len(twice),
                                 len(strays))),
        (dups == 0, "duplicates 0 (the sandbox counts %d)" % dups),
        (rc == "0", "ferry run exit status 0 (got %s)" % rc),
    ]
    bad = 0
    for ok, what in checks:
        print("  %s  %s" % ("PASS" if ok else "FAIL", what))
        bad += not ok
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

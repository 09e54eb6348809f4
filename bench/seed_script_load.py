#!/usr/bin/env python3
"""seed_script_load.py: the load of the migration guide's "Python Migration
Script Outline" (its load_to_attio), written faithfully with urllib in
place of requests, so that bench/load_bench.sh can put it beside `ferry
run`: one PUT ?matching_attribute= at a time, on a 429 sleep
int(Retry-After) seconds (default 2), otherwise raise_for_status().

  --mode faithful    the guide's loop as written; it stops where it raises
  --mode retry-5xx   the same, plus "on a 5xx sleep a second and send it
                     again" (the least anyone would add), over --limit
                     records, to measure its rate

The records are those of bench/gen_load_export.py's export folder, with
the values the bench's mapping.yaml writes. Everything around
load_to_attio (the counts, the clock, catching the exception to report
it) is the bench's; load_to_attio itself only gains the mode switch and
a count of the records it confirmed.

usage: seed_script_load.py --base URL --export DIR --mode MODE
                           [--limit N] --out RESULT.json
The token is $ATTIO_API_TOKEN.
"""
import argparse
import csv
import json
import os
import time
import urllib.error
import urllib.request

ATTIO_BASE = None  # set from --base: "<url>/v2"
ATTIO_TOKEN = None  # "Bearer <token>"
ID_MAP = {}  # sf_id -> attio_record_id
MODE = "faithful"
SENT = {"requests": 0, "429": 0, "5xx": 0, "retries_5xx": 0}


class HTTPError(Exception):
    """What requests.HTTPError would be."""


class Response:
    """The parts of a requests.Response the guide's script uses."""

    def __init__(self, status, headers, body, url):
        self.status_code = status
        self.headers = headers
        self._body = body
        self.url = url

    def json(self):
        return json.loads(self._body)

    def raise_for_status(self):
        if self.status_code >= 400:
            raise HTTPError("%d %s for url: %s: %s" % (
                self.status_code,
                "Server Error" if self.status_code >= 500 else "Client Error",
                self.url, self._body[:200].decode("utf-8", "replace")))


class requests:  # noqa: N801 (the guide's module name)
    """requests.put, on urllib."""

    @staticmethod
    def put(url, json=None, headers=None):  # noqa: A002 (requests' name)
        import json as _json
        data = _json.dumps(json).encode()
        req = urllib.request.Request(url, data=data, method="PUT",
                                     headers=headers or {})
        SENT["requests"] += 1
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return Response(r.status, r.headers, r.read(), url)
        except urllib.error.HTTPError as e:
            if e.code == 429:
                SENT["429"] += 1
            if e.code >= 500:
                SENT["5xx"] += 1
            return Response(e.code, e.headers, e.read(), url)


def load_to_attio(object_slug, records, matching_attr=None):
    """Load records to Attio with rate limit handling."""
    endpoint = f"{ATTIO_BASE}/objects/{object_slug}/records"
    if matching_attr:
        endpoint = f"{endpoint}?matching_attribute={matching_attr}"
    for record in records:
        while True:
            resp = requests.put(
                endpoint,
                json={"data": {"values": record}},
                headers={"Authorization": ATTIO_TOKEN, "Content-Type": "application/json"}
            )
            if resp.status_code == 429:
                wait = int(resp.headers.get("Retry-After", 2))
                time.sleep(wait)
                continue
            if MODE == "retry-5xx" and resp.status_code >= 500:
                SENT["retries_5xx"] += 1
                time.sleep(1)
                continue
            resp.raise_for_status()
            ID_MAP[record.get("sf_id")] = resp.json()["data"]["id"]["record_id"]
            PROGRESS["done"] += 1
            break


PROGRESS = {"done": 0}


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def batches(export):
    """(object, matching attribute, values) in the guide's dependency
    order, as the bench's mapping.yaml writes them."""
    companies = [{"salesforce_id": r["Id"], "name": r["Name"],
                  "domains": [r["Website"]]}
                 for r in read_csv(os.path.join(export, "Account.csv"))]
    people = [{"salesforce_id": r["Id"],
               "name": {"first_name": r["FirstName"],
                        "last_name": r["LastName"],
                        "full_name": r["FirstName"] + " " + r["LastName"]},
               "email_addresses": [r["Email"]]}
              for r in read_csv(os.path.join(export, "Contact.csv"))]
    return [("companies", "domains", companies),
            ("people", "email_addresses", people)]


def main():
    global ATTIO_BASE, ATTIO_TOKEN, MODE
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--export", required=True)
    ap.add_argument("--mode", choices=["faithful", "retry-5xx"],
                    required=True)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ATTIO_BASE = a.base.rstrip("/") + "/v2"
    ATTIO_TOKEN = "Bearer " + os.environ["ATTIO_API_TOKEN"]
    MODE = a.mode
    plan, left = [], a.limit or None
    for obj, match, recs in batches(a.export):
        if left is not None:
            recs, left = recs[:left], left - len(recs[:left])
        if recs:
            plan.append((obj, match, recs))
    total = sum(len(r) for _, _, r in plan)
    result = {"mode": a.mode, "records": total, "stopped": None}
    t0 = time.monotonic()
    try:
        for obj, match, recs in plan:
            load_to_attio(obj, recs, match)
    except Exception as e:  # what would end the guide's script
        done, obj = PROGRESS["done"], None
        for o, _, recs in plan:
            if done < len(recs):
                obj = o
                break
            done -= len(recs)
        result["stopped"] = {
            "exception": type(e).__name__, "message": str(e)[:300],
            "at_record": PROGRESS["done"] + 1, "object": obj}
    result.update({
        "seconds": time.monotonic() - t0,
        "confirmed": PROGRESS["done"],
        "requests": SENT["requests"], "rate_limited": SENT["429"],
        "server_errors": SENT["5xx"], "retries": SENT["retries_5xx"],
        "id_map_entries": len(ID_MAP),
        "id_map_keys": [k for k in list(ID_MAP)[:3]],
    })
    with open(a.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()

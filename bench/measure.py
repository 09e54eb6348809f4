#!/usr/bin/env python3
"""measure.py: runs a command and prints its wall time and peak resident
memory (of the command itself, from getrusage) as one JSON line.

usage: measure.py [--stdout FILE] LABEL CMD [ARGS...]

The command's output is thrown away, or kept in FILE with --stdout.
"""
import json
import resource
import subprocess
import sys
import time

args = sys.argv[1:]
out = subprocess.DEVNULL
if args[:1] == ["--stdout"]:
    out = open(args[1], "wb")
    args = args[2:]
label, cmd = args[0], args[1:]
t0 = time.monotonic()
proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
secs = time.monotonic() - t0
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if proc.returncode != 0:
    sys.stderr.write(proc.stderr.decode(errors="replace"))
    sys.exit("%s: exited %d" % (label, proc.returncode))
print(json.dumps({"label": label, "seconds": round(secs, 3),
                  "peak_rss_mib": round(peak_kib / 1024, 1)}))

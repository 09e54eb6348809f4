#!/usr/bin/env python3
"""measure.py: runs a command and prints its wall time and peak resident
memory (of the command itself, from getrusage) as one JSON line.

usage: measure.py LABEL CMD [ARGS...]
"""
import json
import resource
import subprocess
import sys
import time

label, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
secs = time.monotonic() - t0
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if proc.returncode != 0:
    sys.stderr.write(proc.stderr.decode(errors="replace"))
    sys.exit("%s: exited %d" % (label, proc.returncode))
print(json.dumps({"label": label, "seconds": round(secs, 3),
                  "peak_rss_mib": round(peak_kib / 1024, 1)}))

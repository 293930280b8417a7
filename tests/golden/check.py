#!/usr/bin/env python3
"""Golden test: vmcheck --json on each sample against tests/golden/samples.json,
field by field with tolerances; prints every exact value so drift shows before
it fails.  usage: check.py --vmcheck BIN --samples DIR"""
import argparse, json, os, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--vmcheck", required=True)
ap.add_argument("--samples", required=True)
a = ap.parse_args()
if not os.path.exists(a.vmcheck):
    sys.exit(77)
golden = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples.json")))
passed = failed = 0


def not_json(name):
    raise ValueError("%s is not JSON" % name)


def check(ok, what, got, want):
    global passed, failed
    print("%s %-40s got %-12s want %s" % ("ok  " if ok else "FAIL", what, got, want))
    if ok:
        passed += 1
    else:
        failed += 1


def get(d, path):
    for k in path.split("."):
        d = d[k]
    return d


for name, exp in golden.items():
    if name.startswith("_"):
        continue
    p = subprocess.run([a.vmcheck, "--json", os.path.join(a.samples, name)], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    try:
        d = json.loads(p.stdout, parse_constant=not_json)
    except ValueError:
        check(False, name + ": JSON", p.stdout[:60], "an object")
        continue
    for key, want in exp.items():
        if key in ("segments", "flags"):
            continue
        got = get(d, key)
        if isinstance(want, list):
            check(abs(got - want[0]) <= want[1], "%s %s" % (name, key), got, "%s +- %s" % tuple(want))
        else:
            check(got == want, "%s %s" % (name, key), got, want)
    segs = [(s["kind"], s["syllables"], s["verdict"], s.get("groups")) for s in d["segments"]]
    for want in exp["segments"]:
        kind, syl, tol, verdict = want[:4]
        groups = want[4] if len(want) > 4 else None
        mine = [s for s in segs if s[0] == kind]
        ok = len(mine) == 1 and abs(mine[0][1] - syl) <= tol and mine[0][2] == verdict
        ok = ok and (groups is None or mine[0][3] == groups)
        check(ok, "%s %s segment" % (name, kind), mine,
              "%d +- %d syllables, %s%s" % (syl, tol, verdict, "" if groups is None else ", %d groups" % groups))
    codes = sorted(f["code"] for f in d["flags"])
    check(codes == sorted(exp["flags"]), "%s flags" % name, codes, sorted(exp["flags"]))
    want_rc = 1 if any(f["severity"] == "error" for f in d["flags"]) else 0
    check(p.returncode == want_rc, "%s exit status" % name, p.returncode, want_rc)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""Exact outputs: vmcheck --json --tracks on every sample and every recording
in tests/data must give what tests/golden/exact/ holds, to the last digit
(the per-frame tracks by their SHA-256).  A change that is meant to leave the
analysis alone (a faster FFT, a new storage layout, threads) must leave these
alone; one that means to change results regenerates them with --update and
says so in its commit.

usage: exact.py --vmcheck BIN --root SOURCE_ROOT [--update]"""
import argparse, glob, hashlib, json, os, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--vmcheck", required=True)
ap.add_argument("--root", required=True)
ap.add_argument("--update", action="store_true")
a = ap.parse_args()
if not os.path.exists(a.vmcheck):
    sys.exit(77)
here = os.path.join(a.root, "tests", "golden", "exact")
files = sorted(glob.glob(os.path.join(a.root, "samples", "*.wav")))
files += sorted(glob.glob(os.path.join(a.root, "tests", "data", "*.wav")))
files += sorted(glob.glob(os.path.join(a.root, "tests", "data", "*.flac")))


def not_json(name):
    raise ValueError("%s is not JSON" % name)


def canonical(path):
    p = subprocess.run([a.vmcheck, "--json", "--tracks", path], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C"))
    d = json.loads(p.stdout, parse_constant=not_json)
    d.pop("file", None)
    tracks = d.pop("tracks", {})
    d["tracks_sha256"] = {k: hashlib.sha256(json.dumps(v).encode()).hexdigest()
                          for k, v in sorted(tracks.items())}
    d["exit_status"] = p.returncode
    return d


passed = failed = 0
for f in files:
    name = os.path.relpath(f, a.root).replace("/", "__") + ".json"
    got = canonical(f)
    ref = os.path.join(here, name)
    if a.update:
        with open(ref, "w") as fh:
            json.dump(got, fh, indent=1, sort_keys=True)
            fh.write("\n")
        print("wrote", ref)
        continue
    try:
        want = json.load(open(ref), parse_constant=not_json)
    except OSError:
        print("FAIL %s: no reference %s (run with --update)" % (f, ref))
        failed += 1
        continue
    diffs = []

    def walk(x, y, path):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                if k not in x or k not in y:
                    diffs.append("%s.%s only on one side" % (path, k))
                else:
                    walk(x[k], y[k], path + "." + k)
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y)):
                walk(u, v, "%s[%d]" % (path, i))
        elif x != y or type(x) != type(y):
            diffs.append("%s: got %r, want %r" % (path, x, y))

    walk(got, want, "")
    if diffs:
        failed += 1
        print("FAIL %s: %d differences: %s" % (os.path.relpath(f, a.root), len(diffs), "; ".join(diffs[:6])))
    else:
        passed += 1
        print("ok   %s" % os.path.relpath(f, a.root))
if not a.update:
    print("%d passed, %d failed, 0 skipped" % (passed, failed))
sys.exit(1 if failed else 0)

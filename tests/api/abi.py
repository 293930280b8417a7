#!/usr/bin/env python3
"""ABI test: every build of tests/api/abi_program.c, on the real library
and on one built against a header whose structs have grown, prints the same
report as the program built against the 0.1 header on the real library.
usage: abi.py REFERENCE OTHER..."""
import subprocess, sys

def run(exe):
    cp = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    return cp.returncode, cp.stdout, cp.stderr

ref = sys.argv[1]
rc, want, err = run(ref)
failed = 0
if rc != 0 or "stream:" not in want or "memory:" not in want:
    print("FAIL %s: exit %d: %s" % (ref, rc, err.strip()))
    failed += 1
print(want, end="")
for exe in sys.argv[2:]:
    rc, got, err = run(exe)
    if rc != 0:
        print("FAIL %s: exit %d: %s" % (exe, rc, err.strip()))
        failed += 1
    elif got != want:
        diff = [(a, b) for a, b in zip(want.splitlines(), got.splitlines()) if a != b][:3]
        print("FAIL %s: reads another report: %r" % (exe, diff or (len(want), len(got))))
        failed += 1
    else:
        print("ok   %s" % exe)
print("%d passed, %d failed" % (len(sys.argv) - 1 - failed, failed))
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""The shared library exports exactly the intended API (STYLE T12): the
list in tests/api/symbols.txt, nothing internal (vmc_*, kissfft, ...); and
it uses nothing that prints (the library never prints) or that is not
thread-safe (it promises any number of threads)."""
import os, shutil, subprocess, sys

lib, listing = sys.argv[1], sys.argv[2]
if not shutil.which("nm"):
    sys.exit(77)
out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True).stdout
exported = sorted(l.split()[-1] for l in out.splitlines() if l.split() and l.split()[1] in "TDBRtdbr"
                  and not l.split()[-1].startswith("_"))
wanted = sorted(l.strip() for l in open(listing) if l.strip())
for s in sorted(set(exported) - set(wanted)):
    print("unexpected export:", s)
for s in sorted(set(wanted) - set(exported)):
    print("missing export:", s)
print("%d symbols exported, %d intended" % (len(exported), len(wanted)))
FORBIDDEN = {"printf", "fprintf", "vprintf", "vfprintf", "puts", "fputs", "putchar", "fputc", "fwrite", "perror",
             "strerror", "strtok", "localtime", "gmtime", "setlocale", "localeconv", "rand"}
out = subprocess.run(["nm", "-D", "--undefined-only", lib], capture_output=True, text=True, check=True).stdout
used = sorted({l.split()[-1].split("@")[0] for l in out.splitlines() if l.split()} & FORBIDDEN)
for s in used:
    print("the library uses %s (prints, or is not thread-safe)" % s)
sys.exit(0 if exported == wanted and not used else 1)

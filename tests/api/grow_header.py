#!/usr/bin/env python3
"""Write a copy of vmcheck.h in which the structs that may grow have grown:
a field at the end of VmcheckConfig, VmcheckSegment, VmcheckFlag and
VmcheckReport, as a later version would add them.  The ABI test builds the
library against it and runs programs built against the real and the 0.1
headers on that library.  usage: grow_header.py IN OUT"""
import sys

src, dst = sys.argv[1], sys.argv[2]
text = open(src).read()
for struct in ("VmcheckConfig", "VmcheckSegment", "VmcheckFlag", "VmcheckReport"):
    end = "} %s;" % struct
    if text.count(end) != 1:
        sys.exit("grow_header.py: no single '%s' in %s" % (end, src))
    field = "test_grown_" + struct[len("Vmcheck"):].lower()
    text = text.replace(end, "    double %s; /* added by a later version */\n%s" % (field, end))
open(dst, "w").write(text)

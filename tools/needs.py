"""Install what the benchmark and training tools need (tools/bootstrap
--tools: synthetic voices, pocketsphinx, Praat, GNU time, numpy/scipy/torch)
before they import any of it.  Quick when everything is there."""
import os
import subprocess
import sys

_TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tools():
    r = subprocess.run([os.path.join(_TOP, "tools", "bootstrap"), "--tools"])
    if r.returncode != 0:
        sys.exit("%s: tools/bootstrap --tools failed" % os.path.basename(sys.argv[0]))

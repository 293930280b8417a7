"""The harness shared by the command-line tests (test_cli.py, test_batch.py):
results and checks, running vmcheck, the common arguments.

A check is a function that raises CheckFailed (via expect) when vmcheck is
wrong, Inconclusive when the fixture could not be made; check() reports it as
"ok - name", "FAIL - name: details" or "skip - name: why".  Standard library
only.
"""
import json
import os
import re
import subprocess
import sys

SAMPLE_NAMES = ["good", "rushed-number", "rushed-name", "telephone"]

# set by setup()
VMCHECK = None
SAMPLES = None
TIMEOUT_S = 20


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def ok(self, name):
        self.passed += 1
        print("ok - %s" % name, flush=True)

    def fail(self, name, details):
        self.failed += 1
        details = details.replace("\n", "\\n").replace("\r", "\\r")
        if len(details) > 2000:
            details = details[:2000] + "...(truncated)"
        print("FAIL - %s: %s" % (name, details), flush=True)

    def skip(self, name, why):
        self.skipped += 1
        print("skip - %s: %s" % (name, why), flush=True)

    def note(self, text):
        print("# note: %s" % text.replace("\n", "\\n"), flush=True)


R = Results()


class CheckFailed(Exception):
    pass


class Inconclusive(Exception):
    """The check could not be made (the fixture, not vmcheck): reported as skip."""


def check(name, fn, *args):
    """Run fn(*args) and report it."""
    try:
        fn(*args)
    except CheckFailed as e:
        R.fail(name, str(e))
    except Inconclusive as e:
        R.skip(name, str(e))
    except Exception as e:  # a bug in the check or an unexpected output shape
        R.fail(name, "%s: %s" % (type(e).__name__, e))
    else:
        R.ok(name)


def expect(cond, msg):
    if not cond:
        raise CheckFailed(msg)


def shq(s):
    if re.fullmatch(r"[A-Za-z0-9_./=:+-]+", s):
        return s
    return "'" + s.replace("'", "'\\''") + "'"


class Run:
    def __init__(self, argv, rc, out_b, err_b):
        self.argv = argv
        self.rc = rc
        self.out_b = out_b
        self.err_b = err_b
        self.out = out_b.decode("utf-8", "replace")
        self.err = err_b.decode("utf-8", "replace")

    def err_lines(self):
        return [l for l in self.err.split("\n") if l.strip() != ""]

    def describe(self):
        return "cmd=%s rc=%s stdout=%r stderr=%r" % (
            " ".join(shq(a) for a in self.argv), self.rc, self.out[:700], self.err[:700])


def env_c(extra=None):
    """The environment vmcheck runs in: C.UTF-8 unless extra says otherwise."""
    e = dict(os.environ)
    e["LC_ALL"] = "C.UTF-8"
    if extra:
        e.update(extra)
    return e


def run(argv, env=None, cwd=None, prefix=None):
    """vmcheck ARGV (after an optional prefix such as setpriv), as a Run."""
    full = list(prefix or []) + [VMCHECK] + list(argv)
    try:
        cp = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            env=env_c(env), cwd=cwd, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CheckFailed("timed out after %d s: %s" % (TIMEOUT_S, " ".join(shq(a) for a in full)))
    return Run(full, cp.returncode, cp.stdout, cp.stderr)


def run_stdin(argv, data):
    """vmcheck ARGV with data on standard input (a pipe), as a Run."""
    full = [VMCHECK] + list(argv)
    try:
        cp = subprocess.run(full, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_c(),
                            timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CheckFailed("timed out after %d s: %s < (%d bytes)" % (TIMEOUT_S, " ".join(shq(a) for a in full),
                                                                      len(data)))
    return Run(full, cp.returncode, cp.stdout, cp.stderr)


def no_crash(r):
    expect(r.rc >= 0, "killed by signal %d (crash): %s" % (-r.rc, r.describe()))


def _no_constant(name):
    raise ValueError("%s is not JSON (RFC 8259 has no NaN or Infinity)" % name)


def loads(text):
    """json.loads, strictly: NaN, Infinity and -Infinity are errors."""
    return json.loads(text, parse_constant=_no_constant)


def parse_json(r):
    try:
        return loads(r.out)
    except ValueError as e:
        raise CheckFailed("stdout is not valid JSON (%s): %s" % (e, r.describe()))


def setup(timeout_s):
    """Read --vmcheck PATH --samples DIR from the command line.  None when
    the tests can run, else the exit status to stop with (2 usage, 77 no
    binary, 1 samples missing)."""
    global VMCHECK, SAMPLES, TIMEOUT_S
    TIMEOUT_S = timeout_s
    args = sys.argv[1:]
    vm = samples = None
    i = 0
    while i < len(args):
        if args[i] == "--vmcheck" and i + 1 < len(args):
            vm = args[i + 1]
        elif args[i] == "--samples" and i + 1 < len(args):
            samples = args[i + 1]
        else:
            vm = None
            break
        i += 2
    if not vm or not samples:
        print("usage: %s --vmcheck PATH_TO_BINARY --samples PATH_TO_SAMPLES_DIR" % sys.argv[0], file=sys.stderr)
        return 2
    VMCHECK = os.path.abspath(vm)
    SAMPLES = os.path.abspath(samples)
    if not (os.path.isfile(VMCHECK) and os.access(VMCHECK, os.X_OK)):
        print("skip - all: vmcheck binary not found at %s" % VMCHECK)
        return 77
    for n in SAMPLE_NAMES:
        if not os.path.isfile(os.path.join(SAMPLES, n + ".wav")):
            print("FAIL - samples: %s.wav not found in %s" % (n, SAMPLES))
            return 1
    return None


def summary():
    """Print the last line, "N passed, N failed, N skipped" (tools/test adds
    the skipped checks to its count), and return the exit status: 1 when a
    check failed, 77 when every check was skipped, else 0."""
    print("%d passed, %d failed, %d skipped" % (R.passed, R.failed, R.skipped))
    if R.failed:
        return 1
    return 77 if R.skipped and not R.passed else 0

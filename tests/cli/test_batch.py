#!/usr/bin/env python3
"""Batch-scoring tests for vmcheck (issue 7; SPEC.md: Command line, Bad input).

    python3 tests/cli/test_batch.py --vmcheck PATH_TO_BINARY --samples PATH_TO_SAMPLES_DIR

A trainer scores a whole folder into a CSV.  This builds such a folder in a
temporary directory -- good recordings (copies of samples/*.wav, and a few made
with sox; counted as skipped without it), a corrupt file, an empty file, a text file named
.wav, an unreadable file, a nested folder, names with commas, quotes, newlines
and non-ASCII characters -- and checks:

  * every good file is scored, every bad one has its own ok=false row with the
    error, exit status 2, and the batch goes on;
  * --format csv parses with Python's csv module (strict), is RFC 4180 with CRLF
    record ends, has the documented header and exactly one row per input, in
    byte-sorted order;
  * --format jsonl: one valid JSON object per line, one per input;
  * the order (and content) of rows is the same with -j 1 and -j 4;
  * odd file names come out intact in CSV and JSONL;
  * -o refuses to write over an input (also one found by walking a directory,
    a --labels/--script/--baseline file and a sidecar NAME.labels.txt/NAME.txt);
  * a run killed during the batch (SIGTERM, SIGINT, SIGHUP) leaves no partial
    -o file and no temporary file; SIGKILL leaves no partial -o file (a
    leftover temporary file is only noted: SIGKILL cannot be handled).

The unreadable file: root reads a chmod 000 file anyway, so when run as root
the directory batches run as user nobody through setpriv; when that is not
possible the unreadable file is left out and its sub-case printed as skip.

Prints "ok - name", "FAIL - name: details", "skip - name: why" and "# note: ...",
then "N passed, M failed, K skipped".  Exit status 0 if every check passed, 1 if any
failed, 77 if the binary is missing.  Standard library only; nothing is written
into the repository.
"""
import csv
import io
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import wave

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (R, SAMPLE_NAMES, CheckFailed, Inconclusive, Run, check, env_c, expect,  # noqa: E402,F401
                     no_crash, parse_json, run, shq)

VMCHECK = SAMPLES = None  # set in main()


CSV_HEADER = ["file", "ok", "error", "duration_s", "syllables_per_s", "articulation_rate", "wpm_est",
              "pause_count", "longest_pause_s", "pitch_median_hz", "range_st", "lift_st", "name_rate",
              "name_verdict", "number_rate", "number_verdict", "flags", "score"]
# extensions of the audio files this test creates; the non-audio files it
# creates (.txt, .csv, no extension) must be ignored by the directory walk
AUDIO_EXT = {b"wav", b"flac"}


def tmp_left(d, base):
    return sorted(n for n in os.listdir(d) if n.startswith(base + ".tmp-"))


# ---------------------------------------------------------------- fixtures

def wav_frames(path):
    with wave.open(path, "rb") as w:
        return w.getparams(), w.readframes(w.getnframes())


def write_wav_like(path, params, frames):
    with wave.open(path, "wb") as w:
        w.setnchannels(params.nchannels)
        w.setsampwidth(params.sampwidth)
        w.setframerate(params.framerate)
        w.writeframes(frames)


def wav_duration(path):
    """Duration from a PCM WAV header, or None (mu-law, float, FLAC...)."""
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes() / w.getframerate()
    except (wave.Error, EOFError, OSError):
        return None


def sox_ok():
    sox = shutil.which("sox")
    if not sox:
        return None
    try:
        cp = subprocess.run([sox, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return sox if cp.returncode == 0 else None


class Cohort:
    """The folder a trainer would batch-score."""

    def __init__(self, root):
        self.root = root
        self.good = []        # paths (str) of files that must be scored
        self.bad = {}         # path -> regex the error must match (None: any reason)
        self.odd = []         # paths whose names carry commas, quotes, newlines, non-ASCII
        self.unreadable = None
        self.sidecar_of = {}  # walked audio path -> its sidecar paths

    def add_good(self, path, odd=False):
        self.good.append(path)
        if odd:
            self.odd.append(path)

    def expected_order(self):
        """The directory walk as documented: recursive, byte-sorted within each
        directory, hidden entries skipped, audio files by extension."""
        out = []

        def walk(d):
            names = sorted(os.listdir(os.fsencode(d)))
            for n in names:
                if n.startswith(b"."):
                    continue
                p = os.path.join(os.fsencode(d), n)
                if os.path.isdir(p):
                    walk(p)
                elif b"." in n[1:] and n.rsplit(b".", 1)[1].lower() in AUDIO_EXT:
                    out.append(os.fsdecode(p))

        walk(self.root)
        return out


def make_cohort(tmp, sox):
    root = os.path.join(tmp, "cohort")
    os.mkdir(root)
    c = Cohort(root)
    rng = random.Random(7)

    # good: the samples, with their sidecars (NAME.labels.txt, NAME.txt) for two of them
    for n in SAMPLE_NAMES:
        dst = os.path.join(root, n + ".wav")
        shutil.copyfile(os.path.join(SAMPLES, n + ".wav"), dst)
        c.add_good(dst)
        if n in ("good", "rushed-number"):
            side = []
            for suf in (".labels.txt", ".txt"):
                s = os.path.join(SAMPLES, n + suf)
                if os.path.isfile(s):
                    shutil.copyfile(s, os.path.join(root, n + suf))
                    side.append(os.path.join(root, n + suf))
            c.sidecar_of[dst] = side
    up = os.path.join(root, "UPPER-CASE.WAV")
    shutil.copyfile(os.path.join(SAMPLES, "good.wav"), up)
    c.add_good(up)

    # good, synthesised with sox: other tempo, other rate/channels/container, quieter
    good = os.path.join(SAMPLES, "good.wav")
    synth = [("syn-faster.wav", ["tempo", "1.3"]),
             ("syn-stereo-44k.flac", ["rate", "44100", "channels", "2"]),
             ("syn-quieter.wav", ["gain", "-9"])]
    made = 0
    if sox:
        for name, effects in synth:
            dst = os.path.join(root, name)
            cp = subprocess.run([sox, good, dst] + effects, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if cp.returncode == 0 and os.path.isfile(dst):
                c.add_good(dst)
                made += 1
            else:
                R.note("sox %s failed: %s" % (name, cp.stderr.decode("utf-8", "replace").strip()))
    if made < len(synth):
        # never stand in copies of good.wav for them: that would pass without testing the formats
        R.skip("sox-made cohort files (faster tempo, stereo 44.1 kHz FLAC, quieter)",
               "sox is not installed or failed (tools/bootstrap installs it); %d of %d made" % (made, len(synth)))

    # bad
    corrupt = os.path.join(root, "corrupt.wav")
    body = bytes(rng.getrandbits(8) for _ in range(6000))
    with open(corrupt, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    c.bad[corrupt] = None
    empty = os.path.join(root, "empty.wav")
    open(empty, "wb").close()
    c.bad[empty] = r"empty"
    text = os.path.join(root, "text.wav")
    with open(text, "w") as f:
        f.write("Hi Sarah, this is a text file, not a recording.\n" * 30)
    c.bad[text] = None
    unread = os.path.join(root, "unreadable.wav")
    shutil.copyfile(good, unread)
    os.chmod(unread, 0o000)
    c.unreadable = unread
    c.bad[unread] = r"permission|denied|cannot (open|read)|unreadable"

    # nested folder: a good file two levels down, a bad one a level down, non-audio ignored
    deep = os.path.join(root, "nested", "deeper")
    os.makedirs(deep)
    p = os.path.join(deep, "inner.wav")
    shutil.copyfile(os.path.join(SAMPLES, "rushed-name.wav"), p)
    c.add_good(p)
    p = os.path.join(root, "nested", "broken.wav")
    with open(p, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", 9000) + b"WAVE" + bytes(rng.getrandbits(8) for _ in range(3000)))
    c.bad[p] = None
    with open(os.path.join(root, "nested", "notes.txt"), "w") as f:
        f.write("not audio\n")

    # non-audio files beside them: ignored by the walk
    with open(os.path.join(root, "results.csv"), "w") as f:
        f.write("file,ok\r\n")
    with open(os.path.join(root, "README"), "w") as f:
        f.write("cohort of 2026\n")

    # odd names (good copies), and one odd-named bad file
    for name in ["comma, in name.wav", 'quote "in" name.wav', "new\nline.wav", "carriage\rreturn.wav",
                 "ünïcødé Zoë – 日本語.wav", 'all, "of"\nthem ü.wav', "semi;colon 'apos'.wav"]:
        dst = os.path.join(root, name)
        shutil.copyfile(good, dst)
        c.add_good(dst, odd=True)
    p = os.path.join(root, 'bad, "empty"\nü.wav')
    open(p, "wb").close()
    c.bad[p] = r"empty"
    c.odd.append(p)

    # user nobody must reach everything but the unreadable file
    for d, dirs, files in os.walk(tmp):
        os.chmod(d, 0o755)
        for x in files:
            if os.path.join(d, x) != unread:
                os.chmod(os.path.join(d, x), 0o644)
    return c


def nobody_prefix(c):
    """How to run vmcheck so that the unreadable file really is unreadable:
    [] when not root, setpriv as nobody when root, None when impossible."""
    if os.geteuid() != 0:
        try:
            with open(c.unreadable, "rb"):
                pass
        except PermissionError:
            return [], None
        return None, "chmod 000 does not stop this user from reading"
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None, "running as root and setpriv is not installed"
    prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    try:
        probe = run(["--version"], prefix=prefix)
    except CheckFailed as e:
        return None, "setpriv probe: %s" % e
    if probe.rc != 0 or "vmcheck" not in probe.out:
        return None, "cannot run vmcheck as nobody via setpriv (%s)" % probe.describe()
    probe = run(["--format", "jsonl", c.good[0]], prefix=prefix)
    if probe.rc not in (0, 1):
        return None, "vmcheck as nobody cannot analyse a readable file either (%s)" % probe.describe()
    return prefix, None


# ---------------------------------------------------------------- strict RFC 4180

def rfc4180_records(text):
    """Parse text as RFC 4180 with CRLF record ends; raise CheckFailed at the
    first deviation.  Returns the records (lists of str)."""
    recs, rec, i, n = [], [], 0, len(text)
    if n == 0:
        raise CheckFailed("empty CSV")
    while i < n:
        # one field
        if text[i] == '"':
            i += 1
            buf = []
            while True:
                j = text.find('"', i)
                if j < 0:
                    raise CheckFailed("unterminated quoted field at offset %d" % i)
                buf.append(text[i:j])
                if j + 1 < n and text[j + 1] == '"':
                    buf.append('"')
                    i = j + 2
                    continue
                i = j + 1
                break
            field = "".join(buf)
        else:
            j = i
            while j < n and text[j] not in ',\r\n"':
                j += 1
            if j < n and text[j] == '"':
                raise CheckFailed("quote inside an unquoted field at offset %d: %r" % (j, text[max(0, j - 40):j + 20]))
            field = text[i:j]
            i = j
        rec.append(field)
        if i >= n:
            raise CheckFailed("the last record does not end with CRLF: ...%r" % text[-60:])
        if text[i] == ",":
            i += 1
            continue
        if text.startswith("\r\n", i):
            recs.append(rec)
            rec = []
            i += 2
            continue
        raise CheckFailed("bare %r (not CRLF) or junk after a field at offset %d: %r"
                          % (text[i], i, text[max(0, i - 40):i + 20]))
    return recs


# ---------------------------------------------------------------- checks: the directory batch

def parse_csv_strict(r):
    try:
        text = r.out_b.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckFailed("CSV is not UTF-8: %s" % e)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as e:
        raise CheckFailed("csv.reader(strict=True) fails: %s: %r" % (e, text[:600]))
    return text, rows


def csv_checks(c, prefix, expected):
    n = len(expected)
    r = run(["-j", "2", "--format", "csv", c.root], prefix=prefix)
    st = {}

    def exit2():
        no_crash(r)
        expect(r.rc == 2, "expected exit 2 (bad files in the batch), got %d: %s" % (r.rc, r.describe()))
    check("dir csv: exit status 2 with bad files in the batch, no crash", exit2)

    def strict():
        text, rows = parse_csv_strict(r)
        expect(rows and rows[0] == CSV_HEADER, "header %r, want %r" % (rows[0] if rows else None, CSV_HEADER))
        widths = sorted(set(len(x) for x in rows))
        expect(widths == [len(CSV_HEADER)], "rows have %r cells, want all %d" % (widths, len(CSV_HEADER)))
        st["rows"] = rows
        st["text"] = text
    check("dir csv: parses with csv.reader(strict=True), documented header, 18 cells in every row", strict)
    if "rows" not in st:
        return None
    rows = st["rows"]

    def framing():
        recs = rfc4180_records(st["text"])
        expect(recs == rows, "RFC 4180 reading differs from Python's csv module")
    check("dir csv: RFC 4180 framing, every record ends with CRLF, quotes doubled", framing)

    def one_row_per_input():
        files = [x[0] for x in rows[1:]]
        expect(len(rows) == 1 + n, "expected %d rows (header + %d inputs), got %d; files %r"
               % (1 + n, n, len(rows), files))
        missing = [p for p in expected if p not in files]
        extra = [p for p in files if p not in expected]
        dup = sorted(set(p for p in files if files.count(p) > 1))
        expect(not missing and not extra and not dup,
               "missing %r, unexpected %r, duplicated %r" % (missing, extra, dup))
        expect(files == expected, "rows not in byte-sorted walk order:\n got %r\nwant %r" % (files, expected))
    check("dir csv: exactly one row per input file, byte-sorted, nested folder included, non-audio ignored",
          one_row_per_input)

    by_file = {x[0]: x for x in rows[1:]}
    col = {h: i for i, h in enumerate(CSV_HEADER)}

    def good_scored():
        problems = []
        for p in c.good:
            row = by_file.get(p)
            if row is None:
                problems.append("%r: no row" % p)
                continue
            if row[col["ok"]] != "true" or row[col["error"]] != "":
                problems.append("%r: ok=%r error=%r" % (p, row[col["ok"]], row[col["error"]]))
                continue
            for k in ("duration_s", "syllables_per_s", "pause_count", "score"):
                try:
                    float(row[col[k]])
                except ValueError:
                    problems.append("%r: %s=%r is not a number" % (p, k, row[col[k]]))
            want = wav_duration(p)
            try:
                got = float(row[col["duration_s"]])
            except ValueError:
                continue
            if want is not None and abs(got - want) > 0.01:
                problems.append("%r: duration_s %s, header says %.3f" % (p, got, want))
            sc = float(row[col["score"]]) if re.fullmatch(r"-?[0-9.]+", row[col["score"]]) else None
            if sc is not None and not 0 <= sc <= 100:
                problems.append("%r: score %r outside 0-100" % (p, sc))
        expect(not problems, "; ".join(problems))
    check("dir csv: every good file scored (ok=true, numbers, duration matches header, score 0-100)",
          good_scored)

    def bad_reported():
        problems = []
        for p, reason in c.bad.items():
            row = by_file.get(p)
            if row is None:
                problems.append("%r: no row" % p)
                continue
            if row[col["ok"]] != "false" or not row[col["error"]].strip():
                problems.append("%r: ok=%r error=%r" % (p, row[col["ok"]], row[col["error"]]))
                continue
            if "\n" in row[col["error"]] or "\r" in row[col["error"]]:
                if "\n" not in p and "\r" not in p:
                    problems.append("%r: error is not one line: %r" % (p, row[col["error"]]))
            if reason and not re.search(reason, row[col["error"]], re.I):
                problems.append("%r: error %r does not say /%s/" % (p, row[col["error"]], reason))
            filled = [CSV_HEADER[i] for i in range(3, len(row)) if row[i] != ""]
            if filled:
                problems.append("%r: failed row has values in %r" % (p, filled))
        expect(not problems, "; ".join(problems))
    check("dir csv: every bad file has its own row, ok=false, the error, no measurements", bad_reported)

    def stderr_names_bad():
        missing = [p for p in c.bad if p not in r.err]
        expect(not missing, "stderr does not name %r: stderr=%r" % (missing, r.err[:1500]))
        good_named = [p for p in c.good if ("vmcheck: %s:" % p) in r.err]
        expect(not good_named, "stderr reports good files %r: %r" % (good_named, r.err[:1500]))
        expect(r.out_b.count(b"\r\n") >= n + 1, "stdout has too few records")
    check("dir csv: stderr names each bad file (and no good one)", stderr_names_bad)

    def odd_names():
        bad = [p for p in c.odd if p not in by_file]
        expect(not bad, "names not found intact in the file column: %r; file column: %r"
               % (bad, [x[0] for x in rows[1:]]))
    check("dir csv: names with comma, quote, newline, CR, non-ASCII come out intact", odd_names)
    return r


def jsonl_checks(c, prefix, expected, csv_run):
    r = run(["-j", "2", "--format", "jsonl", c.root], prefix=prefix)
    st = {}

    def lines_valid():
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        try:
            text = r.out_b.decode("utf-8")
        except UnicodeDecodeError as e:
            raise CheckFailed("JSONL is not UTF-8: %s" % e)
        expect(text.endswith("\n"), "output does not end with a newline: ...%r" % text[-80:])
        lines = text[:-1].split("\n")
        objs = []
        for i, l in enumerate(lines):
            try:
                o = harness.loads(l)
            except ValueError as e:
                raise CheckFailed("line %d is not valid JSON (%s): %r" % (i + 1, e, l[:300]))
            expect(isinstance(o, dict), "line %d is not an object: %r" % (i + 1, l[:200]))
            objs.append(o)
        st["objs"] = objs
    check("dir jsonl: exit 2, every line is one valid JSON object", lines_valid)
    if "objs" not in st:
        return
    objs = st["objs"]

    def one_per_input():
        files = [o.get("file") for o in objs]
        expect(len(objs) == len(expected), "expected %d lines, got %d: files %r" % (len(expected), len(objs), files))
        expect(files == expected, "files not in byte-sorted walk order:\n got %r\nwant %r" % (files, expected))
    check("dir jsonl: exactly one object per input, same order as the walk", one_per_input)

    by_file = {o.get("file"): o for o in objs}

    def good_bad():
        problems = []
        for p in c.good:
            o = by_file.get(p)
            if not o or o.get("ok") is not True or not isinstance(o.get("audio"), dict):
                problems.append("%r: %r" % (p, str(o)[:200]))
                continue
            want = wav_duration(p)
            got = o["audio"].get("duration_s")
            if want is not None and (not isinstance(got, (int, float)) or abs(got - want) > 0.01):
                problems.append("%r: audio.duration_s %r, header %.3f" % (p, got, want))
        for p, reason in c.bad.items():
            o = by_file.get(p)
            if not o or o.get("ok") is not False or not isinstance(o.get("error"), str) or not o["error"].strip():
                problems.append("%r: %r" % (p, str(o)[:200]))
            elif reason and not re.search(reason, o["error"], re.I):
                problems.append("%r: error %r does not say /%s/" % (p, o["error"], reason))
        expect(not problems, "; ".join(problems))
    check("dir jsonl: good files ok:true with audio.duration_s, bad files ok:false with error", good_bad)

    def odd_names():
        bad = [p for p in c.odd if p not in by_file]
        expect(not bad, "names not found intact in \"file\": %r" % bad)
    check("dir jsonl: names with comma, quote, newline, CR, non-ASCII come out intact", odd_names)

    def agrees_with_csv():
        if csv_run is None:
            raise Inconclusive("no CSV run to compare with")
        _, rows = parse_csv_strict(csv_run)
        col = {h: i for i, h in enumerate(CSV_HEADER)}
        diffs = []
        for row in rows[1:]:
            o = by_file.get(row[0])
            if o is None:
                diffs.append("%r only in CSV" % row[0])
                continue
            if (row[col["ok"]] == "true") != (o.get("ok") is True):
                diffs.append("%r: ok differs" % row[0])
            elif o.get("ok") is False and row[col["error"]] != o.get("error"):
                diffs.append("%r: error %r vs %r" % (row[0], row[col["error"]], o.get("error")))
            elif o.get("ok") is True:
                a = float(row[col["duration_s"]])
                if abs(a - o["audio"]["duration_s"]) > 0.0015:
                    diffs.append("%r: duration %r vs %r" % (row[0], a, o["audio"]["duration_s"]))
        expect(not diffs, "; ".join(diffs))
    check("dir jsonl and csv agree file by file (ok, error, duration)", agrees_with_csv)


def jobs_checks(c, prefix, expected):
    runs = {}
    for j in ("1", "4", "3", "4"):
        key = j if j not in runs else j + "b"
        runs[key] = run(["-j", j, "--format", "csv", c.root], prefix=prefix)

    def order_same():
        orders = {}
        for k, r in runs.items():
            no_crash(r)
            expect(r.rc == 2, "-j %s: expected exit 2, got %d: %s" % (k, r.rc, r.describe()))
            _, rows = parse_csv_strict(r)
            orders[k] = [x[0] for x in rows[1:]]
        for k, o in orders.items():
            expect(o == orders["1"], "row order with -j %s differs from -j 1:\n -j %s: %r\n -j 1: %r"
                   % (k, k, o, orders["1"]))
        expect(orders["1"] == expected, "row order %r, want %r" % (orders["1"], expected))
    check("rows in the same order with -j 1, -j 3 and -j 4 (twice)", order_same)

    def same_bytes():
        for k, r in runs.items():
            if r.out_b != runs["1"].out_b:
                a = runs["1"].out.split("\r\n")
                b = r.out.split("\r\n")
                for i, (x, y) in enumerate(zip(a, b)):
                    if x != y:
                        raise CheckFailed("-j %s differs from -j 1 at record %d:\n -j 1: %r\n -j %s: %r"
                                          % (k, i, x, k, y))
                raise CheckFailed("-j %s differs from -j 1 in length" % k)
    check("CSV byte-identical with -j 1, -j 3 and -j 4 (same scores whatever the parallelism)", same_bytes)


def text_checks(c, prefix):
    def text_mode():
        r = run(["-j", "2", c.root], prefix=prefix)
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        m = re.search(r"Summary of (\d+) files", r.out)
        expect(m, "no 'Summary of N files' table at the end: %r" % r.out[-600:])
        missing = [p for p in c.bad if p not in r.err]
        expect(not missing, "stderr does not name %r" % missing)
    check("dir text: exit 2, summary table, bad files named on stderr", text_mode)


def outfile_batch_check(tmp, c, prefix):
    def o_batch():
        d = os.path.join(tmp, "out-batch")
        os.mkdir(d)
        os.chmod(d, 0o777)  # user nobody writes here
        out = os.path.join(d, "cohort.csv")
        r = run(["-j", "2", "--format", "csv", "-o", out, c.root], prefix=prefix)
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        expect(r.out == "", "stdout not empty with -o: %r" % r.out[:200])
        expect(os.path.isfile(out), "%s not written although the good files were scored" % out)
        ref = run(["-j", "2", "--format", "csv", c.root], prefix=prefix)
        with open(out, "rb") as f:
            got = f.read()
        expect(got == ref.out_b, "-o file differs from the stdout output")
        expect(not tmp_left(d, "cohort.csv"), "temporary files left: %r" % tmp_left(d, "cohort.csv"))
    check("-o over the directory: written whole despite bad files, same as stdout, no temp file", o_batch)


# ---------------------------------------------------------------- checks: -o never overwrites an input

def refuse_checks(tmp, c):
    d = os.path.join(tmp, "refuse")
    os.mkdir(d)
    good = os.path.join(SAMPLES, "good.wav")
    src = os.path.join(d, "input.wav")
    shutil.copyfile(good, src)
    sub = os.path.join(d, "walked")
    os.mkdir(sub)
    walked = os.path.join(sub, "trainee, \"A\".wav")
    shutil.copyfile(good, walked)
    side_labels = os.path.join(sub, "trainee, \"A\".labels.txt")
    side_script = os.path.join(sub, "trainee, \"A\".txt")
    shutil.copyfile(os.path.join(SAMPLES, "good.labels.txt"), side_labels)
    shutil.copyfile(os.path.join(SAMPLES, "good.txt"), side_script)
    labels = os.path.join(d, "labels.txt")
    shutil.copyfile(os.path.join(SAMPLES, "good.labels.txt"), labels)
    script = os.path.join(d, "script.txt")
    shutil.copyfile(os.path.join(SAMPLES, "good.txt"), script)
    base = os.path.join(d, "baseline.wav")
    shutil.copyfile(os.path.join(SAMPLES, "rushed-name.wav"), base)
    link = os.path.join(d, "link.wav")
    os.symlink(src, link)
    hard = os.path.join(d, "hard.wav")
    os.link(src, hard)

    def snapshot():
        out = {}
        for root, _, files in os.walk(d):
            for x in files:
                p = os.path.join(root, x)
                if not os.path.islink(p):
                    with open(p, "rb") as f:
                        out[p] = f.read()
        return out

    def restore(snap):
        for p, data in snap.items():
            if p == hard:
                continue
            cur = None
            if os.path.exists(p):
                with open(p, "rb") as f:
                    cur = f.read()
            if cur != data:
                if cur is not None:
                    os.unlink(p)  # -o may have replaced it by rename: a new inode
                with open(p, "wb") as f:
                    f.write(data)
        if not (os.path.exists(hard) and os.path.samefile(hard, src)):
            if os.path.lexists(hard):
                os.unlink(hard)
            os.link(src, hard)

    def refused(cases):
        """Every case is tried (from a fresh copy of the fixtures) and every
        problem reported."""
        before = snapshot()
        problems = []
        for target, args, cwd in cases:
            r = run(["--format", "csv", "-o", target] + args, cwd=cwd)
            desc = "vmcheck --format csv -o %s %s%s" % (shq(target), " ".join(shq(a) for a in args),
                                                         " (in %s)" % cwd if cwd else "")
            what = []
            if r.rc < 0:
                what.append("killed by signal %d" % -r.rc)
            elif r.rc != 2:
                what.append("exit %d, want 2" % r.rc)
            if r.err.strip() == "":
                what.append("no message on stderr")
            after = snapshot()
            changed = [p for p in before if after.get(p) != before[p]]
            if changed:
                what.append("overwrote %s with %d bytes of output"
                            % (", ".join(changed), len(after.get(changed[0], b""))))
            left = [x for dd in (d, sub) for x in os.listdir(dd) if ".tmp-" in x]
            if left:
                what.append("temporary files left: %r" % left)
            if what:
                problems.append("%s: %s (stderr %r)" % (desc, "; ".join(what), r.err[:300]))
            restore(before)
        expect(not problems, "\n".join(problems))

    check("-o naming an input file is refused (same path, ./ spelling, relative, symlink, hard link)", refused, [
        (src, [src], None),
        (src, [good, src], None),
        (os.path.join(d, ".", "input.wav"), [src], None),
        ("input.wav", [src], d),
        (src, ["link.wav"], d),
        (link, [src], None),
        (hard, [src], None),
    ])
    check("-o naming a file found by walking an input directory is refused", refused, [
        (walked, [sub], None),
        (walked, [d], None),
        (os.path.join("walked", os.path.basename(walked)), ["."], d),
    ])
    check("-o naming the --labels, --script or --baseline file is refused", refused, [
        (labels, ["--labels", labels, src], None),
        (script, ["--script", script, src], None),
        (base, ["--baseline", base, src], None),
    ])
    check("-o naming a sidecar NAME.labels.txt / NAME.txt that the batch reads is refused", refused, [
        (side_labels, [sub], None),
        (side_script, [sub], None),
        (side_labels, [walked], None),
    ])

    def allowed_beside():
        d2 = os.path.join(tmp, "beside")
        os.mkdir(d2)
        one = os.path.join(d2, "trainee B.wav")
        shutil.copyfile(good, one)
        out = os.path.join(d2, "results.csv")
        r = run(["--format", "csv", "-o", out, d2])
        no_crash(r)
        expect(r.rc in (0, 1), "-o a new file inside the input directory: exit %d: %s" % (r.rc, r.describe()))
        expect(os.path.isfile(out), "not written")
        with open(out, "rb") as f:
            _, rows = parse_csv_strict(Run([], 0, f.read(), b""))
        expect([x[0] for x in rows[1:]] == [one], "rows %r" % rows)
        r = run(["--format", "csv", "-o", out, d2])
        expect(r.rc in (0, 1), "second run with results.csv present: exit %d: %s" % (r.rc, r.describe()))
        with open(out, "rb") as f:
            _, rows = parse_csv_strict(Run([], 0, f.read(), b""))
        expect([x[0] for x in rows[1:]] == [one], "second run: rows %r" % rows)
    check("-o a new file inside the input directory is allowed (and not read as input)", allowed_beside)


# ---------------------------------------------------------------- checks: interrupted runs

def make_long_wav(tmp, seconds=120.0):
    """A long 16 kHz mono PCM file made of the samples, so that each file of
    the interrupted batch takes a while."""
    chunks, params = [], None
    for n in ("good", "rushed-number", "rushed-name"):
        pr, fr = wav_frames(os.path.join(SAMPLES, n + ".wav"))
        if params is None:
            params = pr
        if (pr.nchannels, pr.sampwidth, pr.framerate) != (params.nchannels, params.sampwidth, params.framerate):
            continue
        chunks.append(fr)
    unit = b"".join(chunks)
    need = int(seconds * params.framerate) * params.nchannels * params.sampwidth
    data = (unit * (need // len(unit) + 1))[:need]
    p = os.path.join(tmp, "long.wav")
    write_wav_like(p, params, data)
    return p


class KillFixture:
    def __init__(self, tmp):
        self.tmp = tmp
        self.dir = os.path.join(tmp, "kill-inputs")
        os.mkdir(self.dir)
        self.long = make_long_wav(tmp)
        self.count = 0
        self.full_s = None

    def grow(self, count):
        for i in range(self.count, count):
            p = os.path.join(self.dir, "msg-%04d.wav" % i)
            try:
                os.link(self.long, p)
            except OSError:
                shutil.copyfile(self.long, p)
        self.count = count

    def calibrate(self):
        """At least 40 files and a -j 1 run of 2.5 s or more."""
        self.grow(40)
        for _ in range(4):
            outd = os.path.join(self.tmp, "kill-cal")
            os.makedirs(outd, exist_ok=True)
            t = time.monotonic()
            r = run(["-j", "1", "--format", "csv", "-o", os.path.join(outd, "cal.csv"), self.dir])
            el = time.monotonic() - t
            if r.rc not in (0, 1):
                raise CheckFailed("the complete run over %d files fails: %s" % (self.count, r.describe()))
            self.full_s = el
            with open(os.path.join(outd, "cal.csv"), "rb") as f:
                self.complete = f.read()
            if el >= 2.5 or self.count >= 1000:
                return
            self.grow(min(1000, int(self.count * 2.8 / max(el, 0.05)) + 1))


def interrupted_checks(tmp):
    kf = KillFixture(tmp)
    try:
        kf.calibrate()
    except CheckFailed as e:
        R.fail("interrupted runs: fixture", str(e))
        return
    R.note("interrupted runs: %d files of %.0f s, a complete -j 1 run takes %.2f s"
           % (kf.count, 120.0, kf.full_s))

    def one(sig, previous, attempt=0):
        d = os.path.join(tmp, "kill-%s-%s-%d" % (sig.name, "prev" if previous else "none", attempt))
        os.mkdir(d)
        out = os.path.join(d, "out.csv")
        old = None
        if previous:
            old = kf.complete
            with open(out, "wb") as f:
                f.write(old)
        argv = [VMCHECK, "-j", "1", "--format", "csv", "-o", out, kf.dir]
        t0 = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=env_c())
        saw_tmp = False
        mid_problem = None
        while time.monotonic() - t0 < 10:
            if proc.poll() is not None:
                break
            if tmp_left(d, "out.csv"):
                saw_tmp = True
                # while the batch runs, out.csv is absent or still the old file
                if os.path.exists(out):
                    with open(out, "rb") as f:
                        cur = f.read()
                    if old is None or cur != old:
                        mid_problem = "during the run out.csv is %s (%d bytes)" % (
                            "present" if old is None else "changed", len(cur))
                if time.monotonic() - t0 >= 0.3:
                    break
            time.sleep(0.01)
        if proc.poll() is not None:
            proc.communicate()
            if attempt == 0:
                kf.grow(min(2000, kf.count * 3))
                return one(sig, previous, attempt + 1)
            raise Inconclusive("vmcheck finished (rc %s) before the signal could be sent" % proc.returncode)
        at = time.monotonic() - t0
        proc.send_signal(sig)
        try:
            o, e = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise CheckFailed("vmcheck still running 20 s after %s" % sig.name)
        rc = proc.returncode
        cmd = "%s (then %s at %.2f s)" % (" ".join(shq(a) for a in argv), sig.name, at)
        expect(saw_tmp, "%s: no %s.tmp-* file was seen while it ran" % (cmd, out))
        expect(mid_problem is None, "%s: %s" % (cmd, mid_problem))
        if rc == 0 or rc == 1:
            raise CheckFailed("%s: exit %d, as if the signal had been ignored and the batch completed" % (cmd, rc))
        if previous:
            expect(os.path.isfile(out), "%s: the previous complete out.csv was removed" % cmd)
            with open(out, "rb") as f:
                expect(f.read() == old, "%s: the previous complete out.csv was changed" % cmd)
        else:
            expect(not os.path.exists(out), "%s: a partial out.csv exists (%d bytes)"
                   % (cmd, os.path.getsize(out) if os.path.exists(out) else -1))
        left = tmp_left(d, "out.csv")
        if sig == signal.SIGKILL:
            if left:
                R.note("SIGKILL%s left %r behind (cannot be handled; expected)"
                       % (" with a previous out.csv" if previous else "", left))
            for x in left:
                os.unlink(os.path.join(d, x))
        else:
            expect(not left, "%s: temporary file left behind: %r (exit %s)" % (cmd, left, rc))
            expect(rc == -sig or rc > 128 or rc == 2,
                   "%s: exit status %r (want death by %s or a failure status)" % (cmd, rc, sig.name))
        expect(not [x for x in os.listdir(d) if x not in ("out.csv",)],
               "%s: stray files %r" % (cmd, os.listdir(d)))

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL):
        what = "no -o file, no temp file left" if sig != signal.SIGKILL else "no partial -o file"
        check("killed with %s during the batch: %s" % (sig.name, what), one, sig, False)
        check("killed with %s during the batch: a previous complete -o file stays unchanged%s"
              % (sig.name, "" if sig == signal.SIGKILL else ", no temp file left"), one, sig, True)

    def after():
        d = os.path.join(tmp, "kill-after")
        os.mkdir(d)
        out = os.path.join(d, "out.csv")
        r = run(["-j", "2", "--format", "csv", "-o", out, kf.dir])
        expect(r.rc in (0, 1), "exit %d: %s" % (r.rc, r.describe()))
        with open(out, "rb") as f:
            got = f.read()
        expect(got == kf.complete or got.count(b"\r\n") == kf.count + 1,
               "complete run does not have %d rows" % kf.count)
        expect(not tmp_left(d, "out.csv"), "temporary files left")
    check("an uninterrupted run over the same files completes with one row per file", after)


# ---------------------------------------------------------------- main

def main():
    global VMCHECK, SAMPLES
    stop = harness.setup(60)
    if stop is not None:
        return stop
    VMCHECK, SAMPLES = harness.VMCHECK, harness.SAMPLES

    t_start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="vmcheck-batch-")
    try:
        os.chmod(tmp, 0o755)
        c = make_cohort(tmp, sox_ok())
        prefix, why = nobody_prefix(c)
        if prefix is None:
            R.skip("unreadable file in the batch", why)
            os.chmod(c.unreadable, 0o644)
            os.unlink(c.unreadable)
            del c.bad[c.unreadable]
            c.unreadable = None
            prefix = []
        elif prefix:
            R.note("directory batches run as user nobody (setpriv) so that the chmod 000 file is unreadable")
        expected = c.expected_order()
        R.note("cohort: %d files (%d good, %d bad) in %s" % (len(expected), len(c.good), len(c.bad), c.root))
        if sorted(expected) != sorted(c.good + list(c.bad)):
            R.fail("fixture", "walk %r vs fixture %r" % (expected, c.good + list(c.bad)))

        csv_run = csv_checks(c, prefix, expected)
        jsonl_checks(c, prefix, expected, csv_run)
        jobs_checks(c, prefix, expected)
        text_checks(c, prefix)
        outfile_batch_check(tmp, c, prefix)
        refuse_checks(tmp, c)
        interrupted_checks(tmp)
    finally:
        for root, dirs, files in os.walk(tmp):
            for x in dirs + files:
                try:
                    os.chmod(os.path.join(root, x), 0o700, follow_symlinks=False)
                except (OSError, NotImplementedError):
                    pass
        shutil.rmtree(tmp, ignore_errors=True)

    R.note("took %.1f s" % (time.monotonic() - t_start))
    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())

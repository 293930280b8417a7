#!/usr/bin/env python3
"""Command-line contract tests for vmcheck (see SPEC.md: Command line, JSON, Bad input).

    python3 tests/cli/test_cli.py --vmcheck PATH_TO_BINARY --samples PATH_TO_SAMPLES_DIR

Prints one line per check ("ok - name", "FAIL - name: details", "skip - name: why"),
then "N passed, M failed, K skipped".  Exit status 0 if every check passed, 1 if any failed,
77 if the binary is missing.  Every fixture is made in a temporary directory;
nothing is written into the repository.  Standard library only.
"""
import csv
import io
import json
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import wave

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (R, SAMPLE_NAMES, CheckFailed, Inconclusive, Run, check, env_c, expect,  # noqa: E402,F401
                     no_crash, parse_json, run, run_stdin, shq)

VMCHECK = SAMPLES = None  # set in main()


# ---------------------------------------------------------------- fixtures

def write_pcm16(path, samples, rate=16000, channels=1):
    """samples: list of floats in [-1, 1], interleaved."""
    data = b"".join(struct.pack("<h", max(-32768, min(32767, int(round(s * 32767))))) for s in samples)
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data)


def write_float32_wav(path, samples, rate=16000, channels=1):
    """IEEE-float WAV (format tag 3) written by hand."""
    data = b"".join(struct.pack("<f", s) for s in samples)
    block = 4 * channels
    fmt = struct.pack("<HHIIHH", 3, channels, rate, rate * block, block, 32)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    if len(data) % 2:
        body += b"\0"
    with open(path, "wb") as f:
        f.write(b"RIFF" + struct.pack("<I", len(body)) + body)


def speechlike(seconds, rate=16000, amp=0.3):
    """A harmonic 150 Hz buzz switched on and off at about 4 Hz: loud, voiced, syllable-like."""
    out = []
    n = int(seconds * rate)
    for i in range(n):
        t = i / rate
        env = max(0.0, math.sin(2 * math.pi * 4.0 * t))
        v = sum(math.sin(2 * math.pi * 150.0 * k * t) / k for k in range(1, 6))
        out.append(amp * env * v / 2.3)
    return out


def wav_header_duration(path):
    """Duration from the RIFF header: data-chunk bytes / block align / rate."""
    with open(path, "rb") as f:
        b = f.read()
    expect(b[:4] == b"RIFF" and b[8:12] == b"WAVE", "%s: not a RIFF/WAVE file" % path)
    pos = 12
    rate = block = None
    data_len = None
    while pos + 8 <= len(b):
        cid = b[pos:pos + 4]
        size = struct.unpack("<I", b[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            _tag, _ch, rate, _br, block = struct.unpack("<HHIIH", b[pos + 8:pos + 22])
        elif cid == b"data":
            data_len = min(size, len(b) - pos - 8)
            break
        pos += 8 + size + (size & 1)
    expect(rate and block and data_len is not None, "%s: no fmt/data chunk" % path)
    return (data_len // block) / rate


def header_duration(path):
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes() / w.getframerate()
    except wave.Error:
        return wav_header_duration(path)  # mu-law, float, ...


# ---------------------------------------------------------------- checks

def bad_case(name, argv, path_in_msg, reason_re, tmp, extra_in_msg=None, json_file=None):
    """One bad-input case: plain run and --json run.

    path_in_msg: the path the stderr line must name (and, in JSON, the "file"
    or the error must name it); extra_in_msg: more text the stderr line must
    contain; json_file: the "file" an ok:false object must carry."""
    def text_run():
        r = run(argv)
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        lines = r.err_lines()
        expect(len(lines) == 1, "expected exactly one stderr line, got %d: %s" % (len(lines), r.describe()))
        line = lines[0]
        expect(path_in_msg in line, "stderr line does not name %r: %r" % (path_in_msg, line))
        expect(re.search(reason_re, line, re.I),
               "stderr line gives no reason matching /%s/: %r" % (reason_re, line))
        if extra_in_msg:
            expect(extra_in_msg in line, "stderr line does not say %r: %r" % (extra_in_msg, line))

    def json_run():
        r = run(["--json"] + argv)
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        lines = r.err_lines()
        expect(len(lines) == 1, "expected exactly one stderr line, got %d: %s" % (len(lines), r.describe()))
        expect(r.out.strip() != "", "no JSON on stdout (SPEC: ok:false in JSON): %s" % r.describe())
        doc = parse_json(r)
        objs = doc if isinstance(doc, list) else [doc]
        bad = [o for o in objs if isinstance(o, dict) and o.get("ok") is False]
        expect(bad, "no object with ok:false: %s" % r.describe())
        for o in bad:
            expect(isinstance(o.get("error"), str) and o["error"].strip() != "",
                   "ok:false object without a non-empty error: %r" % o)
            expect(isinstance(o.get("file"), str) and o["file"] != "", "ok:false object without file: %r" % o)
        msgs = " | ".join(o["error"] for o in bad)
        expect(re.search(reason_re, msgs, re.I), "JSON error gives no reason matching /%s/: %r" % (reason_re, msgs))
        expect(any(o["file"] == path_in_msg or path_in_msg in o["error"] for o in bad),
               "no ok:false object names %r in file or error: %r" % (path_in_msg, bad))
        if json_file:
            expect(any(o["file"] == json_file for o in bad),
                   "no ok:false object with file %r: %r" % (json_file, bad))

    check("bad input: %s" % name, text_run)
    check("bad input: %s (--json)" % name, json_run)


def check_unreadable(tmp):
    name = "bad input: unreadable file"
    # a world-traversable directory so that user nobody can reach the file
    d = os.path.join(tmp, "unreadable")
    os.mkdir(d)
    os.chmod(d, 0o755)
    p = os.path.join(d, "secret.wav")
    shutil.copyfile(os.path.join(SAMPLES, "good.wav"), p)
    os.chmod(p, 0o000)
    prefix = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            R.skip("unreadable", "running as root and setpriv is not installed")
            return
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        # does running the binary as nobody work at all?
        try:
            probe = run(["--version"], prefix=prefix)
        except CheckFailed as e:
            R.skip("unreadable", "setpriv probe: %s" % e)
            return
        if probe.rc != 0 or "vmcheck" not in probe.out:
            R.skip("unreadable", "cannot run vmcheck as nobody via setpriv (%s)" % probe.describe())
            return
        # and is a readable file readable as nobody? (else the failure is not vmcheck's)
        ok_copy = os.path.join(d, "ok.wav")
        shutil.copyfile(os.path.join(SAMPLES, "good.wav"), ok_copy)
        os.chmod(ok_copy, 0o644)
        probe = run(["-q", ok_copy], prefix=prefix)
        if probe.rc not in (0, 1):
            R.skip("unreadable", "vmcheck as nobody cannot analyse a readable file either (%s)" % probe.describe())
            return
    else:
        try:
            with open(p, "rb"):
                pass
            R.skip("unreadable", "chmod 000 does not stop this user from reading")
            return
        except PermissionError:
            pass

    def text_run():
        r = run([p], prefix=prefix)
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        lines = r.err_lines()
        expect(len(lines) == 1, "expected exactly one stderr line, got %d: %s" % (len(lines), r.describe()))
        expect(p in lines[0], "stderr line does not name %r: %r" % (p, lines[0]))
        expect(re.search(r"permission|cannot read|unreadable|denied", lines[0], re.I),
               "stderr line gives no reason: %r" % lines[0])

    def json_run():
        r = run(["--json", p], prefix=prefix)
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        expect(len(r.err_lines()) == 1, "expected exactly one stderr line: %s" % r.describe())
        doc = parse_json(r)
        expect(isinstance(doc, dict) and doc.get("ok") is False and doc.get("file") == p
               and isinstance(doc.get("error"), str) and doc["error"].strip(),
               "expected {file, ok:false, error}: %r" % (doc,))

    check(name, text_run)
    check(name + " (--json)", json_run)


def make_bad_fixtures(tmp):
    f = {}
    good = os.path.join(SAMPLES, "good.wav")

    f["missing"] = os.path.join(tmp, "missing.wav")
    f["dir"] = os.path.join(tmp, "adir")
    os.mkdir(f["dir"])

    f["empty"] = os.path.join(tmp, "empty.wav")
    open(f["empty"], "wb").close()

    f["notaudio"] = os.path.join(tmp, "x.wav")
    with open(f["notaudio"], "w") as fh:
        fh.write("This is not audio at all.\nJust some text in a file called x.wav.\n" * 20)

    f["trunc"] = os.path.join(tmp, "truncated.wav")
    with open(good, "rb") as src, open(f["trunc"], "wb") as dst:
        dst.write(src.read(30))

    f["zero"] = os.path.join(tmp, "zeroframes.wav")
    with wave.open(f["zero"], "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"")

    f["ch9"] = os.path.join(tmp, "nine-channels.wav")
    with wave.open(f["ch9"], "wb") as w:
        w.setnchannels(9)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x10\x00" * 9 * 16000)

    for rate in (4000, 200000):
        p = os.path.join(tmp, "rate%d.wav" % rate)
        with wave.open(p, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 200 * i / rate)))
                                   for i in range(rate)))
        f["rate%d" % rate] = p

    base = [0.2 * math.sin(2 * math.pi * 220 * i / 16000) for i in range(16000)]
    nan = list(base)
    nan[8000] = float("nan")
    f["nan"] = os.path.join(tmp, "nan.wav")
    write_float32_wav(f["nan"], nan)
    inf = list(base)
    inf[8000] = float("inf")
    f["inf"] = os.path.join(tmp, "inf.wav")
    write_float32_wav(f["inf"], inf)

    # a valid 3 s file to hang label files on
    f["three"] = os.path.join(tmp, "three.wav")
    write_pcm16(f["three"], speechlike(3.0))

    f["badlabels"] = os.path.join(tmp, "bad.txt")
    with open(f["badlabels"], "w") as fh:
        fh.write("0.500000\t1.000000\tname\nabc\tdef\tname\n")
    f["farlabels"] = os.path.join(tmp, "far.txt")
    with open(f["farlabels"], "w") as fh:
        fh.write("100\t101\tnumber\n")

    f["side"] = os.path.join(tmp, "side.wav")
    shutil.copyfile(good, f["side"])
    f["sidelabels"] = os.path.join(tmp, "side.labels.txt")
    with open(f["sidelabels"], "w") as fh:
        fh.write("1.814250\t3.083125\tname\nabc\tdef\tnumber\n")
    return f


def bad_input_checks(tmp):
    f = make_bad_fixtures(tmp)
    three = f["three"]

    # sanity: the 3 s carrier itself is accepted, so label failures are the labels' fault
    def carrier_ok():
        r = run(["--json", three])
        no_crash(r)
        expect(r.rc in (0, 1), "the valid 3 s WAV used for label cases is refused: %s" % r.describe())
        expect(parse_json(r).get("ok") is True, "ok is not true: %s" % r.describe())
    check("fixture: valid 3 s WAV is analysed", carrier_ok)

    bad_case("missing path", [f["missing"]], f["missing"], r"no such|not found|does not exist|missing", tmp)
    bad_case("directory given to --labels", ["--labels", f["dir"], three], f["dir"], r"directory", tmp)
    bad_case("directory given to --baseline", ["--baseline", f["dir"], three], f["dir"], r"directory", tmp)
    bad_case("directory given to --script", ["--script", f["dir"], three], f["dir"], r"directory", tmp)
    bad_case("empty file", [f["empty"]], f["empty"], r"empty", tmp)
    bad_case("not audio (text named x.wav)", [f["notaudio"]], f["notaudio"],
             r"not (a |an )?(readable )?audio|unknown format|unrecognis|format", tmp)
    bad_case("truncated header (30 bytes)", [f["trunc"]], f["trunc"],
             r"truncat|header|not (a |an )?(readable )?audio|format|short", tmp)
    bad_case("zero frames", [f["zero"]], f["zero"], r"no (audio )?frames|zero frames|no samples|empty", tmp)
    bad_case("9 channels", [f["ch9"]], f["ch9"], r"channel", tmp)
    bad_case("sample rate 4000 Hz", [f["rate4000"]], f["rate4000"], r"sample rate|Hz", tmp)
    bad_case("sample rate 200000 Hz", [f["rate200000"]], f["rate200000"], r"sample rate|Hz", tmp)
    bad_case("NaN sample (float WAV)", [f["nan"]], f["nan"], r"NaN|infinite|not finite|non-finite", tmp)
    bad_case("+Inf sample (float WAV)", [f["inf"]], f["inf"], r"NaN|infinite|not finite|non-finite|inf", tmp)
    bad_case("malformed --labels (line 2)", ["--labels", f["badlabels"], three], f["badlabels"],
             r"line 2", tmp, extra_in_msg="line 2")
    bad_case("--labels times outside the recording (line 1)", ["--labels", f["farlabels"], three],
             f["farlabels"], r"line 1", tmp, extra_in_msg="line 1")
    bad_case("malformed sidecar NAME.labels.txt", [f["side"]], f["sidelabels"], r"line 2", tmp,
             extra_in_msg=f["side"] + ":", json_file=f["side"])
    check_unreadable(tmp)
    return f


def check_batch(tmp, f):
    good = os.path.join(SAMPLES, "good.wav")
    tel = os.path.join(SAMPLES, "telephone.wav")
    inputs = [good, f["missing"], f["empty"], tel]
    r = run(["--format", "jsonl"] + inputs)
    no_crash(r)
    expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
    lines = [l for l in r.out.split("\n") if l.strip() != ""]
    expect(len(lines) == 4, "expected 4 JSON lines, got %d: %s" % (len(lines), r.describe()))
    objs = []
    for i, l in enumerate(lines):
        try:
            objs.append(harness.loads(l))
        except ValueError as e:
            raise CheckFailed("line %d is not valid JSON (%s): %r" % (i + 1, e, l[:300]))
    files = [o.get("file") for o in objs]
    expect(files == inputs, "not in input order: got %r, want %r" % (files, inputs))
    oks = [o.get("ok") for o in objs]
    expect(oks == [True, False, False, True], "ok values %r, want [true, false, false, true]" % (oks,))
    for o in objs[1:3]:
        expect(isinstance(o.get("error"), str) and o["error"], "failed entry without error: %r" % o)
    el = r.err_lines()
    expect(len(el) == 2 and f["missing"] in el[0] and f["empty"] in el[1],
           "expected one stderr line for each failed file, in order: %r" % el)


REQUIRED = {
    "audio": ["duration_s", "sample_rate", "channels", "format"],
    "speech": ["start_s", "end_s", "phonation_s", "pause_count", "pause_total_s", "longest_pause_s"],
    "loudness": ["speech_dbfs", "noise_floor_dbfs", "snr_db", "clipped_ratio"],
}


def check_sample_json(name):
    p = os.path.join(SAMPLES, name + ".wav")
    r = run(["--json", p])
    no_crash(r)
    expect(r.rc in (0, 1), "expected exit 0 or 1, got %d: %s" % (r.rc, r.describe()))
    doc = parse_json(r)
    expect(isinstance(doc, dict), "one file must give one object, got %s" % type(doc).__name__)
    expect(doc.get("file") == p, "file is %r, want %r" % (doc.get("file"), p))
    expect(doc.get("ok") is True, "ok is %r" % (doc.get("ok"),))
    missing = []
    for sec, keys in REQUIRED.items():
        if not isinstance(doc.get(sec), dict):
            missing.append(sec)
            continue
        missing += ["%s.%s" % (sec, k) for k in keys if k not in doc[sec]]
    for k in ("pauses", "flags"):
        if not isinstance(doc.get(k), list):
            missing.append(k + " (list)")
    expect(not missing, "missing fields: %s" % ", ".join(missing))
    a = doc["audio"]
    for sec, keys in REQUIRED.items():
        for k in keys:
            v = doc[sec][k]
            if k == "format":
                expect(isinstance(v, str) and v, "audio.format %r" % (v,))
            else:
                expect(isinstance(v, (int, float)) and not isinstance(v, bool),
                       "%s.%s is not a number: %r" % (sec, k, v))
    want = header_duration(p)
    expect(abs(a["duration_s"] - want) <= 0.01,
           "audio.duration_s %r differs from the header's %.6f s" % (a["duration_s"], want))
    if name == "telephone":
        expect(a["sample_rate"] == 8000, "telephone sample_rate %r, want 8000" % a["sample_rate"])
    else:
        expect(a["sample_rate"] == 16000, "sample_rate %r, want 16000" % a["sample_rate"])
    expect(a["channels"] == 1, "channels %r, want 1" % a["channels"])
    sp = doc["speech"]
    expect(sp["pause_count"] == len(doc["pauses"]),
           "pause_count %r != len(pauses) %d" % (sp["pause_count"], len(doc["pauses"])))
    for pz in doc["pauses"]:
        expect(isinstance(pz, dict) and "start_s" in pz and "end_s" in pz and pz["start_s"] < pz["end_s"],
               "bad pause entry %r" % (pz,))
    for fl in doc["flags"]:
        expect(isinstance(fl, dict) and "code" in fl and "severity" in fl, "bad flag entry %r" % (fl,))


def check_no_speech(tmp):
    p = os.path.join(tmp, "silence.wav")
    with wave.open(p, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 32000)
    r = run(["--json", p])
    no_crash(r)
    expect(r.rc == 1, "expected exit 1 on a silent file, got %d: %s" % (r.rc, r.describe()))
    doc = parse_json(r)
    expect(doc.get("ok") is True, "a silent file must be analysed (ok:true), got %r" % (doc,))
    fl = [x for x in doc.get("flags", []) if x.get("code") == "no_speech"]
    expect(fl, "no no_speech flag: flags=%r" % (doc.get("flags"),))
    expect(fl[0].get("severity") == "error", "no_speech severity %r, want error" % (fl[0].get("severity"),))
    r = run([p])
    expect(r.rc == 1, "plain text run: expected exit 1, got %d: %s" % (r.rc, r.describe()))


def check_good_exit0():
    r = run([os.path.join(SAMPLES, "good.wav")])
    no_crash(r)
    expect(r.rc == 0, "expected exit 0 on good.wav, got %d: %s" % (r.rc, r.describe()))
    expect(r.out.strip() != "", "text report is empty")
    r = run(["-q", os.path.join(SAMPLES, "good.wav")])
    expect(r.rc == 0 and r.out == "", "-q: expected exit 0 and empty stdout: %s" % r.describe())


def check_tracks():
    for name in ("good", "telephone"):
        p = os.path.join(SAMPLES, name + ".wav")
        r = run(["--json", "--tracks", p])
        no_crash(r)
        expect(r.rc in (0, 1), "exit %d: %s" % (r.rc, r.describe()))
        doc = parse_json(r)
        tr = doc.get("tracks")
        expect(isinstance(tr, dict), "%s: no tracks object" % name)
        expect(tr.get("hop_s") == 0.01, "%s: tracks.hop_s %r, want 0.01" % (name, tr.get("hop_s")))
        e = tr.get("energy_db")
        expect(isinstance(e, list), "%s: tracks.energy_db is not a list" % name)
        want = doc["audio"]["duration_s"] / 0.01
        expect(abs(len(e) - want) <= 2, "%s: %d energy frames, want about %.1f" % (name, len(e), want))
        expect(all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in e),
               "%s: non-numeric energy_db values" % name)
        r2 = run(["--json", p])
        expect("tracks" not in parse_json(r2), "%s: tracks present without --tracks" % name)


NUM_RE = re.compile(r"^[+-]?(\d|[.,]\d)[\d.,eE+-]*$")


def check_locale(tmp):
    have = subprocess.run(["locale", "-a"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) \
        if shutil.which("locale") else None
    names = have.stdout.decode("utf-8", "replace").lower().split() if have else []
    if "de_de.utf8" not in names and "de_de.utf-8" not in names:
        # without it glibc falls back to C and the comparisons below could not fail
        R.fail("locale", "de_DE.UTF-8 is not installed (locale -a), so a comma decimal could not be caught; "
               "tools/bootstrap generates it")
        return
    de = {"LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8", "LC_NUMERIC": "de_DE.UTF-8"}
    c = {"LC_ALL": "C", "LANG": "C"}
    inputs = [os.path.join(SAMPLES, n + ".wav") for n in SAMPLE_NAMES]

    def json_same():
        a = run(["--json", "--tracks"] + inputs, env=c)
        b = run(["--json", "--tracks"] + inputs, env=de)
        no_crash(a)
        no_crash(b)
        expect(a.rc == b.rc, "exit status differs: C %d, de_DE %d" % (a.rc, b.rc))
        if a.out_b != b.out_b:
            al, bl = a.out.split("\n"), b.out.split("\n")
            for i, (x, y) in enumerate(zip(al, bl)):
                if x != y:
                    raise CheckFailed("--json differs between LC_ALL=C and de_DE at line %d: %r vs %r"
                                      % (i + 1, x[:200], y[:200]))
            raise CheckFailed("--json differs in length: %d vs %d bytes" % (len(a.out_b), len(b.out_b)))
        m = re.search(r"\d,\d", b.out)
        expect(not m, "comma decimal in JSON under de_DE: ...%r..." % b.out[max(0, m.start() - 40):m.end() + 40]
               if m else "")
        parse_json(b)

    def text_csv_same():
        for fmt in ("csv", "text", "jsonl"):
            a = run(["--format", fmt] + inputs, env=c)
            b = run(["--format", fmt] + inputs, env=de)
            expect(a.out_b == b.out_b, "--format %s output differs between C and de_DE:\n%r\nvs\n%r"
                   % (fmt, a.out[:300], b.out[:300]))

    def csv_numbers():
        b = run(["--format", "csv"] + inputs, env=de)
        no_crash(b)
        rows = list(csv.reader(io.StringIO(b.out, newline=""), strict=True))
        expect(len(rows) == 1 + len(inputs), "expected %d rows, got %d" % (1 + len(inputs), len(rows)))
        for row in rows[1:]:
            for i, cell in enumerate(row[1:], start=1):
                if NUM_RE.match(cell):
                    expect("," not in cell, "numeric cell %r (column %s) has a comma" % (cell, rows[0][i]))
                    try:
                        float(cell)
                    except ValueError:
                        raise CheckFailed("numeric-looking cell %r (column %s) is not a C float"
                                          % (cell, rows[0][i]))

    check("locale: --json byte-identical under LC_ALL=de_DE.UTF-8 and C, no comma decimals", json_same)
    check("locale: text/csv/jsonl byte-identical under de_DE and C", text_csv_same)
    check("locale: CSV numeric cells have no comma under de_DE", csv_numbers)


def check_outfile(tmp):
    d = os.path.join(tmp, "outdir")
    os.mkdir(d)
    out = os.path.join(d, "out.json")
    inputs = [os.path.join(SAMPLES, n + ".wav") for n in ("good", "telephone")]

    def writes():
        r = run(["--json", "-o", out] + inputs)
        no_crash(r)
        expect(r.rc == 0, "expected exit 0, got %d: %s" % (r.rc, r.describe()))
        expect(r.out == "", "stdout should be empty with -o, got %r" % r.out[:200])
        expect(os.path.isfile(out), "%s was not created" % out)
        with open(out, "rb") as fh:
            doc = harness.loads(fh.read().decode("utf-8"))
        expect(isinstance(doc, list) and len(doc) == 2, "output is not an array of 2: %r" % (doc,)[:200])
        left = [n for n in os.listdir(d) if n.startswith("out.json.tmp-")]
        expect(not left, "temporary files left behind: %r" % left)
        # the same result as on stdout
        r2 = run(["--json"] + inputs)
        with open(out, "rb") as fh:
            expect(fh.read() == r2.out_b, "-o file differs from stdout output")

    def overwrite_existing():
        with open(out, "w") as fh:
            fh.write("old")
        r = run(["--format", "csv", "-o", out, inputs[0]])
        expect(r.rc == 0, "exit %d: %s" % (r.rc, r.describe()))
        with open(out) as fh:
            expect(fh.read().startswith("file,"), "existing output not replaced")
        left = [n for n in os.listdir(d) if ".tmp-" in n]
        expect(not left, "temporary files left behind: %r" % left)

    def failed_file_no_tmp():
        out2 = os.path.join(d, "withbad.json")
        r = run(["--json", "-o", out2, inputs[0], os.path.join(tmp, "missing.wav")])
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        left = [n for n in os.listdir(d) if ".tmp-" in n]
        expect(not left, "temporary files left behind: %r" % left)
        if os.path.exists(out2):
            with open(out2, "rb") as fh:
                doc = harness.loads(fh.read().decode("utf-8"))
            expect(isinstance(doc, list) and len(doc) == 2, "output file is partial: %r" % (doc,)[:300])

    def refuses_input():
        src = os.path.join(d, "input.wav")
        shutil.copyfile(inputs[0], src)
        with open(src, "rb") as fh:
            before = fh.read()
        for target, args in ((src, [src]),
                             (src, ["--json", src]),
                             (os.path.join(d, ".", "input.wav"), [src]),
                             ("input.wav", [os.path.join(d, "input.wav")])):
            r = run(["-o", target] + args, cwd=d)
            no_crash(r)
            expect(r.rc == 2, "-o %s over input: expected exit 2, got %d: %s" % (target, r.rc, r.describe()))
            expect(r.err.strip() != "", "no message: %s" % r.describe())
            with open(src, "rb") as fh:
                expect(fh.read() == before, "input file was changed by -o %s" % target)
        left = [n for n in os.listdir(d) if ".tmp-" in n]
        expect(not left, "temporary files left behind: %r" % left)

    check("-o writes the file atomically (exists, parses, no .tmp- left)", writes)
    check("-o replaces an existing file", overwrite_existing)
    check("-o with a failing file in the batch leaves no temporary file", failed_file_no_tmp)
    check("-o naming an input file is refused (exit 2, input unchanged)", refuses_input)


def check_usage():
    good = os.path.join(SAMPLES, "good.wav")
    cases = [
        ("unknown option", ["--bogus-option", good], "--bogus-option"),
        ("--min-pause abc", ["--min-pause", "abc", good], "--min-pause"),
        ("-j 0", ["-j", "0", good], "-j"),
        ("--format xml", ["--format", "xml", good], "--format"),
        ("--name without a value", [good, "--name"], "--name"),
        ("--number bad range", ["--number", "5-2", good], "--number"),
    ]
    for label, argv, opt in cases:
        def one(argv=argv, opt=opt):
            r = run(argv)
            no_crash(r)
            expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
            expect(opt in r.err, "stderr does not name %r: %r" % (opt, r.err))
            expect(r.out == "", "usage error printed on stdout: %r" % r.out[:200])
        check("usage error: %s" % label, one)

    def no_input():
        r = run([])
        no_crash(r)
        expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
        expect(re.search(r"input|file|usage", r.err, re.I), "stderr does not say what is missing: %r" % r.err)
        expect(r.out == "", "usage error printed on stdout: %r" % r.out[:200])
    check("usage error: no input", no_input)

    def help_version():
        r = run(["--help"])
        expect(r.rc == 0 and "Usage" in r.out, "--help: %s" % r.describe())
        # every option is listed exactly once (a pasted block once doubled them)
        opts = re.findall(r"(?:^|  )(--[a-z][a-z-]*|-[a-zA-Z])\b", r.out, re.M)
        dup = sorted({o for o in opts if opts.count(o) > 1})
        expect(not dup, "--help lists these options more than once: %s" % dup)
        for o in ("--format", "--script", "--export-labels", "--min-lift", "-j", "-o", "-q"):
            expect(o in opts, "--help does not list %s" % o)
        r = run(["--version"])
        expect(r.rc == 0 and r.out.startswith("vmcheck "), "--version: %s" % r.describe())
    check("--help and --version exit 0", help_version)


def check_csv(tmp, f):
    odd = os.path.join(tmp, 'a,b"c.wav')
    shutil.copyfile(os.path.join(SAMPLES, "good.wav"), odd)
    inputs = [os.path.join(SAMPLES, n + ".wav") for n in SAMPLE_NAMES] + [odd, f["missing"]]
    r = run(["--format", "csv"] + inputs)
    no_crash(r)
    expect(r.rc == 2, "expected exit 2 (one missing file), got %d: %s" % (r.rc, r.describe()))
    try:
        rows = list(csv.reader(io.StringIO(r.out, newline=""), strict=True))
    except csv.Error as e:
        raise CheckFailed("csv.reader(strict=True) fails: %s: %r" % (e, r.out[:500]))
    expect(len(rows) == 1 + len(inputs), "expected %d rows (header + one per input), got %d: %r"
           % (1 + len(inputs), len(rows), r.out[:500]))
    hdr = rows[0]
    expect(hdr and hdr[0] == "file", "first header cell is %r, want 'file'" % (hdr[:1],))
    widths = set(len(x) for x in rows)
    expect(len(widths) == 1, "rows have different numbers of cells: %r" % sorted(widths))
    firsts = [x[0] for x in rows[1:]]
    expect(firsts == inputs, "file column %r, want %r" % (firsts, inputs))
    col = {n: i for i, n in enumerate(hdr)}
    if "ok" in col:
        oks = [x[col["ok"]] for x in rows[1:]]
        expect(oks == ["true"] * 5 + ["false"], "ok column %r" % oks)


def check_csv_injection(tmp):
    """File names and errors that a spreadsheet would run as formulas get a
    leading ' in CSV (and only there); numbers stay numbers, JSON and text
    keep the names exact."""
    d = os.path.join(tmp, "injection")
    os.makedirs(os.path.join(d, '=HYPERLINK("http:'))
    good = os.path.join(SAMPLES, "good.wav")
    names = ['=HYPERLINK("http://x","see").wav', "-x.wav", "@sum.wav", "\tTab.wav"]
    for n in names:
        shutil.copyfile(good, os.path.join(d, n))
    shutil.copyfile(good, os.path.join(d, "=bad.wav"))
    with open(os.path.join(d, "=bad.labels.txt"), "w") as f:
        f.write("1\t2\tname\nnot a label\n")
    inputs = names + ["+missing.wav", "=bad.wav", "./-x.wav"]
    r = run(["--format", "csv", "--baseline", os.path.join(SAMPLES, "rushed-number.wav"), "--"] + inputs, cwd=d)
    no_crash(r)
    rows = list(csv.reader(io.StringIO(r.out, newline=""), strict=True))
    expect(len(rows) == 1 + len(inputs), "rows %r" % rows)
    col = {h: i for i, h in enumerate(rows[0])}
    cells = [x[0] for x in rows[1:]]
    want = ["'" + n for n in names] + ["'+missing.wav", "'=bad.wav", "./-x.wav"]
    expect(cells == want, "file cells %r, want %r" % (cells, want))
    err = rows[1 + inputs.index("=bad.wav")][col["error"]]
    expect(err.startswith("'=bad.labels.txt: line 2"), "error cell %r" % err)
    lift = rows[1][col["lift_st"]]
    expect(re.fullmatch(r"-\d+\.\d\d", lift), "a negative lift_st must stay a bare number: %r" % lift)
    j = run(["--format", "jsonl", "--"] + inputs, cwd=d)
    files = [harness.loads(l)["file"] for l in j.out.splitlines()]
    expect(files == inputs, "JSON file names %r, want %r" % (files, inputs))
    t = run(["--"] + names[:2], cwd=d)
    expect(t.out.startswith(names[0] + ": ") and ("\n" + names[1] + ": ") in t.out, "text report %r" % t.out[:300])


def clipped_speech(seconds, rate, fraction):
    """16-bit samples of speechlike() scaled so that `fraction` of them clip
    at full scale (0: a clean version peaking at -3 dBFS); and the count."""
    x = speechlike(seconds, rate, 1.0)
    peak = max(abs(v) for v in x)
    if fraction == 0:
        g = 0.7 / peak
    else:
        mags = sorted((abs(v) for v in x), reverse=True)
        k = int(round(fraction * len(x)))
        g = 1.0 / mags[k]  # the k loudest samples reach full scale, the next is just under
    pcm = [max(-32768, min(32767, int(round(v * g * 32767)))) for v in x]
    return pcm, sum(1 for v in pcm if v >= 32767 or v <= -32767)


def check_codec_clipping(tmp):
    """Clipping in mu-law, A-law and 8-bit PCM, whose largest codes decode
    under 1.0 (0.980, 0.984, 0.992): 1 % and 7 % clipped samples are flagged
    and measured, the clean versions are not flagged."""
    sox = shutil.which("sox")
    if not sox:
        raise Inconclusive("sox is not installed (tools/bootstrap installs it)")
    d = os.path.join(tmp, "codec-clipping")
    os.mkdir(d)
    # (format as vmcheck names it, file extension, sox encoding); signed 8-bit is AIFF's, WAV's is unsigned
    encodings = [("WAV mu-law", "wav", ["-e", "mu-law", "-b", "8"]), ("WAV A-law", "wav", ["-e", "a-law", "-b", "8"]),
                 ("AIFF PCM 8", "aiff", ["-e", "signed-integer", "-b", "8"]),
                 ("WAV PCM U8", "wav", ["-e", "unsigned-integer", "-b", "8"])]
    problems = []
    for fraction in (0.0, 0.01, 0.07):
        pcm, n_clip = clipped_speech(3.0, 8000, fraction)
        src = os.path.join(d, "src-%g.wav" % fraction)
        with wave.open(src, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"".join(struct.pack("<h", v) for v in pcm))
        truth = n_clip / len(pcm)
        for name, ext, enc in encodings:
            dst = os.path.join(d, "%s-%g.%s" % (name.replace(" ", ""), fraction, ext))
            cp = subprocess.run([sox, "-D", src] + enc + [dst], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if cp.returncode:
                raise Inconclusive("sox %s: %s" % (name, cp.stderr.decode("utf-8", "replace")))
            doc = parse_json(run(["--json", dst]))
            if doc["audio"]["format"] != name:
                problems.append("%s: decoded as %r" % (dst, doc["audio"]["format"]))
            ratio = doc["loudness"]["clipped_ratio"]
            flagged = "clipping" in [f["code"] for f in doc["flags"]]
            if fraction == 0 and (flagged or ratio != 0):
                problems.append("%s clean: clipped_ratio %r, flagged %s" % (name, ratio, flagged))
            # the encoding's coarse top step takes samples just under the clip to its
            # largest code too (mu-law: all above 0.965 of full scale)
            if fraction and not (flagged and truth <= ratio <= 1.5 * truth):
                problems.append("%s with %.1f %% clipped: clipped_ratio %r, flagged %s"
                                % (name, 100 * truth, ratio, flagged))
    expect(not problems, "; ".join(problems))


def check_option_effects(tmp):
    """Every limit option moves its verdict: set just past the figure the
    report gives, the flag appears; just short of it, it does not (JSON
    rounds, so "just" is a little more than the rounding)."""
    import random
    d = os.path.join(tmp, "options")
    os.mkdir(d)
    rng = random.Random(14)
    def gliding(seconds, f_lo, f_hi, rate=16000, amp=0.3):
        """speechlike(), its pitch gliding between f_lo and f_hi every 1.5 s"""
        out, ph = [], 0.0
        for i in range(int(seconds * rate)):
            t = i / rate
            f = f_lo + (f_hi - f_lo) * 0.5 * (1 - math.cos(2 * math.pi * t / 1.5))
            ph += 2 * math.pi * f / rate
            env = max(0.0, math.sin(2 * math.pi * 4.0 * t))
            out.append(amp * env * sum(math.sin(k * ph) / k for k in range(1, 6)) / 2.3)
        return out
    x = [0.0] * 8000 + gliding(6.0, 130.0, 180.0) + [0.0] * 8000
    x = [v + rng.gauss(0.0, 0.002) for v in x]
    for i in range(30000, 30400, 4):
        x[i] = 1.0  # 100 clipped samples
    wav = os.path.join(d, "msg.wav")
    write_pcm16(wav, x)
    base = os.path.join(d, "base.wav")
    write_pcm16(base, [0.0] * 8000 + gliding(3.0, 120.0, 140.0) + [0.0] * 8000)
    spans = ["--number", "1.5-3.5", "--name", "4.0-5.0"]

    def flags(extra):
        doc = parse_json(run(["--json"] + spans + extra + [wav]))
        return doc, {f["code"] for f in doc["flags"]}

    doc, _ = flags(["--baseline", base])
    sp, pi, lo = doc["speech"], doc["pitch"], doc["loudness"]
    seg = {s["kind"]: s["syllables_per_s"] for s in doc["segments"]}
    expect(pi["lift_st"] is not None and lo["clipped_ratio"] > 0 and set(seg) == {"name", "number"},
           "fixture: %s" % doc)
    span = sp["end_s"] - sp["start_s"]
    cases = [  # option, value that fires, value that does not, flag
        ("--long-message", span - 0.1, span + 0.1, "long_message"),
        ("--late-start", sp["start_s"] - 0.05, sp["start_s"] + 0.05, "late_start"),
        ("--low-level", lo["speech_dbfs"] + 0.2, lo["speech_dbfs"] - 0.2, "low_level"),
        ("--clipping", 100 * lo["clipped_ratio"] * 0.9, 100 * lo["clipped_ratio"] * 1.1, "clipping"),
        ("--noisy-snr", lo["snr_db"] + 0.2, lo["snr_db"] - 0.2, "noisy"),
        ("--monotone-range", pi["range_st"] + 0.2, pi["range_st"] - 0.2, "monotone"),
        ("--min-lift", pi["lift_st"] + 0.05, pi["lift_st"] - 0.05, "no_lift"),
        ("--max-lift", pi["lift_st"] - 0.05, pi["lift_st"] + 0.05, "overdone_lift"),
        ("--max-number-rate", seg["number"] - 0.05, seg["number"] + 0.05, "number_too_fast"),
        ("--max-name-rate", seg["name"] - 0.05, seg["name"] + 0.05, "name_too_fast"),
    ]
    problems = []
    for opt, fires, quiet, code in cases:
        for v, want in ((fires, True), (quiet, False)):
            _, got = flags(["--baseline", base, opt, "%.4f" % v])
            if (code in got) != want:
                problems.append("%s %.4f: %s %s" % (opt, v, code, "missing" if want else "fired"))
    # --min-pause: the longest silence counts with the limit under it, not over it
    doc = parse_json(run(["--json", "--min-pause", "0.1", wav]))
    longest = max(p["end_s"] - p["start_s"] for p in doc["pauses"])
    n_under = parse_json(run(["--json", "--min-pause", "%.3f" % (longest - 0.02), wav]))["speech"]["pause_count"]
    n_over = parse_json(run(["--json", "--min-pause", "%.3f" % (longest + 0.02), wav]))["speech"]["pause_count"]
    if not n_under >= 1 or n_over != n_under - sum(1 for p in doc["pauses"] if p["end_s"] - p["start_s"] > longest - 0.02):
        problems.append("--min-pause around the longest silence (%.2f s): %d and %d pauses" % (longest, n_under, n_over))
    # --pitch-floor, --pitch-ceiling: a 130-180 Hz voice searched above or below it is not found there
    med = parse_json(run(["--json", wav]))["pitch"]["median_hz"]
    for opt in (["--pitch-ceiling", "110"], ["--pitch-floor", "200", "--pitch-ceiling", "500"]):
        m = parse_json(run(["--json"] + opt + [wav]))["pitch"]["median_hz"]
        if m is not None and abs(m - med) < 0.2 * med:
            problems.append("%s: median %s Hz, as without it (%s Hz)" % (" ".join(opt), m, med))
    expect(130 <= med <= 180, "fixture: median %s Hz, want 130-180" % med)
    # --labels, and a label file beside the audio unless --no-sidecar
    lab = os.path.join(d, "msg.labels.txt")
    with open(lab, "w") as f:
        f.write("1.250000\t3.500000\tnumber\n")
    for argv, want in ((["--labels", lab, "--no-sidecar"], [(1.25, 3.5)]), ([], [(1.25, 3.5)]),
                       (["--no-sidecar", "--no-digits"], [])):
        segs = [(s["start_s"], s["end_s"]) for s in parse_json(run(["--json"] + argv + [wav]))["segments"]
                if s["source"] == "labels"]
        if segs != want:
            problems.append("%s: label segments %r, want %r" % (" ".join(argv) or "a sidecar", segs, want))
    expect(not problems, "; ".join(problems))


# ---------------------------------------------------------------- script, labels, export

def read_labels(path):
    """Audacity label track -> {kind: [(start, end), ...]} for name/number."""
    out = {}
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\r\n").split("\t")
        if len(p) >= 3 and p[2].lower() in ("name", "number"):
            out.setdefault(p[2].lower(), []).append((float(p[0]), float(p[1])))
    return out


def iou(a, b):
    inter = max(0.0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union > 0 else 0.0


def check_script_locates(name):
    """The sample's own script places name and number where its labels say
    (overlap over union >= 0.5), source "script", verdicts as labelled."""
    truth = read_labels(os.path.join(SAMPLES, name + ".labels.txt"))
    r = run(["--json", "--no-sidecar", "--script", os.path.join(SAMPLES, name + ".txt"),
             os.path.join(SAMPLES, name + ".wav")])
    no_crash(r)
    d = parse_json(r)
    segs = d["segments"]
    expect(all(s["source"] == "script" for s in segs) and segs, "segments %r" % segs)
    for kind, spans in truth.items():
        mine = [(s["start_s"], s["end_s"]) for s in segs if s["kind"] == kind]
        for t in spans:
            best = max((iou(t, m) for m in mine), default=0.0)
            expect(best >= 0.5, "%s %s: best IoU %.2f with %r" % (name, kind, best, mine))
    flagged = {f["code"] for f in d["flags"]}
    want = {"rushed-number": "number_too_fast", "rushed-name": "name_too_fast"}.get(name)
    expect((want in flagged) if want else not (flagged & {"number_too_fast", "name_too_fast"}),
           "%s flags %r" % (name, sorted(flagged)))


def check_own_number_in_advice():
    """A rushed number from the script: the advice shows the caller's own number
    in groups, and JSON gives it as written and counts its 11 digits; from
    labels with the script beside them, the script's number too; from labels
    alone, the digits heard, else a generic example."""
    wav = os.path.join(SAMPLES, "rushed-number.wav")
    d = parse_json(run(["--json", "--no-sidecar", "--script", os.path.join(SAMPLES, "rushed-number.txt"), wav]))
    msg = [f["message"] for f in d["flags"] if f["code"] == "number_too_fast"]
    expect(msg and "07700 - 900 - 123" in msg[0], "script advice %r" % msg)
    num = [s for s in d["segments"] if s["kind"] == "number"]
    expect(num and num[0].get("text") == "07700 900 123", "segment %r" % num)
    expect(num and num[0]["digits"] == 11, "digits of the script's number %r" % num)
    d = parse_json(run(["--json", wav]))  # labels and script beside it
    msg = [f["message"] for f in d["flags"] if f["code"] == "number_too_fast"]
    num = [s for s in d["segments"] if s["kind"] == "number"]
    expect(msg and "07700 - 900 - 123" in msg[0], "labels + script advice %r" % msg)
    expect(num and num[0]["digits"] == 11 and abs(num[0]["digits_per_s"] - 11 / (num[0]["end_s"] - num[0]["start_s"])) < 0.05,
           "labels + script digits %r" % num)
    d = parse_json(run(["--json", "--no-sidecar", "--labels", os.path.join(SAMPLES, "rushed-number.labels.txt"), wav]))
    msg = [f["message"] for f in d["flags"] if f["code"] == "number_too_fast"]
    num = [s for s in d["segments"] if s["kind"] == "number"]
    if num and num[0].get("heard"):
        # the digits heard, in groups, are the caller's own number
        expect(msg and num[0]["heard"][:3] in msg[0].replace(" - ", ""), "labels advice %r, heard %r" % (msg, num))
    else:
        expect(msg and "for example 415 - 555 - 0132" in msg[0], "labels advice %r" % msg)


def check_digit_fields():
    """With nothing given, the rushed sample's number is found in the audio,
    with its digits counted, their rate, and the digits heard (when given)
    only digits; it starts within 0.15 s of the label and overlaps it."""
    wav = os.path.join(SAMPLES, "rushed-number.wav")
    d = parse_json(run(["--json", "--no-sidecar", wav]))
    num = [s for s in d["segments"] if s["kind"] == "number"]
    expect(len(num) == 1 and num[0]["source"] == "auto", "segments %r" % d["segments"])
    n = num[0]
    lab = read_labels(os.path.join(SAMPLES, "rushed-number.labels.txt"))["number"][0]
    # it starts with the first digit; its end may take in the "thanks" after a pause (README, limits)
    expect(abs(n["start_s"] - lab[0]) <= 0.15 and iou((n["start_s"], n["end_s"]), lab) >= 0.5,
           "span %r, label %r" % (n, lab))
    expect(9 <= n["digits"] <= 13, "digits %r (11 said)" % n)
    expect(abs(n["digits_per_s"] - n["digits"] / (n["end_s"] - n["start_s"])) < 0.02, "digits_per_s %r" % n)
    expect("heard" not in n or re.fullmatch(r"[0-9]{5,}", n["heard"]), "heard %r" % n)
    expect(n["verdict"] == "too_fast", "verdict %r" % n)


def check_no_digits_option():
    """--no-digits: no number looked for in the audio, so number_not_found."""
    wav = os.path.join(SAMPLES, "rushed-number.wav")
    d = parse_json(run(["--json", "--no-sidecar", "--no-digits", wav]))
    expect(not [s for s in d["segments"] if s["kind"] == "number"], "segments %r" % d["segments"])
    expect("number_not_found" in [f["code"] for f in d["flags"]], "flags %r" % d["flags"])


def check_not_checked_line(tmp):
    """With no labels and no script, the text report says the name was not
    checked, and how to have it checked; with the script beside it, not."""
    d = os.path.join(tmp, "not-checked")
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(SAMPLES, "good.wav"), os.path.join(d, "practice.wav"))
    r = run([os.path.join(d, "practice.wav")])
    want = "Name        not checked - put your prepared text in practice.txt beside practice.wav (or use --script)"
    expect(want in r.out, r.describe())
    # where no file beside it is read, only --script can give the text
    only_script = "Name        not checked - give your prepared text with --script"
    for argv, data in ((["-"], True), (["--name-as", "practice.wav", "-"], True),
                       (["--no-sidecar", os.path.join(d, "practice.wav")], False)):
        r = run_stdin(argv, open(os.path.join(d, "practice.wav"), "rb").read()) if data else run(argv)
        expect(only_script in r.out and "beside" not in r.out, "%s: %s" % (argv, r.describe()))
    shutil.copy(os.path.join(SAMPLES, "good.txt"), os.path.join(d, "practice.txt"))
    r = run([os.path.join(d, "practice.wav")])
    expect("not checked" not in r.out, r.describe())


def check_threads_identical():
    """The same JSON with 1 and 4 threads (the detector's blocks shared out)."""
    for n in SAMPLE_NAMES:
        wav = os.path.join(SAMPLES, n + ".wav")
        a = run(["--json", "--no-sidecar", "-j", "1", wav])
        b = run(["--json", "--no-sidecar", "-j", "4", wav])
        expect(a.out == b.out, "%s: -j 1 and -j 4 differ" % n)


def check_wrong_script(tmp):
    """A script of another message: script_mismatch, and no invented segments."""
    p = os.path.join(tmp, "wrong-script.txt")
    with open(p, "w") as f:
        f.write("Hello John, this is Priya Raman from Acme Insurance. I wanted to talk to you about your "
                "renewal quote for next year. Please ring me back on 020 7946 0958, that's 020 7946 0958. "
                "Many thanks, goodbye.\n")
    r = run(["--json", "--no-sidecar", "--script", p, os.path.join(SAMPLES, "good.wav")])
    d = parse_json(r)
    codes = [f["code"] for f in d["flags"]]
    expect("script_mismatch" in codes, "flags %r" % codes)
    expect(not any(s["source"] == "script" for s in d["segments"]), "segments %r" % d["segments"])


def check_sidecar_script(tmp):
    """NAME.txt beside NAME.wav is used (and said so) when there is no label file."""
    d = os.path.join(tmp, "sidecar-script")
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(SAMPLES, "rushed-name.wav"), d)
    shutil.copy(os.path.join(SAMPLES, "rushed-name.txt"), d)
    r = run([os.path.join(d, "rushed-name.wav")])
    expect("aligned to the script" in r.out and "rushed-name.txt" in r.out, r.describe())
    expect(r.rc == 1 and "name" in r.out.lower(), r.describe())


def check_junk_script(tmp):
    """A binary script: exit 2, one line naming the script and the line."""
    p = os.path.join(tmp, "junk.txt")
    with open(p, "wb") as f:
        f.write(b"Hi it's Sam\n\x89PNG\x1a\xff\xfe\n")
    r = run(["--json", "--script", p, os.path.join(SAMPLES, "good.wav")])
    expect(r.rc == 2, r.describe())
    expect(len(r.err_lines()) == 1 and "junk.txt" in r.err and "line 2" in r.err, r.describe())
    d = parse_json(r)
    expect(d["ok"] is False and "junk.txt" in d["error"], r.describe())


def check_export_labels(tmp):
    """--export-labels: an Audacity track with pauses, syllables, segments and flags, times in range."""
    p = os.path.join(tmp, "export.txt")
    r = run(["--export-labels", p, os.path.join(SAMPLES, "rushed-number.wav")])
    expect(r.rc == 1, r.describe())
    rows = [l.rstrip("\n").split("\t") for l in open(p, encoding="utf-8")]
    expect(all(len(x) == 3 for x in rows), "malformed rows")
    kinds = [x[2].split(" ")[0].rstrip(":") for x in rows]
    for k in ("pause", "syl", "name", "number", "number_too_fast"):
        expect(k in kinds, "no %s label in %r" % (k, sorted(set(kinds))))
    for a, b, _ in rows:
        expect(0.0 <= float(a) <= float(b) <= 14.5, "times %s %s" % (a, b))
    d = parse_json(run(["--json", os.path.join(SAMPLES, "rushed-number.wav")]))
    expect(kinds.count("syl") == d["rate"]["syllables"], "syllable points %d vs %d" %
           (kinds.count("syl"), d["rate"]["syllables"]))


# ---------------------------------------------------------------- every output file, every walk

def snapshot(d):
    """{path: bytes} of every regular file under d (links not followed)."""
    out = {}
    for root, _, files in os.walk(d):
        for x in files:
            p = os.path.join(root, x)
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    out[p] = f.read()
    return out


def tmp_files(d):
    return sorted(x for _, _, files in os.walk(d) for x in files if ".tmp-" in x)


def check_export_refuses_inputs(tmp):
    """--export-labels never writes over a file the run reads: the audio (by
    path, symlink, hard link), its NAME.labels.txt / NAME.txt, --labels,
    --script, --baseline; and not over the -o file."""
    d = os.path.join(tmp, "export-refuse")
    os.mkdir(d)
    g = os.path.join(d, "g.wav")
    shutil.copyfile(os.path.join(SAMPLES, "rushed-number.wav"), g)
    shutil.copyfile(os.path.join(SAMPLES, "rushed-number.labels.txt"), os.path.join(d, "g.labels.txt"))
    shutil.copyfile(os.path.join(SAMPLES, "rushed-number.txt"), os.path.join(d, "g.txt"))
    other = os.path.join(d, "other.wav")
    shutil.copyfile(os.path.join(SAMPLES, "good.wav"), other)
    lab = os.path.join(d, "labels.txt")
    shutil.copyfile(os.path.join(SAMPLES, "rushed-number.labels.txt"), lab)
    scr = os.path.join(d, "script.txt")
    shutil.copyfile(os.path.join(SAMPLES, "rushed-number.txt"), scr)
    base = os.path.join(d, "base.wav")
    shutil.copyfile(os.path.join(SAMPLES, "rushed-name.wav"), base)
    os.symlink("g.wav", os.path.join(d, "link.wav"))
    os.link(g, os.path.join(d, "hard.wav"))
    os.symlink("g.labels.txt", os.path.join(d, "link.labels"))
    before = snapshot(d)
    cases = [
        (["--export-labels", "g.wav", "g.wav"], "the audio by path"),
        (["--export-labels", "./g.wav", "g.wav"], "the audio spelt ./g.wav"),
        (["--export-labels", "link.wav", "g.wav"], "a symlink to the audio"),
        (["--export-labels", "hard.wav", "g.wav"], "a hard link to the audio"),
        (["--export-labels", "g.wav", "link.wav"], "the audio, read through a symlink"),
        (["--export-labels", "g.labels.txt", "g.wav"], "NAME.labels.txt beside the audio"),
        (["--export-labels", "link.labels", "g.wav"], "a symlink to NAME.labels.txt"),
        (["--export-labels", "g.txt", "g.wav"], "NAME.txt beside the audio"),
        (["--export-labels", "labels.txt", "--labels", "labels.txt", "other.wav"], "the --labels file"),
        (["--export-labels", "script.txt", "--script", "script.txt", "other.wav"], "the --script file"),
        (["--export-labels", "base.wav", "--baseline", "base.wav", "other.wav"], "the --baseline file"),
        (["--export-labels", "o.txt", "-o", "o.txt", "other.wav"], "the -o file"),
    ]
    problems = []
    for argv, what in cases:
        r = run(argv, cwd=d)
        after = snapshot(d)
        changed = sorted(os.path.basename(p) for p in set(before) | set(after) if before.get(p) != after.get(p))
        bad = []
        if r.rc != 2:
            bad.append("exit %d, want 2" % r.rc)
        if len(r.err_lines()) != 1 or argv[1] not in r.err:
            bad.append("want one stderr line naming %s: %r" % (argv[1], r.err))
        if changed:
            bad.append("changed %s" % changed)
        if tmp_files(d):
            bad.append("temporary files left %s" % tmp_files(d))
        if bad:
            problems.append("%s (%s): %s" % (what, " ".join(argv), "; ".join(bad)))
        for p in set(after) - set(before):
            os.unlink(p)
        for p, data in before.items():
            if after.get(p) != data:
                with open(p, "wb") as f:
                    f.write(data)
    expect(not problems, "\n".join(problems))
    # with --no-sidecar the file beside the audio is not read, so it may be written
    r = run(["--no-sidecar", "--export-labels", "g.labels.txt", "g.wav"], cwd=d)
    with open(os.path.join(d, "g.labels.txt"), "rb") as f:
        written = f.read()
    expect(r.rc in (0, 1) and written != before[os.path.join(d, "g.labels.txt")] and b"\tsyl\n" in written,
           "--no-sidecar --export-labels g.labels.txt: not written: %s" % r.describe())


def run_with_umask(argv, mask, cwd=None):
    cp = subprocess.run([VMCHECK] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                        env=env_c(), cwd=cwd, timeout=harness.TIMEOUT_S, preexec_fn=lambda: os.umask(mask))
    return Run([VMCHECK] + argv, cp.returncode, cp.stdout, cp.stderr)


def check_output_modes(tmp):
    """Every output file gets the mode of an ordinary new file: 0666 less the umask."""
    d = os.path.join(tmp, "modes")
    os.mkdir(d)
    wav = os.path.join(SAMPLES, "good.wav")
    problems = []
    for mask in (0o022, 0o027, 0o002, 0o077):
        for opt in ("-o", "--export-labels"):
            p = os.path.join(d, "out-%o%s.txt" % (mask, opt))
            r = run_with_umask([opt, p, wav], mask)
            if r.rc != 0 or not os.path.isfile(p):
                problems.append("%s with umask %03o: %s" % (opt, mask, r.describe()))
                continue
            mode = os.stat(p).st_mode & 0o777
            if mode != 0o666 & ~mask:
                problems.append("%s with umask %03o: mode %03o, want %03o" % (opt, mask, mode, 0o666 & ~mask))
    expect(not problems, "; ".join(problems))


def slow_wav_header(rate=16000, seconds=600):
    data = seconds * rate * 2
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", data))


def check_export_signal(tmp):
    """A signal while the export is being written (the recording still
    arriving through a FIFO) leaves neither the label file nor a temporary
    file; while it runs only the temporary file exists."""
    import signal
    import time
    problems = []
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        d = os.path.join(tmp, "export-signal-%s" % sig.name)
        os.mkdir(d)
        fifo = os.path.join(d, "arriving.wav")
        os.mkfifo(fifo)
        out = os.path.join(d, "labels.txt")
        # hold a writer end open (O_RDWR does not wait), so vmcheck's reads wait for more audio
        wfd = os.open(fifo, os.O_RDWR)
        try:
            os.write(wfd, slow_wav_header() + bytes(2 * 16000))  # the header and 1 s of silence
            proc = subprocess.Popen([VMCHECK, "--export-labels", out, fifo], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env_c())
            t0 = time.monotonic()
            while not tmp_files(d) and proc.poll() is None and time.monotonic() - t0 < 5:
                time.sleep(0.01)
            during = tmp_files(d)
            final_during = os.path.exists(out)
            time.sleep(0.1)
            alive = proc.poll() is None
            proc.send_signal(sig)
            try:
                _, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                problems.append("%s: still running 10 s after the signal" % sig.name)
                continue
        finally:
            os.close(wfd)
        what = []
        if not during:
            what.append("no temporary file beside %s while the export was open" % out)
        if final_during:
            what.append("%s existed before the run ended" % out)
        if not alive:
            what.append("vmcheck had already ended (rc %s): %r" % (proc.returncode, err[:200]))
        if proc.returncode != -sig:
            what.append("exit status %r, want death by %s" % (proc.returncode, sig.name))
        if os.path.exists(out):
            what.append("a partial %s is left" % out)
        if tmp_files(d):
            what.append("temporary files left: %s" % tmp_files(d))
        if what:
            problems.append("%s: %s" % (sig.name, "; ".join(what)))
    expect(not problems, "; ".join(problems))


def check_walk_loops_fifo(tmp):
    """A cohort folder with symlink loops, a symlink out of the tree and a
    FIFO named x.wav: the walk ends at once, each real file analysed once,
    the FIFO never opened; --follow-symlinks also takes the tree outside,
    still each file once."""
    import time
    root = os.path.join(tmp, "walk")
    tree = os.path.join(root, "tree")
    os.makedirs(os.path.join(tree, "sub"))
    os.makedirs(os.path.join(root, "outside"))
    for p in ("tree/a.wav", "tree/sub/b.wav", "outside/c.wav"):
        write_pcm16(os.path.join(root, p), speechlike(1.0))
    os.symlink(".", os.path.join(tree, "loop"))
    os.symlink("..", os.path.join(tree, "sub", "up"))
    os.symlink("../outside", os.path.join(tree, "out"))
    os.symlink("a.wav", os.path.join(tree, "alias.wav"))
    os.mkfifo(os.path.join(tree, "x.wav"))
    os.mkfifo(os.path.join(tree, "sub", "y.flac"))

    def walk(extra):
        argv = [VMCHECK, "--format", "jsonl"] + extra + [tree]
        t0 = time.monotonic()
        try:
            cp = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=env_c(), timeout=10)
        except subprocess.TimeoutExpired:
            raise CheckFailed("%s still running after 10 s" % " ".join(argv))
        el = time.monotonic() - t0
        files = [harness.loads(l)["file"] for l in cp.stdout.decode().splitlines() if l.strip()]
        return files, el, cp

    files, el, cp = walk([])
    want = [os.path.join(tree, "a.wav"), os.path.join(tree, "sub", "b.wav")]
    expect(files == want, "files %r, want %r (stderr %r)" % (files, want, cp.stderr[:300]))
    expect(cp.returncode in (0, 1), "exit %d (stderr %r)" % (cp.returncode, cp.stderr[:300]))
    expect(el < 1.0, "the walk took %.2f s" % el)
    files, el, cp = walk(["--follow-symlinks"])
    want = [os.path.join(tree, x) for x in ("a.wav", "alias.wav", "out/c.wav", "sub/b.wav")]
    expect(files == want, "--follow-symlinks: files %r, want %r" % (files, want))
    expect(el < 1.0, "--follow-symlinks: the walk took %.2f s" % el)


def main():
    global VMCHECK, SAMPLES
    stop = harness.setup(20)
    if stop is not None:
        return stop
    VMCHECK, SAMPLES = harness.VMCHECK, harness.SAMPLES

    def strict_json():
        for bad in ('{"a": NaN}', '[Infinity]', '{"a": -Infinity}'):
            try:
                harness.loads(bad)
            except ValueError:
                continue
            raise CheckFailed("harness.loads accepted %s" % bad)
    check("harness: NaN and Infinity are not JSON", strict_json)

    tmp = tempfile.mkdtemp(prefix="vmcheck-cli-")
    os.chmod(tmp, 0o755)  # user nobody must reach tmp/unreadable for the unreadable-file case
    try:
        f = bad_input_checks(tmp)
        check("batch: jsonl in input order, bad ones ok:false, exit 2", check_batch, tmp, f)
        for n in SAMPLE_NAMES:
            check("json fields and duration: %s.wav" % n, check_sample_json, n)
        check("exit 1 and no_speech error flag on a 2 s silent WAV", check_no_speech, tmp)
        check("every limit option moves its verdict across the measured figure; pitch range, labels, sidecar",
              check_option_effects, tmp)
        check("clipping in mu-law, A-law and 8-bit files: 1 % and 7 % flagged, clean ones not",
              check_codec_clipping, tmp)
        check("exit 0 on good.wav", check_good_exit0)
        check("--tracks: hop_s 0.01, energy_db length ~ duration/0.01", check_tracks)
        check_locale(tmp)
        check_outfile(tmp)
        check_usage()
        check("csv: strict parse, header + one row per input, odd file name intact", check_csv, tmp, f)
        check("csv: cells starting with = + - @ tab get a leading ' (formula injection); JSON and text exact",
              check_csv_injection, tmp)
        for n in SAMPLE_NAMES:
            check("--script locates the labelled name and number: %s" % n, check_script_locates, n)
        check("a script of another message gives script_mismatch, no segments", check_wrong_script, tmp)
        check("nothing given: the number found in the audio, with digits and digits_per_s", check_digit_fields)
        check("--no-digits: no number looked for", check_no_digits_option)
        check("no labels, no script: the text report says the name was not checked", check_not_checked_line, tmp)
        check("the same JSON with 1 and 4 threads", check_threads_identical)
        check("the advice for a rushed number shows the caller's own number", check_own_number_in_advice)
        check("NAME.txt beside the audio is used", check_sidecar_script, tmp)
        check("binary junk as a script: exit 2, one line naming file and line", check_junk_script, tmp)
        check("--export-labels writes pauses, syllables, segments and flags", check_export_labels, tmp)
        check("--export-labels never writes over a file the run reads (path, symlink, hard link, sidecars)",
              check_export_refuses_inputs, tmp)
        check("-o and --export-labels files get mode 0666 less the umask", check_output_modes, tmp)
        check("a signal during --export-labels leaves no label file and no temporary file", check_export_signal, tmp)
        check("directory walk: symlink loops, a link out of the tree, FIFOs: done at once, each file once",
              check_walk_loops_fifo, tmp)
    finally:
        for root, dirs, files in os.walk(tmp):
            for x in dirs + files:
                try:
                    os.chmod(os.path.join(root, x), 0o700)
                except OSError:
                    pass
        shutil.rmtree(tmp, ignore_errors=True)

    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())

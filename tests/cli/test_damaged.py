#!/usr/bin/env python3
"""Damaged and odd input (issue 15): recordings cut short, inputs named in
every error, and no `inf` or `nan` in any output.

- Truncation: a WAV, a FLAC, an M4A with its index first (faststart) and a
  WebM, cut at 10 %, 50 % and 99 % of their audio data: analysed for what
  they hold and flagged `truncated` (severity error, "the recording stops
  at X s but its header promises Y s; record or copy it again"), exit 1; cut
  to less than one analysis frame, or inside the header: refused, exit 2,
  one line naming the file.  The same bytes through standard input (a
  stream, whose length is unknown) are never flagged.  An M4A whose index
  follows its audio (what ffmpeg and most recorders write), cut anywhere,
  has lost its index: refused, one line.
- A folder with no audio is an input that fails, named, while the rest of
  the batch runs.
- Every output format (text, JSON with and without --tracks, JSONL, CSV,
  and --export-labels) over the whole bad-input suite: no `inf` or `nan`
  (any case, as whole tokens) on stdout, stderr or in the label file.

Prints "ok/FAIL/skip - name" per check, then "N passed, N failed, N skipped".

    test_damaged.py --vmcheck PATH --samples DIR
"""
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import R, CheckFailed, Inconclusive, check, expect, no_crash, parse_json, run  # noqa: E402,F401

CUTS = [0.10, 0.50, 0.99]
TRUNC_MSG = re.compile(r"^the recording stops at (\d+\.\d\d) s but its header promises (\d+\.\d\d) s; "
                       r"record or copy it again$")
INF_NAN = re.compile(r"(?<![A-Za-z0-9_])[-+]?(inf|infinity|nan)(?![A-Za-z0-9_])", re.I)




def quiet(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def wav_data_offset(data):
    """Where a RIFF WAV's data chunk's bytes begin."""
    i = 12
    while i + 8 <= len(data):
        cid, size = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])[0]
        if cid == b"data":
            return i + 8
        i += 8 + size + (size & 1)
    raise Inconclusive("no data chunk in the WAV")


def make_sources(tmp):
    """name -> (path, first byte of the audio data, header bytes to cut
    inside); the formats whose header promises a length."""
    good = os.path.join(harness.SAMPLES, "good.wav")
    out = {}
    with open(good, "rb") as fh:
        data = fh.read()
    out["WAV"] = (good, wav_data_offset(data), 30)
    if shutil.which("sox"):
        p = os.path.join(tmp, "good.flac")
        if quiet(["sox", good, p]):
            out["FLAC"] = (p, 8192, 30)  # STREAMINFO and the seek table come first
    if os.environ.get("VMCHECK_HAVE_FFMPEG", "1") == "0":
        R.skip("M4A and WebM truncation", "vmcheck was built without FFmpeg (-Dffmpeg=disabled)")
    elif shutil.which("ffmpeg"):
        ff = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", good]
        p = os.path.join(tmp, "good-faststart.m4a")
        if quiet(ff + ["-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", p]):
            with open(p, "rb") as fh:
                m = fh.read()
            k = m.find(b"mdat")
            out["M4A (index first)"] = (p, k + 4 if k > 0 else len(m) // 10, 30)
        p = os.path.join(tmp, "good.webm")
        if quiet(ff + ["-c:a", "libopus", "-b:a", "32k", p]) or quiet(ff + ["-c:a", "opus", "-strict", "-2", "-ar",
                                                                            "48000", p]):
            out["WebM Opus"] = (p, 400, 30)
    return out


def write_cut(tmp, label, path, nbytes):
    ext = os.path.splitext(path)[1]
    dst = os.path.join(tmp, "cut-%s-%d%s" % (re.sub(r"\W+", "_", label), nbytes, ext))
    with open(path, "rb") as src, open(dst, "wb") as fh:
        fh.write(src.read(nbytes))
    return dst


def refused_one_line(r, name, reason_re=None):
    no_crash(r)
    expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
    lines = r.err_lines()
    expect(len(lines) == 1 and name in lines[0], "expected one line naming %s: %s" % (name, r.describe()))
    if reason_re:
        expect(re.search(reason_re, lines[0]), "the line does not say %s: %s" % (reason_re, r.describe()))


def truncation_checks(tmp, suite):
    sources = make_sources(tmp)
    for label, (path, data_at, head_cut) in sources.items():
        size = os.path.getsize(path)
        full = parse_json(run(["--json", "--no-sidecar", path]))
        promised = full["audio"]["duration_s"]
        for frac in CUTS:
            n = data_at + int((size - data_at) * frac)
            cut = write_cut(tmp, label, path, n)
            suite.append(cut)

            def flagged(cut=cut, frac=frac):
                r = run(["--json", "--no-sidecar", cut])
                no_crash(r)
                expect(r.rc == 1, "expected exit 1 (flagged), got %d: %s" % (r.rc, r.describe()))
                doc = parse_json(r)
                t = [f for f in doc["flags"] if f["code"] == "truncated"]
                expect(len(t) == 1 and t[0]["severity"] == "error", "no truncated error flag: %r" % doc["flags"])
                m = TRUNC_MSG.match(t[0]["message"])
                expect(m, "message %r" % t[0]["message"])
                stop, prom = float(m.group(1)), float(m.group(2))
                expect(abs(stop - doc["audio"]["duration_s"]) <= 0.006, "stops at %s, duration %s" % (
                    stop, doc["audio"]["duration_s"]))
                expect(abs(prom - promised) <= 0.03, "promises %s, the whole file is %s s" % (prom, promised))
                expect(stop < prom, "stop %s not before promise %s" % (stop, prom))
                # the text report says it too, as the first thing to fix
                rt = run(["--no-sidecar", cut])
                expect(rt.rc == 1 and "header promises" in rt.out, "text: %s" % rt.describe())
            check("truncated %s at %d %% of its data: flagged truncated (error), exit 1" % (label, frac * 100),
                  flagged)

            def stream(cut=cut):
                with open(cut, "rb") as fh:
                    r = harness.run_stdin(["--json", "-"], fh.read())
                no_crash(r)
                doc = parse_json(r)
                if r.rc == 2:
                    expect(len(r.err_lines()) == 1 and "-" in r.err_lines()[0], r.describe())
                    return
                expect(not any(f["code"] == "truncated" for f in doc["flags"]),
                       "a stream flagged truncated: %r" % doc["flags"])
            check("truncated %s at %d %% through standard input: never flagged truncated" % (label, frac * 100),
                  stream)

        cut = write_cut(tmp, label, path, head_cut)
        suite.append(cut)
        check("%s cut inside its header (%d bytes): exit 2, one line" % (label, head_cut),
              lambda cut=cut: refused_one_line(run(["--no-sidecar", cut]), cut))

    # less than one analysis frame (50 ms): 10 ms of a 16 kHz WAV
    good = sources["WAV"][0]
    tiny = write_cut(tmp, "WAV", good, sources["WAV"][1] + 2 * 160)
    suite.append(tiny)
    check("WAV cut to 10 ms (under one analysis frame): exit 2, one line saying truncated",
          lambda: refused_one_line(run(["--no-sidecar", tiny]), tiny,
                                   r"truncated: the recording stops at 0\.010 s but its header promises 18\.98 s"))

    if os.environ.get("VMCHECK_HAVE_FFMPEG", "1") == "0":
        pass
    elif shutil.which("ffmpeg"):
        p = os.path.join(tmp, "good-moov-last.m4a")
        if quiet(["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-i", good, "-c:a", "aac", p]):
            size = os.path.getsize(p)
            for frac in CUTS:
                cut = write_cut(tmp, "M4A (index last)", p, int(size * frac))
                suite.append(cut)
                check("M4A with its index last, cut at %d %%: exit 2, one line" % (frac * 100),
                      lambda cut=cut: refused_one_line(run(["--no-sidecar", cut]), cut))
        else:
            R.skip("M4A with its index last", "ffmpeg cannot write AAC")
    else:
        R.skip("M4A with its index last", "ffmpeg not installed")


def write_pcm16(path, samples, rate=16000, channels=1):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", max(-32768, min(32767, int(round(s * 32767))))) for s in samples))


def write_float_wav(path, samples, rate=16000):
    data = struct.pack("<%df" % len(samples), *samples)
    hdr = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, 3, 1, rate, rate * 4, 4,
                      32, b"data", len(data))
    with open(path, "wb") as fh:
        fh.write(hdr + data)


def bad_suite(tmp, suite):
    """The rest of the bad-input suite: refused files, and valid files with
    nothing in them to measure."""
    def add(name, fn):
        p = os.path.join(tmp, name)
        fn(p)
        suite.append(p)

    add("empty.wav", lambda p: open(p, "wb").close())
    add("text.wav", lambda p: open(p, "w").write("not audio\n" * 50))
    add("zero-frames.wav", lambda p: write_pcm16(p, []))
    add("one-frame.wav", lambda p: write_pcm16(p, [0.5]))
    add("digital-silence.wav", lambda p: write_pcm16(p, [0.0] * 32000))
    add("dc.wav", lambda p: write_pcm16(p, [0.25] * 32000))
    add("full-scale-square.wav", lambda p: write_pcm16(p, [1.0 if (i // 40) % 2 else -1.0 for i in range(32000)]))
    add("tone.wav", lambda p: write_pcm16(p, [0.3 * math.sin(2 * math.pi * 440 * i / 16000) for i in range(32000)]))
    add("tiny-noise.wav", lambda p: write_pcm16(p, [((i * 7919) % 3 - 1) / 32767.0 for i in range(32000)]))
    nan = [0.1 * math.sin(i / 10.0) for i in range(16000)]
    nan[8000] = float("nan")
    add("not-a-number.wav", lambda p: write_float_wav(p, nan))
    inf = list(nan)
    inf[8000] = float("-inf")
    add("infinite.wav", lambda p: write_float_wav(p, inf))
    huge = [0.0] * 16000
    huge[100] = 3.0e38
    add("huge-float.wav", lambda p: write_float_wav(p, huge))
    add("nine-channels.wav", lambda p: write_pcm16(p, [0.1] * 9 * 1600, channels=9))
    d = os.path.join(tmp, "empty-folder")
    os.mkdir(d)
    suite.append(d)
    d = os.path.join(tmp, "folder-without-audio")
    os.mkdir(d)
    with open(os.path.join(d, "notes.txt"), "w") as fh:
        fh.write("no audio here\n")
    suite.append(d)


def scan_outputs(tmp, suite):
    modes = [["--format", "text"], ["--json"], ["--json", "--tracks"], ["--format", "jsonl"], ["--format", "csv"]]
    labels = os.path.join(tmp, "export.txt")
    bad = []
    for p in suite:
        runs = []
        for m in modes:
            runs.append(("%s %s" % (" ".join(m), os.path.basename(p)), run(m + ["--no-sidecar", p])))
        if os.path.isfile(p):
            with open(p, "rb") as fh:
                data = fh.read()
            for m in modes:
                runs.append(("%s - < %s" % (" ".join(m), os.path.basename(p)), harness.run_stdin(m + ["-"], data)))
            r = run(["-q", "--no-sidecar", "--export-labels", labels, p])
            runs.append(("--export-labels " + os.path.basename(p), r))
            if os.path.exists(labels):
                with open(labels, encoding="utf-8", errors="replace") as fh:
                    t = fh.read()
                os.unlink(labels)
                m = INF_NAN.search(t)
                if m:
                    bad.append("label file of %s: %r" % (p, m.group(0)))
        for what, r in runs:
            no_crash(r)
            for stream, text in (("stdout", r.out), ("stderr", r.err)):
                m = INF_NAN.search(text)
                if m:
                    bad.append("%s: %s holds %r: ...%s..." % (what, stream, m.group(0),
                                                             text[max(0, m.start() - 60):m.end() + 60]))
    # the whole suite as one batch, every format
    for m in modes:
        r = run(m + ["--no-sidecar"] + suite)
        no_crash(r)
        for stream, text in (("stdout", r.out), ("stderr", r.err)):
            mm = INF_NAN.search(text)
            if mm:
                bad.append("batch %s: %s holds %r" % (" ".join(m), stream, mm.group(0)))
    expect(not bad, "%d outputs with inf or nan:\n%s" % (len(bad), "\n".join(bad[:10])))


def check_folders(tmp):
    empty = os.path.join(tmp, "empty-folder")
    noaudio = os.path.join(tmp, "folder-without-audio")
    good = os.path.join(harness.SAMPLES, "good.wav")
    r = run(["--format", "jsonl", empty, good, noaudio])
    no_crash(r)
    expect(r.rc == 2, "expected exit 2: %s" % r.describe())
    rows = [harness.loads(line) for line in r.out.split("\n") if line.strip()]
    expect([x["file"] for x in rows] == [empty, good, noaudio], "rows: %r" % [x.get("file") for x in rows])
    expect(rows[0]["ok"] is False and rows[2]["ok"] is False and rows[1]["ok"] is True, "ok: %r" % rows)
    expect("no audio" in rows[0]["error"], "error %r" % rows[0]["error"])
    lines = r.err_lines()
    expect(len(lines) == 2 and empty in lines[0] and noaudio in lines[1], "stderr: %s" % r.describe())
    rc = run(["--format", "csv", empty, good])
    no_crash(rc)
    expect(rc.rc == 2 and (empty + ",false,") in rc.out, "csv: %s" % rc.describe())


def main():
    stop = harness.setup(60)
    if stop is not None:
        return stop
    tmp = tempfile.mkdtemp(prefix="vmcheck-damaged-")
    suite = []
    try:
        truncation_checks(tmp, suite)
        bad_suite(tmp, suite)
        check("a folder with no audio fails, named, while the batch runs (jsonl, csv)", check_folders, tmp)
        check("no inf or nan in text, JSON, JSON --tracks, JSONL, CSV or label files over the %d bad inputs "
              "(files, standard input, one batch)" % len(suite), scan_outputs, tmp, suite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())

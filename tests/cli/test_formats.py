#!/usr/bin/env python3
"""What phones, browsers and voicemail systems record, end to end (issue 15).

Each format is made in the test from the bundled samples: AMR-NB (sox), 3GP
with AMR-NB in it, M4A AAC, WebM Opus, MP4 with a video track (ffmpeg), and
AMR-WB where an encoder is installed (skipped, visibly, where not).  Each is
analysed as a file and through standard input (`-`, with --name-as): its
duration within 20 ms of the WAV's, `audio.format` naming container and
codec, the sample's verdicts unchanged.  A corrupt file of each kind (cut
inside its header, garbled header, garbled audio) gives exit 2 with one
line naming the file, or, for damaged audio a decoder reads past, a report;
never a crash.

Prints "ok/FAIL/skip - name" per check, then "N passed, N failed, N skipped".
Standard library only; needs sox and ffmpeg (checks skip without them).

    test_formats.py --vmcheck PATH --samples DIR
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import R, CheckFailed, Inconclusive, check, expect, no_crash, parse_json, run  # noqa: E402,F401

# the samples whose verdicts are compared (all ok; number too fast; name too fast)
SAMPLES_USED = ["good", "rushed-number", "rushed-name"]
DURATION_TOL_S = 0.020




def tool(argv):
    """Run an encoder; None when it worked, else why not."""
    try:
        cp = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return str(e)
    if cp.returncode != 0:
        err = cp.stderr.decode("utf-8", "replace").strip().split("\n")
        return "%s: exit %d: %s" % (argv[0], cp.returncode, err[-1] if err else "")
    return None


def ffmpeg(*args):
    return ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-y"] + list(args)


def has_ffmpeg_encoder(name):
    try:
        out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=30).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return any(line.split()[1:2] == [name] for line in out.split("\n") if line.startswith(" "))


# --------------------------------------------------------------- makers
# each: (wav, out) -> None or the reason it cannot be made

def make_amrnb(wav, out):
    # 12.2 kbit/s (mode 7), what voicemail systems store; sox resamples to 8 kHz
    return tool(["sox", wav, "-t", "amr-nb", "-C", "7", out])


def make_3gp(wav, out):
    # an Android recording: AMR-NB in 3GP (ffmpeg has no AMR encoder: sox's, copied)
    amr = out + ".amr"
    why = make_amrnb(wav, amr)
    if why:
        return why
    why = tool(ffmpeg("-i", amr, "-c:a", "copy", "-f", "3gp", out))
    os.unlink(amr)
    return why


def make_m4a(wav, out):
    return tool(ffmpeg("-i", wav, "-c:a", "aac", "-b:a", "64k", out))


def make_webm(wav, out):
    enc = ["-c:a", "libopus"] if has_ffmpeg_encoder("libopus") else ["-c:a", "opus", "-strict", "-2", "-ar", "48000"]
    return tool(ffmpeg("-i", wav, *enc, "-b:a", "32k", out))


def make_mp4_video(wav, out):
    venc = "libx264" if has_ffmpeg_encoder("libx264") else "mpeg4"
    return tool(ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x48:r=10", "-i", wav, "-shortest",
                       "-map", "0:v", "-map", "1:a", "-c:v", venc, "-c:a", "aac", "-b:a", "64k", out))


def make_amrwb(wav, out):
    why_sox = tool(["sox", wav, "-t", "amr-wb", "-r", "16000", "-C", "8", out])
    if not why_sox:
        return None
    if has_ffmpeg_encoder("libvo_amrwbenc"):
        return tool(ffmpeg("-i", wav, "-ar", "16000", "-c:a", "libvo_amrwbenc", "-b:a", "23.85k", "-f", "amr", out))
    return "no AMR-WB encoder installed (%s; ffmpeg has no libvo_amrwbenc)" % why_sox


# name, extension, maker, audio.format expected, tools needed
FORMATS = [
    ("AMR-NB", "amr", make_amrnb, "AMR-NB", ["sox"]),
    ("3GP AMR-NB", "3gp", make_3gp, "3GP AMR-NB", ["sox", "ffmpeg"]),
    ("M4A AAC", "m4a", make_m4a, "M4A AAC", ["ffmpeg"]),
    ("WebM Opus", "webm", make_webm, "WebM Opus", ["ffmpeg"]),
    ("MP4 AAC with a video track", "mp4", make_mp4_video, "MP4 AAC", ["ffmpeg"]),
    ("AMR-WB", "awb", make_amrwb, "AMR-WB", ["sox"]),
]


def sample_args(name):
    s = harness.SAMPLES
    return ["--labels", os.path.join(s, name + ".labels.txt"), "--script", os.path.join(s, name + ".txt")]


def summary_of(doc):
    """What must not change between a WAV and its encodings: the segments'
    verdicts and the error flags."""
    segs = sorted((s["kind"], s["verdict"]) for s in doc.get("segments", []))
    errors = sorted(f["code"] for f in doc.get("flags", []) if f["severity"] == "error")
    return segs, errors


def one_line_naming(r, name):
    no_crash(r)
    expect(r.rc == 2, "expected exit 2, got %d: %s" % (r.rc, r.describe()))
    lines = r.err_lines()
    expect(len(lines) == 1, "expected one line on stderr: %s" % r.describe())
    expect(name in lines[0], "the line does not name %s: %s" % (name, r.describe()))


# bytes of a header: AMR's is its magic ("#!AMR\n", "#!AMR-WB\n"); the
# containers' are longer than 40
HEADER_CUT = {"amr": 4, "awb": 7}


def corrupt_variants(data, ext, seed):
    """(label, bytes, must_refuse): cut inside the header and a garbled
    header must be refused; garbled audio may be analysed, never crash."""
    rnd = random.Random(seed)
    cut = data[:HEADER_CUT.get(ext, 40)]
    head = bytearray(data)
    for i in range(min(64, len(head))):
        head[i] ^= rnd.randrange(1, 256)
    body = bytearray(data)
    start = min(1024, len(body) // 4)
    for _ in range(max(1, (len(body) - start) // 10)):
        body[rnd.randrange(start, len(body))] = rnd.randrange(256)
    return [("cut inside its header (%d bytes)" % len(cut), cut, True),
            ("garbled header (first 64 bytes)", bytes(head), True),
            ("garbled audio (10 % of the bytes after the first KiB)", bytes(body), False)]


def format_checks(tmp, ref):
    have_ffmpeg = os.environ.get("VMCHECK_HAVE_FFMPEG", "1") != "0"
    for label, ext, maker, fmt_name, needs in FORMATS:
        missing = [t for t in needs if not shutil.which(t)]
        if missing:
            R.skip(label, "%s not installed" % ", ".join(missing))
            continue
        if not have_ffmpeg:
            # a build without FFmpeg refuses these files, naming them
            out = os.path.join(tmp, "good." + ext)
            if maker(os.path.join(harness.SAMPLES, "good.wav"), out) is None:
                check("%s without FFmpeg: exit 2, one line naming the file" % label,
                      lambda out=out: one_line_naming(run(["--no-sidecar", out]), out))
            R.skip(label, "vmcheck was built without FFmpeg (-Dffmpeg=disabled)")
            continue
        made = {}
        why = None
        for n in SAMPLES_USED:
            out = os.path.join(tmp, "%s.%s" % (n, ext))
            why = maker(os.path.join(harness.SAMPLES, n + ".wav"), out)
            if why:
                break
            made[n] = out
        if why:
            R.skip(label, "cannot make the file: %s" % why)
            continue

        def analysed(n, path):
            r = run(["--json"] + sample_args(n) + [path])
            no_crash(r)
            doc = parse_json(r)
            expect(doc.get("ok") is True, "not analysed: %s" % r.describe())
            w = ref[n]
            expect(r.rc == w["rc"], "exit %d, the WAV's is %d: %s" % (r.rc, w["rc"], r.describe()))
            a = doc["audio"]
            expect(a["format"] == fmt_name, "audio.format %r, expected %r" % (a["format"], fmt_name))
            d = a["duration_s"] - w["doc"]["audio"]["duration_s"]
            expect(abs(d) <= DURATION_TOL_S, "duration %.3f s, the WAV's %.3f s (%+.0f ms)" % (
                a["duration_s"], w["doc"]["audio"]["duration_s"], d * 1000))
            expect(summary_of(doc) == summary_of(w["doc"]), "verdicts %r, the WAV's %r" % (
                summary_of(doc), summary_of(w["doc"])))
            R.note("%s %s: %s, %.3f s (WAV %.3f s), verdicts %r" % (
                label, n, a["format"], a["duration_s"], w["doc"]["audio"]["duration_s"], summary_of(doc)))

        for n, path in made.items():
            check("%s: %s analysed, duration within 20 ms, verdicts as the WAV's" % (label, n), analysed, n, path)

        good = made["good"]
        with open(good, "rb") as fh:
            data = fh.read()
        walk = os.path.join(tmp, "walk")
        os.makedirs(walk, exist_ok=True)
        shutil.copyfile(good, os.path.join(walk, "good." + ext))

        def through_stdin():
            r = harness.run_stdin(["--json"] + sample_args("good") + ["-"], data)
            no_crash(r)
            doc = parse_json(r)
            expect(doc.get("ok") is True and doc.get("file") == "-", "not analysed as '-': %s" % r.describe())
            expect(doc["audio"]["format"] == fmt_name, "audio.format %r" % doc["audio"]["format"])
            expect(summary_of(doc) == summary_of(ref["good"]["doc"]), "verdicts %r" % (summary_of(doc),))
            d = doc["audio"]["duration_s"] - ref["good"]["doc"]["audio"]["duration_s"]
            expect(abs(d) <= DURATION_TOL_S, "duration %+.0f ms off" % (d * 1000))
            expect(not any(f["code"] == "truncated" for f in doc["flags"]), "a stream flagged truncated")
            name = "call." + ext
            r = harness.run_stdin(["--name-as", name] + sample_args("good") + ["-"], data)
            no_crash(r)
            expect(r.rc == ref["good"]["rc"] and r.out.startswith(name + ":"),
                   "--name-as: the text report does not start with %s: %s" % (name, r.describe()))
        check("%s: good through standard input (-, --name-as)" % label, through_stdin)

        for k, (what, bad, must_refuse) in enumerate(corrupt_variants(data, ext, 1500 + len(ext))):
            path = os.path.join(tmp, "corrupt%d.%s" % (k, ext))
            with open(path, "wb") as fh:
                fh.write(bad)

            def corrupt(path=path, bad=bad, must_refuse=must_refuse):
                for argv, runner, name in ((["--no-sidecar", path], run, path),
                                           (["--no-sidecar", "-"], lambda a: harness.run_stdin(a, bad), "-")):
                    r = runner(argv)
                    no_crash(r)
                    if must_refuse or r.rc == 2:
                        one_line_naming(r, name)
                    else:
                        expect(r.rc in (0, 1), "exit %d: %s" % (r.rc, r.describe()))
                    rj = runner(["--json"] + argv)
                    no_crash(rj)
                    doc = parse_json(rj)
                    expect(doc.get("ok") is (rj.rc != 2), "ok does not match exit %d: %s" % (rj.rc, rj.describe()))
            check("%s: corrupt, %s: %s, file and standard input" % (
                label, what, "exit 2, one line naming it" if must_refuse else "a report or exit 2, no crash"), corrupt)


def check_amrwb_by_hand(tmp):
    """Without an AMR-WB encoder: a file in AMR-WB's storage format (RFC
    4867 section 5) built here, 100 frames (2 s) of 8.85 kbit/s with random bits
    (any bits are a frame to the decoder), is read as AMR-WB at 16 kHz."""
    if os.environ.get("VMCHECK_HAVE_FFMPEG", "1") == "0":
        raise Inconclusive("vmcheck was built without FFmpeg")
    rnd = random.Random(4867)
    b = bytearray(b"#!AMR-WB\n")
    for _ in range(100):
        b.append((1 << 3) | 4)  # frame type 1 (8.85 kbit/s: 177 bits), quality bit set: 23 bytes follow
        b += bytes(rnd.randrange(256) for _ in range(23))
    p = os.path.join(tmp, "handmade.awb")
    with open(p, "wb") as fh:
        fh.write(bytes(b))
    for r in (run(["--json", "--no-sidecar", p]), harness.run_stdin(["--json", "-"], bytes(b))):
        no_crash(r)
        doc = parse_json(r)
        expect(doc.get("ok") is True, "not analysed: %s" % r.describe())
        a = doc["audio"]
        expect(a["format"] == "AMR-WB" and a["sample_rate"] == 16000, "audio %r" % a)
        expect(abs(a["duration_s"] - 2.0) <= 0.02, "duration %r for 100 frames of 20 ms" % a["duration_s"])


def check_walk(tmp):
    walk = os.path.join(tmp, "walk")
    if not os.path.isdir(walk):
        raise Inconclusive("no format could be made")
    names = sorted(os.listdir(walk))
    r = run(["--format", "jsonl", "--no-sidecar", walk])
    no_crash(r)
    rows = [harness.loads(line) for line in r.out.split("\n") if line.strip()]
    got = sorted(os.path.basename(x["file"]) for x in rows)
    expect(got == names, "the walk found %r, the folder holds %r" % (got, names))
    expect(all(x["ok"] for x in rows), "not all analysed: %r" % [(x["file"], x.get("error")) for x in rows])


def main():
    stop = harness.setup(60)
    if stop is not None:
        return stop
    if not shutil.which("ffmpeg") and not shutil.which("sox"):
        print("skip - all: neither sox nor ffmpeg is installed")
        return 77
    ref = {}
    for n in SAMPLES_USED:
        r = run(["--json"] + sample_args(n) + [os.path.join(harness.SAMPLES, n + ".wav")])
        no_crash(r)
        ref[n] = {"rc": r.rc, "doc": parse_json(r)}
    tmp = tempfile.mkdtemp(prefix="vmcheck-formats-")
    try:
        format_checks(tmp, ref)
        check("AMR-WB made by hand (no encoder needed): read as AMR-WB, 16000 Hz, file and standard input",
              check_amrwb_by_hand, tmp)
        check("a folder of every format made is walked: each file found (by extension) and analysed",
              check_walk, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""--html: the message page and the cohort page, without a browser.

The page is parsed strictly (it is well-formed XML as well as HTML); its
spans are checked against the JSON report's times; the embedded audio is
decoded back (by vmcheck itself) to the recording's duration; hostile file
names and scripts stay text; the file is written atomically; a cohort of
good and bad files lists both.  Standard library only (sox, if present,
makes the long recording for the interrupt check).

usage: test_html.py --vmcheck PATH --samples DIR
"""
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import CheckFailed, Inconclusive, R, check, expect, run  # noqa: E402


def sample(n):
    return os.path.join(harness.SAMPLES, n + ".wav")


def parse_page(path):
    """The page as an element tree: strict XML (bad nesting, an unquoted
    attribute, a bare & or < anywhere fails)."""
    data = open(path, "rb").read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CheckFailed("%s is not UTF-8: %s" % (path, e))
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise CheckFailed("%s does not parse strictly: %s" % (path, e))


def all_of(root, tag, cls=None):
    out = []
    for el in root.iter(tag):
        if cls is None or cls in (el.get("class") or "").split():
            out.append(el)
    return out


def pct(s):
    expect(s.endswith("%"), "not a percentage: %r" % s)
    return float(s[:-1])


PATH_ARGS = {"M": 2, "L": 2, "l": 2, "m": 2, "v": 1, "h": 1, "V": 1, "H": 1, "Z": 0, "z": 0}


def path_ok(d):
    """SVG path data by the grammar the writer uses: every command has a
    whole number of argument groups (a bare 'l' is a rendering error)."""
    if d == "":
        return  # nothing to draw (no syllables): valid, draws nothing
    toks = re.findall(r"[A-Za-z]|-?[0-9]*\.?[0-9]+", d)
    expect("".join(toks) == re.sub(r"[ ,]", "", d), "stray characters in path data %r" % d[:80])
    expect(toks and toks[0] == "M", "path does not start with M: %r" % d[:40])
    i = 0
    while i < len(toks):
        c = toks[i]
        expect(c in PATH_ARGS, "unknown path command %r" % c)
        i += 1
        n = 0
        while i < len(toks) and toks[i] not in PATH_ARGS:
            n += 1
            i += 1
        k = PATH_ARGS[c]
        expect((k == 0 and n == 0) or (k and n and n % k == 0), "path command %s with %d numbers in %r"
               % (c, n, d[:80]))


def self_contained(path):
    text = open(path, encoding="utf-8").read()
    for bad in ("http://", "https://", "<link", "@import", "<iframe", "<object", "<embed"):
        expect(bad not in text, "%s holds %r: the page must be self-contained" % (path, bad))


def message_and_json(tmp, name, extra=()):
    page = os.path.join(tmp, name + ".html")
    r = run(["--html", page, "--json"] + list(extra) + [sample(name)])
    expect(r.rc in (0, 1), "exit %d: %s" % (r.rc, r.describe()))
    expect(os.path.isfile(page), "no page written: %s" % r.describe())
    return page, harness.parse_json(r)


def spans_checks(tmp):
    for name in harness.SAMPLE_NAMES:
        def one(name=name):
            page, rep = message_and_json(tmp, name)
            root = parse_page(page)
            self_contained(page)
            dur = rep["audio"]["duration_s"]
            svg = [s for s in all_of(root, "{http://www.w3.org/2000/svg}svg") + all_of(root, "svg")
                   if "tl" in (s.get("class") or "").split()]
            expect(len(svg) == 1, "%d timelines" % len(svg))
            expect(abs(float(svg[0].get("data-duration")) - dur) < 0.01, "timeline duration %s vs %s"
                   % (svg[0].get("data-duration"), dur))

            def at(rect, t0, t1, what):
                # the JSON's times are rounded to 10 ms, the page's to 1 ms
                x, w = pct(rect.get("x")), pct(rect.get("width"))
                tol = 100 * 0.0051 / dur + 0.001
                expect(abs(x - 100 * t0 / dur) < tol and abs(w - 100 * (t1 - t0) / dur) < 2 * tol,
                       "%s %s-%s s drawn at x=%s width=%s of %s s" % (what, t0, t1, rect.get("x"),
                                                                      rect.get("width"), dur))
                expect(abs(float(rect.get("data-start")) - t0) < 0.006 and
                       abs(float(rect.get("data-end")) - t1) < 0.006, "%s data-start/end %s-%s vs %s-%s"
                       % (what, rect.get("data-start"), rect.get("data-end"), t0, t1))

            segs = [g for g in root.iter("g") if "segment" in (g.get("class") or "").split()]
            expect(len(segs) == len(rep["segments"]), "%d segment spans, report has %d"
                   % (len(segs), len(rep["segments"])))
            for g, s in zip(segs, rep["segments"]):
                expect(g.get("data-kind") == s["kind"], "kind %s vs %s" % (g.get("data-kind"), s["kind"]))
                expect(g.get("data-verdict") == ("fast" if s["verdict"] != "ok" else "ok"),
                       "verdict %s vs %s" % (g.get("data-verdict"), s["verdict"]))
                rect = g.find("rect")
                at(rect, s["start_s"], s["end_s"], s["kind"])
                label = "".join(g.find("text").itertext())
                v = s["syllables_per_s"]
                expect(("%.1f" % (v - 0.005)) in label or ("%.1f" % (v + 0.005)) in label,
                       "rate %.2f not written on the %s span: %r" % (v, s["kind"], label))
                expect(("TOO FAST" in label) == (s["verdict"] != "ok"), "verdict words on the span: %r" % label)
            flags = [f for f in rep["flags"] if f["end_s"] > f["start_s"]]
            fg = [g for g in root.iter("g") if "flagspan" in (g.get("class") or "").split()]
            expect(len(fg) == len(flags), "%d flag spans, report has %d flags with a span" % (len(fg), len(flags)))
            for g, f in zip(fg, flags):
                expect(g.get("data-code") == f["code"], "flag %s vs %s" % (g.get("data-code"), f["code"]))
                # the JSON rounds to 2 decimals, the page to 3
                at(g.find("rect"), f["start_s"], f["end_s"], f["code"])
            pauses = all_of(root, "rect", "pause")
            expect(len(pauses) == len(rep["pauses"]), "%d pauses shaded, report has %d"
                   % (len(pauses), len(rep["pauses"])))
            for rect, p in zip(pauses, rep["pauses"]):
                at(rect, p["start_s"], p["end_s"], "pause")
            for p in root.iter("path"):
                path_ok(p.get("d"))
            nuc = all_of(root, "path", "nuclei")
            expect(len(nuc) == 1, "no nucleus path")
            xs = [float(v) / 100 for v in re.findall(r"M([0-9.]+) ", nuc[0].get("d"))]
            expect(len(xs) == rep["rate"]["syllables"] == len(rep["syllables"]),
                   "%d ticks, %d syllables" % (len(xs), rep["rate"]["syllables"]))
            expect(all(abs(a - b) < 0.006 for a, b in zip(xs, rep["syllables"])), "ticks not at the nuclei")
            # digit groups: one per group, gaps between
            for s in rep["segments"]:
                if s["kind"] == "number" and "groups" in s:
                    n = len(all_of(root, "rect", "grp"))
                    expect(n >= 1, "no digit group drawn")
            # the verdict line says what the text report says
            txt = run([sample(name)]).out.split("\n")[0]
            v = [p for p in root.iter("p") if "verdict" in (p.get("class") or "").split()][0]
            expect(txt.endswith(": " + "".join(v.itertext())), "verdict %r vs text report %r"
                   % ("".join(v.itertext()), txt))
            for f in rep["flags"]:
                expect(f["message"] in open(page, encoding="utf-8").read().replace("&#39;", "'"),
                       "flag message missing: %r" % f["message"])
        check("%s: page parses strictly, self-contained, spans at the report's times" % name, one)


def edge_checks(tmp):
    def silence_and_tone():
        import wave
        import math
        for name, gen in (("silence", lambda i: 0), ("tone", lambda i: int(8000 * math.sin(i * 0.1)))):
            wav = os.path.join(tmp, name + ".wav")
            with wave.open(wav, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(8000)
                w.writeframes(b"".join(struct_pack(gen(i)) for i in range(8000 * 2)))
            page = os.path.join(tmp, name + ".html")
            r = run(["--html", page, wav])
            expect(r.rc in (0, 1) and os.path.isfile(page), r.describe())
            root = parse_page(page)
            for p in root.iter("path"):
                path_ok(p.get("d"))
            text = open(page, encoding="utf-8").read()
            for bad in ("nan", "inf"):
                expect(not re.search(r"[\s\"(>-]%s\b" % bad, text, re.I), "%s: %r in the page" % (name, bad))
    check("silence and a pure tone: pages parse, paths valid, no nan or inf", silence_and_tone)


def struct_pack(v):
    import struct
    return struct.pack("<h", v)


def audio_check(tmp):
    def embedded():
        page, rep = message_and_json(tmp, "rushed-number")
        text = open(page, encoding="utf-8").read()
        m = re.search(r'src="data:(audio/[a-z]+);base64,([A-Za-z0-9+/=]+)"', text)
        expect(m, "no embedded audio")
        ext = {"audio/mpeg": ".mp3", "audio/flac": ".flac"}[m.group(1)]
        clip = os.path.join(tmp, "embedded" + ext)
        with open(clip, "wb") as f:
            f.write(base64.b64decode(m.group(2), validate=True))
        r = run(["--json", "--no-sidecar", clip])
        expect(r.rc in (0, 1), r.describe())
        d = harness.parse_json(r)["audio"]["duration_s"]
        expect(abs(d - rep["audio"]["duration_s"]) < 0.1, "embedded audio lasts %s s, the recording %s s"
               % (d, rep["audio"]["duration_s"]))
        R.note("embedded %s: %d bytes of audio for %.2f s (%.0f kbit/s), page %d bytes"
               % (m.group(1), len(base64.b64decode(m.group(2))), d, 8e-3 * len(base64.b64decode(m.group(2))) / d,
                  os.path.getsize(page)))
    check("embedded audio decodes back to the recording's duration", embedded)

    def resampled():
        # 44.1 kHz stereo: mixed, resampled, same length
        src = sample("good")
        try:
            subprocess.run(["sox", src, "-r", "44100", "-c", "2", os.path.join(tmp, "g44.wav")], check=True,
                           capture_output=True, timeout=30)
        except (OSError, subprocess.SubprocessError) as e:
            raise Inconclusive("sox cannot make a 44.1 kHz copy: %s" % e)
        page = os.path.join(tmp, "g44.html")
        r = run(["--html", page, "--no-sidecar", os.path.join(tmp, "g44.wav")])
        expect(r.rc in (0, 1), r.describe())
        a = [e for e in parse_page(page).iter("audio")]
        expect(len(a) == 1 and a[0].get("data-embedded"), "no embedded player")
        expect(abs(float(a[0].get("data-duration")) - 18.98) < 0.05, "duration %s" % a[0].get("data-duration"))
    check("a 44.1 kHz stereo recording is embedded at its length", resampled)

    def modes():
        page = os.path.join(tmp, "none.html")
        r = run(["--html", page, "--html-audio", "none", sample("good")])
        expect(r.rc == 0 and not list(parse_page(page).iter("audio")), "a player with none: " + r.describe())
        page = os.path.join(tmp, "sub", "link.html")
        os.makedirs(os.path.dirname(page), exist_ok=True)
        r = run(["--html", page, "--html-audio", "link", sample("good")])
        a = list(parse_page(page).iter("audio"))
        expect(r.rc == 0 and len(a) == 1, r.describe())
        src = a[0].get("src")
        expect(not src.startswith("data:") and not src.startswith("/"), "not a relative link: %r" % src)
        target = os.path.normpath(os.path.join(os.path.dirname(page), urllib.parse.unquote(src)))
        expect(os.path.samefile(target, sample("good")), "link %r points at %s" % (src, target))
        for bad in (["--html-audio", "mp3", "--html", page], ["--html-audio", "none"]):
            r = run(bad + [sample("good")])
            expect(r.rc == 2 and "--html" in r.err, "bad use accepted: " + r.describe())
        r = run(["--html", ""] + [sample("good")])
        expect(r.rc == 2, "empty --html accepted: " + r.describe())
    check("--html-audio none|link (a relative link that resolves); bad values refused", modes)

    def from_stdin():
        page = os.path.join(tmp, "stdin.html")
        with open(sample("good"), "rb") as f:
            cp = subprocess.run([harness.VMCHECK, "--html", page, "-"], stdin=f, capture_output=True, timeout=30,
                                env=harness.env_c())
        expect(cp.returncode in (0, 1), cp.stderr.decode())
        root = parse_page(page)
        expect(not list(root.iter("audio")) and "standard input" in open(page).read(), "stdin page has a player")
    check("standard input: a page without a player, saying why", from_stdin)


# no '/' in a file name: the script file brings the </script>
HOSTILE = "<img src=x onerror=alert(1)>&amp;\"'<script>alert(2)<\\script>"


def hostile_checks(tmp):
    def names():
        d = os.path.join(tmp, "hostile")
        os.makedirs(d, exist_ok=True)
        bad = os.path.join(d, HOSTILE + ".wav")
        shutil.copy(sample("rushed-number"), bad)
        shutil.copy(os.path.join(harness.SAMPLES, "rushed-number.labels.txt"), os.path.join(d, HOSTILE + ".labels.txt"))
        inv = os.path.join(d.encode(), b"bad-\xff\xfe-utf8.wav")
        shutil.copy(sample("good"), inv)
        script = os.path.join(tmp, "hostile-script.txt")
        with open(script, "w") as f:
            f.write("Hi, it's [</script><script>alert(1)</script>] calling, on 415 555 0132. <b>bold</b> & bye\n")
        for args, what in ((["--html", os.path.join(tmp, "h1.html"), bad], "name"),
                           (["--html", os.path.join(tmp, "h2.html"), "--script", script, "--no-sidecar", bad],
                            "script"),
                           (["--html", os.path.join(tmp, "h3.html"), d], "cohort")):
            r = run(args)
            expect(r.rc in (0, 1, 2), r.describe())
            page = args[1]
            root = parse_page(page)
            expect(len(list(root.iter("script"))) == 1, "%s: %d script elements" % (what, len(list(root.iter("script")))))
            for tag in ("img", "b", "iframe"):
                expect(not list(root.iter(tag)), "%s: a <%s> element came through" % (what, tag))
            for el in root.iter():
                for k in el.keys():
                    expect(not k.lower().startswith("on"), "%s: an event attribute %s" % (what, k))
            text = "".join(root.itertext())
            expect(HOSTILE in text, "%s: the name is not shown as text" % what)
            if what == "cohort":
                expect("bad-\ufffd\ufffd-utf8.wav" in text, "invalid UTF-8 not replaced")
    check("hostile file names, scripts and invalid UTF-8 stay text: no element, no handler, one script", names)


def atomic_checks(tmp):
    def no_temp_left():
        d = os.path.join(tmp, "atomic")
        os.makedirs(d, exist_ok=True)
        page = os.path.join(d, "page.html")
        with open(page, "w") as f:
            f.write("previous")
        r = run(["--html", page, sample("good")])
        expect(r.rc == 0, r.describe())
        expect(os.listdir(d) == ["page.html"], "left behind: %r" % os.listdir(d))
        expect(open(page).read().startswith("<!DOCTYPE html>"), "not replaced")
        mode = os.stat(page).st_mode & 0o777
        expect(mode == 0o666 & ~current_umask(), "mode %o" % mode)
        # refused: an input, the same file as -o, a directory; the old page stays
        for args, why in ((["--html", sample("good")], "input"),
                          (["--html", page, "-o", page], "same file"),
                          (["--html", d], "directory")):
            before = open(sample("good"), "rb").read()
            r = run(args + [sample("good")])
            expect(r.rc == 2 and "--html" in r.err, "%s not refused: %s" % (why, r.describe()))
            expect(open(sample("good"), "rb").read() == before, "an input was written")
        expect(open(page).read().startswith("<!DOCTYPE html>"), "the previous page was touched")
        r = run(["--html", os.path.join(d, "no", "such", "dir.html"), sample("good")])
        expect(r.rc == 2 and "--html" in r.err, r.describe())
    check("--html is atomic: no temporary left, mode 0666 less umask; inputs, -o's file and folders refused",
          no_temp_left)

    def interrupted():
        d = os.path.join(tmp, "intr")
        os.makedirs(d, exist_ok=True)
        long_wav = os.path.join(d, "long.wav")
        try:
            subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", long_wav, "synth", "600", "pinknoise",
                            "vol", "0.3"], check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as e:
            raise Inconclusive("sox cannot make a long recording: %s" % e)
        page = os.path.join(d, "page.html")
        p = subprocess.Popen([harness.VMCHECK, "-q", "-j", "1", "--html", page, long_wav], env=harness.env_c())
        time.sleep(0.7)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
        left = sorted(os.listdir(d))
        expect(left == ["long.wav"], "after SIGTERM: %r (exit %s)" % (left, p.returncode))
    check("SIGTERM during the run leaves no page and no temporary file", interrupted)


def current_umask():
    u = os.umask(0)
    os.umask(u)
    return u


def cohort_checks(tmp):
    def cohort():
        d = os.path.join(tmp, "cohort")
        os.makedirs(os.path.join(d, "nested"), exist_ok=True)
        shutil.copy(sample("rushed-number"), os.path.join(d, "a-rushed.wav"))
        shutil.copy(sample("good"), os.path.join(d, "nested", "b good #1.wav"))
        open(os.path.join(d, "c-empty.wav"), "wb").close()
        with open(os.path.join(d, "d-text.wav"), "w") as f:
            f.write("not audio at all\n" * 20)
        page = os.path.join(tmp, "cohort.html")
        r = run(["--html", page, "--format", "csv", d])
        expect(r.rc == 2, "exit %d with bad files: %s" % (r.rc, r.describe()))
        root = parse_page(page)
        self_contained(page)
        rows = [t for t in root.iter("tr") if "row" in (t.get("class") or "").split()]
        expect(len(rows) == 4, "%d rows for 4 files" % len(rows))
        names = ["".join(t.findall("td")[1].itertext()) for t in rows]
        expect(names[0].endswith("a-rushed.wav") and names[3].endswith("nested/b good #1.wav"), "order %r" % names)
        failed = [li for ul in root.iter("ul") if "failed" in (ul.get("class") or "") for li in ul.iter("li")]
        expect(len(failed) == 2 and "c-empty.wav" in "".join(failed[0].itertext()) and
               "d-text.wav" in "".join(failed[1].itertext()), "failed list %r"
               % ["".join(x.itertext()) for x in failed])
        templates = list(root.iter("template"))
        expect(len(templates) == 2, "%d timelines for 2 analysed files" % len(templates))
        bars = [t for t in root.iter("tr") if t.get("data-code")]
        expect([b.get("data-code") for b in bars] == ["number_too_fast"] or
               "number_too_fast" in [b.get("data-code") for b in bars], "flag bars %r" % [b.get("data-code") for b in bars])
        # links to the audio are relative and resolve
        for a in root.iter("audio"):
            src = urllib.parse.unquote(a.get("src"))
            expect(os.path.isfile(os.path.join(tmp, src)), "audio link %r does not resolve" % a.get("src"))
        expect(len(list(root.iter("audio"))) == 2, "one player per analysed file")
        # score cells sortable
        for t in (rows[0], rows[3]):
            float(t.findall("td")[2].get("data-v"))
        expect(rows[1].findall("td")[2].get("data-v") == "", "a failed file has a score")
    check("cohort of good and bad files: a row each, failed listed, timelines, flag bars, relative links", cohort)

    def json_untouched():
        a = run(["--json", sample("good")])
        b = run(["--json", "--html", os.path.join(tmp, "j.html"), sample("good")])
        expect(a.out == b.out and '"tracks"' not in b.out, "--html changed the JSON")
        c = run(["--json", "--tracks", "--html", os.path.join(tmp, "j.html"), sample("good")])
        expect('"tracks"' in c.out, "--tracks lost")
    check("--html leaves the JSON as it was (tracks only with --tracks)", json_untouched)

    def locale():
        a, b = os.path.join(tmp, "c.html"), os.path.join(tmp, "de.html")
        run(["--html", a, sample("rushed-number")])
        run(["--html", b, sample("rushed-number")], env={"LC_ALL": "de_DE.UTF-8"})
        expect(open(a, "rb").read() == open(b, "rb").read(), "the page differs under de_DE.UTF-8")
    check("the page is byte-identical under a decimal-comma locale", locale)


def figure_rows(page):
    """The figures table as {heading: text}."""
    rows = {}
    for tr in all_of(parse_page(page), "tr"):
        th, td = tr.find("th"), tr.find("td")
        if th is not None and td is not None:
            rows["".join(th.itertext())] = "".join(td.itertext())
    return rows


def unchecked_checks(tmp):
    def name_unchecked():
        """With no labels and no script the page's figures say, as the text
        report does, that the name was not checked and how to have it
        checked; with the script beside the recording they give the name."""
        d = os.path.join(tmp, "unchecked")
        os.makedirs(d, exist_ok=True)
        wav = os.path.join(d, "practice.wav")
        shutil.copy(sample("good"), wav)
        page = os.path.join(d, "practice.html")
        r = run(["--html", page, wav])
        expect(r.rc in (0, 1) and os.path.isfile(page), r.describe())
        want = "not checked - put your prepared text in practice.txt beside practice.wav (or use --script)"
        got = figure_rows(page).get("Name")
        expect(got == want, "Name row %r, want %r" % (got, want))
        shutil.copy(os.path.join(harness.SAMPLES, "good.txt"), os.path.join(d, "practice.txt"))
        r = run(["--html", page, wav])
        got = figure_rows(page).get("Name", "")
        expect("not checked" not in got and "from the script" in got, "Name row with the script: %r" % got)
    check("no labels, no script: the page says the name was not checked", name_unchecked)


def main():
    rc = harness.setup(60)
    if rc is not None:
        return rc
    tmp = tempfile.mkdtemp(prefix="vmcheck-html-")
    try:
        spans_checks(tmp)
        edge_checks(tmp)
        audio_check(tmp)
        hostile_checks(tmp)
        atomic_checks(tmp)
        cohort_checks(tmp)
        unchecked_checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())

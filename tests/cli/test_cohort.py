#!/usr/bin/env python3
"""A trainer's cohort, end to end (issue 18): each trainee's own baseline
found by convention, progress from take to take, the one-baseline warning,
a broken baseline, and a shared baseline analysed once.

The cohort is generated (tests/cli/cohort.py): three espeak-ng voices at
different pitches, each with baseline.wav and three takes whose number
slows down from take to take; a take is the trainee's voice shifted 2
semitones up with sox `pitch 200`.  Skipped without espeak-ng or sox.

Usage: test_cohort.py --vmcheck PATH --samples DIR
"""
import csv
import io
import os
import re
import shutil
import sys
import tempfile
import wave
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cohort  # noqa: E402
from harness import (R, CheckFailed, check, expect, loads, no_crash, parse_json, run, setup,  # noqa: E402
                     summary)


def jsonl(r):
    try:
        return [loads(l) for l in r.out.splitlines() if l.strip()]
    except ValueError as e:
        raise CheckFailed("not JSONL (%s): %s" % (e, r.describe()))


def copy_tree(src, dst, skip=()):
    shutil.copytree(src, dst, ignore=lambda d, names: [n for n in names if n in skip])
    return dst


def progress_rows(text, folder):
    """The take rows of folder's progress section: [(take, date, number_rate, file)]."""
    m = re.search(r"^%s: (\d+) takes?, (.*)$" % re.escape(folder), text, re.M)
    if not m:
        raise CheckFailed("no progress section for %s in:\n%s" % (folder, text[-3000:]))
    rest = text[m.end():].split("\n\n")[0]
    rows = []
    for line in rest.splitlines():
        t = re.match(r"^\s+(\d+)\s+(\d{4}-\d\d-\d\d(?: \d\d:\d\d)?)\s+([\d.]+) (?:TOO FAST|ok)\s.*\s(\S+\.wav)", line)
        if t:
            rows.append((int(t.group(1)), t.group(2), float(t.group(3)), t.group(4)))
    change = re.search(r"^\s+change: (.*)$", rest, re.M)
    return m.group(2), rows, change.group(1) if change else ""


def main():
    rc = setup(120)
    if rc is not None:
        return rc
    if not cohort.have_tools():
        print("skip - all: espeak-ng or sox missing")
        print("0 passed, 0 failed, 1 skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="vmcheck-cohort-")
    try:
        return checks(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def checks(tmp):
    root = os.path.join(tmp, "cohort")
    takes = cohort.make(root)
    folders = [f for f, _, _, _ in cohort.TRAINEES]

    # ---- each take against its own trainee's baseline
    r = run(["-j", "2", "--format", "jsonl", "cohort"], cwd=tmp)
    st = {}

    def own_baseline():
        no_crash(r)
        expect(r.rc == 1, "want exit 1 (the rushed numbers are errors), got %d: %s" % (r.rc, r.describe()))
        docs = jsonl(r)
        st["docs"] = docs
        expect(len(docs) == 9, "want 9 takes (baselines are not takes), got %d: %r"
               % (len(docs), [d.get("file") for d in docs]))
        bad = []
        for d in docs:
            folder = d["file"].split("/")[1]
            base = d["pitch"].get("baseline") or {}
            lift = d["pitch"]["lift_st"]
            if base.get("path") != "cohort/%s/baseline.wav" % folder:
                bad.append("%s: baseline %r" % (d["file"], base))
            if lift is None or abs(lift - 2.0) > 0.3:
                bad.append("%s: lift_st %r, want 2 +- 0.3" % (d["file"], lift))
            if not (isinstance(base.get("median_hz"), (int, float)) and 60 < base["median_hz"] < 300):
                bad.append("%s: baseline median %r" % (d["file"], base.get("median_hz")))
        expect(not bad, "; ".join(bad))
        f0 = {d["file"].split("/")[1]: d["pitch"]["baseline"]["median_hz"] for d in docs}
        # three different voices: their baselines differ by over a semitone
        vals = sorted(f0.values())
        expect(all(b / a > 1.06 for a, b in zip(vals, vals[1:])), "the baselines' F0 are not distinct: %r" % f0)
        R.note("lift_st: %s" % ", ".join("%s %.2f" % (d["file"], d["pitch"]["lift_st"]) for d in docs))
    check("each take's lift_st against its own trainee's baseline: 2 +- 0.3 st; pitch.baseline names it", own_baseline)

    def jsonl_progress():
        docs = st.get("docs") or jsonl(r)
        got = [(d["file"], d.get("trainee"), d.get("take_index"), d.get("take_date_from")) for d in docs]
        want = [(os.path.relpath(p, tmp), "cohort/" + f, k + 1, "file name")
                for f in folders for k, p in enumerate(takes[f])]
        expect(got == want, "trainee/take_index %r, want %r" % (got, want))
    check("JSONL: trainee and take_index (take order by the date in the file name)", jsonl_progress)

    # ---- the text report's progress section, dates in the file names
    def text_by_name():
        r = run(["-j", "2", "cohort"], cwd=tmp)
        no_crash(r)
        for f in folders:
            order, rows, change = progress_rows(r.out, "cohort/" + f)
            expect("file names" in order, "%s: the order is not said to come from the file names: %r" % (f, order))
            expect([x[0] for x in rows] == [1, 2, 3], "%s: takes %r" % (f, rows))
            expect([x[3] for x in rows] == [os.path.relpath(p, tmp) for p in takes[f]],
                   "%s: files out of date order: %r" % (f, rows))
            expect([x[1] for x in rows] == cohort.DATES, "%s: dates %r" % (f, rows))
            rates = [x[2] for x in rows]
            expect(rates[0] > rates[1] > rates[2], "%s: the number does not slow take to take: %r" % (f, rates))
            m = re.match(r"number ([\d.]+) -> ([\d.]+) syllables/s, now ok", change)
            expect(m and float(m.group(1)) == rates[0] and float(m.group(2)) == rates[2],
                   "%s: change line %r (rates %r)" % (f, change, rates))
            expect(re.search(r"lift \+[\d.]+ -> \+[\d.]+ semitones", change), "%s: no lift in %r" % (f, change))
            expect(re.search(r"score \d+ -> \d+", change), "%s: no score in %r" % (f, change))
        expect(r.out.index("Progress by trainee") < r.out.index("Summary of 9 files"),
               "the progress section is not before the summary")
        expect("warning" not in r.out and "warning" not in r.err, "a one-baseline warning without --baseline")
    check("text: a progress section per trainee, takes in file-name date order, change first -> latest",
          text_by_name)

    # ---- the same takes without dates: ordered by modification time
    nodate = os.path.join(tmp, "nodate")
    os.mkdir(nodate)
    for f in folders:
        d = os.path.join(nodate, f)
        os.mkdir(d)
        shutil.copyfile(os.path.join(root, f, "baseline.wav"), os.path.join(d, "baseline.wav"))
        for k, p in enumerate(takes[f]):
            stem = "take-%s" % "cba"[k]  # name order is the reverse of time order
            q = os.path.join(d, stem + ".wav")
            shutil.copyfile(p, q)
            shutil.copyfile(p[:-4] + ".labels.txt", os.path.join(d, stem + ".labels.txt"))
            t = 1_770_000_000 + k * 7 * 86400
            os.utime(q, (t, t))

    def text_by_mtime():
        r = run(["-j", "2", "nodate"], cwd=tmp)
        no_crash(r)
        for f in folders:
            order, rows, change = progress_rows(r.out, "nodate/" + f)
            expect("modified" in order, "%s: the order is not said to come from modification times: %r" % (f, order))
            expect([os.path.basename(x[3]) for x in rows] == ["take-c.wav", "take-b.wav", "take-a.wav"],
                   "%s: takes not in modification-time order: %r" % (f, rows))
            expect(all(x[1] for x in rows), "%s: no dates: %r" % (f, rows))
            rates = [x[2] for x in rows]
            expect(rates[0] > rates[1] > rates[2], "%s: the number does not slow take to take: %r" % (f, rates))
            expect(change.startswith("number %.1f -> %.1f syllables/s, now ok" % (rates[0], rates[2])),
                   "%s: change %r" % (f, change))
    check("text: takes without a date in the name are ordered by modification time, said so", text_by_mtime)

    def csv_columns():
        r = run(["-j", "2", "--format", "csv", "nodate"], cwd=tmp)
        no_crash(r)
        rows = list(csv.reader(io.StringIO(r.out, newline=""), strict=True))
        expect(rows[0][-2:] == ["trainee", "take"], "header %r" % rows[0])
        got = [(x[0], x[-2], x[-1]) for x in rows[1:]]
        want = [("nodate/%s/take-%s.wav" % (f, n), "nodate/" + f, str(3 - i)) for f in folders
                for i, n in enumerate("abc")]
        expect(got == want, "rows %r, want %r" % (got, want))
    check("CSV: trainee and take columns", csv_columns)

    def no_progress_for_one_take_each():
        d = os.path.join(tmp, "single")
        for f in folders[:2]:
            os.makedirs(os.path.join(d, f))
            shutil.copyfile(takes[f][0], os.path.join(d, f, "take.wav"))
        r = run(["--format", "csv", "single"], cwd=tmp)
        no_crash(r)
        expect(r.out.split("\r\n")[0].endswith(",score"), "progress columns without a cohort: %r" % r.out[:300])
        r = run(["--progress", "--format", "csv", "single"], cwd=tmp)
        expect(r.out.split("\r\n")[0].endswith(",trainee,take"), "--progress gives no columns: %r" % r.out[:300])
    check("progress only for a cohort (several takes per trainee) or with --progress", no_progress_for_one_take_each)

    # ---- --baseline for the whole batch: the warning only for several trainees
    plain = os.path.join(tmp, "plain")
    os.mkdir(plain)
    for f in folders[:2]:
        os.mkdir(os.path.join(plain, f))
        for p in takes[f][:2]:
            shutil.copyfile(p, os.path.join(plain, f, os.path.basename(p)))
    one = os.path.join(root, "anna", "baseline.wav")

    def warning_several():
        r = run(["--baseline", one, "plain"], cwd=tmp)
        no_crash(r)
        werr = [l for l in r.err_lines() if "warning" in l]
        wout = [l for l in r.out.splitlines() if "warning" in l]
        expect(len(werr) == 1 and "2 trainee folders" in werr[0] and one in werr[0],
               "stderr warnings %r: %s" % (werr, r.describe()))
        expect(len(wout) == 1 and "one baseline" in wout[0], "text report warnings %r" % wout)
        r = run(["--format", "jsonl", "--baseline", one, "plain"], cwd=tmp)
        docs = jsonl(r)
        expect(all(d["pitch"]["baseline"]["path"] == one for d in docs), "baselines %r"
               % [d["pitch"]["baseline"] for d in docs])
        expect(len([l for l in r.err_lines() if "warning" in l]) == 1, "JSONL run: %s" % r.describe())
    check("--baseline for several trainee folders: one warning, in the text report and on stderr", warning_several)

    def warning_one():
        r = run(["--baseline", one, os.path.join("plain", folders[1])], cwd=tmp)
        no_crash(r)
        expect("warning" not in r.err and "warning" not in r.out, "a warning for one trainee: %s" % r.describe())
        r = run(["--baseline", one, "cohort"], cwd=tmp)  # every trainee has their own: --baseline serves nobody
        expect("warning" not in r.err and "warning" not in r.out, "a warning when each has their own: %s"
               % r.describe())
    check("no one-baseline warning for one trainee, nor when each trainee has their own", warning_one)

    # ---- a broken baseline: named, the other trainees still scored
    broken = copy_tree(root, os.path.join(tmp, "broken"))
    with open(os.path.join(broken, "ben", "baseline.wav"), "w") as f:
        f.write("this is not audio\n")

    def broken_baseline():
        r = run(["-j", "2", "--format", "jsonl", "broken"], cwd=tmp)
        no_crash(r)
        expect(r.rc == 2, "want exit 2 (a file failed), got %d" % r.rc)
        docs = jsonl(r)
        expect(len(docs) == 9, "want 9 rows, got %d" % len(docs))
        for d in docs:
            if "/ben/" in d["file"]:
                expect(d["ok"] is False and "broken/ben/baseline.wav" in d["error"], "ben's take: %r" % d)
            else:
                expect(d["ok"] is True and abs(d["pitch"]["lift_st"] - 2.0) <= 0.3, "other take: %r" % d)
        lines = r.err_lines()
        expect(len(lines) == 3 and all("broken/ben/baseline.wav" in l and "/ben/" in l.split(": ")[1] for l in lines),
               "stderr %r" % lines)
    check("a broken baseline is named in its trainee's errors; the other trainees are scored; exit 2", broken_baseline)

    def silent_baseline():
        d = copy_tree(os.path.join(root, "chloe"), os.path.join(tmp, "silent"))
        with wave.open(os.path.join(d, "baseline.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(b"\0\0" * 32000)
        r = run(["silent"], cwd=tmp)
        no_crash(r)
        expect(r.rc == 2, "want exit 2, got %d" % r.rc)
        lines = r.err_lines()
        expect(len(lines) == 3 and all("silent/baseline.wav" in l and "no voiced speech" in l for l in lines),
               "stderr %r" % lines)
    check("a baseline with no voiced speech is an error naming it", silent_baseline)

    # ---- baselines are never takes
    def never_takes():
        names = [os.path.join("cohort", f, n) for f in folders for n in sorted(os.listdir(os.path.join(root, f)))
                 if n.endswith(".wav")]
        r = run(["--format", "jsonl"] + names, cwd=tmp)  # as a shell's cohort/*/*.wav gives them
        docs = jsonl(r)
        expect(len(docs) == 9 and not any("baseline" in d["file"] for d in docs),
               "files %r" % [d["file"] for d in docs])
        r = run([os.path.join("cohort", "anna", "baseline.wav")], cwd=tmp)
        expect(r.rc == 2 and "baseline recording" in r.err, "a baseline alone: %s" % r.describe())
        r = run(["--format", "csv", "-o", os.path.join("cohort", "anna", "baseline.wav"), "cohort"], cwd=tmp)
        expect(r.rc == 2 and "refusing" in r.err, "-o onto a baseline: %s" % r.describe())
        expect(os.path.getsize(os.path.join(root, "anna", "baseline.wav")) > 1000, "the baseline was overwritten")
    check("baselines are never scored as takes (walked or named); -o onto one is refused", never_takes)

    def name_baseline():
        d = os.path.join(tmp, "own")
        os.mkdir(d)
        # take.baseline.wav beside take.wav wins over baseline.wav in the folder
        shutil.copyfile(takes["ben"][0], os.path.join(d, "x.wav"))
        shutil.copyfile(os.path.join(root, "ben", "baseline.wav"), os.path.join(d, "x.baseline.wav"))
        shutil.copyfile(os.path.join(root, "anna", "baseline.wav"), os.path.join(d, "baseline.wav"))
        shutil.copyfile(takes["anna"][0], os.path.join(d, "y.wav"))
        r = run(["--json", "own"], cwd=tmp)
        docs = {x["file"]: x for x in parse_json(r)}
        expect(docs["own/x.wav"]["pitch"]["baseline"]["path"] == "own/x.baseline.wav", "x: %r" % docs["own/x.wav"])
        expect(docs["own/y.wav"]["pitch"]["baseline"]["path"] == "own/baseline.wav", "y: %r" % docs["own/y.wav"])
        for x in docs.values():
            expect(abs(x["pitch"]["lift_st"] - 2.0) <= 0.3, "%s: lift %r" % (x["file"], x["pitch"]["lift_st"]))
        r = run(["--json", "--no-sidecar", "own"], cwd=tmp)
        expect(all(x["pitch"]["baseline"] is None for x in parse_json(r)), "--no-sidecar still finds baselines")
    check("NAME.baseline.EXT beside a take wins over baseline.EXT in its folder; --no-sidecar ignores both",
          name_baseline)

    # ---- one baseline, 50 takes: analysed once
    def shared_once():
        d = os.path.join(tmp, "fifty", "anna")
        os.makedirs(d)
        shutil.copyfile(os.path.join(root, "anna", "baseline.wav"), os.path.join(d, "baseline.wav"))
        # one more path to the same file (a hard link named for one take): still the same baseline
        os.link(os.path.join(d, "baseline.wav"), os.path.join(d, "take-00.baseline.wav"))
        src = takes["anna"][2]
        for k in range(50):
            os.link(src, os.path.join(d, "take-%02d.wav" % k))
        r = run(["-j", "2", "--verbose", "--format", "jsonl", "fifty"], cwd=tmp)
        no_crash(r)
        docs = jsonl(r)
        expect(len(docs) == 50 and all(x["ok"] and x["pitch"]["lift_st"] is not None for x in docs),
               "want 50 takes with a lift: %s" % r.describe())
        lines = [l for l in r.err_lines() if "analysed baseline" in l]
        expect(len(lines) == 1 and "for 50 takes" in lines[0], "baseline analyses %r" % lines)
        R.note(lines[0])
    check("a baseline shared by 50 takes (by two names) is analysed once", shared_once)

    # ---- the cohort page: a chart per trainee
    def html_chart():
        page = os.path.join(tmp, "cohort.html")
        r = run(["-q", "--html", page, "--html-audio", "none", "cohort"], cwd=tmp)
        no_crash(r)
        tree = ET.parse(page)
        figs = [e for e in tree.iter() if e.tag.endswith("figure") and e.get("class") == "trainee"]
        expect([e.get("data-trainee") for e in figs] == ["cohort/" + f for f in folders],
               "charts %r" % [e.get("data-trainee") for e in figs])
        for e in figs:
            svg = [x for x in e.iter() if x.tag.endswith("svg")][0]
            expect(svg.get("data-limit") == "3.5", "limit %r" % svg.get("data-limit"))
            expect(any(x.tag.endswith("line") and x.get("class") == "limit-number" for x in svg.iter()),
                   "no limit line")
            pts = [x for x in svg.iter() if x.tag.endswith("circle")]
            rates = [float(x.get("data-rate")) for x in pts]
            expect([x.get("data-take") for x in pts] == ["1", "2", "3"] and rates[0] > rates[1] > rates[2],
                   "points %r" % [(x.get("data-take"), x.get("data-rate")) for x in pts])
            # the slower take is drawn lower (SVG y grows downwards)
            ys = [float(x.get("cy")) for x in pts]
            expect(ys[0] < ys[1] < ys[2], "y %r" % ys)
    check("HTML cohort page: a number-rate chart per trainee, the limit drawn, takes in order", html_chart)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

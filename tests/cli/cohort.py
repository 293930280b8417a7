"""A synthetic cohort for the trainer's tests (test_cohort.py) and for trying
vmcheck as a trainer would (python3 tests/cli/cohort.py DIR).

Three trainees, three espeak-ng voices at different pitches.  Each has a
baseline (their ordinary voice: the message at an easy pace) and three
takes in which the phone number slows from take to take (espeak-ng's rate
for the digits 330, 200, 110 words a minute).  A take is the same voice
shifted 2 semitones up with sox `pitch 200`, so its lift against its own
trainee's baseline is +2 st.  Each take has a label track beside it
(NAME.labels.txt) marking the name and the number exactly: they are spoken
as separate pieces and joined, so their times are known by construction.

Standard library only; needs espeak-ng and sox.
"""
import os
import shutil
import subprocess
import sys
import wave

# (folder, espeak-ng voice, pitch 0-99, the trainee's name)
TRAINEES = [
    ("anna", "en-us", 70, "Anna Smith"),
    ("ben", "en-gb", 25, "Ben Jones"),
    ("chloe", "en-gb-x-rp", 50, "Chloe Brown"),
]
NUMBER_WPM = [330, 200, 110]  # take 1 rushed, take 3 slow
BASELINE_WPM = 160
DATES = ["2026-03-02", "2026-03-09", "2026-03-16"]
RATE_HZ = 16000


def have_tools():
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def _run(argv):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _say(path, voice, pitch, wpm, text):
    raw = path + ".raw.wav"
    _run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(wpm), "-w", raw, text])
    _run(["sox", raw, "-r", str(RATE_HZ), "-c", "1", "-b", "16", path])
    os.unlink(raw)


def _seconds(path):
    with wave.open(path, "rb") as w:
        return w.getnframes() / float(w.getframerate())


def message(out, tmp, voice, pitch, name, number_wpm, shift_cents):
    """The message to out (16 kHz WAV), spoken in pieces; returns the label
    track (name and number spans, seconds)."""
    pieces = [
        ("intro", BASELINE_WPM, "Hello, it's"),
        ("name", BASELINE_WPM, name),
        ("mid", BASELINE_WPM, "from the garden centre. Please call me back on"),
        ("number", number_wpm, "oh seven seven, oh oh, nine oh oh, one two three"),
        ("outro", BASELINE_WPM, "Thanks very much, bye."),
    ]
    files, spans, t = [], {}, 0.0
    for tag, wpm, text in pieces:
        p = os.path.join(tmp, "%s-%s.wav" % (os.path.basename(out), tag))
        _say(p, voice, pitch, wpm, text)
        d = _seconds(p)
        if tag in ("name", "number"):
            spans[tag] = (t, t + d)
        t += d
        files.append(p)
    joined = os.path.join(tmp, os.path.basename(out) + ".joined.wav")
    _run(["sox"] + files + [joined])
    if shift_cents:
        _run(["sox", joined, out, "pitch", str(shift_cents)])
    else:
        shutil.copyfile(joined, out)
    for p in files + [joined]:
        os.unlink(p)
    return "%.6f\t%.6f\tname\n%.6f\t%.6f\tnumber\n" % (spans["name"] + spans["number"])


def make(root, dated=True, trainees=None):
    """The cohort under root: root/NAME/baseline.wav and three takes each,
    named by date (dated) or take-a/b/c.wav (no date; modification times
    then give the order: a is newest, c oldest, so name order is wrong).
    Returns {folder: [take paths in time order]}."""
    tmp = os.path.join(root, ".gen")
    os.makedirs(tmp, exist_ok=True)
    out = {}
    for folder, voice, pitch, name in trainees or TRAINEES:
        d = os.path.join(root, folder)
        os.makedirs(d, exist_ok=True)
        message(os.path.join(d, "baseline.wav"), tmp, voice, pitch, name, BASELINE_WPM, 0)
        takes = []
        for k, wpm in enumerate(NUMBER_WPM):
            stem = ("%s-%s" % (DATES[k], folder)) if dated else "take-%s" % "cba"[k]
            p = os.path.join(d, stem + ".wav")
            labels = message(p, tmp, voice, pitch, name, wpm, 200)
            with open(os.path.join(d, stem + ".labels.txt"), "w") as f:
                f.write(labels)
            takes.append(p)
        if not dated:
            # take 1 (take-c) the oldest: a week apart
            base = 1_770_000_000
            for k, p in enumerate(takes):
                os.utime(p, (base + k * 7 * 86400, base + k * 7 * 86400))
        out[folder] = takes
    shutil.rmtree(tmp)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2 or not have_tools():
        sys.exit("usage: cohort.py DIR   (needs espeak-ng and sox)")
    for folder, takes in make(sys.argv[1]).items():
        print(folder, " ".join(os.path.basename(t) for t in takes))

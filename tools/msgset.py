"""Message set for tools/bench-segments: answer-phone messages with the caller's
NAME and PHONE NUMBER at known times, spoken slowly or rushed.

Builds (once) and caches under /tmp/vmcheck-msgset (override with the
environment variable VMCHECK_MSGSET) 80 base messages x 4 conditions:

  * 60 "synthetic" messages: every phrase synthesised (espeak-ng or flite,
    one voice per message);
  * 20 "fsdd" messages: the same, except that the NUMBER is made of real
    spoken digits from the Free Spoken Digit Dataset (one speaker per number;
    CC BY-SA 4.0 -- the set lives in /tmp only and is never committed).

A message is greeting + NAME ("Hi Sarah, it's | Matthew Mewse | from
Northwind Supplies."), one or two reason sentences, a lead-in ("Could you
call me back on") + NUMBER, sometimes the number again ("That's" + NUMBER),
sometimes the name again ("Once again, it's" + NAME), and a sign-off.
Every phrase is synthesised on its own, trimmed at -60 dBFS (sox silence
0.1 %) and joined with gaps of known length, so the label times are exact
(sample counts at 16 kHz).

Pace design (checked after synthesis; the speaking speed is adjusted, and
`sox tempo` used as a last resort, until the design holds):
  NAME   slow:   espeak -s 110-140 / flite stretch 1.4-1.8   -> <= 3.2 syl/s
         rushed: espeak -s 220-280 / flite stretch 0.5-0.65  -> 5.5-9 syl/s
                 (only names of 3 or more syllables are rushed)
  NUMBER slow:   digit groups as separate phrases ("oh, seven, seven, oh, oh"),
                 0.3-0.6 s between groups -> 1.5-2.3 digits/s and <= 3.0 syl/s
         fast:   one phrase, no commas, espeak -s 200-260 / flite stretch
                 0.55-0.7 -> >= 4.2 digits/s (so >= 4.2 syl/s)
  FSDD   slow:   digits joined with 0.05-0.15 s gaps inside a group and
                 0.3-0.6 s between groups (1.5-2.3 digits/s; sox tempo if the
                 speaker is too slow or too fast for that)
         fast:   0-0.03 s gaps, then `sox tempo -s` to >= 4.2 digits/s
Syllables: digits zero=2, oh=1, seven=2, others 1, "plus"=1 (for "+44" said
"plus four four"); FSDD's 0 is counted as "zero" (2).  Names: counted by hand
(NAMES below); each name's count was checked against the phone strings of
espeak-ng (en-us, en-gb) and flite (kal, slt), and names where they disagreed
were left out.  Build also re-checks every name and number phrase against the
phones of the voice that said it and lists disagreements in the notes.
Truth verdicts: syllables / segment duration against 4.0 (name) and 3.5
(number) syllables/s; a message whose verdict disagrees with its design is
dropped (listed in the notes).

Conditions (every message): clean (16 kHz PCM16); telephone (sox sinc
300-3400, 8 kHz 8-bit mu-law); noisy (pink noise at 12-18 dB SNR re the
speech RMS); quiet (speech RMS -40 dBFS).
Split: messages msg00-msg79 by base message, 1/3 "tune", 2/3 "test",
stratified by (group, number pace, name pace); all conditions of a message
are in the same split.  msg80-msg159 (60 TTS, 20 FSDD, added when the first
tune split proved too small to choose costs on) are all "tune": the held-out
"test" messages are unchanged by them.

Files per item, in CACHE/msg/: ID.wav, ID.labels.txt (Audacity labels,
`start<TAB>end<TAB>name|number`), ID.txt (the script: exactly what is said,
in a variety of written styles), ID.truth.json; CACHE/items.json lists all
items with their truth; CACHE/SUMMARY.txt describes the set.

Everything is deterministic (fixed seeds, sox -D -R).  The cache is rebuilt
when missing, incomplete or built by a different version of this file.

    python3 tools/msgset.py [--rebuild] [--notes]    build (if needed) and describe
"""

import array
import hashlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

CACHE = os.environ.get("VMCHECK_MSGSET", "/tmp/vmcheck-msgset")
FSDD = os.environ.get("VMCHECK_FSDD", "/work/shared/corpus/fsdd")
BUILD_VERSION = 1

SR = 16000
N_SYNTH = 60
N_FSDD = 20
# More tuning messages (msg80-msg159, added later): always in "tune", so the
# held-out "test" messages above stay exactly as they were.
N_EXTRA_SYNTH = 60
N_EXTRA_FSDD = 20
N_ALL = N_SYNTH + N_FSDD + N_EXTRA_SYNTH + N_EXTRA_FSDD
CONDITIONS = ("clean", "telephone", "noisy", "quiet")
SPLIT_SEED = 5150
MSG_SEED = 7300
COND_SEED = 9400
QUIET_DBFS = -40.0
SNR_RANGE = (12.0, 18.0)
NOISE_FLOOR_DBFS = -70.0
TRIM_THR = "0.1%"
JOBS = 2

LIMIT_NAME = 4.0        # vmcheck defaults, syllables/s
LIMIT_NUMBER = 3.5

# Design bounds (see the docstring).
NAME_SLOW_MAX = 3.2
NAME_RUSHED_MIN = 5.5
NAME_RUSHED_MAX = 9.0          # faster than people can say a name
NUM_SLOW_PACE = (1.5, 2.3)       # digits/s
NUM_SLOW_SYL_MAX = 3.0
NUM_FAST_PACE_MIN = 4.2          # digits/s
NUM_FAST_PACE_MAX = 7.0

# (name, syllables counted by hand)
NAMES = [
    ("Tom Reed", 2), ("John Smith", 2), ("Kate Brown", 2), ("Paul Hughes", 2),
    ("Matthew Mewse", 3), ("Emma Clarke", 3), ("James Walker", 3), ("Mark Cooper", 3),
    ("Steven Ward", 3), ("Hannah Price", 3), ("Grace Whitman", 3), ("Florence Tate", 3),
    ("Lucy Turner", 4), ("Helen Parker", 4), ("Peter Collins", 4), ("Robert Carter", 4),
    ("Rachel Foster", 4), ("Michael Thompson", 4), ("Christopher Bell", 4),
    ("Nicholas Webb", 4), ("Oliver Dunn", 4), ("Simon Baxter", 4),
    ("Jessica Morgan", 5), ("Jennifer Lawson", 5), ("Alexander Grant", 5),
    ("Amanda Fletcher", 5), ("Benjamin Harper", 5),
    ("Rebecca Holloway", 6), ("Elizabeth Porter", 6), ("Samantha Kennedy", 6),
    # unusual ones
    ("Bronwen Pugh", 3), ("Zebedee Clough", 4), ("Mehmet Yilmaz", 4),
    ("Quentin Fairfax", 4), ("Magnus Eklund", 4), ("Jemima Platt", 4),
    ("Archibald Finch", 4), ("Barnaby Rudge", 4), ("Bartholomew Quince", 5),
    ("Ebenezer Tidd", 5), ("Lysander Pocock", 5), ("Cosmo Fennimore", 5),
    ("Anastasia Brook", 5),
]

GREETINGS = ["Hi Sarah, it's", "Hello Sarah, this is", "Hi Sarah, my name is", "Hi Sarah, I'm",
             "Good morning Sarah, it's", "Hi Sarah, this is"]
ORGS = ["from Northwind Supplies.", "from the dental practice.", "from Harbour Lettings.",
        "from Greenfield Garage.", "from the library.", "from Brightside Insurance."]
REASONS = [
    "I'm calling about the order you placed last week.",
    "I wanted to ask about the invoice you sent on Monday.",
    "Your car is ready to be picked up.",
    "I have a quick question about the flat on Mill Lane.",
    "We need to move Thursday's meeting to Friday morning.",
    "Your parcel has arrived at our depot.",
    "I'm returning your call from this morning.",
    "It's about the quote for the new kitchen.",
    "The tickets you asked about are available again.",
    "I'd like to book a viewing for next week, if that suits you.",
    "We've had a cancellation, so there's an earlier slot on Tuesday.",
    "There's a small problem with the delivery address.",
]
REASONS2 = ["It won't take long.", "Nothing urgent.", "Any time after lunch is fine.",
            "I'm in the office until six.", "Sorry to miss you."]
NUMBER_LEADS = [("Could you call me back on", "?"), ("You can reach me on", "."),
                ("My number is", "."), ("Please call me back at", "."),
                ("The best number to reach me is", "."), ("Give me a ring on", ".")]
REPEAT_LEADS = ["That's", "Again, that's"]
NAME_REPEAT_LEADS = ["Once again, it's", "Again, this is"]
SIGNOFFS = ["Thanks, bye.", "Thank you, speak soon.", "Cheers, bye for now.",
            "Have a lovely day, bye.", "Many thanks, goodbye."]

DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
WORD_SYL = {"zero": 2, "oh": 1, "seven": 2, "plus": 1}

ESPEAK_VOICES = ["en-us", "en-gb", "en-gb+f3", "en-us+m3", "en-gb-x-rp", "en+f2"]
FSDD_SPEAKERS = ["george", "jackson", "lucas", "nicolas", "yweweler"]

# Vowel phonemes for the phone-based cross-check of syllable counts.
ESPEAK_VOWEL_START = set("aeiouAEIOUV03@")
FLITE_VOWELS = {"aa", "ae", "ah", "ao", "aw", "ax", "axr", "ay", "eh", "er", "ey", "ih",
                "iy", "ow", "oy", "uh", "uw"}


def _source_key():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16] + "-v%d" % BUILD_VERSION


# ---------------------------------------------------------------------------
# small helpers

def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr))
    return r


# WAV helpers shared with the rate evaluation set
from evalset import flite_voices, load_cached, of_split, read_wav, to_int16, write_wav  # noqa: E402


def rms(a):
    return math.sqrt(sum(v * v for v in a) / len(a)) if len(a) else 0.0


def db(x):
    return 20 * math.log10(x) if x > 0 else -999.0


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def word_syllables(words):
    return sum(WORD_SYL.get(w, 1) for w in words)


# ---------------------------------------------------------------------------
# synthesis

def phone_syllables(engine, voice, text):
    """Vowel count of the engine's own phone string for text (a cross-check)."""
    if engine == "espeak-ng":
        out = run(["espeak-ng", "-q", "-x", "--sep=_", "-v", voice, text]).stdout
        n = 0
        for word in out.split():
            for p in word.split("_"):
                p = p.lstrip("',;")
                if p and p[0] in ESPEAK_VOWEL_START:
                    n += 1
        return n
    out = run(["flite", "-voice", voice, "-ps", "-t", text, "-o", "none"]).stdout
    return sum(1 for p in out.split() if p in FLITE_VOWELS)


class Synth:
    """One voice; phrases are synthesised to 16 kHz int16 arrays, trimmed."""

    def __init__(self, engine, voice, pitch, tmpdir):
        self.engine, self.voice, self.pitch, self.tmp = engine, voice, pitch, tmpdir
        self.n = 0
        self.cache = {}

    def phrase(self, text, speed, tempo=1.0):
        """speed: espeak words/min, or flite duration_stretch."""
        key = (text, round(speed, 4), round(tempo, 4))
        if key in self.cache:
            return self.cache[key]
        self.n += 1
        raw = os.path.join(self.tmp, "raw%d.wav" % self.n)
        out = os.path.join(self.tmp, "ph%d.wav" % self.n)
        if self.engine == "espeak-ng":
            run(["espeak-ng", "-v", self.voice, "-s", str(int(round(speed))), "-p", str(self.pitch),
                 "-w", raw, "--", text])
        else:
            run(["flite", "-voice", self.voice, "--setf", "duration_stretch=%.4f" % speed,
                 "-t", text, "-o", raw])
        cmd = ["sox", "-D", "-R", raw, "-r", str(SR), "-b", "16", "-c", "1", "-e", "signed-integer", out]
        if abs(tempo - 1.0) > 1e-6:
            cmd += ["tempo", "-s", "%.4f" % tempo]
        cmd += ["silence", "1", "0.01", TRIM_THR, "reverse", "silence", "1", "0.01", TRIM_THR, "reverse"]
        run(cmd)
        _, a = read_wav(out)
        os.remove(raw)
        os.remove(out)
        if len(a) < SR // 20:
            raise RuntimeError("phrase %r (%s %s) trimmed to %d samples" % (text, self.engine, self.voice, len(a)))
        self.cache[key] = a
        return a

    def faster(self, speed, factor):
        """Speed parameter for a factor times faster speech (clamped)."""
        if self.engine == "espeak-ng":
            return min(450.0, max(80.0, speed * factor))
        return min(2.5, max(0.3, speed / factor))

    def at_limit(self, speed):
        if self.engine == "espeak-ng":
            return speed <= 80.0 or speed >= 450.0
        return speed <= 0.3 or speed >= 2.5


def fit(measure, speed, tempo, want, synth, note, max_iter=8):
    """Adjust (speed, tempo) until want(measure(speed, tempo)) is 0.
    want(x) returns the factor by which the speech should become faster (>1)
    or slower (<1), or 0 when x is within the design."""
    x = measure(speed, tempo)
    for _ in range(max_iter):
        f = want(x)
        if not f:
            return speed, tempo, x
        new = synth.faster(speed, f)
        if abs(new - speed) > 1e-6 and not synth.at_limit(speed):
            speed = new
            note.append("speed->%.3g" % speed)
        else:
            tempo = max(0.5, min(3.0, tempo * f))
            note.append("tempo->%.3g" % tempo)
        x = measure(speed, tempo)
    if want(x):
        raise RuntimeError("cannot fit the design: %r" % (x,))
    return speed, tempo, x


# ---------------------------------------------------------------------------
# numbers

def make_number(rng, fsdd):
    """A fictional phone number: dict with digits, spoken groups, written forms."""
    uk = rng.random() < 0.55
    plus44 = False
    if uk:
        kind = rng.choice(["mobile", "london", "manchester", "drama"])
        tail = "".join(rng.choice("0123456789") for _ in range(3))
        if kind == "mobile":
            digits = "07700900" + tail
            canon = [digits[:5], digits[5:]]
            groupings = [[5, 3, 3], [5, 6]]
        elif kind == "london":
            digits = "02079460" + tail
            canon = [digits[:3], digits[3:7], digits[7:]]
            groupings = [[3, 4, 4]]
        elif kind == "manchester":
            digits = "01614960" + tail
            canon = [digits[:4], digits[4:7], digits[7:]]
            groupings = [[4, 3, 4], [4, 7]]
        else:
            digits = "01632960" + tail
            canon = [digits[:5], digits[5:]]
            groupings = [[5, 3, 3], [5, 6]]
        sizes = rng.choice(groupings)
        if not fsdd and kind in ("mobile", "london") and rng.random() < 0.45:
            plus44 = True
    else:
        area = rng.choice(["415", "212", "312", "617", "206", "303", "512"])
        digits = area + "55501" + "".join(rng.choice("0123456789") for _ in range(2))
        canon = [digits[:3], digits[3:6], digits[6:]]
        sizes = [3, 3, 4]
        kind = "us"
    # spoken groups of digit characters
    if plus44:
        rest = digits[1:]
        if kind == "mobile":
            groups = ["+44", rest[:4], rest[4:]]
            canon = ["+44", rest[:4], rest[4:]]
        else:
            groups = ["+44", rest[:2], rest[2:6], rest[6:]]
            canon = ["+44", rest[:2], rest[2:6], rest[6:]]
    else:
        groups, i = [], 0
        for s in sizes:
            groups.append(digits[i:i + s])
            i += s
    # how 0 is said
    if fsdd:
        zero_style = "zero"
    else:
        r = rng.random()
        oh_p = 0.7 if uk else 0.5
        zero_style = "oh" if r < oh_p else ("zero" if r < 0.9 else "mixed")
    words = []
    for g in groups:
        w = []
        for ch in g:
            if ch == "+":
                w.append("plus")
            elif ch == "0":
                if zero_style == "mixed":
                    w.append(rng.choice(["oh", "zero"]))
                else:
                    w.append(zero_style)
            else:
                w.append(DIGIT_WORDS[int(ch)])
        words.append(w)
    ndig = sum(1 for g in groups for ch in g if ch.isdigit())
    return {"digits": digits, "kind": kind, "uk": uk, "plus44": plus44, "canon": canon,
            "groups": groups, "words": words, "zero_style": zero_style, "n_digits": ndig,
            "syllables": sum(word_syllables(w) for w in words)}


def written_number(num, rng):
    """(style, text) for the script; the digits match the spoken ones."""
    styles = ["spaces", "hyphens", "words"]
    if num["kind"] == "us":
        styles.append("us")
    if num["plus44"]:
        styles = ["plus44", "plus44", "words"]
    style = rng.choice(styles)
    c = num["canon"]
    if style == "spaces":
        return style, " ".join(c)
    if style == "hyphens":
        return style, "-".join(c)
    if style == "us":
        return style, "(%s) %s.%s" % tuple(c)
    if style == "plus44":
        return style, " ".join(c)
    return style, ", ".join(" ".join(w) for w in num["words"])


# ---------------------------------------------------------------------------
# FSDD digits

_FSDD_CACHE = {}


def fsdd_digit(speaker, digit, index, tmpdir):
    """A real spoken digit at 16 kHz, trimmed by energy (5 ms frames, 35 dB
    below the loudest frame, 10 ms margin), 3 ms fades, RMS normalised."""
    key = (speaker, digit, index)
    if key in _FSDD_CACHE:
        return _FSDD_CACHE[key]
    src = os.path.join(FSDD, "%d_%s_%d.wav" % (digit, speaker, index))
    up = os.path.join(tmpdir, "fsdd_%d_%s_%d.wav" % (digit, speaker, index))
    run(["sox", "-D", "-R", src, "-r", str(SR), "-b", "16", "-c", "1", up])
    _, a = read_wav(up)
    os.remove(up)
    hop = SR // 200
    fr = [db(rms(a[i:i + hop])) for i in range(0, len(a) - hop + 1, hop)]
    top = max(fr)
    on = [i for i, v in enumerate(fr) if v > top - 35.0]
    i0 = max(0, (on[0] - 2) * hop)
    i1 = min(len(a), (on[-1] + 3) * hop)
    seg = [float(v) for v in a[i0:i1]]
    nf = int(0.003 * SR)
    for k in range(min(nf, len(seg) // 2)):
        g = k / nf
        seg[k] *= g
        seg[-1 - k] *= g
    r = rms(seg) or 1.0
    seg = to_int16(v * 3000.0 / r for v in seg)
    _FSDD_CACHE[key] = seg
    return seg


def silence(sec):
    return array.array("h", bytes(2 * int(round(sec * SR))))


def tempo_array(a, factor, tmpdir, tag):
    """sox tempo -s factor on an int16 array, re-trimmed at the same threshold."""
    p_in = os.path.join(tmpdir, "t_in_%s.wav" % tag)
    p_out = os.path.join(tmpdir, "t_out_%s.wav" % tag)
    write_wav(p_in, SR, a)
    run(["sox", "-D", "-R", p_in, p_out, "tempo", "-s", "%.4f" % factor,
         "silence", "1", "0.01", TRIM_THR, "reverse", "silence", "1", "0.01", TRIM_THR, "reverse"])
    _, b = read_wav(p_out)
    os.remove(p_in)
    os.remove(p_out)
    return b


# ---------------------------------------------------------------------------
# one base message

def pick_name(rng, rushed):
    pool = [n for n in NAMES if n[1] >= 3] if rushed else NAMES
    return rng.choice(pool)


def synth_name(syn, text, syl, pace, rng, notes):
    if syn.engine == "espeak-ng":
        speed = rng.uniform(110, 140) if pace == "slow" else rng.uniform(220, 280)
    else:
        speed = rng.uniform(1.4, 1.8) if pace == "slow" else rng.uniform(0.5, 0.65)
    speed = round(speed, 3)

    def measure(sp, tp):
        return syl / (len(syn.phrase(text, sp, tp)) / SR)

    def want(rate):
        if pace == "slow":
            return (NAME_SLOW_MAX - 0.3) / rate if rate > NAME_SLOW_MAX else 0
        if rate > NAME_RUSHED_MAX:
            return (NAME_RUSHED_MAX - 1.0) / rate
        return (NAME_RUSHED_MIN + 0.4) / rate if rate < NAME_RUSHED_MIN else 0

    adj = []
    sp0 = speed
    speed, tempo, rate = fit(measure, speed, 1.0, want, syn, adj)
    if adj:
        notes.append("name %r %s: start speed %.3g, %s" % (text, pace, sp0, ", ".join(adj)))
    return syn.phrase(text, speed, tempo), {"speed": speed, "tempo": tempo, "start_speed": sp0}


def synth_number_tts(syn, num, pace, rng, notes):
    """list of (array, gap_after) pieces for the number said by the TTS voice."""
    if pace == "slow":
        texts = [", ".join(w) for w in num["words"]]
        gaps = [round(rng.uniform(0.3, 0.6), 4) for _ in texts[1:]]
        target = rng.uniform(1.6, 2.2)
        if syn.engine == "espeak-ng":
            speed = rng.uniform(140, 180)
        else:
            speed = rng.uniform(0.95, 1.25)
        speed = round(speed, 3)

        def measure(sp, tp):
            dur = sum(len(syn.phrase(t, sp, tp)) for t in texts) / SR + sum(gaps)
            return num["n_digits"] / dur, num["syllables"] / dur

        def want(x):
            pace_, syl = x
            if pace_ > NUM_SLOW_PACE[1] or syl > NUM_SLOW_SYL_MAX:
                return min(target / pace_, (NUM_SLOW_SYL_MAX - 0.2) / syl)
            if pace_ < NUM_SLOW_PACE[0]:
                return target / pace_
            return 0
    else:
        texts = [" ".join(w for g in num["words"] for w in g)]
        gaps = []
        target = rng.uniform(4.4, 5.6)
        if syn.engine == "espeak-ng":
            speed = rng.uniform(200, 260)
        else:
            speed = rng.uniform(0.55, 0.7)
        speed = round(speed, 3)

        def measure(sp, tp):
            dur = len(syn.phrase(texts[0], sp, tp)) / SR
            return num["n_digits"] / dur, num["syllables"] / dur

        def want(x):
            pace_, _ = x
            if pace_ < NUM_FAST_PACE_MIN or pace_ > NUM_FAST_PACE_MAX:
                return target / pace_
            return 0
    adj = []
    sp0 = speed
    speed, tempo, _ = fit(measure, speed, 1.0, want, syn, adj)
    if adj:
        notes.append("number %s: start speed %.3g, %s" % (pace, sp0, ", ".join(adj)))
    pieces = [(syn.phrase(t, speed, tempo), gaps[i] if i < len(gaps) else None)
              for i, t in enumerate(texts)]
    return pieces, {"speed": speed, "tempo": tempo, "start_speed": sp0, "texts": texts}


def synth_number_fsdd(speaker, num, pace, rng, tmpdir, notes):
    """Pieces for the number made of one FSDD speaker's digits."""
    tokens = []
    for g in num["groups"]:
        tokens.append([fsdd_digit(speaker, int(ch), rng.randrange(5), tmpdir) for ch in g])
    if pace == "slow":
        inner = [[round(rng.uniform(0.05, 0.15), 4) for _ in g[1:]] for g in tokens]
        between = [round(rng.uniform(0.3, 0.6), 4) for _ in tokens[1:]]
        target = rng.uniform(1.6, 2.2)

        def build(tempo):
            pieces = []
            for gi, g in enumerate(tokens):
                a = array.array("h")
                for k, t in enumerate(g):
                    if k:
                        a.extend(silence(inner[gi][k - 1]))
                    a.extend(t)
                if abs(tempo - 1.0) > 1e-6:
                    a = tempo_array(a, tempo, tmpdir, "g%d" % gi)
                pieces.append((a, between[gi] if gi < len(between) else None))
            return pieces

        def measure(pieces):
            dur = sum(len(p[0]) for p in pieces) / SR + sum(between)
            return num["n_digits"] / dur, num["syllables"] / dur

        tempo = 1.0
        pieces = build(tempo)
        x = measure(pieces)
        adj = []
        for _ in range(8):
            p, s = x
            if NUM_SLOW_PACE[0] <= p <= NUM_SLOW_PACE[1] and s <= NUM_SLOW_SYL_MAX:
                break
            f = min(target / p, (NUM_SLOW_SYL_MAX - 0.2) / s) if (p > NUM_SLOW_PACE[1] or s > NUM_SLOW_SYL_MAX) \
                else target / p
            tempo = max(0.5, min(2.5, tempo * f))
            adj.append("tempo->%.3g" % tempo)
            pieces = build(tempo)
            x = measure(pieces)
        else:
            raise RuntimeError("fsdd slow number does not fit: %r" % (x,))
    else:
        gaps = [[round(rng.uniform(0.0, 0.03), 4) for _ in g] for g in tokens]
        a = array.array("h")
        first = True
        for gi, g in enumerate(tokens):
            for k, t in enumerate(g):
                if not first:
                    a.extend(silence(gaps[gi][k]))
                first = False
                a.extend(t)
        target = rng.uniform(4.4, 5.2)
        tempo = 1.0
        b = a
        adj = []
        for _ in range(8):
            p = num["n_digits"] / (len(b) / SR)
            if NUM_FAST_PACE_MIN <= p <= NUM_FAST_PACE_MAX:
                break
            tempo = max(0.5, min(3.0, tempo * target / p))
            adj.append("tempo->%.3g" % tempo)
            b = tempo_array(a, tempo, tmpdir, "fast")
        else:
            raise RuntimeError("fsdd fast number does not fit")
        pieces = [(b, None)]
    if adj:
        notes.append("fsdd number %s (%s): %s" % (pace, speaker, ", ".join(adj)))
    return pieces, {"tempo": round(tempo, 4), "speaker": speaker}


def fsdd_index(m):
    """Index of message m among the FSDD messages, or None for a TTS one."""
    if N_SYNTH <= m < N_SYNTH + N_FSDD:
        return m - N_SYNTH
    if m >= N_SYNTH + N_FSDD + N_EXTRA_SYNTH:
        return m - (N_SYNTH + N_EXTRA_SYNTH)
    return None


def plan_message(m, fsdd, fl_voices):
    """Everything random about message m (independent of synthesis results)."""
    rng = random.Random("%d:%d" % (MSG_SEED, m))
    voices = [("espeak-ng", v) for v in ESPEAK_VOICES] + [("flite", v) for v in fl_voices]
    order = list(range(len(voices)))
    random.Random(MSG_SEED).shuffle(order)
    engine, voice = voices[order[m % len(voices)]]
    # balanced paces: message index decides, cycling through all four combos
    k = m if not fsdd else fsdd_index(m)
    name_pace = "rushed" if (k // 2) % 2 else "slow"
    number_pace = "fast" if k % 2 else "slow"
    return rng, engine, voice, name_pace, number_pace


def build_base(m, fl_voices, tmpdir):
    """Synthesise base message m (16 kHz) and return (samples, info)."""
    fsdd = fsdd_index(m) is not None
    rng, engine, voice, name_pace, number_pace = plan_message(m, fsdd, fl_voices)
    pitch = rng.randint(35, 65)
    syn = Synth(engine, voice, pitch, tmpdir)
    notes = []
    name, name_syl = pick_name(rng, name_pace == "rushed")
    num = make_number(rng, fsdd)
    speaker = FSDD_SPEAKERS[fsdd_index(m) % len(FSDD_SPEAKERS)] if fsdd else None
    text_speed = rng.randint(150, 175) if engine == "espeak-ng" else round(rng.uniform(0.95, 1.1), 3)
    bracket = rng.random() < 0.5
    greet = rng.choice(GREETINGS)
    org = rng.choice(ORGS) if rng.random() < 0.75 else None
    reasons = [rng.choice(REASONS)]
    if rng.random() < 0.4:
        reasons.append(rng.choice(REASONS2))
    lead, end_punct = rng.choice(NUMBER_LEADS)
    repeat_number = rng.random() < 0.3
    repeat_name = rng.random() < 0.25
    rep_lead = rng.choice(REPEAT_LEADS)
    name_rep_lead = rng.choice(NAME_REPEAT_LEADS)
    signoff = rng.choice(SIGNOFFS)
    wstyle, wnum = written_number(num, rng)
    slow_name_pause = name_pace == "slow" and rng.random() < 0.5

    name_audio, name_par = synth_name(syn, name + ("." if org is None else ""), name_syl,
                                      name_pace, rng, notes)
    name_script = ("[%s]" % name) if bracket else name

    def number_pieces():
        if fsdd:
            return synth_number_fsdd(speaker, num, number_pace, rng, tmpdir, notes)
        return synth_number_tts(syn, num, number_pace, rng, notes)

    num_pieces, num_par = number_pieces()

    # units: (kind, [(audio, gap_after_within_unit)], script_text, gap_after_unit)
    def say(t):
        return syn.phrase(t, text_speed)

    g_in = lambda: rng.uniform(0.06, 0.15)          # inside a sentence
    g_sent = lambda: rng.uniform(0.35, 0.7)         # between sentences
    units = []
    units.append((None, [(say(greet), None)], greet, g_in()))
    if org:
        gap = rng.uniform(0.25, 0.45) if slow_name_pause else g_in()
        units.append(("name", [(name_audio, None)], name_script, gap))
        units.append((None, [(say(org), None)], org, g_sent()))
    else:
        units.append(("name", [(name_audio, None)], name_script + ".", g_sent()))
    for r in reasons:
        units.append((None, [(say(r), None)], r, g_sent()))
    units.append((None, [(say(lead), None)], lead, rng.uniform(0.2, 0.4)))
    units.append(("number", num_pieces, wnum + end_punct, g_sent()))
    if repeat_number:
        units.append((None, [(say(rep_lead), None)], rep_lead, rng.uniform(0.12, 0.3)))
        # the repeat: same voice and pace, its own gaps (FSDD: other tokens)
        rep_pieces, _ = number_pieces()
        units.append(("number", rep_pieces, wnum + ".", g_sent()))
    if repeat_name:
        units.append((None, [(say(name_rep_lead), None)], name_rep_lead, g_in()))
        rep_name_audio = name_audio if org is None else syn.phrase(name + ".", name_par["speed"],
                                                                   name_par["tempo"])
        if org is not None:
            # said again at the end of a sentence: check the design again
            r_ = name_syl / (len(rep_name_audio) / SR)
            if (name_pace == "slow" and r_ > NAME_SLOW_MAX) or \
                    (name_pace == "rushed" and not NAME_RUSHED_MIN <= r_ <= NAME_RUSHED_MAX):
                rep_name_audio = name_audio
        units.append(("name", [(rep_name_audio, None)], name_script + ".", g_sent()))
    units.append((None, [(say(signoff), None)], signoff, None))

    lead_s = rng.uniform(0.3, 0.8)
    trail_s = rng.uniform(0.4, 1.0)
    out = silence(lead_s)
    segs = {"name": [], "number": []}
    speech = []
    number_rms_parts, synth_rms_parts = [], []
    for kind, pieces, _, gap_after in units:
        s = len(out)
        for a, g in pieces:
            ps = len(out)
            out.extend(a)
            speech.append((ps, len(out)))
            if kind == "number" and fsdd:
                number_rms_parts.append((ps, len(out)))
            else:
                synth_rms_parts.append((ps, len(out)))
            if g is not None:
                out.extend(silence(g))
        e = len(out)
        if kind:
            segs[kind].append((s, e))
        if gap_after is not None:
            out.extend(silence(gap_after))
    out.extend(silence(trail_s))

    # level: FSDD digits to the synthetic speech RMS, then the whole speech
    # to -26..-18 dBFS RMS, a faint pink noise floor, peak <= 32000.
    samples = [float(v) for v in out]

    def rms_over(parts):
        ss = n = 0
        for s, e in parts:
            ss += sum(samples[i] * samples[i] for i in range(s, e))
            n += e - s
        return math.sqrt(ss / n) if n else 0.0

    if number_rms_parts:
        g = rms_over(synth_rms_parts) / max(rms_over(number_rms_parts), 1e-9)
        for s, e in number_rms_parts:
            for i in range(s, e):
                samples[i] *= g
    target = 10 ** (rng.uniform(-26, -18) / 20) * 32768
    gain = target / max(rms_over(speech), 1e-9)
    floor, frms = noise_segment("pink", len(samples), rng)
    fgain = 10 ** (NOISE_FLOOR_DBFS / 20) * 32768 / frms
    mixed = [v * gain + f * fgain for v, f in zip(samples, floor)]
    peak = max(abs(v) for v in mixed)
    if peak > 32000:
        mixed = [v * 32000 / peak for v in mixed]
    final = to_int16(mixed)

    # script: units joined with spaces
    script = " ".join(u[2] for u in units) + "\n"

    # phone cross-check of the syllable truth
    def phone_check(label, text, truth):
        n = phone_syllables(engine, voice, text)
        if n != truth:
            notes.append("phones: %s %r -> %d vowels (%s %s), truth %d" % (label, text, n, engine, voice, truth))
        return n

    phone_name = phone_check("name", name, name_syl)
    phone_number = None
    if not fsdd:
        phone_number = phone_check("number", " ".join(w for g in num["words"] for w in g), num["syllables"])

    def seg_truth(kind, syl):
        out_ = []
        for s, e in segs[kind]:
            dur = (e - s) / SR
            out_.append({"start": round(s / SR, 6), "end": round(e / SR, 6), "syllables": syl,
                         "duration": round(dur, 6), "rate": round(syl / dur, 4)})
        return out_

    name_segs = seg_truth("name", name_syl)
    num_segs = seg_truth("number", num["syllables"])
    for sg in num_segs:
        sg["digits_per_s"] = round(num["n_digits"] / sg["duration"], 4)
    name_verdict = "too_fast" if any(sg["rate"] > LIMIT_NAME for sg in name_segs) else "ok"
    num_verdict = "too_fast" if any(sg["rate"] > LIMIT_NUMBER for sg in num_segs) else "ok"
    design_ok = (name_verdict == ("too_fast" if name_pace == "rushed" else "ok")
                 and num_verdict == ("too_fast" if number_pace == "fast" else "ok"))
    for sg in name_segs:
        if (name_pace == "slow" and sg["rate"] > NAME_SLOW_MAX
                or name_pace == "rushed" and not NAME_RUSHED_MIN <= sg["rate"] <= NAME_RUSHED_MAX):
            design_ok = False
    for sg in num_segs:
        if number_pace == "slow" and not (NUM_SLOW_PACE[0] - 1e-9 <= sg["digits_per_s"] <= NUM_SLOW_PACE[1] + 1e-9
                                          and sg["rate"] <= NUM_SLOW_SYL_MAX + 1e-9):
            design_ok = False
        if number_pace == "fast" and sg["digits_per_s"] < NUM_FAST_PACE_MIN - 1e-9:
            design_ok = False

    info = {
        "base": "msg%02d" % m, "index": m, "group": "fsdd" if fsdd else "synthetic",
        "engine": engine, "voice": "%s:%s" % (engine, voice), "pitch": pitch, "text_speed": text_speed,
        "fsdd_speaker": speaker, "duration": round(len(final) / SR, 6),
        "speech": [[round(s / SR, 6), round(e / SR, 6)] for s, e in speech],
        "name": {"text": name, "syllables": name_syl, "pace": name_pace,
                 "segments": name_segs, "verdict": name_verdict, "in_brackets": bracket,
                 "pause_after": slow_name_pause and org is not None, "said_twice": repeat_name,
                 "phone_syllables": phone_name, "synth": name_par},
        "number": {"digits": num["digits"], "kind": num["kind"], "plus44": num["plus44"],
                   "spoken_groups": [" ".join(w) for w in num["words"]], "zero_style": num["zero_style"],
                   "n_digits": num["n_digits"], "syllables": num["syllables"], "pace": number_pace,
                   "written": wnum, "written_style": wstyle, "segments": num_segs,
                   "verdict": num_verdict, "said_twice": repeat_number,
                   "phone_syllables": phone_number,
                   "synth": {k: v for k, v in num_par.items() if k != "texts"}},
        "script": script, "design_ok": design_ok, "notes": notes,
    }
    return final, info


# ---------------------------------------------------------------------------
# noise and conditions

_NOISE = {}


def noise_master(kind):
    if kind not in _NOISE:
        path = os.path.join(CACHE, "noise", "%s_%d.wav" % (kind, SR))
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            run(["sox", "-R", "-D", "-n", "-r", str(SR), "-b", "16", "-c", "1", path + ".tmp.wav",
                 "synth", "120", kind + "noise", "vol", "0.3"])
            os.replace(path + ".tmp.wav", path)
        _NOISE[kind] = read_wav(path)[1]
    return _NOISE[kind]


def noise_segment(kind, n, rng):
    master = noise_master(kind)
    if n > len(master):
        master = master * (n // len(master) + 1)
    off = rng.randrange(0, len(master) - n + 1)
    seg = master[off:off + n]
    return seg, (rms(seg) or 1.0)


def speech_rms(a, speech):
    ss = n = 0
    for s, e in speech:
        i0, i1 = int(round(s * SR)), int(round(e * SR))
        seg = a[i0:i1]
        ss += sum(v * v for v in seg)
        n += len(seg)
    return math.sqrt(ss / n) if n else 1.0


def make_condition(cond, base_path, base, out, speech, rng):
    meta = {}
    if cond == "clean":
        shutil.copyfile(base_path, out)
    elif cond == "telephone":
        run(["sox", "-D", base_path, "-r", "8000", "-e", "mu-law", "-b", "8", out, "sinc", "300-3400"])
        meta["telephone"] = "sinc 300-3400, 8 kHz, 8-bit mu-law"
    elif cond == "quiet":
        g = 10 ** (QUIET_DBFS / 20) * 32768 / speech_rms(base, speech)
        write_wav(out, SR, to_int16(v * g for v in base))
        meta["gain_db"] = round(db(g), 2)
    elif cond == "noisy":
        snr = rng.uniform(*SNR_RANGE)
        seg, nrms = noise_segment("pink", len(base), rng)
        g = speech_rms(base, speech) / 10 ** (snr / 20) / nrms
        mixed = [v + g * w for v, w in zip(base, seg)]
        peak = max(abs(v) for v in mixed)
        scale = 32000 / peak if peak > 32000 else 1.0
        write_wav(out, SR, to_int16(v * scale for v in mixed))
        meta["snr_db"] = round(snr, 2)
        meta["noise"] = "pink"
    else:
        raise ValueError(cond)
    return meta


def labels_text(info):
    rows = []
    for kind in ("name", "number"):
        for sg in info[kind]["segments"]:
            rows.append((sg["start"], sg["end"], kind))
    rows.sort()
    return "".join("%.6f\t%.6f\t%s\n" % r for r in rows)


# ---------------------------------------------------------------------------
# split and build

def assign_splits(infos):
    strata = {}
    for inf in infos:
        if inf["index"] >= N_SYNTH + N_FSDD:
            continue
        key = (inf["group"], inf["number"]["pace"], inf["name"]["pace"])
        strata.setdefault(key, []).append(inf["base"])
    split = {}
    rng = random.Random(SPLIT_SEED)
    carry = 0.0
    for key in sorted(strata):
        bases = sorted(strata[key])
        rng.shuffle(bases)
        want = len(bases) / 3.0 + carry
        n_tune = int(round(want))
        carry = want - n_tune
        for i, b in enumerate(bases):
            split[b] = "tune" if i < n_tune else "test"
    for inf in infos:
        if inf["index"] >= N_SYNTH + N_FSDD:
            split[inf["base"]] = "tune"
    return split


def _build_one(m, fl, msgdir, log):
    with tempfile.TemporaryDirectory(prefix="vmcheck-msgset-") as tmp:
        t0 = time.time()
        final, info = build_base(m, fl, tmp)
        base_path = os.path.join(tmp, "base.wav")
        write_wav(base_path, SR, final)
        items = []
        if not info["design_ok"]:
            print("msgset: msg%02d dropped: verdicts disagree with the design" % m, file=log)
            return info, items
        lab = labels_text(info)
        for cond in CONDITIONS:
            rng = random.Random("%d:%d:%s" % (COND_SEED, m, cond))
            iid = "%s__%s" % (info["base"], cond)
            wav = os.path.join(msgdir, iid + ".wav")
            meta = make_condition(cond, base_path, final, wav, info["speech"], rng)
            write_text(os.path.join(msgdir, iid + ".labels.txt"), lab)
            write_text(os.path.join(msgdir, iid + ".txt"), info["script"])
            item = {"id": iid, "wav": wav, "labels": os.path.join(msgdir, iid + ".labels.txt"),
                    "script_file": os.path.join(msgdir, iid + ".txt"), "condition": cond}
            item.update(info)
            item.update(meta)
            with open(os.path.join(msgdir, iid + ".truth.json.tmp"), "w") as f:
                json.dump(item, f, indent=1)
            os.replace(os.path.join(msgdir, iid + ".truth.json.tmp"), os.path.join(msgdir, iid + ".truth.json"))
            items.append(item)
        print("msgset: msg%02d %-18s name %-6s number %-4s %.1fs" % (
            m, info["voice"], info["name"]["pace"], info["number"]["pace"], time.time() - t0), file=log)
        return info, items


def build(log=sys.stderr):
    t0 = time.time()
    if os.path.isdir(CACHE):
        shutil.rmtree(CACHE)
    msgdir = os.path.join(CACHE, "msg")
    os.makedirs(msgdir)
    fl = flite_voices()
    print("msgset: building %d synthetic + %d fsdd messages x %d conditions in %s (flite: %s)" % (
        N_SYNTH + N_EXTRA_SYNTH, N_FSDD + N_EXTRA_FSDD, len(CONDITIONS), CACHE, ", ".join(fl) or "none"), file=log)
    noise_master("pink")
    with ThreadPoolExecutor(max_workers=JOBS) as ex:
        results = list(ex.map(lambda m: _build_one(m, fl, msgdir, log), range(N_ALL)))
    infos = [r[0] for r in results if r[1]]
    dropped = [r[0]["base"] for r in results if not r[1]]
    split = assign_splits(infos)
    items, notes = [], []
    for info, its in results:
        for n in info["notes"]:
            notes.append("%s (%s): %s" % (info["base"], info["voice"], n))
        for it in its:
            it["split"] = split[it["base"]]
            with open(os.path.join(msgdir, it["id"] + ".truth.json"), "w") as f:
                json.dump(it, f, indent=1)
            items.append(it)
    manifest = {"key": _source_key(), "items": items, "notes": notes, "dropped": dropped,
                "build_seconds": round(time.time() - t0, 1)}
    with open(os.path.join(CACHE, "items.json.tmp"), "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(os.path.join(CACHE, "items.json.tmp"), os.path.join(CACHE, "items.json"))
    with open(os.path.join(CACHE, "SUMMARY.txt"), "w") as f:
        f.write(describe(manifest) + "\n")
    print("msgset: built %d items in %.0f s" % (len(items), time.time() - t0), file=log)
    return manifest


def _valid(manifest):
    return (manifest.get("key") == _source_key() and manifest.get("items")
            and all(os.path.exists(it[k]) for it in manifest["items"] for k in ("wav", "labels", "script_file")))


def load_manifest(rebuild=False, log=sys.stderr):
    return load_cached(CACHE, "msgset", _valid, build, rebuild, log)


def load(split="all", rebuild=False, log=sys.stderr):
    return of_split(load_manifest(rebuild, log)["items"], split)


# ---------------------------------------------------------------------------
# description

def describe(manifest):
    items = manifest["items"]
    bases = {}
    for it in items:
        bases.setdefault(it["base"], it)
    b = list(bases.values())
    lines = ["%d items = %d base messages x %d conditions; %.0f s of audio per condition; built in %s s" % (
        len(items), len(b), len(CONDITIONS), sum(x["duration"] for x in b), manifest.get("build_seconds", "?"))]
    if manifest.get("dropped"):
        lines.append("dropped (verdict disagrees with design): " + ", ".join(manifest["dropped"]))

    def table(title, keyf):
        c = Counter((keyf(x), x["split"]) for x in b)
        keys = sorted({k for k, _ in c})
        lines.append("%s (base messages, tune/test):" % title)
        lines.append("   " + "; ".join("%s %d/%d" % (k, c[(k, "tune")], c[(k, "test")]) for k in keys))

    table("group", lambda x: x["group"])
    table("voice", lambda x: x["voice"])
    table("name pace", lambda x: x["name"]["pace"])
    table("number pace", lambda x: "%s/%s" % (x["group"], x["number"]["pace"]))
    table("pace combination", lambda x: "name-%s+number-%s" % (x["name"]["pace"], x["number"]["pace"]))
    table("number kind", lambda x: x["number"]["kind"] + ("+44" if x["number"]["plus44"] else ""))
    table("zero said as", lambda x: x["number"]["zero_style"])
    table("number written", lambda x: x["number"]["written_style"])
    table("name in brackets", lambda x: str(x["name"]["in_brackets"]))
    table("number said twice", lambda x: str(x["number"]["said_twice"]))
    table("name said twice", lambda x: str(x["name"]["said_twice"]))
    table("fsdd speaker", lambda x: x["fsdd_speaker"] or "-")
    cc = Counter((it["condition"], it["split"]) for it in items)
    lines.append("items per condition (tune/test): " + "; ".join(
        "%s %d/%d" % (c, cc[(c, "tune")], cc[(c, "test")]) for c in CONDITIONS))
    for kind, unit in (("name", "syl/s"), ("number", "syl/s")):
        for pace in sorted({x[kind]["pace"] for x in b}):
            r = sorted(sg["rate"] for x in b if x[kind]["pace"] == pace for sg in x[kind]["segments"])
            lines.append("true %s rate, %s: %d segments, %.2f-%.2f %s, median %.2f" % (
                kind, pace, len(r), r[0], r[-1], unit, r[len(r) // 2]))
    for pace in sorted({x["number"]["pace"] for x in b}):
        r = sorted(sg["digits_per_s"] for x in b if x["number"]["pace"] == pace for sg in x["number"]["segments"])
        lines.append("true number pace, %s: %.2f-%.2f digits/s, median %.2f" % (pace, r[0], r[-1], r[len(r) // 2]))
    ns = Counter(x["name"]["syllables"] for x in b)
    lines.append("name syllables: " + ", ".join("%d:%d" % (k, ns[k]) for k in sorted(ns)))
    gs = Counter(len(g.split()) for x in b for g in x["number"]["spoken_groups"])
    lines.append("spoken group sizes (words): " + ", ".join("%d:%d" % (k, gs[k]) for k in sorted(gs)))
    adj = sum(1 for n in manifest.get("notes", []) if "speed->" in n or "tempo->" in n)
    ph = sum(1 for n in manifest.get("notes", []) if "phones:" in n)
    lines.append("notes: %d speed/tempo adjustments, %d phone-count disagreements (see items.json notes)" % (adj, ph))
    return "\n".join(lines)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="build and describe the vmcheck message set")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--notes", action="store_true", help="print the build notes")
    args = ap.parse_args(argv)
    man = load_manifest(args.rebuild)
    print(describe(man))
    if args.notes:
        for n in man.get("notes", []):
            print("  " + n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

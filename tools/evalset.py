"""Evaluation set for tools/bench-rate: speaking rate (syllables/s) and pauses.

Builds (once) and caches under /tmp/vmcheck-evalset (override with the
environment variable VMCHECK_EVALSET) a set of WAV files with known truth:

  item = {id, wav, syllables, span: [start, end], pauses: [[start, end], ...],
          condition, group ("real"/"synthetic"), split ("tune"/"test"),
          source, tempo, ...}

Real items: every /work/shared/corpus/speech file with a .words.tsv, except the
whispered mfa_whisper* files and those in EXCLUDE (word timings checked by
hand and found wrong; they still take part in the split assignment), each as recorded and time-stretched with
`sox tempo -s 0.75` and `tempo -s 1.35`.
  * syllables: the manifest transcript, counted with the CMU dictionary shipped
    with pocketsphinx-en-us (number of vowel phones of the first pronunciation;
    that copy of the dictionary has no stress digits, so vowels are counted
    directly); words missing from it get a vowel-group count; tokens like
    <VOCNOISE> and [adif] count 0; <hes-X> counts as X; 'er is "her".
  * span: first word start to last word end of the .words.tsv;
    pauses: gaps >= 0.25 s between consecutive .words.tsv entries.
  * stretched copies: all times divided by the tempo factor (checked: sox
    tempo keeps leading and trailing timing proportional to within ~15 ms).
Synthetic items: 40 answer-phone messages whose phrases were synthesised one
by one (espeak-ng and flite, various voices and rates), trimmed (peak-
normalised, then sox silence at 0.5 %, i.e. -46 dB re the peak) and joined
with known gaps.
Conditions (every real and synthetic variant): clean; telephone (300-3400 Hz
band-pass, 8 kHz, 8-bit mu-law); noisy (pink or white noise at 12-18 dB SNR
re the speech RMS); quiet (speech RMS -40 dBFS).
Split: by source recording / message, about 1/3 "tune", 2/3 "test" (seeded,
stratified by length: of every 3 sources of similar syllable count one goes to
tune); every variant of a source is in the same split.

Everything is deterministic (fixed seeds, sox -D / -R).  The cache is rebuilt
when it is missing, incomplete, or was built by a different version of this
file.

    python3 tools/evalset.py [--rebuild] [--audit]   build and describe the set
"""

import array
import contextlib
import csv
import fcntl
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
import wave

CACHE = os.environ.get("VMCHECK_EVALSET", "/tmp/vmcheck-evalset")
CORPUS = os.environ.get("VMCHECK_CORPUS", "/work/shared/corpus/speech")
MIN_PAUSE = 0.25
TEMPOS = (1.0, 0.75, 1.35)
CONDITIONS = ("clean", "telephone", "noisy", "quiet")
N_MESSAGES = 40
SPLIT_SEED = 20240611
SYNTH_SEED = 7000
COND_SEED = 9100
QUIET_DBFS = -40.0
SNR_RANGE = (12.0, 18.0)
# Synthetic gaps: "short" ones stay well below the 0.25 s pause threshold and
# "long" ones well above it, so that +-30 ms of boundary blur cannot turn a
# true pause into a non-pause or back.
SHORT_GAP = (0.15, 0.21)
LONG_GAP = (0.32, 0.90)
SYNTH_NOISE_FLOOR_DBFS = -72.0
TRIM_LEVEL = "0.5%"
BUILD_VERSION = 3

VOWELS = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY",
          "OW", "OY", "UH", "UW"}


# Sources whose word timings were checked by hand and found wrong.  They stay
# in the split assignment (so no other source changes split) but are not
# built.
EXCLUDE = {
    "mfa_creaky": "words.tsv puts 'aligner' at 3.43-5.70 s, but the sound ends at about 4.0 s "
                  "(4.1-5.7 s lies at -65 to -77 dBFS, the room's floor), and it starts at 1.51 s "
                  "where speech is audible from 0.8 s: the span, and so the true rate, is wrong",
}


def _source_key():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16] + "-v%d" % BUILD_VERSION


# ---------------------------------------------------------------------------
# CMU dictionary and syllable counts

def find_cmudict():
    cand = os.environ.get("VMCHECK_CMUDICT")
    if cand and os.path.exists(cand):
        return cand
    try:
        out = subprocess.run(["dpkg", "-L", "pocketsphinx-en-us"], capture_output=True,
                             text=True, check=False).stdout
        for line in out.splitlines():
            if line.endswith("cmudict-en-us.dict"):
                return line.strip()
    except OSError:
        pass
    default = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
    if os.path.exists(default):
        return default
    raise SystemExit("evalset: cmudict-en-us.dict not found (apt-get install pocketsphinx-en-us)")


_CMU = None


def cmudict():
    """word -> list of pronunciations (lists of phones, stress digits dropped)."""
    global _CMU
    if _CMU is None:
        d = {}
        with open(find_cmudict(), encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 2:
                    continue
                w = re.sub(r"\(\d+\)$", "", parts[0].lower())
                d.setdefault(w, []).append([re.sub(r"\d", "", p) for p in parts[1:]])
        _CMU = d
    return _CMU


# Words missing from the dictionary whose vowel-group count would be wrong.
OVERRIDES = {"yknow": 2, "aligner": 3}


def vowel_groups(word):
    w = re.sub(r"[^a-z]", "", word.lower())
    n = len(re.findall(r"[aeiouy]+", w))
    if n > 1 and w.endswith("e") and not w.endswith(("le", "ee", "ye")):
        n -= 1
    return max(n, 1) if w else 0


def word_syllables(word):
    """(count, source) for one already normalised word."""
    if word in OVERRIDES:
        return OVERRIDES[word], "override"
    prons = cmudict().get(word)
    if prons:
        return sum(1 for p in prons[0] if p in VOWELS), "cmudict"
    return vowel_groups(word), "vowel-groups"


def normalise_token(tok):
    """Transcript token -> word to count, or None for non-speech tokens."""
    t = tok.strip().lower()
    m = re.fullmatch(r"<hes-([^>]+)>", t)
    if m:
        t = m.group(1)
    elif re.fullmatch(r"<[^>]*>", t) or re.fullmatch(r"\[[^\]]*\]", t):
        return None
    t = t.strip(".,;:!?\"()")
    if t == "'er":
        t = "her"
    if not re.search(r"[a-z0-9]", t):
        return None
    return t


def text_syllables(text, missing=None):
    total = 0
    for tok in text.split():
        w = normalise_token(tok)
        if w is None:
            continue
        n, how = word_syllables(w)
        if how != "cmudict" and missing is not None:
            missing.append((w, n, how))
        total += n
    return total


# ---------------------------------------------------------------------------
# WAV helpers (16-bit PCM only)

def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError("%s: expected 16-bit PCM" % path)
        sr, nch, n = w.getframerate(), w.getnchannels(), w.getnframes()
        a = array.array("h")
        a.frombytes(w.readframes(n))
    if sys.byteorder == "big":
        a.byteswap()
    if nch > 1:
        a = array.array("h", [int(sum(a[i:i + nch]) / nch) for i in range(0, len(a), nch)])
    return sr, a


def write_wav(path, sr, samples):
    a = array.array("h", samples)
    if sys.byteorder == "big":
        a.byteswap()
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(a.tobytes())
    os.replace(tmp, path)


def to_int16(values):
    return array.array("h", [max(-32768, min(32767, int(round(v)))) for v in values])


def rms_over(samples, sr, intervals):
    ss, n = 0.0, 0
    for s, e in intervals:
        i0, i1 = max(0, int(s * sr)), min(len(samples), int(math.ceil(e * sr)))
        seg = samples[i0:i1]
        ss += sum(v * v for v in seg)
        n += len(seg)
    return math.sqrt(ss / n) if n else 0.0


def db(x):
    return 20 * math.log10(x) if x > 0 else -999.0


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr))
    return r


def duration(path):
    try:
        with wave.open(path, "rb") as w:
            return w.getnframes() / w.getframerate()
    except wave.Error:  # e.g. mu-law, which the wave module cannot read
        return float(run(["soxi", "-D", path]).stdout.strip())


# ---------------------------------------------------------------------------
# Real sources

def read_words(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            if i == 0 and parts[0] == "start_s":
                continue
            if len(parts) >= 3:
                rows.append((float(parts[0]), float(parts[1]), parts[2]))
    return rows


def real_sources():
    """List of dicts: stem, wav, words, syllables, span, pauses, speech intervals."""
    with open(os.path.join(CORPUS, "manifest.tsv"), encoding="utf-8") as f:
        manifest = {r["file"]: r for r in csv.DictReader(f, delimiter="\t")}
    out = []
    for fname in sorted(manifest):
        if fname.startswith("mfa_whisper"):
            continue
        wpath = os.path.join(CORPUS, fname + ".words.tsv")
        if not os.path.exists(wpath):
            continue
        words = read_words(wpath)
        missing = []
        syl = text_syllables(manifest[fname]["transcript"], missing)
        real_words = [w for w in words if normalise_token(w[2]) is not None]
        span = (real_words[0][0], real_words[-1][1])
        # gaps between consecutive entries (non-speech tokens such as a cough
        # are sound, so they interrupt a silence)
        pauses = [(a[1], b[0]) for a, b in zip(words, words[1:]) if b[0] - a[1] >= MIN_PAUSE - 1e-9]
        out.append({
            "stem": os.path.splitext(fname)[0], "file": fname,
            "wav": os.path.join(CORPUS, fname), "syllables": syl,
            "span": span, "pauses": pauses,
            "speech": [(s, e) for s, e, _ in real_words],
            "missing_words": missing,
            "transcript": manifest[fname]["transcript"],
        })
    return out


# ---------------------------------------------------------------------------
# Synthetic messages

GREETINGS = ["hi this is", "hello this is", "hi it's", "hey it's", "good morning this is",
             "good afternoon this is", "hello my name is"]
FIRST = ["sarah", "david", "emma", "michael", "laura", "james", "anna", "robert", "karen",
         "peter", "lucy", "thomas", "maria", "daniel", "helen", "mark", "jessica", "paul",
         "rachel", "steven"]
LAST = ["miller", "thompson", "carter", "johnson", "walker", "bennett", "collins", "parker",
        "morgan", "hughes", "reed", "foster", "turner", "bailey", "cooper", "ward"]
ORGS = ["from the dental office", "from city plumbing", "from the library",
        "from green valley school", "from your bank", "from the health clinic",
        "from the garage on main street"]
REASONS = [
    "i'm calling about your appointment on tuesday",
    "i wanted to ask about the invoice you sent last week",
    "your car is ready to be picked up",
    "i have a question about the apartment",
    "we need to move the meeting to friday",
    "your order has arrived at the store",
    "i'm returning your call from this morning",
    "i wanted to check if you're still coming to dinner",
    "the package was delivered to the wrong address",
    "could you send me the report before noon",
    "i just wanted to confirm the delivery for tomorrow",
    "we have some good news about your application",
]
NUMBER_LEADS = ["please call me back at", "you can reach me at", "my number is",
                "call me back on", "you can call me at"]
REPEAT_LEADS = ["again that's", "that's"]
SIGNOFFS = ["thanks bye", "thank you very much", "talk to you soon", "have a great day",
            "thanks a lot bye bye", "see you soon take care", "thanks so much"]
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ESPEAK_VOICES = ["en-us", "en-gb", "en-gb+f3", "en-us+m3", "en+f2", "en-gb-x-rp",
                 "en-us+f4", "en-gb-scotland+m2", "en-029"]
FLITE_PREFERRED = ["kal", "slt", "rms", "awb"]


def flite_voices():
    try:
        r = subprocess.run(["flite", "-lv"], capture_output=True, text=True)
        have = set(r.stdout.replace("Voices available:", "").split())
    except OSError:
        return []
    return [v for v in FLITE_PREFERRED if v in have]


def message_text(rng):
    """List of phrases (strings of words, no punctuation)."""
    phrases = []
    name = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
    g = rng.choice(GREETINGS)
    if rng.random() < 0.5:
        phrases += [g, name]
    else:
        phrases.append(g + " " + name)
    if rng.random() < 0.5:
        phrases.append(rng.choice(ORGS))
    phrases.append(rng.choice(REASONS))
    phrases.append(rng.choice(NUMBER_LEADS))
    style = rng.random()
    if style < 0.5:
        groups = [3, 3, 4]
    elif style < 0.8:
        groups = [3, 4]
    else:
        groups = [5, 6]
    digits = []
    for n in groups:
        grp = [rng.choice(DIGITS) for _ in range(n)]
        if rng.random() < 0.3:
            grp = ["oh" if d == "zero" else d for d in grp]
        digits.append(" ".join(grp))
    phrases += digits
    if rng.random() < 0.3:
        phrases.append(rng.choice(REPEAT_LEADS))
        phrases += digits
    phrases.append(rng.choice(SIGNOFFS))
    return phrases


def synth_phrase(engine, voice, speed, pitch, text, out16k, tmpdir):
    raw = os.path.join(tmpdir, "raw.wav")
    if engine == "espeak-ng":
        run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", raw, text])
    else:
        run(["flite", "-voice", voice, "--setf", "duration_stretch=%.3f" % speed,
             "-t", text, "-o", raw])
    # Peak-normalise, then trim leading/trailing sound below 0.5 % of full
    # scale (-46 dB re the peak).  0.1 % is not enough: flite's awb voice
    # starts with ~0.2 s of noise at about -60 dBFS.
    run(["sox", "-D", raw, "-r", "16000", "-b", "16", "-c", "1", out16k, "gain", "-n", "-3",
         "silence", "1", "0.01", TRIM_LEVEL, "reverse", "silence", "1", "0.01", TRIM_LEVEL, "reverse"])


def internal_silences(samples, sr, min_dur=0.15, rel_db=-45.0):
    """Runs of 10 ms frames more than rel_db below the phrase peak frame."""
    hop = sr // 100
    frames = [math.sqrt(sum(v * v for v in samples[i:i + hop]) / hop)
              for i in range(0, len(samples) - hop + 1, hop)]
    if not frames:
        return []
    top = max(frames) or 1.0
    quiet = [db(f / top) < rel_db for f in frames]
    runs, start = [], None
    for i, q in enumerate(quiet + [False]):
        if q and start is None:
            start = i
        elif not q and start is not None:
            if (i - start) * 0.01 >= min_dur:
                runs.append((start * 0.01, i * 0.01))
            start = None
    return runs


def build_message(m, tmpdir, out_path, fl_voices):
    rng = random.Random(SYNTH_SEED + m)
    phrases = message_text(rng)
    if fl_voices and rng.random() < 0.4:
        engine, voice = "flite", rng.choice(fl_voices)
        speed, pitch = round(rng.uniform(0.85, 1.25), 3), 0
    else:
        engine, voice = "espeak-ng", rng.choice(ESPEAK_VOICES)
        speed, pitch = rng.randint(130, 200), rng.randint(35, 65)
    sr = 16000
    pieces, notes = [], []
    for k, text in enumerate(phrases):
        p = os.path.join(tmpdir, "p%02d.wav" % k)
        synth_phrase(engine, voice, speed, pitch, text, p, tmpdir)
        _, a = read_wav(p)
        sil = internal_silences(a, sr)
        if sil:
            notes.append("phrase %d %r has internal quiet runs %s" % (
                k, text, ["%.2f-%.2f" % r for r in sil]))
        pieces.append(a)
    lead = rng.uniform(0.3, 0.8)
    trail = rng.uniform(0.3, 1.0)
    out = array.array("h", bytes(2 * int(round(lead * sr))))
    intervals, gaps = [], []
    for k, a in enumerate(pieces):
        if k:
            if rng.random() < 0.35:
                g = rng.uniform(*SHORT_GAP)
            else:
                g = rng.uniform(*LONG_GAP)
            ng = int(round(g * sr))
            gaps.append(ng / sr)
            out.extend(array.array("h", bytes(2 * ng)))
        s = len(out) / sr
        out.extend(a)
        intervals.append((s, len(out) / sr))
    out.extend(array.array("h", bytes(2 * int(round(trail * sr)))))
    # level: speech RMS between -26 and -18 dBFS, plus a faint noise floor
    target = 10 ** (rng.uniform(-26, -18) / 20) * 32768
    gain = target / max(rms_over(out, sr, intervals), 1e-9)
    floor = noise_segment("pink", sr, len(out), rng)
    fgain = 10 ** (SYNTH_NOISE_FLOOR_DBFS / 20) * 32768 / floor[1]
    mixed = [v * gain + f * fgain for v, f in zip(out, floor[0])]
    peak = max(abs(v) for v in mixed)
    if peak > 32000:
        mixed = [v * 32000 / peak for v in mixed]
    write_wav(out_path, sr, to_int16(mixed))
    text = " ".join(phrases)
    missing = []
    syl = text_syllables(text, missing)
    pauses = [(a[1], b[0]) for a, b in zip(intervals, intervals[1:]) if b[0] - a[1] >= MIN_PAUSE]
    return {
        "stem": "msg%02d" % m, "syllables": syl,
        "span": (intervals[0][0], intervals[-1][1]),
        "pauses": pauses, "speech": intervals,
        "phrases": phrases, "voice": "%s:%s" % (engine, voice),
        "speed": speed, "gaps": gaps, "notes": notes, "missing_words": missing,
    }


# ---------------------------------------------------------------------------
# Noise masters and conditions

_NOISE = {}


def noise_master(kind, sr):
    key = (kind, sr)
    if key not in _NOISE:
        path = os.path.join(CACHE, "noise", "%s_%d.wav" % (kind, sr))
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            run(["sox", "-R", "-D", "-n", "-r", str(sr), "-b", "16", "-c", "1", path + ".tmp.wav",
                 "synth", "90", kind + "noise", "vol", "0.3"])
            os.replace(path + ".tmp.wav", path)
        _, a = read_wav(path)
        _NOISE[key] = a
    return _NOISE[key]


def noise_segment(kind, sr, n, rng):
    """(samples, rms) of n samples of the master noise from a random offset."""
    master = noise_master(kind, sr)
    if n > len(master):
        reps = n // len(master) + 1
        master = master * reps
    off = rng.randrange(0, len(master) - n + 1)
    seg = master[off:off + n]
    r = math.sqrt(sum(v * v for v in seg) / max(n, 1)) or 1.0
    return seg, r


def make_condition(cond, base, out, speech, rng, meta):
    if cond == "clean":
        shutil.copyfile(base, out)
        return
    if cond == "telephone":
        run(["sox", "-D", base, "-r", "8000", "-e", "mu-law", "-b", "8", out, "sinc", "300-3400"])
        meta["telephone"] = "sinc 300-3400, 8 kHz, 8-bit mu-law"
        return
    sr, a = read_wav(base)
    srms = rms_over(a, sr, speech)
    if cond == "quiet":
        g = 10 ** (QUIET_DBFS / 20) * 32768 / srms
        write_wav(out, sr, to_int16(v * g for v in a))
        meta["gain_db"] = round(db(g), 2)
        return
    if cond == "noisy":
        snr = rng.uniform(*SNR_RANGE)
        kind = "pink" if rng.random() < 0.67 else "white"
        seg, nrms = noise_segment(kind, sr, len(a), rng)
        g = srms / 10 ** (snr / 20) / nrms
        mixed = [v + g * w for v, w in zip(a, seg)]
        peak = max(abs(v) for v in mixed)
        scale = 32000 / peak if peak > 32000 else 1.0
        write_wav(out, sr, to_int16(v * scale for v in mixed))
        meta["snr_db"] = round(snr, 2)
        meta["noise"] = kind
        return
    raise ValueError(cond)


# ---------------------------------------------------------------------------
# Split

def assign_splits(sizes, seed):
    """{stem: "tune"/"test"}: about 1/3 tune, stratified by size (true
    syllable count) so that both splits hold short and long sources: sort by
    size, cut into consecutive blocks of 3, send one (seeded) of each block to
    tune."""
    rng = random.Random(seed)
    order = sorted(sizes, key=lambda st: (sizes[st], st))
    out = {}
    for b in range(0, len(order), 3):
        block = order[b:b + 3]
        pick = rng.randrange(3)
        for k, st in enumerate(block):
            out[st] = "tune" if k == pick else "test"
    return out


# ---------------------------------------------------------------------------
# Build

def _scale(iv, f):
    return [round(iv[0] / f, 4), round(iv[1] / f, 4)]


def build(log=sys.stderr):
    if os.path.isdir(CACHE):
        shutil.rmtree(CACHE)
    os.makedirs(os.path.join(CACHE, "real"))
    os.makedirs(os.path.join(CACHE, "synthetic"))
    items, notes = [], []
    reals = real_sources()
    rsplit = assign_splits({r["stem"]: r["syllables"] for r in reals}, SPLIT_SEED)
    print("evalset: building %d real sources x %d tempos x %d conditions in %s" % (
        len(reals), len(TEMPOS), len(CONDITIONS), CACHE), file=log)
    for src in reals:
        if src["stem"] in EXCLUDE:
            notes.append("%s: left out: %s" % (src["file"], EXCLUDE[src["stem"]]))
            continue
        for w, n, how in src["missing_words"]:
            notes.append("%s: %r not in CMU dict, %s -> %d" % (src["file"], w, how, n))
        for tempo in TEMPOS:
            tag = "t%03d" % round(tempo * 100)
            base = os.path.join(CACHE, "real", "%s__%s__base.wav" % (src["stem"], tag))
            if tempo == 1.0:
                run(["sox", "-D", src["wav"], "-b", "16", "-c", "1", base])
            else:
                run(["sox", "-D", src["wav"], "-b", "16", "-c", "1", base, "tempo", "-s", str(tempo)])
            speech = [(s / tempo, e / tempo) for s, e in src["speech"]]
            for ci, cond in enumerate(CONDITIONS):
                rng = random.Random("%d:%s:%s:%s" % (COND_SEED, src["stem"], tag, cond))
                out = os.path.join(CACHE, "real", "%s__%s__%s.wav" % (src["stem"], tag, cond))
                meta = {}
                make_condition(cond, base, out, speech, rng, meta)
                meta["duration_s"] = round(duration(out), 4)
                items.append(dict({
                    "id": "%s__%s__%s" % (src["stem"], tag, cond), "wav": out,
                    "group": "real", "source": src["stem"], "tempo": tempo,
                    "condition": cond, "split": rsplit[src["stem"]],
                    "syllables": src["syllables"],
                    "span": _scale(src["span"], tempo),
                    "pauses": [_scale(p, tempo) for p in src["pauses"]],
                }, **meta))
            os.remove(base)
    fl = flite_voices()
    # synthetic splits are assigned after synthesis (stratified by syllables)
    synth_items = []
    print("evalset: synthesising %d messages (flite voices: %s)" % (N_MESSAGES, ", ".join(fl) or "none"),
          file=log)
    with tempfile.TemporaryDirectory(prefix="vmcheck-synth-") as tmp:
        for m in range(N_MESSAGES):
            base = os.path.join(CACHE, "synthetic", "msg%02d__base.wav" % m)
            info = build_message(m, tmp, base, fl)
            for n_ in info["notes"]:
                notes.append("msg%02d (%s): %s" % (m, info["voice"], n_))
            for w, n, how in info["missing_words"]:
                notes.append("msg%02d: %r not in CMU dict, %s -> %d" % (m, w, how, n))
            for cond in CONDITIONS:
                rng = random.Random("%d:%s:%s" % (COND_SEED, info["stem"], cond))
                out = os.path.join(CACHE, "synthetic", "%s__%s.wav" % (info["stem"], cond))
                meta = {}
                make_condition(cond, base, out, info["speech"], rng, meta)
                meta["duration_s"] = round(duration(out), 4)
                synth_items.append(dict({
                    "id": "%s__%s" % (info["stem"], cond), "wav": out,
                    "group": "synthetic", "source": info["stem"], "tempo": 1.0,
                    "condition": cond, "split": None,
                    "syllables": info["syllables"],
                    "span": [round(info["span"][0], 4), round(info["span"][1], 4)],
                    "pauses": [[round(s, 4), round(e, 4)] for s, e in info["pauses"]],
                    "voice": info["voice"], "speed": info["speed"],
                    "text": " | ".join(info["phrases"]),
                }, **meta))
            os.remove(base)
    ssplit = assign_splits({it["source"]: it["syllables"] for it in synth_items}, SPLIT_SEED + 1)
    for it in synth_items:
        it["split"] = ssplit[it["source"]]
    items += synth_items
    manifest = {"key": _source_key(), "items": items, "notes": notes}
    with open(os.path.join(CACHE, "items.json.tmp"), "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(os.path.join(CACHE, "items.json.tmp"), os.path.join(CACHE, "items.json"))
    with open(os.path.join(CACHE, "SUMMARY.txt"), "w") as f:
        f.write(describe(items) + "\n")
    return manifest


@contextlib.contextmanager
def cache_lock(cache):
    """Hold the lock file beside a cache directory (one builder at a time)."""
    os.makedirs(os.path.dirname(cache.rstrip("/")) or "/", exist_ok=True)
    with open(cache.rstrip("/") + ".lock", "w") as lf:
        fcntl.flock(lf, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lf, fcntl.LOCK_UN)


def load_cached(cache, what, valid, build_fn, rebuild=False, log=sys.stderr):
    """The manifest cache/items.json when valid(manifest), else build_fn(log)
    (under the cache lock).  Shared with msgset.py."""
    with cache_lock(cache):
        path = os.path.join(cache, "items.json")
        if not rebuild and os.path.exists(path):
            try:
                with open(path) as f:
                    manifest = json.load(f)
                if valid(manifest):
                    return manifest
                print("%s: cache in %s is stale or incomplete, rebuilding" % (what, cache), file=log)
            except (OSError, ValueError):
                print("%s: cache manifest unreadable, rebuilding" % what, file=log)
        return build_fn(log)


def of_split(items, split):
    return items if split == "all" else [it for it in items if it["split"] == split]


def _valid(manifest):
    return (manifest.get("key") == _source_key()
            and manifest.get("items")
            and all(os.path.exists(it["wav"]) for it in manifest["items"]))


def load_manifest(rebuild=False, log=sys.stderr):
    return load_cached(CACHE, "evalset", _valid, build, rebuild, log)


def load(split="all", rebuild=False, log=sys.stderr):
    return of_split(load_manifest(rebuild, log)["items"], split)


# ---------------------------------------------------------------------------
# Description and truth audit

def set_size_bytes(items):
    return sum(os.path.getsize(it["wav"]) for it in items if os.path.exists(it["wav"]))


def describe(items):
    from collections import Counter
    lines = ["%d items, %.1f MB, %.0f s of audio" % (
        len(items), set_size_bytes(items) / 1e6,
        sum(it.get("duration_s", 0.0) for it in items))]
    c = Counter((it["group"], it["split"]) for it in items)
    src = Counter()
    seen = set()
    for it in items:
        if (it["group"], it["source"]) not in seen:
            seen.add((it["group"], it["source"]))
            src[(it["group"], it["split"])] += 1
    lines.append("%-10s %-6s %8s %6s" % ("group", "split", "sources", "items"))
    for g in ("real", "synthetic"):
        for s in ("tune", "test"):
            lines.append("%-10s %-6s %8d %6d" % (g, s, src[(g, s)], c[(g, s)]))
    cc = Counter((it["group"], it["condition"], it["split"]) for it in items)
    lines.append("items per condition (tune/test): " + "; ".join(
        "%s %s %d/%d" % (g, cond, cc[(g, cond, "tune")], cc[(g, cond, "test")])
        for g in ("real", "synthetic") for cond in CONDITIONS))
    ct = Counter((it["tempo"], it["split"]) for it in items if it["group"] == "real")
    lines.append("real items per tempo (tune/test): " + "; ".join(
        "%.2f %d/%d" % (t, ct[(t, "tune")], ct[(t, "test")]) for t in TEMPOS))
    npause = sum(len(it["pauses"]) for it in items)
    lines.append("true pauses >= %.2f s: %d (real %d, synthetic %d)" % (
        MIN_PAUSE, npause, sum(len(it["pauses"]) for it in items if it["group"] == "real"),
        sum(len(it["pauses"]) for it in items if it["group"] == "synthetic")))
    rates = sorted(it["syllables"] / (it["span"][1] - it["span"][0]) for it in items)
    lines.append("true rate range %.2f-%.2f syl/s, median %.2f" % (
        rates[0], rates[-1], rates[len(rates) // 2]))
    return "\n".join(lines)


def frame_db(samples, sr, hop_s=0.01):
    hop = int(sr * hop_s)
    return [db(math.sqrt(sum(v * v for v in samples[i:i + hop]) / hop) / 32768)
            for i in range(0, len(samples) - hop + 1, hop)]


def audit_real(out=sys.stdout):
    """Heuristic check of the real truth from 10 ms frame energies: sound
    outside the word span or inside true pauses ("sound" = more than 15 dB
    above the noise floor, the 5 % quantile), and near-floor stretches
    ("quiet" = less than 6 dB above it) inside words or at span edges."""
    flagged = []
    for src in real_sources():
        sr, a = read_wav_any(src["wav"])
        fr = frame_db(a, sr)
        srt = sorted(fr)
        q99, floor = srt[int(0.99 * (len(srt) - 1))], srt[int(0.05 * (len(srt) - 1))]
        loud_thr = max(floor + 15.0, q99 - 35.0)
        quiet_thr = floor + 6.0
        s0, s1 = src["span"]

        def run_len(a_, b_, pred):
            best = cur = 0
            for i, v in enumerate(fr):
                if a_ <= i * 0.01 < b_ and pred(v):
                    cur += 1
                    best = max(best, cur)
                else:
                    cur = 0
            return best * 0.01

        def total(a_, b_, pred):
            return sum(0.01 for i, v in enumerate(fr) if a_ <= i * 0.01 < b_ and pred(v))
        loud = lambda v: v > loud_thr
        quiet = lambda v: v < quiet_thr
        msgs = []
        before, after = total(0, s0 - 0.05, loud), total(s1 + 0.05, len(fr) * 0.01, loud)
        if before >= 0.1:
            msgs.append("%.2f s of sound before the first word (at %.2f)" % (before, s0))
        if after >= 0.1:
            msgs.append("%.2f s of sound after the last word (at %.2f)" % (after, s1))
        if run_len(s0, s0 + 0.4, quiet) >= 0.15:
            msgs.append("first word starts with %.2f s of near-floor quiet" % run_len(s0, s0 + 0.4, quiet))
        if run_len(s1 - 0.4, s1, quiet) >= 0.15:
            msgs.append("last word ends with %.2f s of near-floor quiet" % run_len(s1 - 0.4, s1, quiet))
        for ps, pe in src["pauses"]:
            lr = run_len(ps + 0.05, pe - 0.05, loud)
            if lr >= 0.1:
                msgs.append("true pause %.2f-%.2f contains %.2f s of sound" % (ps, pe, lr))
        for ws, we in src["speech"]:
            q = run_len(ws + 0.03, we - 0.03, quiet)
            if q >= MIN_PAUSE:
                msgs.append("word %.2f-%.2f contains %.2f s of near-floor quiet (unmarked pause?)" % (ws, we, q))
        if msgs:
            flagged.append(src["file"])
            print("%s (floor %.1f dBFS, q99 %.1f, sound > %.1f, quiet < %.1f):" % (
                src["file"], floor, q99, loud_thr, quiet_thr), file=out)
            for m_ in msgs:
                print("    " + m_, file=out)
    return flagged


def read_wav_any(path):
    try:
        return read_wav(path)
    except ValueError:
        with tempfile.TemporaryDirectory() as tmp:
            p = os.path.join(tmp, "x.wav")
            run(["sox", "-D", path, "-b", "16", "-c", "1", p])
            return read_wav(p)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="build / describe the vmcheck rate evaluation set")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--audit", action="store_true", help="heuristic check of the real truth")
    ap.add_argument("--notes", action="store_true", help="print build notes")
    a = ap.parse_args(argv)
    manifest = load_manifest(a.rebuild)
    print(describe(manifest["items"]))
    if a.notes:
        for n in manifest["notes"]:
            print("note: " + n)
    if a.audit:
        audit_real()


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/python3
"""Digit-word data set: TRAINING items for the learned digit-word detector and
EVALUATION items for its benchmark (phone numbers in answer-phone messages).

Builds (once, deterministically) and caches under /tmp/vmcheck-digitset
(override with the environment variable VMCHECK_DIGITSET) two parts:

  train.json  load_train("train" | "tune"): audio with word timings
  eval.json   load_eval("tune" | "test"):  audio with the truth of the phone
              number(s) in it

Each part's manifest carries a key made from this file's hash, so an edited
script rebuilds; `--rebuild` forces it.  Everything is seeded; sox runs with
-D -R (no dither, repeatable random numbers); parallel jobs get their random
numbers from their own id, never from the order they run in.

Label vocabulary (the detector's targets): the digit words oh, zero, one ...
nine and "double" (as in "double seven"); every other word is other speech.

Splits (by speaker / voice; asserted disjoint in code, see assert_disjoint):
  * AN4 (54 speakers, 14 f / 40 m): test 14 (4 f + 10 m), tune 6 (2 f + 4 m),
    train 34 (8 f + 26 m); per sex the sorted speaker list is shuffled with
    SPLIT_SEED and cut in that order (test, tune, train).
  * FSDD: train george, jackson, lucas; tune nicolas; test yweweler.
    TRAINING items use fsdd-train/ files only; EVALUATION items (tune and
    test) use the fsdd/ files (indices 0-4, FSDD's own test split), so
    training and evaluation never share a recording, and the messages of
    tools/msgset.py (built from fsdd/) are recordings the detector never
    heard, though 3 of their 5 speakers are training speakers.
  * Speech Commands (5 speakers): sorted ids shuffled with SPLIT_SEED: 3
    train, 1 tune, 1 test.
  * speech/ corpus: never in training; evaluation only, in BOTH eval splits
    (its digit-free recordings as negatives); s4_10001-90210-01803 is a test
    positive.
  * TTS voices (voice = engine + voice name (+ espeak variant)):
      espeak-ng accents  train en-us, en-gb, en-029, en-gb-scotland;
                         tune en-gb-x-gbcwmd;
                         test en-gb-x-rp, en-gb-x-gbclan, en-us-nyc
      espeak-ng variants train m1 m2 m3 m4 f1 f2 f4 klatt; tune m5 f3;
                         test m6 m7 f5 klatt2 (disjoint).  Every accent is also
                         used with no variant (espeak's default formants):
                         the only thing shared across splits is that default,
                         always under a different accent.
      flite / festival   speakers: kal (flite kal, kal16, festival
                         kal_diphone), awb, slt (flite slt, festival
                         cmu_us_slt_arctic_hts) are train; rms (flite) is test;
                         none is tune.

TRAINING items (train.json), per split train | tune:
  * an4:  every utterance of the split's speakers, words from *.words.tsv.
  * fsdd: (a) every single-digit file of the split's speakers as it is (16
    kHz), its word span by forced alignment of the file (or, where that
    fails or is rejected by the energy check, by an energy trim: 5 ms frames
    within 35 dB of the loudest and 6 dB over the floor; span_method says
    which); (b) sequences of 3-12 digits of one speaker, each digit cut at
    its word span (10 ms margin, 3 ms fades), joined with random gaps 0-0.35
    s (a fifth with no gaps); word times from the join offsets.  FSDD's 0 is
    "zero".  (An energy trim alone was tried first: some speakers' noise
    floor is within 35 dB of their peak, so it took the whole file; the
    aligned word ends 35-90 ms (median) before the energy end.)
  * sc:   Speech Commands the same way (energy fallback within 30 dB).
  * joined (kind an4 / fsdd / sc, shape "joined"; joined_sources): real
    speech run into real digits with no pause: each AN4 phone number / ZIP
    utterance four times after another of the same speaker's utterances
    without digits (letters, words, commands), half of them followed by one
    more; and 80 FSDD / Speech Commands sequences per speaker after an AN4
    utterance of the split (a different speaker, as in the evaluation's
    fsddnum).  Cut at the word edges, levels matched, 10 ms crossfades.
  * tts:  N_TTS utterances from the text generator (plan_tts): answer-phone
    messages with UK / US phone numbers (7-11 digits, oh / zero / double,
    grouped with commas or rattled off), reference numbers, short digit
    phrases, and negatives that sound like digits (spelled letters, "to",
    "for", "won", "ate", "tree", "nein" ..., teens and tens, names, lists of
    days and colours, ordinary sentences): about 40 % with a run of 5+
    digits, 20 % with 1-4 digit words, 40 % with none.  espeak-ng -s 110-300
    -p 20-80 (at most 340 words a minute with the prosody rate), half of
    its numbers inside SSML <prosody rate=...> (55-250 %),
    half with no break before the number; flite duration_stretch 0.55-1.6;
    festival Duration_Stretch 0.55-1.6.  Word times by forced alignment (see
    below).
  * conditions: every source gets distinct conditions drawn with its own seed
    (train 2, AN4 train 3, tune 1) from: clean; telephone (sinc 300-3400, 8
    kHz 8-bit mu-law WAV); gsm (8 kHz GSM 6.10 WAV); noisy (white / pink /
    brown at 10-20 dB SNR re the speech RMS); quiet (speech RMS -45..-35
    dBFS); tempo 0.7-1.8 (sox tempo -s; word times / tempo); pitch -400..+400
    cents; echo (sox reverb 30-70); and chains of two (CHAINS).  PCM16 16 kHz
    unless telephone / gsm.
  item: {id, wav, split, kind (an4|fsdd|sc|tts), source, speaker, condition,
         cond_params, words: [[start_s, end_s, word], ...] (the item's own
         time base), transcript, duration_s, sample_rate, encoding, ...}

EVALUATION items (eval.json), per split tune | test, each in the conditions
clean (16 kHz PCM16) and telephone (8 kHz mu-law, band-limited):
  * onebreath: whole answer-phone messages synthesised as ONE utterance by
    the split's espeak-ng voices at -s 140-175 (SSML, the number inside
    <prosody>: rushed 115-165 %, about 5-7 syllables/s, as a caller who
    rattles it off, in half; slow 55-80 % in the other half, digit groups with
    commas in some slow ones), run into the words before it with no break
    (all rushed, 70 % of slow ones), sometimes said twice ("that's ..."), and
    by the split's flite voices (whole-message duration_stretch 0.6-0.8 or
    1.3-1.7).  N_ONEBREATH base messages per split, half rushed and half slow
    (25 % more are planned; a message whose alignment is dropped is replaced
    by the next spare of its split and pace).  Truth from forced alignment of
    the whole message.
  * an4num: AN4 cen7 (phone number) and cen6 (ZIP) utterances of the split's
    speakers, (a) alone, (b) run into a carrier sentence from speech/ (trailing
    silence cut at its last word, AN4 leading silence cut at its first word,
    levels matched, 10 ms crossfade, so no silence between them; tune: after
    N_AN4_CARRIERS carriers each, as its 6 speakers are few).  cen7 without
    a run of 5+ digits is dropped.  Test also holds
    speech/s4_10001-90210-01803 (source speech:s4_...; its three 5-digit
    groups are 1.3-1.4 s apart, so under the 2 s rule they make ONE
    15-digit number).
  * fsddnum: 7-11 digits of the split's FSDD speaker (fsdd/), gaps 0-0.15 s,
    half grouped with 0.3-0.5 s gaps; after a speech/ carrier with no gap.
    Half of them are rushed with sox tempo 1.5-2.2 (FSDD_RUSH; FSDD digits
    with those gaps come out at 2.4-3.9 syllables/s, median 3.1, so without
    it there would be no "too_fast" truth in this kind).
  * none: the split's AN4 cen1, cen2, cen4, cen5 and `an` utterances (those
    with fewer than 5 digits in a row), plus, in both splits, the speech/
    recordings other than s4 (words null for the three without words.tsv;
    ljs_LJ002-0035 "eight the press yard" and mfa_surround "this one ..."
    hold a single digit word each, no number).
  item: {id, wav, split, kind, condition, source, words, transcript,
         numbers: [{start_s, end_s, digits, words, syllables, rate, verdict}],
         verdict, duration_s, ...}
  A number is a maximal run of >= 5 digits (oh/zero/one..nine; "double X" is
  two digits and two words) with no other word between and no gap over
  MAX_DIGIT_GAP (2 s); start / end = first / last digit word's start / end;
  syllables zero 2, seven 2, double 2, other digit words 1; rate = syllables /
  (end - start); verdict "too_fast" (rate > 3.5), "ok" (<= 3.5), null when
  |rate - 3.5| / 3.5 < 0.15.  Item verdict: "too_fast" if any number is,
  else null if any number's is null, else "ok"; null without numbers.

Forced alignment (synthetic speech): pocketsphinx_batch (pocketsphinx-en-us,
cmudict-en-us.dict, -remove_silence no, one linear FSG per utterance, 0.5 s
of silence appended), in batches, 2 processes.  It gives the same boundaries
as the pocketsphinx_continuous + JSGF recipe (checked: median difference 0,
95 % within 20 ms) at a third of the cost.  An utterance whose result is not
exactly its transcript, in which a word got the minimum 3 frames per phone
(squeezed: fast speech the 10 ms-frame models cannot follow), or which fails
the energy check, is aligned again slowed with sox tempo -s 0.5 (times x
0.5); the slowed result is taken when it passes and squeezes fewer words.
Energy check (energy_problems): no more than 0.1 s of sound (10 ms frames
within 30 dB of the loudest) before the first or after the last word, no
silence (50 dB below) of 0.2 s or more inside a word.  Before the check,
fix_edges stretches the first / last word to the first / last sound frame
when that is at most 0.35 s away (pocketsphinx often leaves a lengthened
phrase-final vowel, or a soft onset, to <sil>; edge_fix_s records it).  The
check caught, among others, espeak-ng reading a "." after </prosody> as the
word "dot" (now avoided).  An utterance with no passing alignment is dropped
(counted, with the reason).  Every transcript word must be in cmudict (checked at
build time: an OOV word stops the build).  pocketsphinx times: start of first
frame, end = last frame + 10 ms (as in the corpus's words.tsv).

    tools/digitset.py [train|eval|all] [--rebuild] [--jobs N] [--check]
"""

import csv
import ctypes
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
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.signal import resample_poly

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evalset import cache_lock, find_cmudict  # noqa: E402

CORPUS = os.environ.get("VMCHECK_CORPUS_ROOT", "/work/shared/corpus")
CACHE = os.environ.get("VMCHECK_DIGITSET", "/tmp/vmcheck-digitset")
HMM = "/usr/share/pocketsphinx/model/en-us/en-us"
BUILD_VERSION = 1
SR = 16000
JOBS = 2

SPLIT_SEED = 31337
TTS_SEED = 4100
COND_SEED = 5200
SEQ_SEED = 6300
EVAL_SEED = 7400

N_TTS = {"train": 2500, "tune": 300}
N_FSDD_SEQ = {"train": 150, "tune": 60}          # per speaker
N_SC_SEQ = {"train": 40, "tune": 20}             # per speaker
# tune is as large as test where the corpus allows (its choices were seen to
# miss on test with fewer): synthesised messages and FSDD sequences are
# free, AN4 tune has 6 speakers, so each of their numbers after 3 carriers
N_ONEBREATH = {"test": 120, "tune": 120}
N_FSDDNUM = {"test": 40, "tune": 40}
N_AN4_CARRIERS = {"test": 1, "tune": 3}
N_COND = {"train": 2, "tune": 1}
N_COND_AN4_TRAIN = 3
N_JOIN_AN4 = 4              # joined recordings per AN4 number utterance (see joined_sources)
N_JOIN_SEQ = {"train": 80, "tune": 10}   # FSDD / Speech Commands sequences after an AN4 carrier, per speaker
JOIN_SEED = 6900
FSDD_RUSH = (1.5, 2.2)
FLITE_SHARE = {"test": 0.25}     # share of onebreath messages said by flite
ONEBREATH_SPARE = 0.25           # messages planned beyond N_ONEBREATH (see pick_onebreath)

LIMIT = 3.5              # vmcheck's number limit, syllables/s
NO_VERDICT_BAND = 0.15
MIN_DIGITS = 5
MAX_DIGIT_GAP = 2.0

DIGIT_WORDS = {"oh": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4",
               "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
LABEL_WORDS = sorted(DIGIT_WORDS) + ["double"]
SYLLABLES = {"zero": 2, "seven": 2, "double": 2}
DIGIT_NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

# ---------------------------------------------------------------------------
# voices and splits

ESPEAK_ACCENTS = {"train": ["en-us", "en-gb", "en-029", "en-gb-scotland"],
                  "tune": ["en-gb-x-gbcwmd"],
                  "test": ["en-gb-x-rp", "en-gb-x-gbclan", "en-us-nyc"]}
ESPEAK_VARIANTS = {"train": ["m1", "m2", "m3", "m4", "f1", "f2", "f4", "klatt"],
                   "tune": ["m5", "f3"],
                   "test": ["m6", "m7", "f5", "klatt2"]}
# (engine, voice, speaker)
OTHER_VOICES = {"train": [("flite", "kal", "kal"), ("flite", "kal16", "kal"), ("flite", "awb", "awb"),
                          ("flite", "slt", "slt"), ("festival", "kal_diphone", "kal"),
                          ("festival", "cmu_us_slt_arctic_hts", "slt")],
                "tune": [],
                "test": [("flite", "rms", "rms")]}
TTS_ENGINE_SHARE = {"espeak-ng": 0.60, "flite": 0.28, "festival": 0.12}
FSDD_SPLIT = {"george": "train", "jackson": "train", "lucas": "train", "nicolas": "tune", "yweweler": "test"}
AN4_SPLIT_SIZES = {"female": (4, 2), "male": (10, 4)}       # (test, tune)
SC_SPLIT_ORDER = ["train", "train", "train", "tune", "test"]
# speech/ files never used as carriers (no phone-number truth depends on them
# otherwise): whispered, and mfa_creaky whose words.tsv is known to be wrong
# (see tools/evalset.py EXCLUDE).
CARRIER_EXCLUDE = ("mfa_whisper", "mfa_creaky")
S4 = "s4_10001-90210-01803.wav"


def espeak_voices(split):
    """[(engine, voice, speaker)] of the split's espeak-ng voices."""
    out = []
    for acc in ESPEAK_ACCENTS[split]:
        for var in [None] + ESPEAK_VARIANTS[split]:
            v = acc if var is None else "%s+%s" % (acc, var)
            out.append(("espeak-ng", v, "espeak-ng:" + v))
    return out


def tts_voices(split):
    return espeak_voices(split) + [(e, v, "%s:%s" % ("tts", s)) for e, v, s in OTHER_VOICES[split]]


def voice_name(engine, voice):
    return "%s:%s" % (engine, voice)


def an4_manifest():
    with open(os.path.join(CORPUS, "an4", "manifest.tsv"), encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def an4_splits():
    sex = {}
    for r in an4_manifest():
        sex[r["speaker"]] = r["sex"]
    rng = random.Random(SPLIT_SEED)
    out = {}
    for s in ("female", "male"):
        spk = sorted(k for k, v in sex.items() if v == s)
        rng.shuffle(spk)
        n_test, n_tune = AN4_SPLIT_SIZES[s]
        for i, k in enumerate(spk):
            out[k] = "test" if i < n_test else ("tune" if i < n_test + n_tune else "train")
    return out


def sc_manifest():
    with open(os.path.join(CORPUS, "speechcommands", "manifest.tsv"), encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def sc_splits():
    spk = sorted({r["speaker_id"] for r in sc_manifest()})
    random.Random(SPLIT_SEED + 1).shuffle(spk)
    assert len(spk) == len(SC_SPLIT_ORDER), spk
    return dict(zip(spk, SC_SPLIT_ORDER))


def speaker_sets():
    """{split: set of speaker keys} over every source."""
    sets = defaultdict(set)
    for k, v in an4_splits().items():
        sets[v].add("an4:" + k)
    for k, v in FSDD_SPLIT.items():
        sets[v].add("fsdd:" + k)
    for k, v in sc_splits().items():
        sets[v].add("sc:" + k)
    for split in ("train", "tune", "test"):
        for _, _, spk in tts_voices(split):
            sets[split].add(spk)
    return sets


def assert_disjoint():
    sets = speaker_sets()
    for a, b in (("train", "tune"), ("train", "test"), ("tune", "test")):
        both = sets[a] & sets[b]
        assert not both, "speakers in both %s and %s: %s" % (a, b, sorted(both))
        acc = set(ESPEAK_ACCENTS[a]) & set(ESPEAK_ACCENTS[b])
        var = set(ESPEAK_VARIANTS[a]) & set(ESPEAK_VARIANTS[b])
        assert not acc and not var, "espeak accents/variants shared by %s and %s: %s %s" % (a, b, acc, var)
    n = Counter(v for v in an4_splits().values())
    assert (n["train"], n["tune"], n["test"]) == (34, 6, 14), n
    return sets


def check_voices():
    """Fail loudly when a voice of the design is not installed."""
    out = run(["espeak-ng", "--voices=en"]).stdout
    langs = {ln.split()[1] for ln in out.splitlines()[1:] if len(ln.split()) > 1}
    var_out = run(["espeak-ng", "--voices=variant"]).stdout
    variants = {ln.split()[4].split("/")[-1] for ln in var_out.splitlines()[1:] if len(ln.split()) > 4}
    for split in ESPEAK_ACCENTS:
        for a in ESPEAK_ACCENTS[split]:
            if a not in langs:
                raise SystemExit("digitset: espeak-ng accent %s missing" % a)
        for v in ESPEAK_VARIANTS[split]:
            if v not in variants:
                raise SystemExit("digitset: espeak-ng variant %s missing" % v)
    fl = set(run(["flite", "-lv"]).stdout.replace("Voices available:", "").split())
    for split in OTHER_VOICES:
        for e, v, _ in OTHER_VOICES[split]:
            if e == "flite" and v not in fl:
                raise SystemExit("digitset: flite voice %s missing" % v)
            if e == "festival" and not any(os.path.isdir(os.path.join("/usr/share/festival/voices", d, v))
                                           for d in ("english", "us")):
                raise SystemExit("digitset: festival voice %s missing" % v)


# ---------------------------------------------------------------------------
# small helpers

def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (r.returncode, " ".join(cmd), r.stderr[-2000:]))
    return r


def seed_int(*parts):
    return int(hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:15], 16)


def rng_for(*parts):
    return random.Random(":".join(str(p) for p in parts))


def np_rng(*parts):
    return np.random.default_rng(seed_int(*parts))


def load_audio(path, sr=SR):
    """Any file sox reads -> float64 mono samples at sr (int16 scale)."""
    r = subprocess.run(["sox", "-D", "-R", path, "-t", "raw", "-e", "signed-integer", "-b", "16", "-c", "1",
                        "-r", str(sr), "-"], capture_output=True)
    if r.returncode != 0:
        raise RuntimeError("sox cannot read %s: %s" % (path, r.stderr.decode(errors="replace")))
    return np.frombuffer(r.stdout, dtype="<i2").astype(np.float64)


def write_pcm16(path, x, sr=SR):
    a = np.clip(np.round(x), -32768, 32767).astype("<i2")
    tmp = path + ".tmp"
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(a.tobytes())
    os.replace(tmp, path)


def rms(x):
    return float(np.sqrt(np.mean(x * x))) if len(x) else 0.0


def db(x):
    return 20 * math.log10(x) if x > 0 else -999.0


def speech_rms(x, words, sr=SR):
    idx = [x[int(s * sr):int(math.ceil(e * sr))] for s, e, _ in words] if words else [x]
    seg = np.concatenate(idx) if idx else x
    return rms(seg) or rms(x) or 1.0


def peak_guard(x, limit=32000.0):
    p = float(np.max(np.abs(x))) if len(x) else 0.0
    return x * (limit / p) if p > limit else x


def colored_noise(n, kind, nrng, sr=SR):
    """Unit-RMS white / pink / brown noise (1/f^0, 1/f, 1/f^2 power), >= 20 Hz."""
    alpha = {"white": 0.0, "pink": 1.0, "brown": 2.0}[kind]
    m = max(n, 2)
    spec = nrng.standard_normal(m // 2 + 1) + 1j * nrng.standard_normal(m // 2 + 1)
    f = np.fft.rfftfreq(m, 1.0 / sr)
    f[0] = 1.0
    spec *= f ** (-alpha / 2.0)
    spec[f < 20.0] = 0.0
    x = np.fft.irfft(spec, m)[:n]
    return x / (rms(x) or 1.0)


def fades(x, n):
    n = min(n, len(x) // 2)
    if n > 0:
        r = np.linspace(0.0, 1.0, n, endpoint=False)
        x[:n] *= r
        x[-n:] *= r[::-1]
    return x


def energy_bounds(x, sr, below_db, hop_s=0.005):
    """(i0, i1) sample bounds of the frames less than below_db under the
    loudest and more than 6 dB over the floor (5 % quantile)."""
    hop = max(1, int(sr * hop_s))
    nfr = max(1, len(x) // hop)
    fr = x[:nfr * hop].reshape(nfr, hop)
    e = 10 * np.log10(np.mean(fr * fr, axis=1) + 1e-9)
    thr = min(e.max() - 1.0, max(e.max() - below_db, np.quantile(e, 0.05) + 6.0))
    on = np.nonzero(e > thr)[0]
    return int(on[0] * hop), int(min(len(x), (on[-1] + 1) * hop))


def rw(words, nd=4):
    return [[round(float(s), nd), round(float(e), nd), w] for s, e, w in words]


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


# libsndfile (what vmcheck reads with): frames and rate of a file, or an error
class _SFInfo(ctypes.Structure):
    _fields_ = [("frames", ctypes.c_int64), ("samplerate", ctypes.c_int), ("channels", ctypes.c_int),
                ("format", ctypes.c_int), ("sections", ctypes.c_int), ("seekable", ctypes.c_int)]


_SF = None


def sndfile_info(path):
    """(frames, samplerate, format) as libsndfile sees the file; raises if unreadable."""
    global _SF
    if _SF is None:
        _SF = ctypes.CDLL("libsndfile.so.1")
        _SF.sf_open.restype = ctypes.c_void_p
        _SF.sf_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(_SFInfo)]
        _SF.sf_close.argtypes = [ctypes.c_void_p]
    info = _SFInfo()
    h = _SF.sf_open(path.encode(), 0x10, ctypes.byref(info))
    if not h:
        raise RuntimeError("libsndfile cannot open %s" % path)
    _SF.sf_close(h)
    return info.frames, info.samplerate, info.format


# ---------------------------------------------------------------------------
# dictionary, words and numbers

_CMU = None


def cmu():
    """word -> minimum number of phones over its pronunciations."""
    global _CMU
    if _CMU is None:
        d = {}
        with open(find_cmudict(), encoding="utf-8", errors="replace") as f:
            for line in f:
                p = line.split()
                if len(p) >= 2:
                    w = re.sub(r"\(\d+\)$", "", p[0])
                    d[w] = min(d.get(w, 99), len(p) - 1)
        _CMU = d
    return _CMU


def check_vocab(transcripts, what):
    oov = Counter(w for t in transcripts for w in t.split() if w not in cmu())
    if oov:
        raise SystemExit("digitset: %s: words not in cmudict (fix the text pools): %s" % (
            what, ", ".join("%s (%d)" % kv for kv in oov.most_common())))


def syllables_of(w):
    return SYLLABLES.get(w, 1)


def verdict_of(rate):
    if abs(rate - LIMIT) / LIMIT < NO_VERDICT_BAND:
        return None
    return "too_fast" if rate > LIMIT else "ok"


def find_numbers(words):
    """Truth numbers of a word list [[s, e, w], ...] (see the docstring)."""
    out = []
    cur = None

    def close():
        if cur and len(cur["digits"]) >= MIN_DIGITS:
            dur = cur["end_s"] - cur["start_s"]
            rate = cur["syllables"] / dur if dur > 0 else float("inf")
            cur["rate"] = round(rate, 4)
            cur["verdict"] = verdict_of(rate)
            cur["start_s"] = round(cur["start_s"], 4)
            cur["end_s"] = round(cur["end_s"], 4)
            out.append(cur)

    i = 0
    while i < len(words):
        w = words[i][2]
        if w in DIGIT_WORDS:
            toks, digs = [words[i]], DIGIT_WORDS[w]
        elif w == "double" and i + 1 < len(words) and words[i + 1][2] in DIGIT_WORDS:
            toks, digs = words[i:i + 2], DIGIT_WORDS[words[i + 1][2]] * 2
        else:
            close()
            cur = None
            i += 1
            continue
        if cur is not None and toks[0][0] - cur["end_s"] > MAX_DIGIT_GAP:
            close()
            cur = None
        if cur is None:
            cur = {"start_s": toks[0][0], "end_s": toks[0][1], "digits": "", "words": 0, "syllables": 0}
        cur["end_s"] = toks[-1][1]
        cur["digits"] += digs
        cur["words"] += len(toks)
        cur["syllables"] += sum(syllables_of(t[2]) for t in toks)
        i += len(toks)
    close()
    return out


def item_verdict(numbers):
    if not numbers:
        return None
    v = [n["verdict"] for n in numbers]
    if "too_fast" in v:
        return "too_fast"
    return None if None in v else "ok"


def text_class(transcript):
    """'long' (a run of 5+ digits), 'short' (1-4 digit words) or 'none'."""
    ws = transcript.split()
    if find_numbers([[i, i + 0.5, w] for i, w in enumerate(ws)]):
        return "long"
    return "short" if any(w in DIGIT_WORDS for w in ws) else "none"


def read_words_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            p = line.rstrip("\n").split("\t")
            if i == 0 and p[0] == "start_s":
                continue
            if len(p) >= 3:
                rows.append([float(p[0]), float(p[1]), p[2].lower()])
    return rows


# ---------------------------------------------------------------------------
# text generation (all words lower case, except spelled letters: upper case
# in the TTS text, lower case in the transcript)

FIRST = ["sarah", "david", "emma", "michael", "laura", "james", "anna", "robert", "karen", "peter", "lucy",
         "thomas", "maria", "daniel", "helen", "mark", "jessica", "paul", "rachel", "steven", "john", "kate",
         "tom", "grace", "oliver", "sophie", "harry", "chloe", "jack", "amy", "ben", "claire", "simon", "ruth",
         "adam", "fiona", "george", "julie", "martin", "nina"]
LAST = ["miller", "thompson", "carter", "johnson", "walker", "bennett", "collins", "parker", "morgan",
        "hughes", "reed", "foster", "turner", "bailey", "cooper", "ward", "smith", "jones", "brown", "wilson",
        "taylor", "clark", "lewis", "harris", "evans", "wright", "green", "baker", "hall", "king", "hill",
        "scott", "adams", "mitchell", "roberts", "campbell", "murphy", "price", "kelly", "cook"]
SPELL = ["smith", "jones", "brown", "wilson", "taylor", "clark", "lewis", "hughes", "baker", "green", "price",
         "kelly", "ward", "reed", "hall", "king", "cook", "scott", "evans", "webb", "fox", "nash", "quinn",
         "doyle", "patel", "khan", "wood", "lowe", "jackson", "fisher", "hayes", "vaughan"]
GREETINGS = ["hi it's", "hello this is", "hi this is", "hey it's", "good morning this is",
             "good afternoon it's", "hello my name is", "hi there it's"]
ORGS = ["from the dental practice", "from city plumbing", "from the library", "from green valley school",
        "from your bank", "from the health centre", "from the garage", "from harbour estates",
        "from northern supplies", "calling from the council"]
REASONS = ["i'm calling about your appointment on tuesday", "i wanted to ask about the invoice you sent",
           "your car is ready to be picked up", "i have a quick question about the flat",
           "we need to move the meeting to friday", "your parcel has arrived at the depot",
           "i'm returning your call from this morning", "it's about the quote for the new kitchen",
           "the tickets you asked about are available again", "there's a small problem with the delivery",
           "we've had a cancellation so there's an earlier slot", "just checking you got my email",
           "i'd like to book a viewing for next week", "your prescription is ready to collect"]
LEADS = ["please call me back on", "call me back on", "you can reach me on", "my number is",
         "you can call me on", "give me a ring on", "the number is", "call me at", "please call me back at",
         "you can reach me at", "my mobile is", "my direct line is", "the best number is"]
REPEATS = ["that's", "again that's", "that's", "once more that's"]
SIGNOFFS = ["thanks bye", "thank you very much", "talk to you soon", "have a great day", "thanks a lot bye",
            "see you soon take care", "many thanks goodbye", "cheers bye for now", "speak soon"]
REF_LEADS = ["my reference number is", "the order number is", "the account number is", "the zip code is",
             "my customer number is", "the booking reference is", "the serial number is",
             "your confirmation code is", "the invoice number is", "my membership number is"]
SHORT = ["press {d}", "press {d} to speak to someone", "for sales press {d}", "option {d}",
         "room {d} {d} {d}", "flat {d}", "it's gate {d}", "platform {d}", "extension {d} {d} {d} {d}",
         "the code is {d} {d}", "i'll be there at {d}", "half past {d}", "one or two of them",
         "see you at {d}", "about {d} minutes", "bus number {d} {d}", "we need {d} of those", "it's on level {d}",
         "call me after {d}", "page {d} {d}", "i have {d} children", "{d} more days", "twenty {d}",
         "nineteen ninety {d}", "{d} thirty tomorrow", "a hundred and {d}", "chapter {d}", "it costs {d} pounds",
         "number {d} please", "in {d} weeks", "at {d} o'clock", "table for {d}", "it's {d} degrees outside",
         "the score was {d} {d}", "sixty {d}", "we leave at {d} fifteen"]
NONDIGIT_NUMBERS = ["nineteen eighty", "ten thirty", "twenty twenty", "a hundred", "eleven", "twelve",
                    "thirteen", "fifteen", "eighteen", "forty", "sixty", "seventy", "eighty", "ninety",
                    "a thousand", "half past ten", "quarter to twelve", "the tenth", "the first", "the second",
                    "the third", "the fourth", "the fifth", "the sixth", "the seventh", "the eighth",
                    "the ninth", "twice", "once", "a dozen", "eleven fifteen", "fourteen", "sixteen",
                    "seventeen", "nineteen", "fifty", "thirty", "twenty", "ten", "eleven forty",
                    "twelve fifty", "eighteen sixty", "sixty thousand", "forty thousand", "ten thousand",
                    "thirteen hundred", "fifteen twenty", "twenty thirty", "fourteenth", "seventeenth"]
NONDIGIT_CARRIERS = ["it was in", "see you at", "there were", "the meeting is at", "it costs", "we open at",
                     "i counted", "she turned", "it's been", "that was", "the bus comes at", "we sold", "about"]
CONFUSABLE = ["i want to go there too", "we won the match", "she ate the whole cake", "the tree is very old",
              "that's fine", "i feel a bit sick", "heaven knows", "nein said the man", "this is for you",
              "it's too late now", "the kids ate early", "i'm fine thanks", "what a fine day",
              "thanks for that", "go to the shop", "the oak tree", "he won the race", "the cat ate it",
              "fix the sink", "free tea for everyone", "the fire is out", "stand in line", "nice and quiet",
              "none of them came", "it weighs a ton", "all done", "in the sun", "just for fun",
              "too many cooks", "wait for me", "a tent and sticks", "that's mine", "we dined at eighty",
              "the hive is busy", "sick of it", "for the record", "to and fro", "eat your greens",
              "the sticks are wet", "the light is on", "we wondered why", "a tiny fee", "the fork is clean",
              "this is fun", "the sign is new", "they won too", "seventh heaven", "she sat in the tree",
              "it's fine to wait", "i ate too much", "double check the address", "we met for tea",
              "the forty thieves", "hold on a sec", "nine tenths of the law"]
RHYTHM = [["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
          ["red", "green", "blue", "yellow", "orange", "purple", "pink", "black", "white"],
          ["january", "february", "march", "april", "may", "june", "july", "august"],
          ["north", "south", "east", "west"],
          ["apples", "pears", "plums", "grapes", "lemons", "cherries", "melons"],
          ["cat", "dog", "bird", "fish", "horse", "sheep", "goat", "cow"],
          ["spring", "summer", "autumn", "winter"],
          ["left", "right", "up", "down", "back", "forward"],
          ["bread", "milk", "eggs", "cheese", "butter", "tea", "rice"],
          ["tick", "tock", "tick", "tock"]]
ORDINARY = ["the weather is lovely today", "could you pass me the salt", "i'm running a little late",
            "the train was cancelled again", "we should go out for dinner", "have you seen my keys",
            "the meeting went really well", "i'll send you the details later", "let me know what you think",
            "the shop closes early on sundays", "she's moving to a new house", "it was nice to see you",
            "we're going on holiday next month", "the garden needs some work", "can you hear me",
            "i left my umbrella at home", "the children are at school", "he's looking for a new job",
            "dinner is ready", "the film starts soon", "i'm not sure about that", "it's a long story",
            "please leave a message after the tone", "sorry i missed your call", "hope you're well",
            "i'll try again tomorrow", "nothing urgent", "any time after lunch is fine",
            "i'm in the office until late", "it won't take long", "speak to you later",
            "the car park is behind the building", "bring a coat it's cold", "the kettle is on"]
LETTERS = "BCDEFGHJKLMNPRSTUVWXYZ"      # for random letter codes (A and I read as words, O like oh)


def spelled(word):
    return " ".join(ch.upper() for ch in word)


def digit_word(ch, zero_style, rng):
    if ch == "0":
        return rng.choice(["oh", "zero"]) if zero_style == "mixed" else zero_style
    return DIGIT_NAMES[int(ch)]


def rand_digits(rng, n, first="0123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def phone_number(rng, fsdd=False):
    """{digits, kind, groups: [[spoken words], ...]}: a 7-11 digit UK or US style number."""
    kind = rng.choice(["uk_mobile", "uk_mobile", "uk_london", "uk_geo4", "uk_geo5", "us", "us", "us_local",
                       "local8", "local9"])
    if kind == "uk_mobile":
        digits, sizes = "07" + rand_digits(rng, 9), rng.choice([[5, 6], [5, 3, 3]])
    elif kind == "uk_london":
        digits, sizes = "020" + rng.choice("378") + rand_digits(rng, 7), [3, 4, 4]
    elif kind == "uk_geo4":
        digits, sizes = "01" + rand_digits(rng, 9), rng.choice([[4, 3, 4], [4, 7]])
    elif kind == "uk_geo5":
        digits, sizes = "01" + rand_digits(rng, 9), rng.choice([[5, 6], [5, 3, 3]])
    elif kind == "us":
        digits, sizes = rand_digits(rng, 3, "23456789") + rand_digits(rng, 7, "23456789"), [3, 3, 4]
    elif kind == "us_local":
        digits, sizes = rand_digits(rng, 7, "23456789"), [3, 4]
    elif kind == "local8":
        digits, sizes = rand_digits(rng, 8, "23456789"), [4, 4]
    else:
        digits, sizes = rand_digits(rng, 9, "123456789"), [3, 3, 3]
    uk = kind.startswith("uk")
    if fsdd:
        zero_style, p_double = "zero", 0.0
    else:
        r = rng.random()
        oh = 0.75 if uk else 0.5
        zero_style = "oh" if r < oh else ("zero" if r < 0.9 else "mixed")
        p_double = 0.5 if uk else (0.15 if kind.startswith("us") else 0.3)
    return {"digits": digits, "kind": kind, "sizes": sizes,
            "groups": speak_groups(digits, sizes, zero_style, p_double, rng)}


def speak_groups(digits, sizes, zero_style, p_double, rng):
    groups, i = [], 0
    for s in sizes:
        g, k, w = digits[i:i + s], 0, []
        while k < len(g):
            if k + 1 < len(g) and g[k] == g[k + 1] and rng.random() < p_double:
                w += ["double", digit_word(g[k], zero_style, rng)]
                k += 2
            else:
                w.append(digit_word(g[k], zero_style, rng))
                k += 1
        groups.append(w)
        i += s
    return groups


def ref_number(rng):
    n = rng.randint(5, 8)
    digits = rand_digits(rng, n)
    if rng.random() < 0.5:
        sizes = [n]
    else:
        sizes, left = [], n
        while left:
            s = min(left, rng.randint(2, 4))
            sizes.append(s)
            left -= s
    zs = rng.choice(["oh", "zero", "mixed"])
    return {"digits": digits, "kind": "ref", "sizes": sizes, "groups": speak_groups(digits, sizes, zs, 0.2, rng)}


def chunk(text, sep=",", rate=None):
    """A piece of an utterance: TTS text, its transcript words, separator after, SSML rate."""
    words = [re.sub(r"[^a-z']", "", t.lower()) for t in text.split()]
    return {"text": text, "words": [w for w in words if w], "sep": sep, "rate": rate}


def number_chunk(num, grouped, sep=",", rate=None):
    text = (", " if grouped else " ").join(" ".join(g) for g in num["groups"])
    c = chunk(text, sep, rate)
    c["number"] = num["digits"]
    return c


def neg_chunk(rng):
    r = rng.random()
    if r < 0.25:
        return chunk(rng.choice(CONFUSABLE))
    if r < 0.45:
        k = rng.random()
        if k < 0.6:
            name = rng.choice(SPELL)
            lead = rng.choice(["that's", "it's spelled", "my surname is %s that's" % name, "spelled",
                               "the name is %s" % name])
            return chunk("%s %s" % (lead, spelled(name)))
        code = "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 5)))
        return chunk("%s %s" % (rng.choice(["the code is", "it's", "letters", "the post code is"]), spelled(code)))
    if r < 0.65:
        return chunk("%s %s" % (rng.choice(NONDIGIT_CARRIERS), rng.choice(NONDIGIT_NUMBERS)))
    if r < 0.75:
        return chunk(rng.choice(["this is %s %s", "hi %s %s here", "%s %s", "ask for %s %s"]) % (
            rng.choice(FIRST), rng.choice(LAST)))
    if r < 0.85:
        pool = rng.choice(RHYTHM)
        n = rng.randint(3, min(7, len(pool)))
        start = rng.randrange(len(pool) - n + 1)
        return chunk(" ".join(pool[start:start + n]))
    return chunk(rng.choice(ORDINARY))


def short_chunk(rng):
    t = rng.choice(SHORT)
    return chunk(re.sub(r"\{d\}", lambda _: rng.choice(DIGIT_NAMES[1:] + ["oh", "zero"]), t))


def long_chunks(rng, espeak):
    """Chunks of an utterance with a run of 5+ digits."""
    r = rng.random()
    num = phone_number(rng) if r < 0.8 else ref_number(rng)
    grouped = rng.random() < 0.5
    rate = None
    if espeak and rng.random() < 0.5:
        rate = rng.choice([55, 60, 70, 80, 130, 150, 180, 220, 250])
    out = []
    if r < 0.9:
        if rng.random() < 0.5:
            out.append(chunk("%s %s %s" % (rng.choice(GREETINGS), rng.choice(FIRST), rng.choice(LAST))))
        if rng.random() < 0.3:
            out.append(chunk(rng.choice(REASONS), "."))
        lead = rng.choice(LEADS if num["kind"] != "ref" else REF_LEADS)
        out.append(chunk(lead, "" if rng.random() < 0.5 else ","))
    out.append(number_chunk(num, grouped, ".", rate))
    if rng.random() < 0.2:
        out.append(chunk(rng.choice(REPEATS), ""))
        out.append(number_chunk(num, grouped, ".", rate))
    if rng.random() < 0.4:
        out.append(chunk(rng.choice(SIGNOFFS), "."))
    return out


def tts_text(chunks, ssml):
    parts = []
    for c in chunks:
        t = c["text"]
        t = re.sub(r"\bi\b", "I", t)
        if ssml and c["rate"]:
            # the separator inside the element: after </prosody> espeak-ng
            # reads a "." as the word "dot"
            parts.append('<prosody rate="%d%%">%s%s</prosody>' % (c["rate"], t, c["sep"]))
        else:
            parts.append(t + c["sep"])
    s = " ".join(parts)
    return "<speak>%s</speak>" % s if ssml else s


def plan_tts_utterance(i, split, engine, voice):
    """Everything random about TTS training utterance i (its own seed)."""
    rng = rng_for(TTS_SEED, split, i)
    r = rng.random()
    want = "long" if r < 0.4 else ("short" if r < 0.6 else "none")
    espeak = engine == "espeak-ng"
    for _ in range(50):
        if want == "long":
            chunks = long_chunks(rng, espeak)
        elif want == "short":
            chunks = [short_chunk(rng)]
            if rng.random() < 0.5:
                chunks.insert(rng.randrange(2), neg_chunk(rng))
        else:
            chunks = [neg_chunk(rng) for _ in range(rng.randint(1, 3))]
        chunks[-1]["sep"] = "."
        transcript = " ".join(w for c in chunks for w in c["words"])
        if text_class(transcript) == want:
            break
    else:
        raise RuntimeError("tts %s %d: cannot make a %s text" % (split, i, want))
    ssml = espeak and any(c["rate"] for c in chunks)
    spec = {"uid": "tts-%s-%04d" % (split, i), "engine": engine, "voice": voice, "split": split,
            "class": want, "transcript": transcript, "ssml": ssml,
            "text": tts_text(chunks, ssml), "lead": round(rng.uniform(0.05, 0.4), 3),
            "trail": round(rng.uniform(0.05, 0.5), 3), "level_db": round(rng.uniform(-26, -16), 2)}
    if espeak:
        spec["speed"] = rng.randint(110, 300)
        spec["pitch"] = rng.randint(20, 80)
        rates = [c["rate"] for c in chunks if c["rate"]]
        if rates and spec["speed"] * max(rates) / 100.0 > 340:
            spec["speed"] = max(110, int(340 * 100 / max(rates)))
    else:
        spec["stretch"] = round(rng.uniform(0.55, 1.6), 3)
    return spec


def plan_tts(split):
    """TTS training utterances of a split, spread over its voices."""
    voices = tts_voices(split)
    by_engine = defaultdict(list)
    for e, v, _ in voices:
        by_engine[e].append(v)
    share = {e: TTS_ENGINE_SHARE[e] for e in by_engine}
    tot = sum(share.values())
    n = N_TTS[split]
    counts, acc = {}, 0
    engines = sorted(by_engine)
    for e in engines:
        counts[e] = int(round(n * share[e] / tot))
        acc += counts[e]
    counts[engines[0]] += n - acc
    assign = []
    for e in engines:
        vs = by_engine[e]
        assign += [(e, vs[k % len(vs)]) for k in range(counts[e])]
    rng_for(TTS_SEED, "voices", split).shuffle(assign)
    return [plan_tts_utterance(i, split, e, v) for i, (e, v) in enumerate(assign)]


def plan_onebreath(split):
    """Whole answer-phone messages for the onebreath evaluation kind."""
    voices = tts_voices(split)
    esp = [v for e, v, _ in voices if e == "espeak-ng"]
    fl = [v for e, v, _ in voices if e == "flite"]
    n = int(round(N_ONEBREATH[split] * (1 + ONEBREATH_SPARE)))
    n_fl = int(round(n * FLITE_SHARE.get(split, 0.0))) if fl else 0
    assign = [("espeak-ng", esp[k % len(esp)]) for k in range(n - n_fl)] + \
             [("flite", fl[k % len(fl)]) for k in range(n_fl)]
    rng_for(EVAL_SEED, "voices", split).shuffle(assign)
    specs = []
    for i, (engine, voice) in enumerate(assign):
        rng = rng_for(EVAL_SEED, "onebreath", split, i)
        rushed = i % 2 == 0
        num = phone_number(rng)
        grouped = (not rushed) and rng.random() < 0.6
        nobreak = rushed or rng.random() < 0.7
        espeak = engine == "espeak-ng"
        rate = (rng.randint(115, 165) if rushed else rng.randint(55, 80)) if espeak else None
        ch = [chunk("%s %s %s" % (rng.choice(GREETINGS), rng.choice(FIRST), rng.choice(LAST)),
                    "" if rng.random() < 0.5 else ",")]
        if rng.random() < 0.5:
            ch.append(chunk(rng.choice(ORGS), "."))
        else:
            ch[-1]["sep"] = "."
        ch.append(chunk(rng.choice(REASONS), "."))
        if rng.random() < 0.2:
            ch.append(short_chunk(rng))
            ch[-1]["sep"] = "."
        ch.append(chunk(rng.choice(LEADS), "" if nobreak else ","))
        twice = rng.random() < 0.3
        ch.append(number_chunk(num, grouped, "." if twice or rng.random() < 0.5 else "", rate))
        if twice:
            ch.append(chunk(rng.choice(REPEATS), ""))
            ch.append(number_chunk(num, grouped, "." if rng.random() < 0.5 else "", rate))
        ch.append(chunk(rng.choice(SIGNOFFS), "."))
        transcript = " ".join(w for c in ch for w in c["words"])
        spec = {"uid": "ob-%s-%03d" % (split, i), "engine": engine, "voice": voice, "split": split,
                "transcript": transcript, "ssml": espeak, "text": tts_text(ch, espeak),
                "pace": "rushed" if rushed else "slow", "said_twice": twice, "no_break": nobreak,
                "grouped": grouped, "prosody_rate": rate, "design_digits": num["digits"],
                "number_kind": num["kind"], "lead": round(rng.uniform(0.2, 0.6), 3),
                "trail": round(rng.uniform(0.3, 0.8), 3), "level_db": round(rng.uniform(-26, -18), 2)}
        if espeak:
            spec["speed"] = rng.randint(140, 175)
            spec["pitch"] = rng.randint(30, 70)
        else:
            spec["stretch"] = round(rng.uniform(0.6, 0.8) if rushed else rng.uniform(1.3, 1.7), 3)
        specs.append(spec)
    return specs


# ---------------------------------------------------------------------------
# synthesis (16 kHz PCM16 base files)

def finish_tts(raw, spec, out, tmp):
    """Resample, peak-normalise, trim at 0.5 % (-46 dB re peak), add silence,
    level and a faint pink noise floor."""
    trimmed = os.path.join(tmp, spec["uid"] + ".trim.wav")
    run(["sox", "-D", "-R", raw, "-r", str(SR), "-b", "16", "-c", "1", trimmed, "gain", "-n", "-3",
         "silence", "1", "0.01", "0.5%", "reverse", "silence", "1", "0.01", "0.5%", "reverse"])
    x = load_audio(trimmed)
    if len(x) < SR // 10:
        raise RuntimeError("synthesis of %s gave %d samples" % (spec["uid"], len(x)))
    x = fades(x, 48)
    x = x * (10 ** (spec["level_db"] / 20) * 32768 / (rms(x) or 1.0))
    x = np.concatenate([np.zeros(int(spec["lead"] * SR)), x, np.zeros(int(spec["trail"] * SR))])
    x = x + colored_noise(len(x), "pink", np_rng(spec["uid"], "floor")) * 10 ** (-72 / 20) * 32768
    write_pcm16(out, peak_guard(x))
    for p in (raw, trimmed):
        os.remove(p)


def synth_one(spec, out, tmp):
    raw = os.path.join(tmp, spec["uid"] + ".raw.wav")
    if spec["engine"] == "espeak-ng":
        cmd = ["espeak-ng", "-v", spec["voice"], "-s", str(spec["speed"]), "-p", str(spec["pitch"]), "-w", raw]
        if spec["ssml"]:
            cmd.append("-m")
        run(cmd + ["--", spec["text"]])
    elif spec["engine"] == "flite":
        run(["flite", "-voice", spec["voice"], "--setf", "duration_stretch=%.3f" % spec["stretch"],
             "-t", spec["text"], "-o", raw])
    else:
        raise ValueError(spec["engine"])
    finish_tts(raw, spec, out, tmp)


def synth_festival(specs, outs, tmp):
    """One festival process for several utterances of one voice."""
    lines = ["(voice_%s)" % specs[0]["voice"]]
    raws = []
    for s in specs:
        raw = os.path.join(tmp, s["uid"] + ".raw.wav")
        raws.append(raw)
        lines.append("(Parameter.set 'Duration_Stretch %.3f)" % s["stretch"])
        lines.append('(utt.save.wave (utt.synth (Utterance Text "%s")) "%s" \'riff)' % (
            s["text"].replace('"', ""), raw))
    scm = os.path.join(tmp, specs[0]["uid"] + ".scm")
    with open(scm, "w") as f:
        f.write("\n".join(lines) + "\n")
    run(["festival", "-b", scm])
    for s, raw, out in zip(specs, raws, outs):
        finish_tts(raw, s, out, tmp)


def synth_job(args):
    """Synthesise a list of specs (festival ones in one process); returns
    [(uid, error or None)]."""
    specs, workdir = args
    res = []
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        outs = [os.path.join(workdir, s["uid"] + ".base.wav") for s in specs]
        if specs[0]["engine"] == "festival":
            try:
                synth_festival(specs, outs, tmp)
                res = [(s["uid"], None) for s in specs]
            except RuntimeError as e:
                res = [(s["uid"], "synthesis failed: %s" % str(e).splitlines()[0]) for s in specs]
        else:
            for s, out in zip(specs, outs):
                try:
                    synth_one(s, out, tmp)
                    res.append((s["uid"], None))
                except RuntimeError as e:
                    res.append((s["uid"], "synthesis failed: %s" % str(e).splitlines()[0]))
    return res


def synth_all(specs, workdir, pool, log):
    t0 = time.time()
    jobs, fest = [], defaultdict(list)
    for s in specs:
        if s["engine"] == "festival":
            fest[s["voice"]].append(s)
    for k in range(0, len(specs), 12):
        grp = [s for s in specs[k:k + 12] if s["engine"] != "festival"]
        if grp:
            jobs.append((grp, workdir))
    for v in sorted(fest):
        for k in range(0, len(fest[v]), 15):
            jobs.append((fest[v][k:k + 15], workdir))
    errors = {}
    for res in pool.map(synth_job, jobs):
        for uid, err in res:
            if err:
                errors[uid] = err
    print("digitset: synthesised %d utterances in %.0f s (%d failed)" % (
        len(specs), time.time() - t0, len(errors)), file=log)
    return errors


# ---------------------------------------------------------------------------
# forced alignment

def parse_hypseg(line, scale):
    """uid, [(start_s, end_s, word)] from one pocketsphinx_batch -hypseg line."""
    p = line.split()
    uid, toks = p[0], p[9:]
    ents, i = [], 0
    while i + 3 < len(toks):
        ents.append((int(toks[i]), toks[i + 3]))
        i += 4
    last = int(toks[i]) if i < len(toks) else (ents[-1][0] if ents else 0)
    out = []
    for k, (sf, w) in enumerate(ents):
        ef = ents[k + 1][0] if k + 1 < len(ents) else last + 1
        if w.startswith(("<", "[", "(")) or w in ("<sil>",):
            continue
        out.append((sf * 0.01 * scale, ef * 0.01 * scale, re.sub(r"\(\d+\)$", "", w), ef - sf))
    return uid, out


ALIGN_SOUND_DB = 30.0      # "sound": 10 ms frames within 30 dB of the loudest
ALIGN_SILENCE_DB = 50.0    # "silence": frames more than 50 dB below it
ALIGN_MAX_OUTSIDE = 0.10   # s of sound allowed before the first / after the last word
ALIGN_MAX_INWORD = 0.20    # s of silence allowed inside a word


def energy_problems(x, words):
    """Why an alignment disagrees with the sound of its file: sound before the
    first or after the last word (a word cut short or misplaced), or a long
    silence inside a word (a pause given to a word).  [] when none."""
    e = frame_db(x)
    if len(e) < 3:
        return []
    snd = e > e.max() - ALIGN_SOUND_DB
    sil = e < e.max() - ALIGN_SILENCE_DB
    out = []
    a, b = int(round(words[0][0] * 100)) - 5, int(round(words[-1][1] * 100)) + 5
    pre, post = snd[:max(0, a)].sum() * 0.01, snd[max(0, b):].sum() * 0.01
    if pre > ALIGN_MAX_OUTSIDE:
        out.append("%.2f s of sound before the first word" % pre)
    if post > ALIGN_MAX_OUTSIDE:
        out.append("%.2f s of sound after the last word" % post)
    for s, en, w in words:
        seg = sil[max(0, int(round(s * 100)) + 3):max(0, int(round(en * 100)) - 3)]
        best = cur = 0
        for v in seg:
            cur = cur + 1 if v else 0
            best = max(best, cur)
        if best * 0.01 >= ALIGN_MAX_INWORD:
            out.append("%.2f s of silence inside %r at %.2f s" % (best * 0.01, w, s))
    return out


ALIGN_MAX_EXTEND = 0.35    # s a first / last word may be stretched to the sound's edge


def frame_db(x):
    h = SR // 100
    nfr = len(x) // h
    return 10 * np.log10(np.mean(x[:nfr * h].reshape(nfr, h) ** 2, axis=1) + 1e-9)


def fix_edges(x, words):
    """Stretch the first word back to the first sound frame and the last
    word on to the last one when that is at most ALIGN_MAX_EXTEND away:
    pocketsphinx tends to leave a lengthened phrase-final vowel (or a soft
    onset) to <sil>.  Returns (words, [start_ext_s, end_ext_s])."""
    e = frame_db(x)
    if len(e) < 3:
        return words, [0.0, 0.0]
    snd = np.nonzero(e > e.max() - ALIGN_SOUND_DB)[0]
    words = [list(w) for w in words]
    ext = [0.0, 0.0]
    first, last = snd[0] * 0.01, (snd[-1] + 1) * 0.01
    if first < words[0][0] - 0.05 and words[0][0] - first <= ALIGN_MAX_EXTEND:
        ext[0] = round(words[0][0] - first, 3)
        words[0][0] = round(first, 3)
    if last > words[-1][1] + 0.05 and last - words[-1][1] <= ALIGN_MAX_EXTEND:
        ext[1] = round(last - words[-1][1], 3)
        words[-1][1] = round(min(last, len(x) / float(SR)), 3)
    return words, ext


def align_job(args):
    """Align [(uid, wav, transcript)] in one pocketsphinx_batch run.
    Returns {uid: {words or None, squeezed, problems}}."""
    entries, slow, workdir = args
    out = {}
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        ctl = []
        for k, (uid, wav, transcript) in enumerate(entries):
            key = "u%04d" % k
            fx = (["tempo", "-s", "0.5"] if slow else []) + ["pad", "0", "0.5"]
            run(["sox", "-D", "-R", wav, "-t", "raw", "-r", "16000", "-e", "signed-integer", "-b", "16", "-c", "1",
                 os.path.join(d, key + ".raw")] + fx)
            ws = transcript.split()
            with open(os.path.join(d, key + ".fsg"), "w") as f:
                f.write("FSG_BEGIN g\nNUM_STATES %d\nSTART_STATE 0\nFINAL_STATE %d\n" % (len(ws) + 1, len(ws)))
                for j, w in enumerate(ws):
                    f.write("TRANSITION %d %d 1.0 %s\n" % (j, j + 1, w))
                f.write("FSG_END\n")
            ctl.append(key)
        with open(os.path.join(d, "ctl"), "w") as f:
            f.write("\n".join(ctl) + "\n")
        subprocess.run(["pocketsphinx_batch", "-adcin", "yes", "-cepdir", d, "-cepext", ".raw", "-ctl",
                        os.path.join(d, "ctl"), "-fsgctl", os.path.join(d, "ctl"), "-fsgdir", d, "-fsgext", ".fsg",
                        "-hmm", HMM, "-dict", find_cmudict(), "-remove_silence", "no",
                        "-hypseg", os.path.join(d, "seg"), "-logfn", os.path.join(d, "log")],
                       capture_output=True, text=True)
        segs = {}
        if os.path.exists(os.path.join(d, "seg")):
            with open(os.path.join(d, "seg")) as f:
                for line in f:
                    if line.strip():
                        uid, ws = parse_hypseg(line, 0.5 if slow else 1.0)
                        segs[uid] = ws
        for k, (uid, wav, transcript) in enumerate(entries):
            ws = segs.get("u%04d" % k)
            if not ws or [w for _, _, w, _ in ws] != transcript.split():
                out[uid] = {"words": None, "squeezed": 0, "problems": ["no match"]}
                continue
            squeezed = sum(1 for _, _, w, nf in ws if nf <= 3 * cmu().get(w, 1))
            x = load_audio(wav)
            dur = len(x) / float(SR)
            words = [[round(s, 3), round(min(e, dur), 3), w] for s, e, w, _ in ws]
            words, ext = fix_edges(x, words)
            out[uid] = {"words": words, "squeezed": squeezed, "problems": energy_problems(x, words),
                        "edge_fix": ext}
    return out


def align_all(entries, workdir, pool, log, batch=120):
    """{uid: (words or None, method, n_squeezed, edge_fix or reason)}: direct, then slowed
    for failures, squeezed results and results that fail energy_problems;
    an alignment that matches the transcript and passes energy_problems is
    taken, the direct one first unless the slowed one squeezes fewer words."""
    t0 = time.time()

    def batches(es):
        # a multiple of the pool's workers, each at most `batch` utterances,
        # longest first so that the workers finish together
        w = pool._max_workers
        n = w * max(1, int(math.ceil(len(es) / float(batch * w))))
        es = sorted(es, key=lambda e: -len(e[2]))
        return [b for b in (es[k::n] for k in range(n)) if b]

    direct = {}
    for r in pool.map(align_job, [(b, False, workdir) for b in batches(entries)]):
        direct.update(r)
    again = [e for e in entries if direct[e[0]]["words"] is None or direct[e[0]]["squeezed"] > 0
             or direct[e[0]]["problems"]]
    slow = {}
    for r in pool.map(align_job, [(b, True, workdir) for b in batches(again)]):
        slow.update(r)
    res = {}
    for uid, _, _ in entries:
        d, s = direct[uid], slow.get(uid)
        d_ok = d["words"] is not None and not d["problems"]
        s_ok = s is not None and s["words"] is not None and not s["problems"]
        if s_ok and (not d_ok or s["squeezed"] < d["squeezed"]):
            res[uid] = (s["words"], "slow", s["squeezed"], s["edge_fix"])
        elif d_ok:
            res[uid] = (d["words"], "direct", d["squeezed"], d["edge_fix"])
        else:
            why = [p for c in (d, s) if c for p in c["problems"]]
            matched = any(c and c["words"] is not None for c in (d, s))
            res[uid] = (None, "failed" if not matched else "rejected", 0,
                        "no alignment matches the transcript" if not matched else
                        "alignment fails the energy check: " + "; ".join(why))
    c = Counter(v[1] for v in res.values())
    print("digitset: aligned %d utterances in %.0f s: %d direct, %d slowed, %d failed, %d rejected" % (
        len(entries), time.time() - t0, c["direct"], c["slow"], c["failed"], c["rejected"]), file=log)
    return res


# ---------------------------------------------------------------------------
# conditions

COND_WEIGHTS = [("clean", 14), ("telephone", 12), ("gsm", 9), ("noisy", 12), ("quiet", 7), ("tempo", 12),
                ("pitch", 8), ("echo", 8), ("chain", 18)]
CHAINS = [("tempo", "telephone"), ("tempo", "gsm"), ("pitch", "telephone"), ("echo", "telephone"),
          ("noisy", "telephone"), ("noisy", "gsm"), ("tempo", "noisy"), ("pitch", "noisy"),
          ("echo", "noisy"), ("quiet", "telephone"), ("tempo", "echo"), ("pitch", "gsm")]


def draw_params(step, rng):
    if step == "tempo":
        return {"tempo": round(rng.uniform(0.7, 1.8), 3)}
    if step == "pitch":
        c = rng.randint(50, 400)
        return {"pitch_cents": c if rng.random() < 0.5 else -c}
    if step == "echo":
        return {"reverberance": rng.randint(30, 70)}
    if step == "noisy":
        return {"noise": rng.choice(["white", "pink", "brown"]), "snr_db": round(rng.uniform(10, 20), 2)}
    if step == "quiet":
        return {"speech_dbfs": round(rng.uniform(-45, -35), 2)}
    return {}


def pick_conditions(rng, n):
    """n distinct conditions: [(name, steps, params)]."""
    pool = list(COND_WEIGHTS)
    out, used = [], set()
    while len(out) < n:
        tot = sum(w for _, w in pool)
        x, acc = rng.uniform(0, tot), 0
        for k, (name, w) in enumerate(pool):
            acc += w
            if x <= acc:
                break
        if name == "chain":
            steps = rng.choice(CHAINS)
            if "+".join(steps) in used:
                continue
        else:
            steps = (name,)
            pool.pop(k)
        cname = "+".join(steps)
        used.add(cname)
        params = {}
        for s in steps:
            params.update(draw_params(s, rng))
        out.append((cname, steps, params))
    return out


def make_condition(base_path, words, steps, params, out_path, tmp, tag):
    """Write out_path (steps applied in the order effects, noise/level,
    encoding); return (words, encoding, sample_rate, duration_s)."""
    fx = []
    for s in steps:
        if s == "tempo":
            fx += ["tempo", "-s", "%.3f" % params["tempo"]]
            words = [[a / params["tempo"], b / params["tempo"], w] for a, b, w in words]
        elif s == "pitch":
            fx += ["pitch", "%d" % params["pitch_cents"]]
        elif s == "echo":
            fx += ["reverb", "%d" % params["reverberance"]]
    level = [s for s in steps if s in ("noisy", "quiet")]
    enc = "mu-law" if "telephone" in steps else ("gsm" if "gsm" in steps else "pcm16")
    cur = base_path
    if fx:
        cur = os.path.join(tmp, tag + ".fx.wav")
        run(["sox", "-D", "-R", "-G", base_path, "-b", "16", "-e", "signed-integer", "-c", "1", cur] + fx)
    if level:
        x = load_audio(cur)
        srms = speech_rms(x, words)
        for s in level:
            if s == "quiet":
                x = x * (10 ** (params["speech_dbfs"] / 20) * 32768 / srms)
            else:
                nz = colored_noise(len(x), params["noise"], np_rng(tag, "noise"))
                x = x + nz * srms / 10 ** (params["snr_db"] / 20)
        x = peak_guard(x)
        cur2 = out_path if enc == "pcm16" else os.path.join(tmp, tag + ".lvl.wav")
        write_pcm16(cur2, x)
        cur = cur2
    if enc == "mu-law":
        run(["sox", "-D", "-R", "-G", cur, "-r", "8000", "-e", "mu-law", "-b", "8", "-c", "1", out_path,
             "sinc", "300-3400"])
    elif enc == "gsm":
        run(["sox", "-D", "-R", "-G", cur, "-r", "8000", "-e", "gsm-full-rate", "-c", "1", out_path])
    elif cur != out_path:
        shutil.copyfile(cur, out_path)
    frames, sr, _ = sndfile_info(out_path)
    dur = frames / float(sr)
    words = [[max(0.0, a), min(b, dur), w] for a, b, w in words]
    return rw(words), enc, sr, round(dur, 4)


def emit_items(src, conds, outdir, tmp):
    """Items of one source: src = {id, base (16 kHz wav), words, ...}."""
    items = []
    for k, (cname, steps, params) in enumerate(conds):
        iid = "%s__%d-%s" % (src["id"], k, cname)
        out = os.path.join(outdir, iid + ".wav")
        words, enc, sr, dur = make_condition(src["base"], src["words"], steps, params, out, tmp, iid)
        it = {"id": iid, "wav": out, "split": src["split"], "kind": src["kind"], "source": src["source"],
              "speaker": src["speaker"], "condition": cname, "cond_params": params, "words": words,
              "transcript": src.get("transcript") or " ".join(w for _, _, w in words), "duration_s": dur,
              "sample_rate": sr, "encoding": enc}
        for key in src.get("extra", {}):
            it[key] = src["extra"][key]
        items.append(it)
    return items


# ---------------------------------------------------------------------------
# training sources

def fsdd_files(speaker, folders):
    out = []
    for folder in folders:
        d = os.path.join(CORPUS, folder)
        for fn in sorted(os.listdir(d)):
            m = re.fullmatch(r"(\d)_([a-z]+)_(\d+)\.wav", fn)
            if m and m.group(2) == speaker:
                out.append((int(m.group(1)), int(m.group(3)), os.path.join(d, fn)))
    return out


def load16(path):
    """16 kHz float samples of a corpus file (8 kHz FSDD upsampled x2)."""
    with wave.open(path, "rb") as w:
        sr, n, sw, nch = w.getframerate(), w.getnframes(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(n)
    if sw == 2 and nch == 1 and sr in (8000, 16000):
        x = np.frombuffer(raw, dtype="<i2").astype(np.float64)
        return resample_poly(x, 2, 1) if sr == 8000 else x
    return load_audio(path)


def digit_spans(files, workdir, pool, log):
    """{path: [start_s, end_s, method]}: the word in each single-digit file
    [(path, word)], by forced alignment, else (alignment failed or rejected
    by the energy check) by energy (5 ms frames within 35 dB (FSDD) / 30 dB
    (Speech Commands, noisier) of the loudest and 6 dB over the floor)."""
    ents = [("d%05d" % k, p, w) for k, (p, w) in enumerate(files)]
    res = align_all(ents, workdir, pool, log)
    out = {}
    for uid, p, w in ents:
        ws, method, _, _ = res[uid]
        if ws:
            out[p] = [ws[0][0], ws[0][1], "align-" + method]
        else:
            i0, i1 = energy_bounds(load16(p), SR, 30.0 if "speechcommands" in p else 35.0)
            out[p] = [i0 / float(SR), i1 / float(SR), "energy"]
    return out


def token(path, span, margin=0.01):
    """(samples, word_start, word_end) of a digit token cut at its word span
    (+ margin, 3 ms fades)."""
    x = load16(path)
    i0, i1 = int(round(span[0] * SR)), min(len(x), int(round(span[1] * SR)))
    m = int(margin * SR)
    a, b = max(0, i0 - m), min(len(x), i1 + m)
    seg = fades(x[a:b].copy(), int(0.003 * SR))
    return seg, (i0 - a) / SR, (i1 - a) / SR


def join_tokens(toks, gaps, level_db, nrng, lead=0.1, trail=0.15):
    """Tokens [(samples, ws, we, word)] joined with gaps[k] before token k>0;
    each token to level_db +- 2 dB speech RMS; returns (x, words)."""
    parts, words, t = [np.zeros(int(lead * SR))], [], int(lead * SR)
    for k, (x, ws, we, w) in enumerate(toks):
        if k:
            g = int(round(gaps[k - 1] * SR))
            parts.append(np.zeros(g))
            t += g
        target = 10 ** ((level_db + nrng.uniform(-2, 2)) / 20) * 32768
        x = x * (target / (rms(x) or 1.0))
        parts.append(x)
        words.append([t / SR + ws, t / SR + we, w])
        t += len(x)
    parts.append(np.zeros(int(trail * SR)))
    y = np.concatenate(parts)
    y = y + colored_noise(len(y), "pink", nrng) * 10 ** (-70 / 20) * 32768
    return peak_guard(y), words


def seq_audio(spec, nrng):
    """A sequence source's digit tokens (spec: tokens, gaps, level_db) cut
    and joined: (samples, words)."""
    toks = []
    for path, w, span in spec["tokens"]:
        x, ws, we = token(path, span)
        toks.append((x, ws, we, w))
    return join_tokens(toks, spec["gaps"], spec["level_db"], nrng)


def source_job(args):
    """Build one source's base audio and its condition items."""
    src, conds, outdir, workroot = args
    with tempfile.TemporaryDirectory(dir=workroot) as tmp:
        try:
            kind = src["make"]
            if kind == "file":           # AN4 / corpus file as it is (16 kHz PCM16)
                base = os.path.join(tmp, "base.wav")
                write_pcm16(base, load_audio(src["path"]))
                src["base"] = base
            elif kind == "single":       # one digit file as it is, word span from digit_spans
                base = os.path.join(tmp, "base.wav")
                x = load16(src["path"])
                write_pcm16(base, x)
                src["base"] = base
                src["words"] = [[src["span"][0], min(src["span"][1], len(x) / float(SR)), src["word"]]]
            elif kind == "seq":          # digit tokens joined
                y, words = seq_audio(src, np_rng(src["id"], "seq"))
                base = os.path.join(tmp, "base.wav")
                write_pcm16(base, y)
                src["base"], src["words"] = base, words
            elif kind == "joined":       # real recordings run together with no gap
                nrng = np_rng(src["id"], "join")
                parts = []
                for part in src["parts"]:
                    if "tokens" in part:
                        parts.append(seq_audio(part, nrng))
                    else:
                        parts.append((load_audio(part["path"]), part["words"]))
                y, words = join_parts(parts, nrng)
                base = os.path.join(tmp, "base.wav")
                write_pcm16(base, y)
                src["base"], src["words"] = base, words
            elif kind == "ready":        # already built (TTS base)
                pass
            return emit_items(src, conds, outdir, tmp), []
        except (RuntimeError, ValueError, OSError) as e:
            return [], [{"id": src["id"], "reason": "build failed: %s" % str(e).splitlines()[0]}]


def digit_files(split, part):
    """[(path, word)] of the single-digit files a split uses in a part."""
    out = []
    for spk in sorted(k for k, v in FSDD_SPLIT.items() if v == split):
        folders = ["fsdd"] if part == "eval" else ["fsdd-train"]
        out += [(p, DIGIT_NAMES[d]) for d, _, p in fsdd_files(spk, folders)]
    if part == "train":
        scsp = sc_splits()
        out += [(os.path.join(CORPUS, "speechcommands", r["file"]), r["word"]) for r in sc_manifest()
                if scsp[r["speaker_id"]] == split]
    return out


def train_sources(split, spans):
    """Corpus sources (an4, fsdd, sc) of a training split, and those joined
    (joined_sources): [(src, n_conditions)]."""
    out = []
    an4 = an4_splits()
    for r in an4_manifest():
        if an4[r["speaker"]] != split:
            continue
        path = os.path.join(CORPUS, "an4", r["file"])
        words = read_words_tsv(path[:-5] + ".words.tsv")
        utt = os.path.basename(path)[:-5]
        out.append(({"id": "an4-" + utt, "make": "file", "path": path, "words": words, "split": split,
                     "transcript": r["transcript"].lower(),
                     "kind": "an4", "source": "an4:" + r["speaker"], "speaker": "an4:" + r["speaker"],
                     "extra": {"utterance_kind": r["utterance_kind"]}},
                    N_COND_AN4_TRAIN if split == "train" else N_COND[split]))
    # FSDD: training uses fsdd-train/ only; fsdd/ (FSDD's own test split) is
    # what tools/msgset.py builds its messages from
    for spk in sorted(k for k, v in FSDD_SPLIT.items() if v == split):
        folders = ["fsdd-train"]
        files = fsdd_files(spk, folders)
        for digit, idx, path in files:
            out.append(({"id": "fsdd-%d_%s_%d" % (digit, spk, idx), "make": "single", "path": path,
                         "word": DIGIT_NAMES[digit], "transcript": DIGIT_NAMES[digit], "span": spans[path],
                         "split": split, "kind": "fsdd",
                         "source": "fsdd:" + spk, "speaker": "fsdd:" + spk,
                         "extra": {"shape": "single", "span_method": spans[path][2]}}, N_COND[split]))
        out += seq_sources("fsdd", spk, [(p, DIGIT_NAMES[d], spans[p]) for d, _, p in files], N_FSDD_SEQ[split],
                           split)
    scsp = sc_splits()
    rows = [r for r in sc_manifest() if scsp[r["speaker_id"]] == split]
    for spk in sorted({r["speaker_id"] for r in rows}):
        mine = sorted((r for r in rows if r["speaker_id"] == spk), key=lambda r: r["file"])
        toks = []
        for r in mine:
            path = os.path.join(CORPUS, "speechcommands", r["file"])
            toks.append((path, r["word"], spans[path]))
            out.append(({"id": "sc-%s_%s" % (r["word"], spk), "make": "single", "path": path, "word": r["word"],
                         "transcript": r["word"], "span": spans[path],
                         "split": split, "kind": "sc", "source": "sc:" + spk,
                         "speaker": "sc:" + spk, "extra": {"shape": "single", "span_method": spans[path][2]}},
                        N_COND[split]))
        out += seq_sources("sc", spk, toks, N_SC_SEQ[split], split)
    an4_srcs = [src for src, _ in out if src["kind"] == "an4"]
    seq_srcs = [src for src, _ in out if src["make"] == "seq"]
    return out + joined_sources(split, an4_srcs, seq_srcs)


def seq_sources(kind, spk, toks, n, split):
    out = []
    for k in range(n):
        rng = rng_for(SEQ_SEED, kind, spk, k)
        m = rng.randint(3, 12)
        pick = [rng.choice(toks) for _ in range(m)]
        nogap = rng.random() < 0.2
        gaps = [0.0 if nogap else round(rng.uniform(0.0, 0.35), 3) for _ in range(m - 1)]
        out.append(({"id": "%sseq-%s-%03d" % (kind, spk, k), "make": "seq", "tokens": pick, "gaps": gaps,
                     "transcript": " ".join(w for _, w, _ in pick),
                     "level_db": round(rng.uniform(-26, -16), 2), "split": split,
                     "kind": kind, "source": "%s:%s" % (kind, spk), "speaker": "%s:%s" % (kind, spk),
                     "extra": {"shape": "sequence"}}, N_COND[split]))
    return out


def join_parts(parts, nrng):
    """Recordings [(samples, words)] run together as one speaker who does
    not pause: each cut at its first word's start (but the first) and its
    last word's end (but the last), levels matched to the first (+- 3 dB),
    10 ms crossfades, as join_after_carrier builds the evaluation's carriers.
    Returns (samples, words)."""
    xf = int(0.01 * SR)
    ramp = np.linspace(0.0, 1.0, xf, endpoint=False)
    ref = None
    y, out = None, []
    for k, (x, words) in enumerate(parts):
        a = int(round(words[0][0] * SR)) if k else 0
        b = int(round(words[-1][1] * SR)) if k + 1 < len(parts) else len(x)
        b = max(min(b, len(x)), a + 2 * xf)
        seg = x[a:b].astype(np.float64)
        lvl = speech_rms(x, words)
        if ref is None:
            ref = lvl
        else:
            seg = seg * (ref * 10 ** (nrng.uniform(-3, 3) / 20) / lvl)
        if y is None:
            y, shift = seg, 0.0
        else:
            shift = (len(y) - xf - a) / SR
            y = np.concatenate([y[:-xf], y[-xf:] * ramp[::-1] + seg[:xf] * ramp, seg[xf:]])
        end = len(y) / SR
        out += [[max(0.0, s + shift), min(e + shift, end), w] for s, e, w in words]
    return peak_guard(np.concatenate([y, np.zeros(int(0.3 * SR))])), out


def joined_sources(split, an4_srcs, seq_srcs):
    """Real speech run into real digits with no pause, as an unprepared
    caller says a number (the case the evaluation's an4num and fsddnum
    carriers test, there with speech/ sentences the detector never hears):
    each AN4 number utterance (cen6, cen7) of the split's speakers N_JOIN_AN4
    times after another utterance of the same speaker without a digit word
    (spelled letters, words, commands), and half the time followed by one;
    and N_JOIN_SEQ FSDD / Speech Commands sequences per speaker after an AN4
    utterance of the split.  [(src, n_conditions)]"""
    carriers = defaultdict(list)
    for src in an4_srcs:
        ws = src["words"]
        if (src["extra"]["utterance_kind"] not in ("cen6", "cen7") and len(ws) >= 2 and
                not any(w in DIGIT_WORDS or w == "double" for _, _, w in ws)):
            carriers[src["speaker"]].append(src)
    every = [c for spk in sorted(carriers) for c in carriers[spk]]
    out = []

    def part(src):
        return {"path": src["path"], "words": src["words"]}

    for src in an4_srcs:
        if src["extra"]["utterance_kind"] not in ("cen6", "cen7") or not carriers[src["speaker"]]:
            continue
        for k in range(N_JOIN_AN4):
            rng = rng_for(JOIN_SEED, src["id"], k)
            mine = carriers[src["speaker"]]
            parts = [part(rng.choice(mine)), part(src)]
            if rng.random() < 0.5:
                parts.append(part(rng.choice(mine)))
            out.append(({"id": "%s-join%d" % (src["id"], k), "make": "joined", "parts": parts, "split": split,
                         "transcript": None, "kind": "an4", "source": src["source"], "speaker": src["speaker"],
                         "extra": {"utterance_kind": src["extra"]["utterance_kind"], "shape": "joined"}},
                        N_COND[split]))
    by_spk = defaultdict(list)
    for src in seq_srcs:
        by_spk[src["speaker"]].append(src)
    for spk in sorted(by_spk) if every else []:
        for seq in by_spk[spk][:N_JOIN_SEQ[split]]:
            rng = rng_for(JOIN_SEED, seq["id"])
            parts = [part(rng.choice(every)), {"tokens": seq["tokens"], "gaps": seq["gaps"],
                                                "level_db": seq["level_db"]}]
            if rng.random() < 0.3:
                parts.append(part(rng.choice(every)))
            out.append(({"id": "%s-join" % seq["id"], "make": "joined", "parts": parts, "split": split,
                         "transcript": None, "kind": seq["kind"], "source": seq["source"],
                         "speaker": seq["speaker"], "extra": {"shape": "joined"}}, N_COND[split]))
    return out


# ---------------------------------------------------------------------------
# evaluation sources

def speech_manifest():
    with open(os.path.join(CORPUS, "speech", "manifest.tsv"), encoding="utf-8") as f:
        return {r["file"]: r for r in csv.DictReader(f, delimiter="\t")}


def speech_words(fname):
    p = os.path.join(CORPUS, "speech", fname + ".words.tsv")
    return read_words_tsv(p) if os.path.exists(p) else None


def carriers():
    out = []
    for fname in sorted(speech_manifest()):
        if fname == S4 or fname.startswith(CARRIER_EXCLUDE):
            continue
        ws = speech_words(fname)
        if ws and not find_numbers(ws):
            out.append(fname)
    return out


def join_after_carrier(carrier, x, words, nrng):
    """Carrier sentence (to its last word's end) + x (from words[0] start),
    levels matched, 10 ms crossfade.  Returns (samples, words)."""
    cw = speech_words(carrier)
    c = load_audio(os.path.join(CORPUS, "speech", carrier))
    cend = int(round(cw[-1][1] * SR))
    c = c[:cend]
    c = c * (10 ** (nrng.uniform(-24, -20) / 20) * 32768 / speech_rms(c, cw))
    n0 = int(round(words[0][0] * SR))
    x = x[n0:] * (speech_rms(c, cw) / speech_rms(x, words))
    xf = int(0.01 * SR)
    ramp = np.linspace(0.0, 1.0, xf, endpoint=False)
    y = np.concatenate([c[:-xf], c[-xf:] * ramp[::-1] + x[:xf] * ramp, x[xf:],
                        np.zeros(int(0.3 * SR))])
    shift = (len(c) - xf - n0) / SR
    out = [[a, min(b, len(c) / SR), w] for a, b, w in cw]
    out += [[a + shift, b + shift, w] for a, b, w in words]
    return peak_guard(y), out


def eval_job(args):
    """One evaluation source -> its items (clean and telephone)."""
    src, outdir, workroot = args
    with tempfile.TemporaryDirectory(dir=workroot) as tmp:
        try:
            nrng = np_rng(src["id"], "eval")
            base = src.get("base") or os.path.join(tmp, "base.wav")
            words = src["words"]
            if src["make"] == "file":
                write_pcm16(base, load_audio(src["path"]))
            elif src["make"] == "carrier":
                x = load_audio(src["path"])
                y, words = join_after_carrier(src["carrier"], x, words, nrng)
                write_pcm16(base, y)
            elif src["make"] == "fsddnum":
                toks = []
                for path, w, span in src["tokens"]:
                    xx, ws, we = token(path, span)
                    toks.append((xx, ws, we, w))
                y, ws_ = join_tokens(toks, src["gaps"], -22.0, nrng, lead=0.05, trail=0.05)
                if src["tempo"] != 1.0:
                    p = os.path.join(tmp, "num.wav")
                    write_pcm16(p, y)
                    run(["sox", "-D", "-R", p, os.path.join(tmp, "num2.wav"), "tempo", "-s", "%.3f" % src["tempo"]])
                    y = load_audio(os.path.join(tmp, "num2.wav"))
                    ws_ = [[a / src["tempo"], b / src["tempo"], w] for a, b, w in ws_]
                y, words = join_after_carrier(src["carrier"], y, ws_, nrng)
                write_pcm16(base, y)
            items = []
            for cname in ("clean", "telephone"):
                iid = "%s__%s" % (src["id"], cname)
                out = os.path.join(outdir, iid + ".wav")
                steps = () if cname == "clean" else ("telephone",)
                if words is None:
                    ws = None
                    if cname == "clean":
                        shutil.copyfile(base, out)
                    else:
                        run(["sox", "-D", "-R", "-G", base, "-r", "8000", "-e", "mu-law", "-b", "8", out,
                             "sinc", "300-3400"])
                    fr, sr, _ = sndfile_info(out)
                    enc, dur = ("pcm16" if cname == "clean" else "mu-law"), round(fr / float(sr), 4)
                else:
                    ws, enc, sr, dur = make_condition(base, words, steps, {}, out, tmp, iid)
                nums = find_numbers(ws) if ws else []
                it = {"id": iid, "wav": out, "split": src["split"], "kind": src["kind"], "condition": cname,
                      "source": src["source"], "speaker": src["speaker"], "words": ws,
                      "transcript": src.get("transcript") or " ".join(w for _, _, w in ws),
                      "numbers": nums, "verdict": item_verdict(nums), "duration_s": dur, "sample_rate": sr,
                      "encoding": enc}
                it.update(src.get("extra", {}))
                items.append(it)
            return items, []
        except (RuntimeError, ValueError, OSError) as e:
            return [], [{"id": src["id"], "reason": "build failed: %s" % str(e).splitlines()[0]}]


def eval_sources(split, spans):
    """Corpus evaluation sources of a split (onebreath is added by build_eval)."""
    out, drops = [], []
    an4 = an4_splits()
    cars = carriers()
    for r in an4_manifest():
        if an4[r["speaker"]] != split:
            continue
        path = os.path.join(CORPUS, "an4", r["file"])
        words = read_words_tsv(path[:-5] + ".words.tsv")
        utt = os.path.basename(path)[:-5]
        spk = "an4:" + r["speaker"]
        uk = r["utterance_kind"]
        common = {"split": split, "source": spk, "speaker": spk, "extra": {"utterance_kind": uk},
                  "transcript": r["transcript"].lower()}
        if uk in ("cen6", "cen7"):
            if not find_numbers(words):
                drops.append({"id": "an4num-" + utt, "reason": "%s without a run of %d+ digits: %s" % (
                    uk, MIN_DIGITS, r["transcript"].lower())})
                continue
            out.append(dict(common, id="an4num-%s-alone" % utt, make="file", path=path, words=words,
                            kind="an4num", extra={"utterance_kind": uk, "variant": "alone"}))
            used = []
            for k in range(N_AN4_CARRIERS[split]):
                crng = rng_for(EVAL_SEED, "carrier", utt, *([k] if k else []))
                car = crng.choice(cars)
                while car in used:  # each after another sentence
                    car = crng.choice(cars)
                used.append(car)
                out.append(dict(common, id="an4num-%s-carrier%s" % (utt, str(k + 1) if k else ""), make="carrier",
                                path=path, words=words, carrier=car, kind="an4num", transcript=None,
                                extra={"utterance_kind": uk, "variant": "carrier", "carrier": car}))
        elif uk in ("cen1", "cen2", "cen4", "cen5", "an"):
            if find_numbers(words):
                drops.append({"id": "none-an4-" + utt, "reason": "an4 %s with a run of %d+ digits" % (uk, MIN_DIGITS)})
                continue
            out.append(dict(common, id="none-an4-" + utt, make="file", path=path, words=words, kind="none"))
    man = speech_manifest()
    for fname in sorted(man):
        stem = fname[:-4]
        ws = speech_words(fname)
        path = os.path.join(CORPUS, "speech", fname)
        common = {"split": split, "source": "speech:" + stem, "speaker": "speech:" + stem, "make": "file",
                  "path": path, "words": ws, "transcript": None if ws else man[fname]["transcript"].lower()}
        if fname == S4:
            if split == "test":
                out.append(dict(common, id="an4num-" + stem, kind="an4num", extra={"variant": "other-corpus"}))
            continue
        out.append(dict(common, id="none-speech-%s-%s" % (split, stem), kind="none",
                        extra={"variant": "speech", "words_known": ws is not None}))
    # fsddnum
    for spk in sorted(k for k, v in FSDD_SPLIT.items() if v == split):
        files = fsdd_files(spk, ["fsdd"])
        by_digit = defaultdict(list)
        for d, _, p in files:
            by_digit[d].append(p)
        for k in range(N_FSDDNUM[split]):
            rng = rng_for(EVAL_SEED, "fsddnum", split, k)
            num = phone_number(rng, fsdd=True)
            grouped = rng.random() < 0.5
            toks, gaps = [], []
            for gi, g in enumerate(num["groups"]):
                for wi, w in enumerate(g):
                    p = rng.choice(by_digit[DIGIT_NAMES.index(w)])
                    toks.append((p, w, spans[p]))
                    if toks[1:]:
                        gaps.append(round(rng.uniform(0.3, 0.5) if grouped and wi == 0
                                          else rng.uniform(0.0, 0.15), 3))
            rushed = k % 2 == 1
            tempo = round(rng.uniform(*FSDD_RUSH), 3) if rushed else 1.0
            car = rng.choice(cars)
            out.append({"id": "fsddnum-%s-%03d" % (split, k), "make": "fsddnum", "tokens": toks, "gaps": gaps,
                        "tempo": tempo, "carrier": car, "words": None, "split": split, "kind": "fsddnum",
                        "source": "fsdd:" + spk, "speaker": "fsdd:" + spk,
                        "extra": {"carrier": car, "design_digits": num["digits"], "grouped": grouped,
                                  "tempo": tempo, "pace": "rushed" if rushed else "natural"}})
    return out, drops


# ---------------------------------------------------------------------------
# build

def part_dir(part):
    return os.path.join(CACHE, part)


def manifest_path(part):
    return os.path.join(CACHE, part + ".json")


def _source_key():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16] + "-v%d" % BUILD_VERSION


def tts_sources(specs, aligned, synth_err, workdir):
    """TTS / onebreath specs with alignment -> ready sources and drops."""
    ready, drops, stats = [], [], Counter()
    for s in specs:
        eng = s["engine"]
        if s["uid"] in synth_err:
            drops.append({"id": s["uid"], "reason": synth_err[s["uid"]]})
            stats[(eng, "synth_failed")] += 1
            continue
        words, method, squeezed, why = aligned[s["uid"]]
        stats[(eng, method)] += 1
        if words is None:
            drops.append({"id": s["uid"], "reason": "%s (%s)" % (why, voice_name(eng, s["voice"]))})
            continue
        extra = {k: s[k] for k in s if k not in ("uid", "engine", "voice", "split", "lead", "trail", "level_db",
                                                  "transcript")}
        extra.update({"align": method, "squeezed_words": squeezed, "edge_fix_s": why})
        ready.append({"id": s["uid"], "make": "ready", "base": os.path.join(workdir, s["uid"] + ".base.wav"),
                      "words": words, "transcript": s["transcript"], "split": s["split"],
                      "source": voice_name(eng, s["voice"]),
                      "speaker": [spk for e, v, spk in tts_voices(s["split"]) if e == eng and v == s["voice"]][0],
                      "extra": extra})
    return ready, drops, stats


def fresh_part(part, kinds):
    """Checks the splits and voices, then empties the part's directory
    (with a subdirectory per kind of item) and its work directory."""
    assert_disjoint()
    check_voices()
    d = part_dir(part)
    work = os.path.join(CACHE, part + ".work")
    for x in (d, work):
        if os.path.isdir(x):
            shutil.rmtree(x)
    os.makedirs(work)
    for k in kinds:
        os.makedirs(os.path.join(d, k))
    return d, work


def build_train(jobs, log):
    t0 = time.time()
    d, work = fresh_part("train", ("an4", "fsdd", "sc", "tts"))
    specs = plan_tts("train") + plan_tts("tune")
    check_vocab([s["transcript"] for s in specs], "tts training texts")
    items, drops = [], []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        serr = synth_all(specs, work, pool, log)
        ents = [(s["uid"], os.path.join(work, s["uid"] + ".base.wav"), s["transcript"]) for s in specs
                if s["uid"] not in serr]
        aligned = align_all(ents, work, pool, log)
        ready, tdrops, astats = tts_sources(specs, aligned, serr, work)
        drops += tdrops
        spans = digit_spans(digit_files("train", "train") + digit_files("tune", "train"), work, pool, log)
        span_stats = Counter(v[2] for v in spans.values())
        srcs = []
        for split in ("train", "tune"):
            srcs += train_sources(split, spans)
        for r in ready:
            r["kind"] = "tts"
            srcs.append((r, N_COND[r["split"]]))
        t1 = time.time()
        args = [(src, pick_conditions(rng_for(COND_SEED, src["id"]), n), os.path.join(d, src["kind"]), work)
                for src, n in srcs]
        for its, dr in pool.map(source_job, args, chunksize=4):
            items += its
            drops += dr
        print("digitset: wrote %d training items from %d sources in %.0f s" % (len(items), len(srcs),
                                                                             time.time() - t1), file=log)
    shutil.rmtree(work)
    man = {"key": _source_key(), "part": "train", "items": items, "drops": drops,
           "align_stats": {"%s/%s" % k: v for k, v in sorted(astats.items())},
           "digit_span_stats": dict(sorted(span_stats.items())),
           "build_seconds": round(time.time() - t0, 1)}
    check_items(man)
    write_json(manifest_path("train"), man)
    return man


def pick_onebreath(ready):
    """The first N_ONEBREATH[split] / 2 aligned messages of each pace (in plan
    order): messages dropped for their alignment are replaced by spares, so
    that the pace mix stays even.  Returns (kept, number of unused spares)."""
    kept, n = [], Counter()
    for r in ready:
        key = (r["split"], r["extra"]["pace"])
        if n[key] < N_ONEBREATH[r["split"]] // 2:
            kept.append(r)
            n[key] += 1
    for split in N_ONEBREATH:
        for pace in ("rushed", "slow"):
            if n[(split, pace)] < N_ONEBREATH[split] // 2:
                print("digitset: only %d %s %s onebreath messages (too few spares)" % (
                    n[(split, pace)], split, pace), file=sys.stderr)
    return kept, len(ready) - len(kept)


def build_eval(jobs, log):
    t0 = time.time()
    d, work = fresh_part("eval", ("onebreath", "an4num", "fsddnum", "none"))
    specs = plan_onebreath("tune") + plan_onebreath("test")
    check_vocab([s["transcript"] for s in specs], "onebreath texts")
    items, drops = [], []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        serr = synth_all(specs, work, pool, log)
        ents = [(s["uid"], os.path.join(work, s["uid"] + ".base.wav"), s["transcript"]) for s in specs
                if s["uid"] not in serr]
        aligned = align_all(ents, work, pool, log, batch=40)
        ready, tdrops, astats = tts_sources(specs, aligned, serr, work)
        drops += tdrops
        ready, spare = pick_onebreath(ready)
        srcs = []
        for r in ready:
            r["kind"] = "onebreath"
            r["make"] = "ready"
            srcs.append(r)
        spans = digit_spans(digit_files("tune", "eval") + digit_files("test", "eval"), work, pool, log)
        span_stats = Counter(v[2] for v in spans.values())
        for split in ("tune", "test"):
            s_, dr = eval_sources(split, spans)
            srcs += s_
            drops += dr
        t1 = time.time()
        for its, dr in pool.map(eval_job, [(s, os.path.join(d, s["kind"]), work) for s in srcs], chunksize=2):
            items += its
            drops += dr
        print("digitset: wrote %d evaluation items from %d sources in %.0f s" % (
            len(items), len(srcs), time.time() - t1), file=log)
    # onebreath, fsddnum: the truth digits must be the designed number(s)
    keep = []
    bad = set()
    for it in items:
        if "design_digits" in it:
            want = [it["design_digits"]] * (2 if it.get("said_twice") else 1)
            got = [n["digits"] for n in it["numbers"]]
            if got != want:
                bad.add(it["id"].split("__")[0])
                continue
        keep.append(it)
    for b in sorted(bad):
        drops.append({"id": b, "reason": "truth numbers differ from the design (gap > %.1f s?)"
                      % MAX_DIGIT_GAP})
    items = [it for it in keep if it["id"].split("__")[0] not in bad]
    shutil.rmtree(work)
    man = {"key": _source_key(), "part": "eval", "items": items, "drops": drops, "onebreath_unused_spares": spare,
           "align_stats": {"%s/%s" % k: v for k, v in sorted(astats.items())},
           "digit_span_stats": dict(sorted(span_stats.items())),
           "build_seconds": round(time.time() - t0, 1)}
    check_items(man)
    write_json(manifest_path("eval"), man)
    return man


BUILDERS = {"train": build_train, "eval": build_eval}


def _valid(man, part):
    return (man.get("key") == _source_key() and man.get("part") == part and man.get("items")
            and all(os.path.exists(it["wav"]) for it in man["items"]))


def load_manifest(part, rebuild=False, jobs=JOBS, log=sys.stderr):
    """The part's manifest (built when missing, stale or rebuild)."""
    os.makedirs(CACHE, exist_ok=True)
    with cache_lock(os.path.join(CACHE, part)):
        p = manifest_path(part)
        if not rebuild and os.path.exists(p):
            try:
                with open(p) as f:
                    man = json.load(f)
                if _valid(man, part):
                    return man
                print("digitset: %s cache is stale or incomplete, rebuilding" % part, file=log)
            except (OSError, ValueError):
                print("digitset: %s manifest unreadable, rebuilding" % part, file=log)
        return BUILDERS[part](jobs, log)


def load_train(split, rebuild=False, jobs=JOBS, log=sys.stderr):
    assert split in ("train", "tune"), split
    return [it for it in load_manifest("train", rebuild, jobs, log)["items"] if it["split"] == split]


def load_eval(split, rebuild=False, jobs=JOBS, log=sys.stderr):
    assert split in ("tune", "test"), split
    return [it for it in load_manifest("eval", rebuild, jobs, log)["items"] if it["split"] == split]


# ---------------------------------------------------------------------------
# checks and description

def check_items(man):
    """Assertions over every item: split membership of its speaker, readable by
    libsndfile, duration covers the words, words in order, transcript = words."""
    sets = speaker_sets()
    part = man["part"]
    seen = set()
    for it in man["items"]:
        assert it["id"] not in seen, it["id"]
        seen.add(it["id"])
        spk = it["speaker"]
        if spk.startswith("speech:"):
            assert part == "eval", it["id"]
        else:
            assert spk in sets[it["split"]], "%s: speaker %s not in split %s" % (it["id"], spk, it["split"])
        if part == "train":
            assert it["split"] in ("train", "tune")
        else:
            assert it["split"] in ("tune", "test")
        fr, sr, _ = sndfile_info(it["wav"])
        assert abs(fr / float(sr) - it["duration_s"]) < 1e-3, it["id"]
        ws = it["words"]
        if ws is None:
            continue
        assert ws, it["id"]
        assert ws[-1][1] <= it["duration_s"] + 1e-6 and ws[0][0] >= 0, it["id"]
        for a, b in zip(ws, ws[1:]):
            assert a[0] <= a[1] and a[0] <= b[0] + 1e-6, (it["id"], a, b)
        assert it["transcript"] == " ".join(w for _, _, w in ws), it["id"]


def describe(man):
    items = man["items"]
    lines = ["%s: %d items, %.2f h of audio, built in %s s" % (
        man["part"], len(items), sum(it["duration_s"] for it in items) / 3600.0, man.get("build_seconds", "?"))]
    rows = defaultdict(lambda: [0, 0.0])
    for it in items:
        r = rows[(it["split"], it["kind"], it["condition"])]
        r[0] += 1
        r[1] += it["duration_s"]
    lines.append("  %-6s %-10s %-18s %6s %8s" % ("split", "kind", "condition", "items", "hours"))
    for k in sorted(rows):
        lines.append("  %-6s %-10s %-18s %6d %8.3f" % (k + (rows[k][0], rows[k][1] / 3600.0)))
    tot = defaultdict(lambda: [0, 0.0, set()])
    for it in items:
        t = tot[(it["split"], it["kind"])]
        t[0] += 1
        t[1] += it["duration_s"]
        t[2].add(it["id"].split("__")[0])
    lines.append("  totals per split/kind (items, sources, hours):")
    for k in sorted(tot):
        lines.append("    %-6s %-10s %6d %6d %8.3f" % (k[0], k[1], tot[k][0], len(tot[k][2]), tot[k][1] / 3600.0))
    if man["part"] == "eval":
        v = Counter((it["split"], it["kind"], str(n["verdict"])) for it in items if it["condition"] == "clean"
                    for n in it["numbers"])
        lines.append("  numbers per verdict (clean items): " + "; ".join(
            "%s/%s/%s %d" % (k + (v[k],)) for k in sorted(v)))
        nn = Counter((it["split"], it["kind"], len(it["numbers"])) for it in items if it["condition"] == "clean")
        lines.append("  numbers per item (clean): " + "; ".join("%s/%s/%d: %d" % (k + (nn[k],)) for k in sorted(nn)))
    else:
        lab = Counter(w for it in items for _, _, w in it["words"] if w in LABEL_WORDS)
        lines.append("  label words: " + ", ".join("%s %d" % (w, lab[w]) for w in LABEL_WORDS))
        cl = Counter((it["split"], it.get("class")) for it in items if it["kind"] == "tts")
        lines.append("  tts items by text class: " + "; ".join("%s/%s %d" % (k + (cl[k],)) for k in sorted(cl)))
    st = man.get("align_stats", {})
    if st:
        eng = defaultdict(Counter)
        for k, n in st.items():
            e, m = k.split("/")
            eng[e][m] += n
        for e in sorted(eng):
            c = eng[e]
            n = sum(c.values())
            lines.append("  alignment %-10s %5d utterances: %d direct, %d slowed, %d failed, %d rejected by the"
                         " energy check, %d synth failed -> %.1f %% aligned" % (
                             e, n, c["direct"], c["slow"], c["failed"], c["rejected"], c["synth_failed"],
                             100.0 * (c["direct"] + c["slow"]) / max(1, n)))
    fixed = [it["edge_fix_s"] for it in items if it.get("edge_fix_s") and "__" in it["id"]
             and it["id"].endswith(("__0-" + it["condition"], "__clean"))]
    if fixed:
        lines.append("  edge fixes (aligned TTS utterances): %d of %d with the first word stretched (median %.2f s),"
                     " %d with the last word stretched (median %.2f s)" % (
                         sum(1 for f in fixed if f[0]), len(fixed),
                         float(np.median([f[0] for f in fixed if f[0]] or [0])),
                         sum(1 for f in fixed if f[1]), float(np.median([f[1] for f in fixed if f[1]] or [0]))))
    if man.get("digit_span_stats"):
        ds = man["digit_span_stats"]
        lines.append("  single-digit file spans (fsdd/sc): " + ", ".join("%s %d" % kv for kv in ds.items())
                     + " -> %.1f %% aligned" % (100.0 * sum(v for k, v in ds.items() if k != "energy")
                                               / max(1, sum(ds.values()))))
    dr = Counter(re.sub(r":.*|\(.*", "", d["reason"]).strip() for d in man["drops"])
    lines.append("  drops: %d%s" % (len(man["drops"]), "".join("\n    %4d  %s" % (n, r) for r, n in dr.most_common())))
    return "\n".join(lines)


def sox_stat_check(man, per_kind=3, out=sys.stdout):
    """`sox FILE -n stat` length of a few items per kind against the manifest."""
    by = defaultdict(list)
    for it in man["items"]:
        by[(it["kind"], it["encoding"])].append(it)
    bad = 0
    for k in sorted(by):
        its = by[k]
        rng = random.Random(str(k))
        for it in rng.sample(its, min(per_kind, len(its))):
            r = run(["sox", it["wav"], "-n", "stat"])
            length = float(re.search(r"Length \(seconds\):\s+([\d.]+)", r.stderr).group(1))
            maxamp = float(re.search(r"Maximum amplitude:\s+([-\d.]+)", r.stderr).group(1))
            last = it["words"][-1][1] if it["words"] else None
            # GSM 6.10 WAV: libsndfile counts whole 320-sample blocks, sox the
            # samples in the fact chunk, so they may differ by < 2 blocks
            tol = 0.0801 if it["encoding"] == "gsm" else 0.002
            ok = abs(length - it["duration_s"]) < tol and (last is None or last <= length + 1e-6)
            bad += not ok
            print("  %-4s %-9s %-7s sox %.3f s, manifest %.3f s, last word end %s, max amp %.3f  %s" % (
                "ok" if ok else "BAD", k[0], k[1], length, it["duration_s"],
                "%.3f" % last if last is not None else "-", maxamp, it["id"]), file=out)
    return bad


def energy_check(man, per_kind=25, out=sys.stdout):
    """Listening by proxy on clean items: where the sound is against where the
    words are.  Sound = 10 ms frames more than 20 dB over the floor (10 %
    quantile) and within 40 dB of the loudest.  Prints per kind the median
    share of sound frames inside the words (+- 50 ms) and the median / worst
    offset of the first sound frame from the first word's start and of the
    last sound frame from the last word's end."""
    by = defaultdict(list)
    for it in man["items"]:
        if it["condition"] == "clean" and it["words"]:
            by[(it["split"], it["kind"])].append(it)
    for k in sorted(by):
        rng = random.Random(str(k))
        inside, on, off = [], [], []
        for it in rng.sample(by[k], min(per_kind, len(by[k]))):
            x = load_audio(it["wav"])
            h = SR // 100
            nfr = len(x) // h
            e = 10 * np.log10(np.mean(x[:nfr * h].reshape(nfr, h) ** 2, axis=1) + 1e-9)
            thr = max(np.quantile(e, 0.1) + 20.0, e.max() - 40.0)
            snd = np.nonzero(e > thr)[0]
            if not len(snd):
                continue
            mask = np.zeros(nfr, bool)
            for s, en, _ in it["words"]:
                mask[max(0, int((s - 0.05) * 100)):int((en + 0.05) * 100) + 1] = True
            inside.append(mask[snd].mean())
            on.append(snd[0] / 100.0 - it["words"][0][0])
            off.append((snd[-1] + 1) / 100.0 - it["words"][-1][1])
        if not inside:
            continue
        worst_on = max(on, key=abs)
        worst_off = max(off, key=abs)
        print("  %-6s %-10s %3d items: sound inside words %.1f %% (min %.1f %%); first sound - first word start"
              " median %+.3f s (worst %+.3f); last sound - last word end median %+.3f s (worst %+.3f)" % (
                  k[0], k[1], len(inside), 100 * float(np.median(inside)), 100 * min(inside),
                  float(np.median(on)), worst_on, float(np.median(off)), worst_off), file=out)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="build and describe the vmcheck digit-word data set")
    ap.add_argument("part", nargs="?", default="all", choices=["train", "eval", "all"])
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--jobs", type=int, default=JOBS)
    ap.add_argument("--check", action="store_true", help="sox stat check of a few items, truth examples")
    a = ap.parse_args(argv)
    t0 = time.time()
    parts = ["train", "eval"] if a.part == "all" else [a.part]
    mans = [load_manifest(p, a.rebuild, a.jobs) for p in parts]
    for m in mans:
        print(describe(m))
    print("total wall time of this run: %.0f s" % (time.time() - t0))
    if a.check:
        for m in mans:
            check_items(m)
            print("%s: check_items passed (%d items); sox stat of a few items per kind:" % (m["part"], len(m["items"])))
            sox_stat_check(m)
            print("%s: sound against word spans (clean items):" % m["part"])
            energy_check(m)
            if m["part"] == "eval":
                for kind in ("onebreath", "an4num", "fsddnum"):
                    it = next(i for i in m["items"] if i["kind"] == kind and i["split"] == "test")
                    print("  truth %s: %s" % (it["id"], json.dumps(it["numbers"])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

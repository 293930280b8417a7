"""Quiet-passage set for tools/bench-segments (--set quiet): the messages of
tools/msgset.py with the caller's NUMBER said quieter than the rest, as when
a caller turns away from the phone or trails off.

Built (once) and cached under /tmp/vmcheck-quietset (override with the
environment variable VMCHECK_QUIETSET) from msgset's clean messages (every
base message, synthetic voices and real FSDD digits):

  * every number segment (both, when the number is said twice) is brought
    down by 10, 20 or 25 dB, with 20 ms raised-cosine ramps centred on the
    label edges (the phrases around them are not touched);
  * the background stays where it was: the segment's own pink noise floor
    (msgset's -70 dBFS) is attenuated with it, and fresh pink noise puts the
    floor back at the same level (powers add), so the quiet number lies
    20-30 dB over the floor, not under it;
  * conditions: clean (16 kHz PCM16) and telephone (sox sinc 300-3400, 8 kHz
    8-bit mu-law, as msgset's telephone condition).

Labels, scripts and truth are msgset's: the words and times do not change,
only their level.  The split is msgset's (by base message).  Deterministic
(fixed seeds, sox -D).

    python3 tools/quietset.py [--rebuild]      build (if needed) and describe
"""

import hashlib
import json
import math
import os
import random
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import msgset  # noqa: E402
from evalset import load_cached, of_split, read_wav, to_int16, write_wav  # noqa: E402

CACHE = os.environ.get("VMCHECK_QUIETSET", "/tmp/vmcheck-quietset")
LEVELS_DB = (10, 20, 25)
CONDITIONS = ("clean", "telephone")
RAMP_S = 0.02
SEED = 6110
BUILD_VERSION = 1


def _source_key():
    h = hashlib.sha256()
    for p in (os.path.abspath(__file__), os.path.join(HERE, "msgset.py")):
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16] + "-v%d" % BUILD_VERSION


def quieten(samples, segments, level_db, rng):
    """samples (16 kHz ints) with each (start, end) segment level_db down
    and the noise floor restored inside it."""
    sr = msgset.SR
    g = 10 ** (-level_db / 20.0)
    out = [float(v) for v in samples]
    n = len(out)
    noise, nrms = msgset.noise_segment("pink", n, rng)
    k = 10 ** (msgset.NOISE_FLOOR_DBFS / 20.0) * 32768.0 / nrms
    half = int(RAMP_S * sr / 2)
    for s, e in segments:
        i0, i1 = int(round(s * sr)), int(round(e * sr))
        for i in range(max(0, i0 - half), min(n, i1 + half)):
            # raised-cosine ramps centred on the edges
            if i < i0 + half:
                w = 0.5 - 0.5 * math.cos(math.pi * (i - (i0 - half)) / (2.0 * half))
            elif i >= i1 - half:
                w = 0.5 - 0.5 * math.cos(math.pi * ((i1 + half) - i) / (2.0 * half))
            else:
                w = 1.0
            a = 1.0 - w * (1.0 - g)
            # the attenuated floor, made whole again with fresh noise
            out[i] = out[i] * a + noise[i] * k * math.sqrt(max(0.0, 1.0 - a * a))
    return out


def _build_one(base_item, msgdir, log):
    items = []
    sr, clean = read_wav(base_item["wav"])
    if sr != msgset.SR:
        raise RuntimeError("%s: %d Hz, expected %d" % (base_item["wav"], sr, msgset.SR))
    segs = [(sg["start"], sg["end"]) for sg in base_item["number"]["segments"]]
    for level in LEVELS_DB:
        rng = random.Random("%d:%s:%d" % (SEED, base_item["base"], level))
        q = to_int16(quieten(clean, segs, level, rng))
        stem = "%s__q%d" % (base_item["base"], level)
        wav16 = os.path.join(msgdir, stem + "__clean.wav")
        write_wav(wav16, sr, q)
        for cond in CONDITIONS:
            iid = "%s__%s" % (stem, cond)
            wav = os.path.join(msgdir, iid + ".wav")
            if cond == "telephone":
                msgset.run(["sox", "-D", wav16, "-r", "8000", "-e", "mu-law", "-b", "8", wav, "sinc", "300-3400"])
            it = dict(base_item)
            it.update({"id": iid, "wav": wav, "condition": cond, "quiet_db": level,
                       "labels": os.path.join(msgdir, iid + ".labels.txt"),
                       "script_file": os.path.join(msgdir, iid + ".txt")})
            shutil.copyfile(base_item["labels"], it["labels"])
            shutil.copyfile(base_item["script_file"], it["script_file"])
            items.append(it)
    print("quietset: %s %s" % (base_item["base"], base_item["voice"]), file=log)
    return items


def build(log=sys.stderr):
    t0 = time.time()
    if os.path.isdir(CACHE):
        shutil.rmtree(CACHE)
    msgdir = os.path.join(CACHE, "msg")
    os.makedirs(msgdir)
    bases = [it for it in msgset.load_manifest(log=log)["items"] if it["condition"] == "clean"]
    print("quietset: %d messages x %d levels x %d conditions in %s" % (
        len(bases), len(LEVELS_DB), len(CONDITIONS), CACHE), file=log)
    with ThreadPoolExecutor(max_workers=msgset.JOBS) as ex:
        results = list(ex.map(lambda b: _build_one(b, msgdir, log), bases))
    items = [it for r in results for it in r]
    manifest = {"key": _source_key(), "items": items, "build_seconds": round(time.time() - t0, 1)}
    with open(os.path.join(CACHE, "items.json.tmp"), "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(os.path.join(CACHE, "items.json.tmp"), os.path.join(CACHE, "items.json"))
    print("quietset: built %d items in %.0f s" % (len(items), time.time() - t0), file=log)
    return manifest


def _valid(manifest):
    return (manifest.get("key") == _source_key() and manifest.get("items")
            and all(os.path.exists(it[k]) for it in manifest["items"] for k in ("wav", "labels", "script_file")))


def load_manifest(rebuild=False, log=sys.stderr):
    return load_cached(CACHE, "quietset", _valid, build, rebuild, log)


def load(split="all", rebuild=False, log=sys.stderr):
    return of_split(load_manifest(rebuild, log)["items"], split)


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description="build and describe the quiet-passage set")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args(argv)
    items = load_manifest(args.rebuild)["items"]
    from collections import Counter
    c = Counter((it["split"], it["condition"], it["quiet_db"]) for it in items)
    for k in sorted(c):
        print("%s %-9s %2d dB: %d items" % (k[0], k[1], k[2], c[k]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The digit detector's evaluation, shared by tools/bench-digits and
tools/digits/train.py: run the library on evaluation items, match the numbers
it finds with the true ones, and the run classifier's fit.

Items come from tools/digitset.py (load_eval): each has `wav`, `kind`
(onebreath, an4num, fsddnum, none), `condition` and `numbers` (the true
numbers: start_s, end_s, digits, rate, verdict)."""

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

import numpy as np

LIMIT = 3.5  # vmcheck's default number limit, syllables/s


def iou(a0, a1, b0, b1):
    inter = min(a1, b1) - max(a0, b0)
    uni = max(a1, b1) - min(a0, b0)
    return inter / uni if inter > 0 and uni > 0 else 0.0


def edit_distance(a, b):
    d = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, d[0] = d[0], i
        for j, cb in enumerate(b, 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (ca != cb))
            prev, d[j] = d[j], cur
    return d[len(b)]


def run_vmcheck(vmcheck, items, jobs):
    """JSON report per item id, via one batch run over a list of paths."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        lst = os.path.join(tmp, "out.jsonl")
        paths = [it["wav"] for it in items]
        for k in range(0, len(paths), 400):
            chunk = paths[k:k + 400]
            r = subprocess.run([vmcheck, "--format", "jsonl", "--no-sidecar", "-j", str(jobs), "-o", lst] + chunk,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if r.returncode == 2 and not os.path.exists(lst):
                sys.exit("bench-digits: vmcheck failed: %s" % r.stderr[:500])
            with open(lst) as f:
                for line in f:
                    j = json.loads(line)
                    out[j["file"]] = j
    return {it["id"]: out.get(it["wav"]) for it in items}


def run_dump(tool, items, jobs, sets=()):
    """The numbers the finder sees, with the digits said (sure or not), and
    the report's number segments: {id: (numbers, segments)}."""
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        parts = [items[k::jobs] for k in range(jobs)]
        procs = []
        for part in parts:
            if not part:
                continue
            cmd = [tool, "--numbers"] + [a for s in sets for a in ("--set", s)]
            p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
            procs.append((p, part))
        for p, part in procs:
            p.stdin.write("".join("%s\t%s\n" % (it["wav"], os.path.join(tmp, it["id"] + ".vmcd")) for it in part))
            p.stdin.close()
        for p, part in procs:
            for line in p.stdout:
                j = json.loads(line)
                res[j["wav"]] = (j["numbers"], j["segments"])
            p.wait()
    return {it["id"]: res.get(it["wav"], ([], [])) for it in items}


def run_grid(tool, items, sets, jobs, extra=()):
    """{wav: [numbers of set 0, numbers of set 1, ...]}: the network run once
    per recording, its outputs decoded with every set of settings (a list of
    "NAME=VALUE ..." strings)."""
    with tempfile.NamedTemporaryFile("w", suffix=".grid", delete=False) as g:
        g.write("".join(s + "\n" for s in sets))
        grid = g.name
    res = {}
    try:
        procs = []
        for part in [items[k::jobs] for k in range(jobs)]:
            p = subprocess.Popen([tool, "--grid", grid] + [a for s in extra for a in ("--set", s)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            procs.append((p, part))
        for p, part in procs:
            p.stdin.write("".join("%s\tx\n" % it["wav"] for it in part))
            p.stdin.close()
        for p, part in procs:
            for line in p.stdout:
                j = json.loads(line)
                res[j["wav"]] = j["grid"]
            p.wait()
    finally:
        os.unlink(grid)
    return res


def as_reports(items, grid_res, k, n_sets):
    """The reports and digits said of set k, as score() takes them."""
    reports, said = {}, {}
    for it in items:
        nums = grid_res.get(it["wav"], [[]] * n_sets)[k]
        segs = []
        for n in nums:
            rate = n["syllables"] / max(n["end_s"] - n["start_s"], 1e-9)
            segs.append({"kind": "number", "source": "auto", "start_s": n["start_s"], "end_s": n["end_s"],
                         "heard": n["heard"], "syllables_per_s": rate, "verdict": "too_fast" if rate > LIMIT else "ok"})
        reports[it["id"]] = {"ok": True, "segments": segs}
        said[it["id"]] = nums
    return reports, said


PLACED_S = 0.15  # a located number is placed when both its ends are this close


def score(items, reports, said):
    """Figures per group (kind, kind/condition, real) and the misses."""
    st = defaultdict(lambda: defaultdict(float))
    misses = defaultdict(list)
    for it in items:
        rep = reports[it["id"]]
        kind = it["kind"]
        real = kind in ("an4num", "fsddnum")
        keys = [kind, kind + "/" + it["condition"]] + (["real"] if real else [])
        segs = [s for s in (rep or {}).get("segments", []) if s["kind"] == "number" and s["source"] == "auto"]
        truth = it["numbers"]
        for k in keys:
            st[k]["items"] += 1
        if rep is None or not rep.get("ok"):
            for k in keys:
                st[k]["failed"] += 1
            continue
        if not truth:
            for k in keys:
                st[k]["false"] += 1 if segs else 0
            if segs:
                misses[kind].append("%s: false number %.2f-%.2f s" % (it["id"], segs[0]["start_s"], segs[0]["end_s"]))
            continue
        found_all = True
        for tn in truth:
            best = max(segs, key=lambda s: iou(s["start_s"], s["end_s"], tn["start_s"], tn["end_s"]), default=None)
            o = iou(best["start_s"], best["end_s"], tn["start_s"], tn["end_s"]) if best else 0.0
            # placed: located, and both ends within 0.15 s of the truth (the
            # verdict is the rate over the span, so the ends matter too)
            placed = o >= 0.5 and abs(best["start_s"] - tn["start_s"]) <= PLACED_S and \
                abs(best["end_s"] - tn["end_s"]) <= PLACED_S
            for k in keys:
                st[k]["numbers"] += 1
                st[k]["located"] += o >= 0.5
                st[k]["placed"] += placed
            if o < 0.5:
                found_all = False
                misses[kind].append("%s: number %.2f-%.2f s (%s) %s" % (
                    it["id"], tn["start_s"], tn["end_s"], tn["digits"],
                    "best %.2f-%.2f s IoU %.2f" % (best["start_s"], best["end_s"], o) if best else "not found"))
                continue
            if best.get("heard"):
                for k in keys:
                    st[k]["heard_given"] += 1
                    st[k]["heard_right"] += best["heard"] == tn["digits"]
            # digits said (sure or not), from the finder itself
            cand = [n for n in said[it["id"]] if iou(n["start_s"], n["end_s"], best["start_s"], best["end_s"]) > 0.9]
            s = cand[0]["said"] if cand else ""
            for k in keys:
                st[k]["digits"] += len(tn["digits"])
                st[k]["digit_errors"] += edit_distance(s, tn["digits"])
        verdicts = [tn["verdict"] for tn in truth]
        if all(v is not None for v in verdicts):
            want = "too_fast" if "too_fast" in verdicts else "ok"
            got = None if not segs else ("too_fast" if any(s["verdict"] == "too_fast" for s in segs) else "ok")
            for k in keys:
                st[k]["verdicts"] += 1
                st[k]["verdict_right"] += got == want
            if got != want and found_all:
                misses[kind].append("%s: verdict %s, truth %s (%.2f syl/s true, %s measured)" % (
                    it["id"], got, want, truth[0]["rate"],
                    ", ".join("%.2f" % s["syllables_per_s"] for s in segs)))

    return st, misses


def pct(a, b):
    return 100.0 * a / b if b else float("nan")


def msgset_items(split):
    """The practice messages of tools/msgset.py (tools/bench-segments' set) as
    evaluation items of kind "msgset": their numbers at the label times, with
    a verdict (none within 15 % of the limit, as in tools/digitset.py)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import msgset
    out = []
    for m in msgset.load(split):
        nums = []
        for s in m["number"]["segments"]:
            rate = s["syllables"] / s["duration"]
            verdict = None if abs(rate - LIMIT) / LIMIT < 0.15 else ("too_fast" if rate > LIMIT else "ok")
            nums.append({"start_s": s["start"], "end_s": s["end"], "digits": m["number"]["digits"], "rate": rate,
                         "verdict": verdict})
        out.append({"id": "msgset-" + m["id"], "wav": m["wav"], "kind": "msgset", "condition": m["condition"],
                    "source": m["voice"], "numbers": nums})
    return out


def headline(st):
    """The figures the targets are set on."""
    hg = st["onebreath"]["heard_given"] + st["real"]["heard_given"]
    hr = st["onebreath"]["heard_right"] + st["real"]["heard_right"]
    hl = st["onebreath"]["located"] + st["real"]["located"]
    return {"ob_located": pct(st["onebreath"]["located"], st["onebreath"]["numbers"]),
            "ob_verdict": pct(st["onebreath"]["verdict_right"], st["onebreath"]["verdicts"]),
            "real_located": pct(st["real"]["located"], st["real"]["numbers"]),
            "ob_placed": pct(st["onebreath"]["placed"], st["onebreath"]["numbers"]),
            "real_placed": pct(st["real"]["placed"], st["real"]["numbers"]),
            "real_verdict": pct(st["real"]["verdict_right"], st["real"]["verdicts"]),
            "false": pct(st["none"]["false"], st["none"]["items"]),
            "der": pct(st["real"]["digit_errors"], st["real"]["digits"]),
            "heard_right": pct(hr, hg), "heard_given": pct(hg, hl), "heard_n": hg, "heard_k": hr,
            "msg_located": pct(st["msgset"]["located"], st["msgset"]["numbers"]),
            "msg_verdict": pct(st["msgset"]["verdict_right"], st["msgset"]["verdicts"])}


def candidates(items, grid_res, k, n_sets):
    """(features, label) of every run the finder considered with set k: label
    1 when it overlaps a true number with IoU >= 0.5."""
    X, y, groups = [], [], []
    for it in items:
        for n in grid_res.get(it["wav"], [[]] * n_sets)[k]:
            hit = any(iou(n["start_s"], n["end_s"], t["start_s"], t["end_s"]) >= 0.5 for t in it["numbers"])
            X.append(n["features"])
            y.append(1.0 if hit else 0.0)
            groups.append(it.get("source", it["id"]))
    return np.array(X, float), np.array(y, float), groups


def fit_logistic(X, y, l2=1.0, iters=50):
    """Logistic regression by Newton's method (IRLS) with an L2 penalty on the
    weights (not the bias): (bias, weights)."""
    A = np.hstack([np.ones((len(X), 1)), X])
    w = np.zeros(A.shape[1])
    R = np.eye(A.shape[1]) * l2
    R[0, 0] = 0.0
    for _ in range(iters):
        z = np.clip(A @ w, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        g = A.T @ (p - y) + R @ w
        H = (A * (p * (1 - p))[:, None]).T @ A + R
        step = np.linalg.solve(H, g)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(w[0]), w[1:]

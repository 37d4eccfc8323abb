#!/usr/bin/env python3
"""Independent reference explanations for the Rust test tests/reference.rs.

    python3 tools/reference/reference.py            # writes tests/fixtures/reference.json

Runs the PyTorch SASRec (tools/train/checkpoints/sasrec.pt, the checkpoint of models/sasrec.onnx) on a
few real MovieLens users of tests/fixtures/windows.json and computes, without any of whythis' Rust logic:

* the window (DESIGN.md §2): the last seq_len events, oldest first, right-aligned, left-padded with
  item 0 / action 0; removing events deletes them, keeps the rest in order, right-aligned, and pads
  on the left (older events never slide in);
* the top 3 items: candidates 1..=num_items minus the window's items, by score, ties to the lower id;
* for each of them (DESIGN.md §3):
  - occlusion   delta_i = s(H) - s(H without i) for every window event;
  - attention   last layer, heads averaged, row of the last query slot, column of each event's slot;
  - Shapley     with Captum, on a 0/1 keep-mask over the window's events (baseline: all zeros) and
                a forward function returning the target scores of the window that keeps only the
                events whose mask is 1 (deleted and re-padded), i.e. v(S) of DESIGN.md §3:
                captum.attr.ShapleyValues (every permutation: exact) for windows of <= 8 events (it
                runs n * n! rows: 9 events would take minutes), captum.attr.ShapleyValueSampling
                otherwise, as RUNS independent runs (seeds SEED..SEED+RUNS-1) of
                SAMPLES * max(1, seq_len // n) permutations each: value = mean of the runs,
                stderr = std of the run means / sqrt(RUNS), the standard error of the value over all
                RUNS * SAMPLES * max(1, seq_len // n) permutations ("permutations" in the output).

Every float is the float32 model's output (as the ONNX model computes it); differences are taken in
float64. Exact Captum values are also checked here against a direct subset-weighted enumeration.
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
import models as M  # noqa: E402  (the SASRec class the checkpoint was trained with)

# Captum's ShapleyValues walks all n! permutations (n * n! forward rows): 8 events take ~20 s, 9 take minutes.
# Longer windows get ShapleyValueSampling here, whatever whythis does (it is exact up to 10 events).
CAPTUM_EXACT_MAX_EVENTS = 8
TOP = 3

# (user, how many of the user's first events to keep; None = the whole history)
# Short windows (exact Shapley), two padded windows of 20-50 events, and full 50-event windows whose
# history is longer than the window (the older events must never slide in).
# The 10-event window is exact in whythis and sampled here (the boundary of whythis' exact method).
USERS = [
    (78, 6), (140, 7), (855, 8), (920, 10),
    (146, None), (550, None),
    (96, None), (465, None), (269, None),
]


def load_sasrec(ckpt: str):
    """The shipped SASRec, loaded as tools/train/fixtures.py loads it."""
    model, state = M.load_checkpoint(ckpt)
    return model, state["actions"]


# ----------------------------------------------------------------------------- DESIGN.md §2

class Window:
    def __init__(self, history, seq_len, actions):
        self.events = history[-seq_len:] if len(history) > seq_len else list(history)
        self.seq_len = seq_len
        self.items = [int(e["item"]) for e in self.events]
        # every reference event names its action (the card's default action is not needed)
        self.acts = [actions.index(e["action"]) for e in self.events]

    def __len__(self):
        return len(self.events)

    def slot_of(self, position):
        return self.seq_len - len(self.events) + position

    def slots(self, keep):
        """keep: one bool per event -> (item ids, action indices), seq_len each."""
        kept = [p for p in range(len(self.events)) if keep[p]]
        items = [0] * self.seq_len
        acts = [0] * self.seq_len
        start = self.seq_len - len(kept)
        for slot, p in zip(range(start, self.seq_len), kept):
            items[slot] = self.items[p]
            acts[slot] = self.acts[p]
        return items, acts


class Scorer:
    def __init__(self, model, chunk=512):
        self.model, self.chunk = model, chunk
        self.windows = 0

    @torch.no_grad()
    def run(self, slots):
        """[(items, acts)] -> float32 scores [B, num_items + 1], attention [B, layers, heads, L, L]."""
        scores, attn = [], []
        for i in range(0, len(slots), self.chunk):
            part = slots[i:i + self.chunk]
            ii = torch.tensor([s[0] for s in part], dtype=torch.int64)
            aa = torch.tensor([s[1] for s in part], dtype=torch.int64)
            s, a = self.model(ii, aa)
            scores.append(s)
            attn.append(a)
        self.windows += len(slots)
        return torch.cat(scores).numpy(), torch.cat(attn).numpy()

    def target_scores(self, window, keep_rows, targets):
        s, _ = self.run([window.slots(k) for k in keep_rows])
        return s[:, targets]


def top_items(scores, window, num_items, k):
    seen = set(window.items)
    cands = [i for i in range(1, num_items + 1) if i not in seen]
    cands.sort(key=lambda i: (-float(scores[i]), i))
    return cands[:k]


# ----------------------------------------------------------------------------- Shapley

def exact_by_subsets(v, n):
    """phi_i = sum_S w(|S|) (v(S + i) - v(S)); v indexed by bitmask. float64. [T, n]."""
    phi = np.zeros((v.shape[1], n))
    w = [math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n) for s in range(n)]
    for m in range(1 << n):
        size = bin(m).count("1")
        for i in range(n):
            if not m >> i & 1:
                phi[:, i] += w[size] * (v[m | 1 << i] - v[m])
    return phi


def shapley_exact(scorer, window, targets):
    """captum.attr.ShapleyValues over the keep-mask; v of every coalition computed once, up front."""
    from captum.attr import ShapleyValues
    n = len(window)
    masks = [[bool(m >> i & 1) for i in range(n)] for m in range(1 << n)]
    v = scorer.target_scores(window, masks, targets).astype(np.float64)        # [2^n, T]
    table = torch.from_numpy(v)
    bits = torch.tensor([1 << i for i in range(n)], dtype=torch.float64)

    def forward(keep):                                                            # [B, n] 0/1
        return table[(keep.to(torch.float64) @ bits).round().long()]             # [B, T]

    # Captum sums the marginals of every permutation into a float32 tensor: over all n! permutations at
    # once its rounding reaches ~1e-4 (n = 8). So it is given the n! permutations in n (n - 1) groups, by
    # their first two events, ((n - 2)! permutations each, all of them once), and the group results,
    # each an average over the same number of permutations, are averaged here in float64.
    sv = ShapleyValues(forward)
    groups = []
    for a, b in itertools.permutations(range(n), 2):
        rest = [i for i in range(n) if i not in (a, b)]
        sv.permutation_generator = lambda _n, _s, a=a, b=b, rest=rest: (
            (a, b) + p for p in itertools.permutations(rest))
        attr = sv.attribute(torch.ones(1, n, dtype=torch.float64), baselines=torch.zeros(1, n, dtype=torch.float64),
                            perturbations_per_eval=n)                             # [1, T, n]
        groups.append(attr[0].double().numpy())
    phi = np.mean(groups, axis=0)
    check = exact_by_subsets(v, n)
    worst = float(np.abs(phi - check).max())
    if worst > 1e-5:
        raise SystemExit(f"Captum's exact Shapley values differ from the subset enumeration by {worst}")
    return phi, worst


def shapley_sampled(scorer, window, targets, runs, samples, seed):
    """captum.attr.ShapleyValueSampling over the keep-mask: `runs` runs of `samples` permutations."""
    from captum.attr import ShapleyValueSampling
    n = len(window)

    def forward(keep):                                                            # [B, n] 0/1
        rows = (keep > 0.5).tolist()
        return torch.from_numpy(scorer.target_scores(window, rows, targets).astype(np.float64))

    svs = ShapleyValueSampling(forward)
    means = []
    for r in range(runs):
        torch.manual_seed(seed + r)
        attr = svs.attribute(torch.ones(1, n, dtype=torch.float64),
                             baselines=torch.zeros(1, n, dtype=torch.float64),
                             n_samples=samples, perturbations_per_eval=n)             # [1, T, n]
        means.append(attr[0].double().numpy())
    means = np.stack(means)                                                       # [runs, T, n]
    phi = means.mean(0)
    stderr = means.std(0, ddof=1) / math.sqrt(runs)
    return phi, stderr


# ----------------------------------------------------------------------------- checks & main

def check_against_onnx(model_path, slots, scorer):
    """The checkpoint must be the shipped model: same scores as onnxruntime on the reference windows."""
    try:
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime not installed: skipping the checkpoint-vs-ONNX check")
        return None
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.log_severity_level = 3
    sess = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])
    ii = np.array([s[0] for s in slots], dtype=np.int64)
    aa = np.array([s[1] for s in slots], dtype=np.int64)
    theirs = sess.run(["scores", "attention"], {"item_ids": ii, "action_types": aa})
    ours = scorer.run(slots)
    diff = max(float(np.abs(ours[0][:, 1:] - theirs[0][:, 1:]).max()),   # column 0 is ignored
               float(np.abs(ours[1] - theirs[1]).max()))
    if diff > 1e-4:
        raise SystemExit(f"the checkpoint is not the model in {model_path} (max diff {diff})")
    return diff


def r7(x):
    return float(f"{float(x):.7g}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", default=os.path.join(ROOT, "tools", "train", "checkpoints", "sasrec.pt"))
    ap.add_argument("--card", default=os.path.join(ROOT, "models", "sasrec.card.json"))
    ap.add_argument("--windows", default=os.path.join(ROOT, "tests", "fixtures", "windows.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "fixtures", "reference.json"))
    ap.add_argument("--runs", type=int, default=256, help="sampled Shapley: independent Captum runs")
    ap.add_argument("--samples", type=int, default=4,
                    help="sampled Shapley: permutations per run, times seq_len // n for a window of n events")
    ap.add_argument("--seed", type=int, default=1000, help="sampled Shapley: seed of the first run")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest for these small batches)")
    args = ap.parse_args()
    t0 = time.time()
    torch.set_num_threads(args.threads)

    with open(args.card) as f:
        card = json.load(f)
    model, actions = load_sasrec(args.ckpt)
    seq_len, num_items = int(card["seq_len"]), int(card["num_items"])
    if (model.seq_len, model.num_items, list(actions)) != (seq_len, num_items, card["actions"]):
        raise SystemExit("the checkpoint and the card disagree on seq_len, num_items or actions")
    with open(args.windows) as f:
        histories = {w["user"]: w["history"] for w in json.load(f)}

    scorer = Scorer(model)
    users = []
    for user, first in USERS:
        history = histories[user][:first] if first else histories[user]
        users.append((user, history, Window(history, seq_len, card["actions"])))
    onnx_diff = check_against_onnx(os.path.join(os.path.dirname(args.card), card["onnx"]),
                                   [w.slots([True] * len(w)) for _, _, w in users], scorer)

    out_users = []
    for user, history, window in users:
        t_user = time.time()
        n = len(window)
        scores, attn = scorer.run([window.slots([True] * n)])
        scores, attn = scores[0], attn[0]                                  # [I+1], [layers, heads, L, L]
        targets = top_items(scores, window, num_items, TOP)
        base = scores[targets].astype(np.float64)
        empty = scorer.target_scores(window, [[False] * n], targets)[0].astype(np.float64)
        # occlusion: one window per event
        without = scorer.target_scores(window, [[q != p for q in range(n)] for p in range(n)], targets)
        delta = base[None, :] - without.astype(np.float64)                # [n, T]
        # attention: last layer, heads averaged, last query row, each event's slot
        row = attn[-1].astype(np.float64).mean(0)[seq_len - 1]            # [L]
        att = [row[window.slot_of(p)] for p in range(n)]
        # Shapley
        if n <= CAPTUM_EXACT_MAX_EVENTS:
            phi, captum_vs_enum = shapley_exact(scorer, window, targets)
            stderr, perms = None, math.factorial(n)
        else:
            # short windows cost less per permutation: give them more (the same number of rows)
            samples = args.samples * max(1, seq_len // n)
            phi, stderr = shapley_sampled(scorer, window, targets, args.runs, samples, args.seed)
            perms, captum_vs_enum = args.runs * samples, None
        eff = np.abs(phi.sum(1) - (base - empty)).max()
        print(f"user {user}: {len(history)} events, window {n}, top {targets}, "
              f"scores {np.round(base, 4).tolist()}, shapley {'exact' if stderr is None else 'sampled'}"
              f" (efficiency error {eff:.2e}"
              + (f", Captum vs enumeration {captum_vs_enum:.1e}" if captum_vs_enum is not None else
                 f", max stderr {stderr.max():.4f}") + f"), {time.time() - t_user:.1f}s")
        out_targets = []
        for t, item in enumerate(targets):
            sh = {"values": [r7(x) for x in phi[t]], "exact": stderr is None, "permutations": perms}
            if stderr is not None:
                sh["stderr"] = [r7(x) for x in stderr[t]]
                sh["runs"], sh["seed"] = args.runs, args.seed
            out_targets.append({
                "item": item, "score": r7(scores[item]), "score_empty": r7(empty[t]),
                "occlusion": [r7(x) for x in delta[:, t]],
                "attention": [r7(x) for x in att],
                "shapley": sh,
            })
        out_users.append({"user": user, "history": history, "window_events": n, "targets": out_targets})

    doc = {
        "format": "whythis-reference/1",
        "generator": "tools/reference/reference.py (PyTorch + Captum; see tools/reference/README.md)",
        "model": "models/sasrec.card.json",
        "checkpoint": "tools/train/checkpoints/sasrec.pt",
        "versions": {"torch": torch.__version__, "captum": __import__("captum").__version__,
                     "numpy": np.__version__},
        "checkpoint_vs_onnxruntime_max_abs_diff": onnx_diff,
        "top": TOP,
        "captum_exact_max_events": CAPTUM_EXACT_MAX_EVENTS,
        "users": out_users,
    }
    with open(args.out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes): {len(out_users)} users, "
          f"{scorer.windows} windows scored, {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()

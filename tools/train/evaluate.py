"""Leave-one-out evaluation (SASRec paper protocol + full-catalog ranking).

For every user with a val/test event:
* validation: input = window of the train events, target = the val event;
* test:       input = window of train + val,        target = the test event.

Metrics, each for val and test:
* ``sampled``: rank of the target among itself + 100 negatives drawn uniformly
  (fixed seed) from the items the user never interacted with (whole history);
* ``full``: rank among all items except those of the input history (the target
  always stays a candidate).
rank = number of candidates with a strictly larger score (0-based);
HR@10 = mean(rank < 10), NDCG@10 = mean(1/log2(rank + 2) if rank < 10).

``top1``: for every user, the top-1 item of the full-catalog ranking of the
train + val window, excluding every train + val item; reports the most common
such item and the share of users for whom it is top-1.

Usage as a script: ``python3 evaluate.py --card models/sasrec.card.json`` evaluates
the exported ONNX file with onnxruntime (same numbers as after training).
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402

NUM_NEG = 100
NEG_SEED = 20240607


def sample_negatives(split: D.Split, users, num_items: int, seed: int, full_hist) -> dict:
    rng = np.random.RandomState(seed)
    out = {}
    for u in users:
        seen = full_hist[u]
        if num_items - len(seen) < NUM_NEG:
            raise ValueError(f"user {u}: fewer than {NUM_NEG} unseen items")
        negs: list[int] = []
        chosen = set()
        while len(negs) < NUM_NEG:
            i = int(rng.randint(1, num_items + 1))
            if i in seen or i in chosen:
                continue
            chosen.add(i)
            negs.append(i)
        out[u] = np.array(negs, dtype=np.int64)
    return out


def _batched_scores(score_fn, inputs, batch=256):
    """inputs: list of (item_ids, action_types) lists -> float32 [n, num_items+1]."""
    outs = []
    for s in range(0, len(inputs), batch):
        chunk = inputs[s:s + batch]
        ii = np.array([c[0] for c in chunk], dtype=np.int64)
        aa = np.array([c[1] for c in chunk], dtype=np.int64)
        outs.append(np.asarray(score_fn(ii, aa), dtype=np.float32))
    return np.concatenate(outs, 0)


def _metrics(ranks):
    r = np.asarray(ranks)
    hit = r < 10
    return {"hr@10": float(hit.mean()),
            "ndcg@10": float(np.where(hit, 1.0 / np.log2(r + 2.0), 0.0).mean()),
            "users": int(len(r))}


def evaluate(score_fn, ds: D.Dataset, split: D.Split, seq_len: int, seed: int = NEG_SEED,
             titles: dict | None = None) -> dict:
    users = sorted(split.test, key=lambda u: (str(type(u)), u))
    full_hist = {u: {e.item for e in ds.sequences[u]} for u in users}
    res = {}
    for which, off in (("val", 0), ("test", 1)):
        negs = sample_negatives(split, users, ds.num_items, seed + off, full_hist)
        hists = {u: split.train[u] + ([split.val[u]] if which == "test" else []) for u in users}
        target = {u: (split.val[u] if which == "val" else split.test[u]).item for u in users}
        sc = _batched_scores(score_fn, [D.window(hists[u], seq_len) for u in users])
        r_s, r_f = [], []
        for row, u in zip(sc, users):
            t = target[u]
            st = row[t]
            r_s.append(int((row[negs[u]] > st).sum()))
            cand = np.ones(ds.num_items + 1, dtype=bool)
            cand[0] = False
            cand[[e.item for e in hists[u]]] = False
            cand[t] = True
            r_f.append(int((row[cand] > st).sum()))
        res[which] = {"sampled": _metrics(r_s), "full": _metrics(r_f)}
        if which == "test":
            top = []
            for row, u in zip(sc, users):
                row = row.copy()
                row[0] = -np.inf
                row[[e.item for e in hists[u]]] = -np.inf
                top.append(int(np.argmax(row)))     # ties -> lowest id
            cnt = collections.Counter(top)
            item, n = cnt.most_common(1)[0]
            res["top1"] = {"item": item, "title": (titles or ds.titles).get(item),
                           "share": n / len(users), "distinct": len(cnt), "users": len(users)}
    res["protocol"] = {"negatives": NUM_NEG, "negative_seed": seed, "seq_len": seq_len,
                       "split": "leave-one-out (ts, then file order)"}
    return res


def torch_score_fn(model, uses_actions: bool):
    import torch

    def f(ii, aa):
        model.eval()
        with torch.no_grad():
            it = torch.from_numpy(ii)
            out = model(it, torch.from_numpy(aa)) if uses_actions else model(it)
            if isinstance(out, tuple):
                out = out[0]
            return out.numpy()
    return f


def ort_score_fn(card_path: str):
    import onnxruntime as ort
    card = json.load(open(card_path))
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    sess = ort.InferenceSession(os.path.join(os.path.dirname(card_path), card["onnx"]), so,
                                providers=["CPUExecutionProvider"])

    def f(ii, aa):
        feeds = {card["inputs"]["item_ids"]: ii}
        if card["inputs"].get("action_types"):
            feeds[card["inputs"]["action_types"]] = aa
        return sess.run([card["outputs"]["scores"]], feeds)[0]
    return f, card


def summary(res: dict) -> str:
    lines = []
    for w in ("val", "test"):
        for k in ("sampled", "full"):
            m = res[w][k]
            lines.append(f"{w:4s} {k:7s} HR@10 {m['hr@10']:.4f}  NDCG@10 {m['ndcg@10']:.4f}")
    t = res["top1"]
    lines.append(f"top-1 concentration {t['share']:.4f} (item {t['item']} {t['title']!r}, "
                 f"{t['distinct']} distinct top-1 items)")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--card", required=True)
    D.add_data_args(ap)
    args = ap.parse_args()
    f, card = ort_score_fn(args.card)
    ds = D.dataset_from_args(args)
    res = evaluate(f, ds, D.split_leave_one_out(ds), card["seq_len"])
    print(summary(res))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()

"""Train, evaluate and export the whythis reference models (SASRec + GRU4Rec).

    python3 tools/train/train.py --data /path/to/ml-100k --out models

See tools/train/README.md for the options and for training on your own data.
Everything is seeded: the same data, options and library versions give the same
models and metrics (CPU, fixed thread count).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
import evaluate as E  # noqa: E402
import models as M  # noqa: E402

DEFAULTS = {
    "sasrec": dict(d=64, heads=2, layers=2, dropout=0.2, lr=3e-3, weight_decay=0.0,
                   epochs=30, batch=128, patience=10, seed=42),
    "gru4rec": dict(d=64, dropout=0.3, lr=3e-3, weight_decay=0.0,
                    epochs=30, batch=128, patience=10, seed=42),
}


def seed_everything(seed: int):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def training_windows(split: D.Split, seq_len: int, rng: np.random.RandomState | None):
    """Every position of every train sequence predicts the next item.

    A sequence e_0..e_{n-1} gives inputs e_0..e_{n-2} and targets e_1..e_{n-1}, cut
    into right-aligned windows of seq_len from the end.  With ``rng`` the older
    windows are cut at a random offset each epoch (the most recent window is
    always the last seq_len positions, like at inference).
    """
    ii, aa, tt = [], [], []
    for u in sorted(split.train, key=lambda u: (str(type(u)), u)):
        evs = split.train[u]
        n = len(evs) - 1
        if n < 1:
            continue
        items = [e.item for e in evs]
        acts = [e.action for e in evs]
        ends = [n]
        end = n - seq_len
        if rng is not None and end > 0:
            end -= int(rng.randint(0, seq_len))
        while end > 0:
            ends.append(end)
            end -= seq_len
        for end in ends:
            start = max(0, end - seq_len)
            pad = seq_len - (end - start)
            ii.append([0] * pad + items[start:end])
            aa.append([0] * pad + acts[start:end])
            tt.append([0] * pad + items[start + 1:end + 1])
    return (torch.tensor(ii, dtype=torch.int64), torch.tensor(aa, dtype=torch.int64),
            torch.tensor(tt, dtype=torch.int64))


def fit(model, kind: str, ds: D.Dataset, split: D.Split, hp: dict, log=print):
    seed_everything(hp["seed"])
    rng = np.random.RandomState(hp["seed"])
    opt = torch.optim.Adam(model.parameters(), lr=hp["lr"], weight_decay=hp["weight_decay"])
    seq_len = model.seq_len
    best, best_state, best_epoch, bad = -1.0, None, -1, 0
    history = []
    t0 = time.time()
    for epoch in range(1, hp["epochs"] + 1):
        model.train()
        ii, aa, tt = training_windows(split, seq_len, rng if hp.get("random_cut", True) else None)
        perm = torch.from_numpy(rng.permutation(len(ii)))
        total, count = 0.0, 0
        for s in range(0, len(perm), hp["batch"]):
            idx = perm[s:s + hp["batch"]]
            x, a, y = ii[idx], aa[idx], tt[idx]
            h = model.encode(x, a)[0] if kind == "sasrec" else model.encode(x)
            m = y > 0
            logits = model.logits(h[m])                 # [n, num_items + 1]
            logits[:, 0] = -1e9                          # never predict padding
            loss = F.cross_entropy(logits, y[m])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():                       # keep padding rows at zero
                model.item_emb.weight[0].zero_()
                if kind == "sasrec":
                    model.action_emb.weight[0].zero_()
            total += float(loss.detach()) * int(m.sum())
            count += int(m.sum())
        hr = val_hr(model, kind, ds, split, seq_len)
        history.append({"epoch": epoch, "loss": total / max(count, 1), "val_hr@10": hr})
        log(f"[{kind}] epoch {epoch:3d} loss {total / max(count, 1):.4f} val HR@10 {hr:.4f} "
            f"({time.time() - t0:.0f}s)")
        if hr > best:
            best, best_epoch, bad = hr, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad += 1
            if bad >= hp["patience"]:
                break
        if hp.get("max_seconds") and time.time() - t0 > hp["max_seconds"]:
            log(f"[{kind}] time budget reached")
            break
    model.load_state_dict(best_state)
    model.eval()
    return {"best_epoch": best_epoch, "best_val_hr@10_sampled": best, "epochs_run": len(history),
            "seconds": round(time.time() - t0, 1)}


_VAL_CACHE: dict = {}


def val_hr(model, kind, ds, split, seq_len) -> float:
    """Sampled validation HR@10 (the model-selection criterion)."""
    key = id(split)
    if key not in _VAL_CACHE:
        users = sorted(split.val, key=lambda u: (str(type(u)), u))
        full_hist = {u: {e.item for e in ds.sequences[u]} for u in users}
        negs = E.sample_negatives(split, users, ds.num_items, E.NEG_SEED, full_hist)
        wins = [D.window(split.train[u], seq_len) for u in users]
        ii = torch.tensor([w[0] for w in wins], dtype=torch.int64)
        aa = torch.tensor([w[1] for w in wins], dtype=torch.int64)
        cand = torch.tensor(np.stack([np.concatenate([[split.val[u].item], negs[u]]) for u in users]))
        _VAL_CACHE[key] = (ii, aa, cand)
    ii, aa, cand = _VAL_CACHE[key]
    model.eval()
    with torch.no_grad():
        sc = model(ii, aa)[0] if kind == "sasrec" else model(ii)
        c = torch.gather(sc, 1, cand)
        rank = (c[:, 1:] > c[:, :1]).sum(1)
    return float((rank < 10).float().mean())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    D.add_data_args(ap)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "models"),
                    help="output directory for *.onnx, *.card.json, catalog.json")
    ap.add_argument("--models", default="sasrec,gru4rec", help="comma-separated subset")
    ap.add_argument("--seq-len", type=int, default=50)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="optional wall-clock budget per model (0 = none; a budget makes runs "
                         "depend on machine speed, so the shipped models use none)")
    for k in ("sasrec", "gru4rec"):
        for name, v in DEFAULTS[k].items():
            ap.add_argument(f"--{k}-{name.replace('_', '-')}", type=type(v), default=v)
    ap.add_argument("--ckpt-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "checkpoints"),
                    help="where the PyTorch checkpoints go (not shipped; fixtures.py reads them)")
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    import export as X  # torch.onnx import is slow; only here

    ds = D.dataset_from_args(args)
    split = D.split_leave_one_out(ds)
    os.makedirs(args.out, exist_ok=True)
    print(f"{ds.name}: {len(ds.sequences)} users, {ds.num_items} items, "
          f"{sum(map(len, ds.sequences.values()))} events, actions {ds.actions}")
    D.write_catalog(ds, os.path.join(args.out, "catalog.json"))
    if args.format == "table":
        # model item id -> id in your table (index 0 = padding); needed to build windows
        with open(os.path.join(args.out, "item_map.json"), "w") as f:
            json.dump([None] + [ds.raw_item_ids[i] for i in range(1, ds.num_items + 1)], f)

    for kind in [m.strip() for m in args.models.split(",") if m.strip()]:
        hp = {n: getattr(args, f"{kind}_{n}") for n in DEFAULTS[kind]}
        hp["max_seconds"] = args.max_seconds
        seed_everything(hp["seed"])
        if kind == "sasrec":
            model = M.SASRec(ds.num_items, len(ds.actions), seq_len=args.seq_len, d=hp["d"],
                             heads=hp["heads"], layers=hp["layers"], dropout=hp["dropout"])
        else:
            model = M.GRU4Rec(ds.num_items, seq_len=args.seq_len, d=hp["d"], dropout=hp["dropout"])
        info = fit(model, kind, ds, split, hp)
        res = E.evaluate(E.torch_score_fn(model, kind == "sasrec"), ds, split, args.seq_len)
        print(E.summary(res))
        os.makedirs(args.ckpt_dir, exist_ok=True)
        torch.save({"config": model.config, "state_dict": model.state_dict(), "hparams": hp,
                    "actions": ds.actions, "training": info, "metrics": res},
                   os.path.join(args.ckpt_dir, f"{kind}.pt"))
        if not args.no_export:
            X.export_model(model, kind, ds, res, hp, info, args.out)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reference scores from onnxruntime, for the Rust parity test.

    python3 tools/parity/ort_scores.py MODEL.card.json WINDOWS.json

WINDOWS.json: a JSON array of {"item_ids": [seq_len ints], "action_types": [seq_len ints]}
(already right-aligned and padded; "action_types" may be omitted or null, and is
ignored when the card has no action_types input — it defaults to 0 = padding).
Runs every window in one batch (one window at a time when the model's batch is fixed to 1) and
prints to stdout:

    {"scores": [[...num_items+1 floats...], ...], "attention": [...] or null}

Floats are printed with repr() (shortest round-trip form of the float32 value as a
double), so the Rust side sees the exact float32 outputs.
Needs only numpy and onnxruntime (tools/requirements-ci.txt).
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    card_path, windows_path = argv[1], argv[2]
    with open(card_path) as f:
        card = json.load(f)
    with open(windows_path) as f:
        windows = json.load(f)
    seq_len = int(card["seq_len"])
    if not windows:
        raise SystemExit("no windows")
    ii = np.array([w["item_ids"] for w in windows], dtype=np.int64)
    if ii.shape != (len(windows), seq_len):
        raise SystemExit(f"item_ids must be {seq_len} long, got shape {ii.shape}")
    inputs = card["inputs"]
    outputs = card["outputs"]
    feeds = {inputs["item_ids"]: ii}
    if inputs.get("action_types"):
        aa = np.array([w.get("action_types") or [0] * seq_len for w in windows], dtype=np.int64)
        if aa.shape != ii.shape:
            raise SystemExit(f"action_types must be {seq_len} long, got shape {aa.shape}")
        feeds[inputs["action_types"]] = aa

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1          # deterministic reductions
    so.log_severity_level = 3
    model = os.path.join(os.path.dirname(os.path.abspath(card_path)), card["onnx"])
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    names = [outputs["scores"]] + ([outputs["attention"]] if outputs.get("attention") else [])
    batch = next(i.shape[0] for i in sess.get_inputs() if i.name == inputs["item_ids"])
    if batch == 1 and len(windows) > 1:
        # A graph exported with its batch fixed to 1 takes one window per run.
        runs = [sess.run(names, {k: v[i:i + 1] for k, v in feeds.items()}) for i in range(len(windows))]
        res = [np.concatenate([r[j] for r in runs]) for j in range(len(names))]
    else:
        res = sess.run(names, feeds)

    def tolist(a):
        return np.asarray(a, dtype=np.float32).astype(np.float64).tolist()

    json.dump({"scores": tolist(res[0]), "attention": tolist(res[1]) if len(res) > 1 else None},
              sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Export trained models to ONNX (whythis contract, DESIGN.md §1) and write model cards.

* ``torch.onnx.export(..., dynamo=False)`` (the TorchScript-based exporter), opset 17,
  inputs ``item_ids`` (+ ``action_types``), outputs ``scores`` (+ ``attention``),
  dynamic axis 0 named ``batch``, seq_len fixed.
* onnx.checker (full check), then onnxruntime at batch 1 and batch 7 against
  PyTorch (max |diff| <= 1e-5), then the card.
"""
from __future__ import annotations

import datetime
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402

OPSET = 17
TOL = 1e-5
FOLD = True


def io_names(kind: str):
    if kind == "sasrec":
        return ["item_ids", "action_types"], ["scores", "attention"]
    return ["item_ids"], ["scores"]


def example_inputs(kind: str, seq_len: int, num_items: int, num_actions: int,
                   batch: int, seed: int = 0, windows=None):
    """Deterministic check inputs: real windows first (if given), then one
    all-padding window, one full window and random partially padded ones."""
    rng = np.random.RandomState(seed)
    ii = np.zeros((batch, seq_len), dtype=np.int64)
    aa = np.zeros((batch, seq_len), dtype=np.int64)
    rows = list(windows or [])
    for b in range(batch):
        if b < len(rows):
            ii[b], aa[b] = rows[b]
            continue
        k = b - len(rows)
        n = 0 if k == 0 else seq_len if k == 1 else int(rng.randint(1, seq_len + 1))
        if n:
            ii[b, seq_len - n:] = rng.randint(1, num_items + 1, size=n)
            aa[b, seq_len - n:] = rng.randint(1, max(num_actions, 2), size=n)
    return ii, aa


def torch_run(model, kind, ii, aa):
    model.eval()
    with torch.no_grad():
        if kind == "sasrec":
            s, a = model(torch.from_numpy(ii), torch.from_numpy(aa))
            return [s.numpy(), a.numpy()]
        return [model(torch.from_numpy(ii)).numpy()]


def ort_run(path, kind, ii, aa):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    feeds = {"item_ids": ii}
    if kind == "sasrec":
        feeds["action_types"] = aa
    return sess.run(io_names(kind)[1], feeds)


def export_legacy(model, kind: str, path: str) -> None:
    ins, outs = io_names(kind)
    ii, aa = example_inputs(kind, model.seq_len, model.num_items,
                            getattr(model, "num_actions", 2), batch=2)
    args = (torch.from_numpy(ii), torch.from_numpy(aa)) if kind == "sasrec" else (torch.from_numpy(ii),)
    model.eval()
    torch.onnx.export(model, args, path, dynamo=False, opset_version=OPSET,
                      input_names=ins, output_names=outs,
                      dynamic_axes={n: {0: "batch"} for n in ins + outs},
                      do_constant_folding=FOLD, export_params=True)


def find_item_embedding(onnx_path: str, weight: np.ndarray) -> str:
    """Name of the graph initializer that holds exactly ``weight`` [num_items+1, d]."""
    m = onnx.load(onnx_path)
    hits = [init.name for init in m.graph.initializer
            if tuple(init.dims) == weight.shape and np.array_equal(numpy_helper.to_array(init), weight)]
    if not hits:
        raise RuntimeError(f"{onnx_path}: no initializer equals the item embedding {weight.shape}")
    return "item_emb.weight" if "item_emb.weight" in hits else hits[0]


def verify(model, kind: str, path: str, windows=None, log=print) -> dict:
    """checker + onnxruntime batch 1 and 7 vs PyTorch. Returns the max abs diffs."""
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    ins, outs = io_names(kind)
    assert [i.name for i in m.graph.input] == ins, [i.name for i in m.graph.input]
    assert [o.name for o in m.graph.output] == outs, [o.name for o in m.graph.output]
    for i in m.graph.input:
        assert i.type.tensor_type.elem_type == onnx.TensorProto.INT64, i
        d = i.type.tensor_type.shape.dim
        assert d[0].dim_param == "batch" and d[1].dim_value == model.seq_len, i
    diffs = {}
    for batch in (1, 7):
        ii, aa = example_inputs(kind, model.seq_len, model.num_items,
                                getattr(model, "num_actions", 2), batch, seed=batch,
                                windows=(windows or [])[:max(batch - 2, 1)] if batch > 1 else windows[:1] if windows else None)
        want = torch_run(model, kind, ii, aa)
        got = ort_run(path, kind, ii, aa)
        for name, w, g in zip(outs, want, got):
            assert w.shape == g.shape, (name, w.shape, g.shape)
            assert np.isfinite(g).all(), f"{name}: non-finite values at batch {batch}"
            diff = float(np.max(np.abs(w - g)))
            diffs[f"{name}@batch{batch}"] = diff
            if diff > TOL:
                raise AssertionError(f"{path}: {name} differs from PyTorch by {diff} at batch {batch}")
        if kind == "sasrec":
            exp = (batch, len(model.blocks), model.blocks[0].h, model.seq_len, model.seq_len)
            assert got[1].shape == exp, (got[1].shape, exp)
            assert np.allclose(got[1].sum(-1), 1.0, atol=1e-5)
        assert got[0].shape == (batch, model.num_items + 1)
    log(f"verified {os.path.basename(path)}: " + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
    return diffs


def card_for(kind: str, model, ds: D.Dataset, onnx_file: str, item_embedding: str,
             metrics: dict | None, catalog: str | None = "catalog.json", name: str | None = None) -> dict:
    return {
        "format": "whythis-model/1",
        "name": name or f"{'SASRec' if kind == 'sasrec' else 'GRU4Rec'} on {ds.name}",
        "onnx": onnx_file,
        "seq_len": model.seq_len,
        "num_items": model.num_items,
        "inputs": {"item_ids": "item_ids", "action_types": "action_types" if kind == "sasrec" else None},
        "outputs": {"scores": "scores", "attention": "attention" if kind == "sasrec" else None},
        "actions": list(ds.actions) if kind == "sasrec" else None,
        "item_embedding": item_embedding,
        "catalog": catalog,
        "metrics": metrics,
    }


def metrics_block(res: dict, ds: D.Dataset, hp: dict, info: dict, model) -> dict:
    out = {"dataset": ds.name, "date": datetime.date.today().isoformat(),
           "protocol": res["protocol"] | {
               "sampled": "target vs 100 uniformly sampled items the user never interacted with",
               "full": "all items except those of the input history"},
           "val": res["val"], "test": res["test"], "top1": res["top1"],
           "model": model.config, "hparams": hp, "training": info,
           "torch": torch.__version__.split("+")[0], "onnx": onnx.__version__}
    return out


def export_model(model, kind: str, ds: D.Dataset, res: dict, hp: dict, info: dict, out_dir: str,
                 log=print) -> dict:
    path = os.path.join(out_dir, f"{kind}.onnx")
    export_legacy(model, kind, path)
    split = D.split_leave_one_out(ds)
    users = sorted(split.train, key=lambda u: (str(type(u)), u))[:5]
    windows = [D.window(split.train[u], model.seq_len) for u in users]
    diffs = verify(model, kind, path, windows, log=log)
    emb = find_item_embedding(path, model.item_emb.weight.detach().numpy())
    metrics = metrics_block(res, ds, hp, info, model)
    metrics["export"] = {"exporter": "torch.onnx.export(dynamo=False)", "opset": OPSET,
                         "max_abs_diff_vs_torch": diffs, "bytes": os.path.getsize(path)}
    card = card_for(kind, model, ds, f"{kind}.onnx", emb, metrics)
    with open(os.path.join(out_dir, f"{kind}.card.json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    log(f"wrote {path} ({os.path.getsize(path)} bytes), item embedding initializer {emb!r}")
    return card

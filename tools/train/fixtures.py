"""Deterministic test fixtures for the Rust crate (tests/fixtures/).

    python3 tools/train/fixtures.py --data /path/to/ml-100k --models models --out tests/fixtures

Writes:
* windows.json — 40 real train histories (the last two events of each user held out);
* sasrec_dynamo.onnx/.card.json — the shipped SASRec (from the checkpoint train.py
  saved, checked against models/sasrec.onnx) re-exported with dynamo=True;
* tiny hand-built ONNX models (onnx.helper), valid and deliberately broken, with cards;
* truncated.onnx (first half of models/sasrec.onnx), random.onnx (4 KiB of seeded bytes).
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OPSET = 17
IR_VERSION = 8          # what torch's legacy exporter writes for opset 17; old readers accept it
# The dynamo exporter builds opset 18 natively; asking it for 17 makes it try the
# onnx version converter, which fails on ReduceMean (axes input -> attribute) and
# silently leaves the model at 18 anyway.  So the fixture is opset 18, stated plainly.
DYNAMO_OPSET = 18

TINY_ITEMS = 10
TINY_SEQ = 4
TINY_D = 4


# ----------------------------------------------------------------------------- windows

def write_windows(ds: D.Dataset, path: str, n: int = 40, short: int = 8, seed: int = 7):
    """n users' full train sequences; at least ``short`` of them have < 50 events."""
    split = D.split_leave_one_out(ds)
    users = sorted(u for u in split.test)
    rng = np.random.RandomState(seed)
    short_users = [u for u in users if len(split.train[u]) < 50]
    long_users = [u for u in users if len(split.train[u]) >= 50]
    pick = list(rng.choice(short_users, size=short, replace=False)) + \
        list(rng.choice(long_users, size=n - short, replace=False))
    pick = sorted(int(u) for u in pick)
    out = [{"user": u,
            "history": [{"item": e.item, "action": ds.actions[e.action], "ts": e.ts}
                        for e in split.train[u]]} for u in pick]
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    lens = [len(w["history"]) for w in out]
    print(f"windows.json: {len(out)} users, history lengths {min(lens)}..{max(lens)}, "
          f"{sum(l < 50 for l in lens)} shorter than 50")


# ----------------------------------------------------------------------------- tiny models

def tiny_embedding(n_items=TINY_ITEMS, d=TINY_D) -> np.ndarray:
    """Small integer entries: every score of tiny.onnx is exact in float32."""
    rng = np.random.RandomState(2024)
    while True:
        e = rng.randint(-3, 4, size=(n_items + 1, d)).astype(np.float32)
        e[0] = 0
        if len({tuple(r) for r in e[1:]}) == n_items and not (e[1:] == 0).all(1).any():
            return e


def _io(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def _model(graph) -> onnx.ModelProto:
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="whythis-fixtures")
    m.ir_version = IR_VERSION
    onnx.checker.check_model(m, full_check=True)
    return m


def tiny_scores_graph(name, seq_len=TINY_SEQ, n_items=TINY_ITEMS, input_dtype=TensorProto.INT64,
                      out_name="scores"):
    """scores[b, j] = sum_p w_p * <E[item_ids[b, p]], E[j]>, w = 1..seq_len (recency weights).

    item_ids [batch, seq_len] -> Gather(item_emb) [batch, seq_len, d] * w[seq_len, 1]
    -> ReduceSum(axis 1) [batch, d] -> MatMul(item_emb^T) [batch, n_items + 1].
    With input_dtype float32 the ids are Cast to int64 first (a "bad dtype" model that
    still runs)."""
    emb = tiny_embedding(n_items)
    w = np.arange(1, seq_len + 1, dtype=np.float32).reshape(seq_len, 1)
    inits = [numpy_helper.from_array(emb, "item_emb"),
             numpy_helper.from_array(np.ascontiguousarray(emb.T), "item_emb_t"),
             numpy_helper.from_array(w, "pos_weight"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1")]
    nodes = []
    ids = "item_ids"
    if input_dtype != TensorProto.INT64:
        nodes.append(helper.make_node("Cast", ["item_ids"], ["ids64"], to=TensorProto.INT64))
        ids = "ids64"
    nodes += [
        helper.make_node("Gather", ["item_emb", ids], ["x"], axis=0),
        helper.make_node("Mul", ["x", "pos_weight"], ["xw"]),
        helper.make_node("ReduceSum", ["xw", "axis1"], ["h"], keepdims=0),
        helper.make_node("MatMul", ["h", "item_emb_t"], [out_name]),
    ]
    g = helper.make_graph(nodes, name, [_io("item_ids", input_dtype, ["batch", seq_len])],
                          [_io(out_name, TensorProto.FLOAT, ["batch", n_items + 1])], inits)
    return _model(g)


def tiny_attn_graph(seq_len=TINY_SEQ, n_items=TINY_ITEMS, n_actions=3):
    """One-head causal self-attention with an action embedding.

    x = E[item_ids] + A[action_types]            [batch, L, d]
    s = x x^T / 2, masked (key padding or key > query) with -1e9
    p = softmax(s)                                [batch, L, L]  -> attention [batch, 1, 1, L, L]
    h = (p x)[:, L-1, :]                          [batch, d]
    scores = h E^T                                [batch, n_items + 1]
    """
    emb = tiny_embedding(n_items)
    act = np.array([[0, 0, 0, 0], [0.5, 0, 0, 0.5], [0, -0.5, 0.5, 0]], dtype=np.float32)[:n_actions]
    future = np.triu(np.ones((seq_len, seq_len), dtype=bool), 1)
    inits = [numpy_helper.from_array(emb, "item_emb"),
             numpy_helper.from_array(np.ascontiguousarray(emb.T), "item_emb_t"),
             numpy_helper.from_array(act, "action_emb"),
             numpy_helper.from_array(future, "future"),
             numpy_helper.from_array(np.array(0, dtype=np.int64), "zero"),
             numpy_helper.from_array(np.array(0.5, dtype=np.float32), "scale"),
             numpy_helper.from_array(np.array(-1e9, dtype=np.float32), "neg"),
             numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes12"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "axes1"),
             numpy_helper.from_array(np.array(seq_len - 1, dtype=np.int64), "last")]
    nodes = [
        helper.make_node("Gather", ["item_emb", "item_ids"], ["xi"], axis=0),
        helper.make_node("Gather", ["action_emb", "action_types"], ["xa"], axis=0),
        helper.make_node("Add", ["xi", "xa"], ["x"]),
        helper.make_node("Transpose", ["x"], ["xt"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["x", "xt"], ["s0"]),
        helper.make_node("Mul", ["s0", "scale"], ["s1"]),
        helper.make_node("Equal", ["item_ids", "zero"], ["pad"]),
        helper.make_node("Unsqueeze", ["pad", "axes1"], ["pad_k"]),       # [batch, 1, L]: key mask
        helper.make_node("Or", ["pad_k", "future"], ["mask"]),            # [batch, L, L]
        helper.make_node("Where", ["mask", "neg", "s1"], ["s"]),
        helper.make_node("Softmax", ["s"], ["p"], axis=-1),
        helper.make_node("Unsqueeze", ["p", "axes12"], ["attention"]),
        helper.make_node("MatMul", ["p", "x"], ["ctx"]),
        helper.make_node("Gather", ["ctx", "last"], ["h"], axis=1),
        helper.make_node("MatMul", ["h", "item_emb_t"], ["scores"]),
    ]
    g = helper.make_graph(
        nodes, "tiny_attn",
        [_io("item_ids", TensorProto.INT64, ["batch", seq_len]),
         _io("action_types", TensorProto.INT64, ["batch", seq_len])],
        [_io("scores", TensorProto.FLOAT, ["batch", n_items + 1]),
         _io("attention", TensorProto.FLOAT, ["batch", 1, 1, seq_len, seq_len])], inits)
    return _model(g)


def tiny_card(onnx_file, seq_len=TINY_SEQ, num_items=TINY_ITEMS, attention=False, actions=None,
              scores="scores", name=None, note=None, catalog="tiny_catalog.json",
              item_embedding="item_emb"):
    c = {"format": "whythis-model/1", "name": name or onnx_file, "onnx": onnx_file,
         "seq_len": seq_len, "num_items": num_items,
         "inputs": {"item_ids": "item_ids", "action_types": "action_types" if actions else None},
         "outputs": {"scores": scores, "attention": "attention" if attention else None},
         "actions": actions, "item_embedding": item_embedding, "catalog": catalog}
    if note:
        c["note"] = note
    return c


def tiny_catalog():
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliet"]
    tags = [["jazz"], ["rock"], ["jazz", "live"], ["pop"], ["rock", "live"], ["classical"],
            ["pop", "dance"], ["jazz"], ["rock"], ["classical", "live"]]
    return [{"id": i + 1, "title": n, "tags": t} for i, (n, t) in enumerate(zip(names, tags))]


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def write_tiny_fixtures(out: str):
    write_json(os.path.join(out, "tiny_catalog.json"), tiny_catalog())

    onnx.save(tiny_scores_graph("tiny"), os.path.join(out, "tiny.onnx"))
    write_json(os.path.join(out, "tiny.card.json"), tiny_card(
        "tiny.onnx", name="tiny (valid, exact)",
        note="scores[b,j] = sum_p (p+1) * <E[item_ids[b,p]], E[j]>, E = initializer item_emb "
             "(small integers, row 0 = 0): every score is an exact float32 integer"))

    onnx.save(tiny_attn_graph(), os.path.join(out, "tiny_attn.onnx"))
    write_json(os.path.join(out, "tiny_attn.card.json"), tiny_card(
        "tiny_attn.onnx", attention=True, actions=["pad", "play", "skip"],
        name="tiny_attn (valid, with action_types and attention [batch,1,1,4,4])"))

    onnx.save(tiny_scores_graph("bad_dtype", input_dtype=TensorProto.FLOAT),
              os.path.join(out, "bad_dtype.onnx"))
    write_json(os.path.join(out, "bad_dtype.card.json"), tiny_card(
        "bad_dtype.onnx", name="bad_dtype", note="NON-CONFORMING: item_ids is float32, not int64"))

    onnx.save(tiny_scores_graph("no_scores", out_name="logits"), os.path.join(out, "no_scores.onnx"))
    write_json(os.path.join(out, "no_scores.card.json"), tiny_card(
        "no_scores.onnx", name="no_scores",
        note="NON-CONFORMING: the graph's only output is 'logits'; the card says 'scores'"))

    onnx.save(tiny_scores_graph("wrong_seq_len", seq_len=20), os.path.join(out, "wrong_seq_len.onnx"))
    write_json(os.path.join(out, "wrong_seq_len.card.json"), tiny_card(
        "wrong_seq_len.onnx", seq_len=50, name="wrong_seq_len",
        note="NON-CONFORMING: the card says seq_len 50, the graph's item_ids is [batch, 20]"))

    write_json(os.path.join(out, "wrong_num_items.card.json"), tiny_card(
        "tiny.onnx", num_items=99, name="wrong_num_items",
        note="NON-CONFORMING: points at tiny.onnx (10 items, scores [batch, 11]) but claims 99"))


def write_junk(out: str, sasrec_path: str):
    b = open(sasrec_path, "rb").read()
    with open(os.path.join(out, "truncated.onnx"), "wb") as f:
        f.write(b[:len(b) // 2])
    with open(os.path.join(out, "random.onnx"), "wb") as f:
        f.write(np.random.RandomState(1234).randint(0, 256, size=4096, dtype=np.uint8).tobytes())
    for name in ("truncated", "random"):
        write_json(os.path.join(out, f"{name}.card.json"), tiny_card(
            f"{name}.onnx", seq_len=50, num_items=1682, catalog=None, item_embedding=None,
            name=name, note="NON-CONFORMING: the ONNX file is not a valid model"))


# ----------------------------------------------------------------------------- dynamo SASRec

def write_dynamo(out: str, models_dir: str, ckpt: str, ds: D.Dataset):
    import torch
    import export as X
    import models as M

    torch.set_num_threads(2)
    model, state = M.load_checkpoint(ckpt)
    # the checkpoint must be the model that was shipped
    ii, aa = X.example_inputs("sasrec", model.seq_len, model.num_items, model.num_actions, 7, seed=3)
    want = X.ort_run(os.path.join(models_dir, "sasrec.onnx"), "sasrec", ii, aa)
    got = X.torch_run(model, "sasrec", ii, aa)
    diff = max(float(np.abs(w - g).max()) for w, g in zip(want, got))
    if diff > X.TOL:
        raise SystemExit(f"{ckpt} is not the model in {models_dir}/sasrec.onnx (max diff {diff})")

    path = os.path.join(out, "sasrec_dynamo.onnx")
    batch = torch.export.Dim("batch", min=1, max=4096)
    ii, aa = X.example_inputs("sasrec", model.seq_len, model.num_items, model.num_actions, 3, seed=5)
    prog = torch.onnx.export(model, (torch.from_numpy(ii), torch.from_numpy(aa)), dynamo=True,
                             opset_version=DYNAMO_OPSET, input_names=["item_ids", "action_types"],
                             output_names=["scores", "attention"],
                             dynamic_shapes={"item_ids": {0: batch}, "action_types": {0: batch}},
                             external_data=False, optimize=True)
    prog.save(path, external_data=False)
    # the dynamo exporter names the symbolic axis after the Dim ("batch") or "s0"/"s77"
    m = onnx.load(path)
    print("dynamo graph inputs:", [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim])
                                   for i in m.graph.input],
          "outputs:", [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim])
                       for o in m.graph.output],
          f"value_info: {len(m.graph.value_info)}, opset: {[(o.domain, o.version) for o in m.opset_import]}, "
          f"ir_version: {m.ir_version}")
    onnx.checker.check_model(m, full_check=True)
    diffs = {}
    for b in (1, 7):
        ii, aa = X.example_inputs("sasrec", model.seq_len, model.num_items, model.num_actions, b, seed=10 + b)
        for name, w, g in zip(["scores", "attention"], X.torch_run(model, "sasrec", ii, aa),
                              X.ort_run(path, "sasrec", ii, aa)):
            assert w.shape == g.shape, (name, w.shape, g.shape)
            diffs[f"{name}@batch{b}"] = float(np.abs(w - g).max())
    print("dynamo vs torch:", diffs)
    if max(diffs.values()) > X.TOL:
        raise SystemExit("dynamo export differs from PyTorch")
    emb = X.find_item_embedding(path, model.item_emb.weight.detach().numpy())
    card = X.card_for("sasrec", model, ds, "sasrec_dynamo.onnx", emb, None, catalog=None,
                      name="SASRec on MovieLens-100k (dynamo export)")
    card["actions"] = state["actions"]
    card["note"] = ("the same weights as models/sasrec.onnx, exported with torch.onnx.export(dynamo=True); "
                    "carries value_info")
    card["metrics"] = {"export": {"exporter": "torch.onnx.export(dynamo=True)", "opset": DYNAMO_OPSET,
                                  "max_abs_diff_vs_torch": diffs, "bytes": os.path.getsize(path)}}
    write_json(os.path.join(out, "sasrec_dynamo.card.json"), card)
    print(f"wrote {path} ({os.path.getsize(path)} bytes), item embedding {emb!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    D.add_data_args(ap)
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "fixtures"))
    ap.add_argument("--ckpt", default=os.path.join(HERE, "checkpoints", "sasrec.pt"))
    ap.add_argument("--skip-dynamo", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    ds = D.dataset_from_args(args)
    write_windows(ds, os.path.join(args.out, "windows.json"))
    write_tiny_fixtures(args.out)
    write_junk(args.out, os.path.join(args.models, "sasrec.onnx"))
    if not args.skip_dynamo:
        write_dynamo(args.out, args.models, args.ckpt, ds)


if __name__ == "__main__":
    main()

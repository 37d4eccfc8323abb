#!/usr/bin/env python3
"""The model zoo of the tests (tests/zoo.rs): public implementations, trained briefly on
MovieLens-100k, exported the ways a storefront would, each with a model card.

    python3 tools/zoo/zoo.py --data /path/to/ml-100k [--out tests/fixtures/zoo] [--seconds 60] [--models refused,SASRec,…]

For each RecBole model (SASRec, GRU4Rec, BERT4Rec, NARM, STAMP; RecBole 1.2.1 from PyPI) it trains
for about `--seconds`, then exports it twice: with the TorchScript exporter
(`torch.onnx.export(..., dynamo=False)`, opset 17, batch dynamic) and with the dynamo exporter
(`dynamo=True`); SASRec once more with the batch fixed to 1. Each export is checked against PyTorch
with onnxruntime before its card is written. Two deliberately refused models follow: a scripted GRU
whose step count is read from the data (an ONNX `Loop`) and a scripted model that branches on the
items (an ONNX `If` on values). Their cards carry `expect_refusal`, which tests/zoo.rs asserts.

RecBole's sequences are left-aligned (padding at the end) and its ids are its own; the contract's
windows are right-aligned and use the catalog's ids (docs/contract.md §1–§2). The export wrapper
(`Contract`) left-aligns the window with tensor ops and the item tables are permuted after training
so that RecBole's internal id of every item is its MovieLens id; the model itself is RecBole's.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

SEQ_LEN = 50
NUM_ITEMS = 1682
TOL = 1e-4
ZOO_SEED = 2024

# Small dimensions keep the committed files small (tests/fixtures/zoo stays well under 4 MB).
MODELS = {
    "SASRec": {"hidden_size": 16, "inner_size": 32, "n_layers": 2, "n_heads": 2,
               "hidden_dropout_prob": 0.2, "attn_dropout_prob": 0.2},
    "GRU4Rec": {"embedding_size": 16, "hidden_size": 16, "num_layers": 1, "dropout_prob": 0.3},
    "BERT4Rec": {"hidden_size": 16, "inner_size": 32, "n_layers": 2, "n_heads": 2,
                 "hidden_dropout_prob": 0.2, "attn_dropout_prob": 0.2, "mask_ratio": 0.2},
    "NARM": {"embedding_size": 16, "hidden_size": 16, "n_layers": 1, "dropout_probs": [0.25, 0.5]},
    "STAMP": {"embedding_size": 16},
}
# Tensor names differ per model on purpose: the card maps them (docs/contract.md §1).
NAMES = {
    "SASRec": ("item_seq", "logits"),
    "GRU4Rec": ("input_ids", "scores"),
    "BERT4Rec": ("history", "next_item_scores"),
    "NARM": ("item_ids", "scores"),
    "STAMP": ("seq", "out"),
}


def patch_recbole():
    """RecBole 1.2.1 predates numpy 2 and torch >= 2.6; these are the few spots it trips on."""
    # Config.compatibility_settings assigns np.float = np.float_ and the like, names numpy 2 removed.
    for name, value in (("float_", np.float64), ("complex_", np.complex128), ("unicode_", np.str_)):
        if name not in np.__dict__:
            setattr(np, name, value)
    import torch.serialization
    _load = torch.load

    def load(*args, **kwargs):
        kwargs.setdefault("weights_only", False)
        return _load(*args, **kwargs)

    torch.load = load


def write_atomic(data_dir: str, work: str) -> str:
    """u.data as RecBole's atomic file ml-100k.inter."""
    os.makedirs(os.path.join(work, "ml-100k"), exist_ok=True)
    out = os.path.join(work, "ml-100k", "ml-100k.inter")
    with open(os.path.join(data_dir, "u.data")) as src, open(out, "w") as dst:
        dst.write("user_id:token\titem_id:token\trating:float\ttimestamp:float\n")
        for line in src:
            dst.write(line.strip() + "\n")
    return work


def train(name: str, work: str, seconds: float):
    from recbole.config import Config
    from recbole.data import create_dataset, data_preparation
    from recbole.trainer import Trainer
    from recbole.utils import get_model, init_seed

    params = {
        "data_path": work, "dataset": "ml-100k", "checkpoint_dir": os.path.join(work, "saved"),
        "USER_ID_FIELD": "user_id", "ITEM_ID_FIELD": "item_id", "TIME_FIELD": "timestamp",
        "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "MAX_ITEM_LIST_LENGTH": SEQ_LEN, "loss_type": "CE", "train_neg_sample_args": None,
        "epochs": 1, "train_batch_size": 256, "learning_rate": 0.003, "seed": ZOO_SEED,
        "reproducibility": True, "device": "cpu", "use_gpu": False, "show_progress": False,
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full"},
        "log_wandb": False, "state": "WARNING", "worker": 0,
    }
    params.update(MODELS[name])
    config = Config(model=name, config_dict=params)
    init_seed(config["seed"], config["reproducibility"])
    dataset = create_dataset(config)
    train_data, _valid, _test = data_preparation(config, dataset)
    model = get_model(name)(config, train_data._dataset).to("cpu")
    trainer = Trainer(config, model)
    start, batches = time.time(), 0
    # Batch by batch (RecBole's own loss and optimiser) until the budget is spent: "a minute of
    # training" on any machine, however long an epoch takes there.
    model.train()
    while time.time() - start < seconds:
        for interaction in train_data:
            trainer.optimizer.zero_grad()
            loss = model.calculate_loss(interaction.to("cpu"))
            loss.backward()
            trainer.optimizer.step()
            batches += 1
            if time.time() - start >= seconds:
                break
    model.eval()
    field = dataset.field2id_token["item_id"]  # internal id -> token (index 0 is "[PAD]")
    epochs = round(batches / max(len(train_data), 1), 2)
    return model, field, {"batches": batches, "epochs": epochs, "seconds": round(time.time() - start, 1)}


def permute_items(name: str, model, field) -> None:
    """Reorders the item tables so that row k is MovieLens item k: the graph then takes catalog ids."""
    n = len(field)  # RecBole's n_items, padding included
    assert n == NUM_ITEMS + 1, f"{n - 1} items, expected {NUM_ITEMS}"
    perm = torch.zeros(n, dtype=torch.long)  # perm[movielens id] = internal id
    for internal, token in enumerate(field):
        if internal:
            perm[int(token)] = internal
    with torch.no_grad():
        w = model.item_embedding.weight
        w[:n] = w[:n][perm].clone()
        if name == "BERT4Rec":
            model.output_bias.copy_(model.output_bias[perm].clone())


class Contract(nn.Module):
    """The contract's window (right-aligned, 0 = padding) in, RecBole's full_sort_predict out."""

    def __init__(self, name: str, model):
        super().__init__()
        self.name, self.model = name, model

    def forward(self, window):
        L = window.size(1)
        length = (window > 0).sum(dim=1)
        pos = torch.arange(L, device=window.device).unsqueeze(0)
        src = (pos + (L - length).unsqueeze(1)).clamp(max=L - 1)
        seq = torch.where(pos < length.unsqueeze(1), window.gather(1, src), torch.zeros_like(window))
        m = self.model
        if self.name == "BERT4Rec":
            # RecBole's reconstruct_test_data: the mask token after the last event, the oldest dropped.
            ext = torch.cat([seq, torch.zeros_like(seq[:, :1])], dim=1)
            slot = torch.arange(L + 1, device=window.device).unsqueeze(0) == length.unsqueeze(1)
            seq = torch.where(slot, torch.full_like(ext, m.mask_token), ext)[:, 1:]
            out = m.gather_indexes(m.forward(seq), (length - 1).clamp(min=0))
            return out @ m.item_embedding.weight[: m.n_items].t() + m.output_bias
        out = m.forward(seq, length.clamp(min=1))
        return out @ m.item_embedding.weight.t()


def check_inputs(batch: int, seed: int):
    """An empty window, a full one, and partly filled random ones, right-aligned."""
    rng = np.random.RandomState(seed)
    x = np.zeros((batch, SEQ_LEN), dtype=np.int64)
    for b in range(batch):
        n = 0 if b == 0 else SEQ_LEN if b == 1 else int(rng.randint(1, SEQ_LEN + 1))
        if n:
            x[b, SEQ_LEN - n:] = rng.randint(1, NUM_ITEMS + 1, size=n)
    return x


def export(module, path: str, inp: str, out: str, dynamo: bool, batch_one: bool = False):
    example = torch.from_numpy(check_inputs(1 if batch_one else 3, 0))
    if dynamo:
        shapes = None if batch_one else ({0: torch.export.Dim("batch", min=1, max=1024)},)
        program = torch.onnx.export(module, (example,), input_names=[inp], output_names=[out],
                                    dynamo=True, dynamic_shapes=shapes, optimize=True)
        program.save(path)
    else:
        axes = None if batch_one else {inp: {0: "batch"}, out: {0: "batch"}}
        torch.onnx.export(module, (example,), path, input_names=[inp], output_names=[out],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    onnx.checker.check_model(onnx.load(path), full_check=True)


def max_diff_vs_torch(module, path: str, inp: str, out: str, batch_one: bool) -> float:
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    worst = 0.0
    for seed in (1, 2):
        x = check_inputs(7, seed)
        rows = [x[i:i + 1] for i in range(len(x))] if batch_one else [x]
        for r in rows:
            with torch.no_grad():
                want = module(torch.from_numpy(r)).numpy()
            got = sess.run([out], {inp: r})[0]
            worst = max(worst, float(np.abs(want - got).max()))
    assert worst <= TOL, f"{path}: onnxruntime differs from PyTorch by {worst}"
    return worst


def embedding_initializer(path: str, weight: np.ndarray):
    """The initializer holding the item embeddings, if the exporter kept it whole (for similarity)."""
    for init in onnx.load(path).graph.initializer:
        if list(init.dims) == list(weight.shape):
            a = onnx.numpy_helper.to_array(init)
            if a.dtype == np.float32 and np.array_equal(a, weight):
                return init.name
    return None


def control_flow(path: str):
    return sorted({n.op_type for n in onnx.load(path).graph.node if n.op_type in ("If", "Loop", "Scan")})


def write_card(out_dir: str, stem: str, name: str, inp: str, out: str, embedding, extra: dict):
    card = {
        "format": "whythis-model/1",
        "name": name,
        "onnx": f"{stem}.onnx",
        "seq_len": SEQ_LEN,
        "num_items": NUM_ITEMS,
        "inputs": {"item_ids": inp, "action_types": None},
        "outputs": {"scores": out, "attention": None},
        "actions": None,
        "item_embedding": embedding,
        "catalog": None,
    }
    card.update(extra)
    with open(os.path.join(out_dir, f"{stem}.card.json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")


def recbole_zoo(data: str, out_dir: str, seconds: float, models):
    import recbole
    work = write_atomic(data, tempfile.mkdtemp(prefix="whythis-zoo-"))
    for name in models:
        model, field, training = train(name, work, seconds)
        permute_items(name, model, field)
        module = Contract(name, model).eval()
        inp, out = NAMES[name]
        weight = model.item_embedding.weight.detach().numpy()[: NUM_ITEMS + 1]
        variants = [("torchscript", False, False), ("dynamo", True, False)]
        if name == "SASRec":
            variants.append(("torchscript_batch1", False, True))
        for tag, dynamo, batch_one in variants:
            stem = f"recbole_{name.lower()}_{tag}"
            path = os.path.join(out_dir, f"{stem}.onnx")
            export(module, path, inp, out, dynamo, batch_one)
            diff = max_diff_vs_torch(module, path, inp, out, batch_one)
            exporter = f"torch.onnx.export(dynamo={dynamo})" + (", batch fixed to 1" if batch_one else "")
            print(f"{stem}: {os.path.getsize(path)} bytes, control flow {control_flow(path)}, "
                  f"max |onnxruntime - torch| {diff:.2e}", flush=True)
            write_card(out_dir, stem, f"RecBole {name} on MovieLens-100k ({exporter})", inp, out,
                       embedding_initializer(path, weight), {"zoo": {
                           "implementation": f"recbole=={recbole.__version__} {name}", "hparams": MODELS[name],
                           "training": training, "exporter": exporter,
                           "control_flow": control_flow(path), "max_abs_diff_vs_torch": diff,
                           "torch": torch.__version__, "date": datetime.date.today().isoformat()}})


class LoopGRU(nn.Module):
    """A GRU stepped by a Python loop over the window's length, scripted: the step count is data."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(NUM_ITEMS + 1, 8, padding_idx=0)
        # A hand-written GRU cell: torch.nn.GRUCell does not script into an exportable loop.
        self.x = nn.Linear(8, 24)
        self.h = nn.Linear(8, 24)

    def forward(self, window):
        length = int((window > 0).sum(dim=1).max())
        h = torch.zeros(window.size(0), 8)
        for t in range(window.size(1) - length, window.size(1)):
            gx, gh = self.x(self.emb(window[:, t])), self.h(h)
            r = torch.sigmoid(gx[:, :8] + gh[:, :8])
            z = torch.sigmoid(gx[:, 8:16] + gh[:, 8:16])
            n = torch.tanh(gx[:, 16:] + r * gh[:, 16:])
            h = (1 - z) * n + z * h
        return h @ self.emb.weight.t()


class ValueBranch(nn.Module):
    """Scripted: one table for short histories, another for long ones, chosen from the items."""

    def __init__(self):
        super().__init__()
        self.a = nn.Embedding(NUM_ITEMS + 1, 8, padding_idx=0)
        self.b = nn.Embedding(NUM_ITEMS + 1, 8, padding_idx=0)

    def forward(self, window):
        if bool((window > 0).sum() > 10):
            h = self.a(window).mean(dim=1)
        else:
            h = self.b(window).mean(dim=1)
        return h @ self.a.weight.t()


def refused_zoo(out_dir: str):
    torch.manual_seed(ZOO_SEED)
    cases = [
        ("scripted_gru_loop", LoopGRU(), "Loop",
         "a GRU stepped by a TorchScript loop over the window's length (torch.jit.script, dynamo=False)",
         ["Loop", "dynamo=True"]),
        ("scripted_value_branch", ValueBranch(), "If",
         "a TorchScript `if` on the number of items in the window (torch.jit.script, dynamo=False)",
         ["branches on the values", "dynamo=True"]),
    ]
    for stem, module, op, what, words in cases:
        scripted = torch.jit.script(module.eval())
        path = os.path.join(out_dir, f"{stem}.onnx")
        example = torch.from_numpy(check_inputs(3, 0))
        torch.onnx.export(scripted, (example,), path, input_names=["item_ids"], output_names=["scores"],
                          dynamic_axes={"item_ids": {0: "batch"}, "scores": {0: "batch"}}, opset_version=17,
                          dynamo=False)
        graph = onnx.load(path).graph
        nodes = [n.name for n in graph.node if n.op_type == op]
        assert nodes, f"{stem}: the export has no {op}"
        print(f"{stem}: {os.path.getsize(path)} bytes, {op} nodes {nodes}", flush=True)
        write_card(out_dir, stem, f"Refused on purpose: {what}", "item_ids", "scores", None, {
            "expect_refusal": {"node": nodes[0], "words": words},
            "zoo": {"implementation": what, "torch": torch.__version__,
                    "date": datetime.date.today().isoformat()}})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="the ml-100k folder (u.data)")
    p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "zoo"))
    p.add_argument("--seconds", type=float, default=60.0, help="training budget per model")
    p.add_argument("--models", default=",".join(["refused", *MODELS]),
                   help="which to write: RecBole model names, and `refused` for the two refused models")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    patch_recbole()
    os.makedirs(args.out, exist_ok=True)
    wanted = [m for m in args.models.split(",") if m]
    unknown = [m for m in wanted if m != "refused" and m not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {', '.join(unknown)}; known: refused, {', '.join(MODELS)}")
    if "refused" in wanted:
        refused_zoo(args.out)
    recbole_zoo(args.data, args.out, args.seconds, [m for m in wanted if m != "refused"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Exports synthetic SASRec models (random weights, the default model's architecture: 2 layers, 2 heads,
d = 64, action input, attention output) for the scaling benchmark, with model cards that follow
DESIGN.md §1. Random weights cost exactly what trained ones do: the graph and the shapes are the same.

Usage: python3 bench/synthetic_models.py [OUT_DIR]   (default bench/out/models; skips models already there)
Needs torch and onnx (tools/train/requirements.txt); not needed by CI.
"""
from __future__ import annotations

import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools", "train"))
from export import export_legacy, find_item_embedding  # noqa: E402
from models import SASRec  # noqa: E402

ACTIONS = ["pad", "rated_1", "rated_2", "rated_3", "rated_4", "rated_5"]
# (seq_len, num_items): window length at the default catalog, then catalog size at the default window.
CONFIGS = [(10, 1682), (25, 1682), (50, 1682), (100, 1682), (200, 1682), (50, 10_000), (50, 100_000)]


def name_of(seq_len: int, num_items: int) -> str:
    return f"sasrec-L{seq_len}-N{num_items}"


def export(out_dir: str, seq_len: int, num_items: int) -> None:
    name = name_of(seq_len, num_items)
    card_path = os.path.join(out_dir, f"{name}.card.json")
    if os.path.exists(card_path):
        return
    torch.manual_seed(seq_len * 1_000_003 + num_items)
    model = SASRec(num_items, len(ACTIONS), seq_len=seq_len, d=64, heads=2, layers=2, dropout=0.0)
    model.eval()
    onnx_path = os.path.join(out_dir, f"{name}.onnx")
    export_legacy(model, "sasrec", onnx_path)
    card = {
        "format": "whythis-model/1",
        "name": f"synthetic SASRec, window {seq_len}, {num_items} items (random weights, for benchmarks)",
        "onnx": os.path.basename(onnx_path),
        "seq_len": seq_len,
        "num_items": num_items,
        "inputs": {"item_ids": "item_ids", "action_types": "action_types"},
        "outputs": {"scores": "scores", "attention": "attention"},
        "actions": ACTIONS,
        "default_action": "rated_4",
        "item_embedding": find_item_embedding(onnx_path, model.item_emb.weight.detach().numpy()),
        "catalog": None,
    }
    with open(card_path, "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes) and its card")


def main() -> None:
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "out", "models")
    os.makedirs(out_dir, exist_ok=True)
    for seq_len, num_items in CONFIGS:
        export(out_dir, seq_len, num_items)


if __name__ == "__main__":
    main()

"""Sequence recommenders that follow the whythis model contract (DESIGN.md §1).

Both models take right-aligned, left-padded windows of item ids (0 = padding) and
return next-item scores for every id 0..=num_items (column 0 is meaningless and
is ignored by whythis).  Scores are dot products of the last slot's hidden state
with the (tied) item embedding ``item_emb.weight`` [num_items + 1, d].

* ``SASRec``: causal self-attention, attention written out by hand
  (MatMul -> Where(mask, -1e9) -> Softmax -> MatMul) so the exported graph exposes
  every layer's softmax probabilities as ``attention`` [batch, layers, heads, L, L].
  Takes ``action_types`` too (an action embedding is added to the input).
* ``GRU4Rec``: embedding -> GRU -> hidden state of the last slot.
"""
from __future__ import annotations

import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = -1e9  # mask value: finite, so an all-padding window still gives finite scores


def score_last(item_emb, h_last):
    """[num_items + 1, d] x [batch, d] -> scores [batch, num_items + 1].

    Written as MatMul(item_emb, h[..., None]) so the exported graph multiplies by the
    item embedding initializer itself: ``F.linear``/``h @ W.T`` would make the exporter
    constant-fold W.T into a second, anonymous copy of the embedding."""
    return torch.matmul(item_emb, h_last.unsqueeze(-1)).squeeze(-1)


class LayerNorm(nn.Module):
    """LayerNorm over the last axis, written with elementary ops.

    nn.LayerNorm exports as the opset-17 ``LayerNormalization`` op; spelling it out
    keeps the graph to ops that every runtime (tract included, old or new) has.
    """

    def __init__(self, d: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        xc = x - mu
        var = (xc * xc).mean(-1, keepdim=True)
        return xc / torch.sqrt(var + self.eps) * self.weight + self.bias


class Block(nn.Module):
    def __init__(self, d: int, heads: int, dropout: float):
        super().__init__()
        assert d % heads == 0
        self.h, self.dh = heads, d // heads
        self.ln1 = LayerNorm(d)
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln2 = LayerNorm(d)
        self.ff1 = nn.Linear(d, d)
        self.ff2 = nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)
        self.attn_drop = nn.Dropout(dropout)

    def split(self, x):  # [B, L, d] -> [B, H, L, dh]
        b, l, _ = x.shape
        return x.view(b, l, self.h, self.dh).transpose(1, 2)

    def forward(self, x, mask, keep):
        # x [B, L, d]; mask [B, 1, L, L] bool (True = may not attend); keep [B, L, 1]
        y = self.ln1(x)
        q, k, v = self.split(self.q(y)), self.split(self.k(y)), self.split(self.v(y))
        s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.dh))
        s = s.masked_fill(mask, NEG)
        p = torch.softmax(s, dim=-1)                       # [B, H, L, L], row = query
        o = torch.matmul(self.attn_drop(p), v)             # [B, H, L, dh]
        b, h, l, dh = o.shape
        o = o.transpose(1, 2).reshape(b, l, h * dh)
        x = x + self.drop(self.o(o))
        y = self.ln2(x)
        x = x + self.drop(self.ff2(self.drop(F.relu(self.ff1(y)))))
        return x * keep, p


class SASRec(nn.Module):
    def __init__(self, num_items: int, num_actions: int, seq_len: int = 50, d: int = 64,
                 heads: int = 2, layers: int = 2, dropout: float = 0.2,
                 emb_dropout: float | None = None):
        super().__init__()
        self.num_items, self.num_actions, self.seq_len, self.d = num_items, num_actions, seq_len, d
        self.config = dict(kind="sasrec", num_items=num_items, num_actions=num_actions,
                           seq_len=seq_len, d=d, heads=heads, layers=layers, dropout=dropout,
                           emb_dropout=emb_dropout)
        self.item_emb = nn.Embedding(num_items + 1, d, padding_idx=0)
        self.action_emb = nn.Embedding(num_actions, d, padding_idx=0)
        self.pos_emb = nn.Parameter(torch.zeros(seq_len, d))
        self.emb_drop = nn.Dropout(dropout if emb_dropout is None else emb_dropout)
        self.blocks = nn.ModuleList(Block(d, heads, dropout) for _ in range(layers))
        self.ln_f = LayerNorm(d)
        # True above the diagonal: query i may not see key j > i
        self.register_buffer("future", torch.triu(torch.ones(seq_len, seq_len, dtype=torch.bool), 1),
                             persistent=False)
        nn.init.normal_(self.item_emb.weight, std=d ** -0.5)
        nn.init.normal_(self.action_emb.weight, std=d ** -0.5)
        nn.init.normal_(self.pos_emb, std=d ** -0.5)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()
            self.action_emb.weight[0].zero_()

    def encode(self, item_ids, action_types):
        """-> hidden [B, L, d] and attention [B, layers, heads, L, L]."""
        pad = item_ids == 0                                           # [B, L]
        keep = (~pad).unsqueeze(-1).to(torch.float32)                 # [B, L, 1]
        x = self.item_emb(item_ids) * math.sqrt(self.d) + self.action_emb(action_types) + self.pos_emb
        x = self.emb_drop(x) * keep
        mask = self.future.unsqueeze(0).unsqueeze(0) | pad.unsqueeze(1).unsqueeze(2)  # [B,1,L,L]
        probs = []
        for blk in self.blocks:
            x, p = blk(x, mask, keep)
            probs.append(p)
        return self.ln_f(x), torch.stack(probs, dim=1)

    def logits(self, h):
        """Training: h [..., d] -> [..., num_items + 1]."""
        return F.linear(h, self.item_emb.weight)

    def forward(self, item_ids, action_types):
        h, attn = self.encode(item_ids, action_types)
        return score_last(self.item_emb.weight, h[:, -1, :]), attn


class GRU4Rec(nn.Module):
    def __init__(self, num_items: int, seq_len: int = 50, d: int = 64, dropout: float = 0.3,
                 layers: int = 1):
        super().__init__()
        self.num_items, self.seq_len, self.d = num_items, seq_len, d
        self.config = dict(kind="gru4rec", num_items=num_items, seq_len=seq_len, d=d,
                           dropout=dropout, layers=layers)
        self.item_emb = nn.Embedding(num_items + 1, d, padding_idx=0)
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(d, d, num_layers=layers, batch_first=True)
        self.proj = nn.Linear(d, d)
        nn.init.normal_(self.item_emb.weight, std=d ** -0.5)
        with torch.no_grad():
            self.item_emb.weight[0].zero_()

    def encode(self, item_ids):
        x = self.drop(self.item_emb(item_ids))
        # explicit zero initial state: with a symbolic batch, runtimes that build the
        # GRU's initial state from the batch size need it as an input (tract does)
        h0 = x.new_zeros(self.gru.num_layers, item_ids.shape[0], self.d)
        out, _ = self.gru(x, h0)                       # [B, L, d]
        return self.proj(self.drop(out))

    def logits(self, h):
        """Training: h [..., d] -> [..., num_items + 1]."""
        return F.linear(h, self.item_emb.weight)

    def forward(self, item_ids):
        # windows are left-padded: the most recent event is in the last slot, so the
        # output at slot L-1 is the state after the whole window
        return score_last(self.item_emb.weight, self.encode(item_ids)[:, -1, :])


def build(config: dict) -> nn.Module:
    c = dict(config)
    kind = c.pop("kind")
    if kind == "sasrec":
        return SASRec(**c)
    if kind == "gru4rec":
        return GRU4Rec(**c)
    raise ValueError(kind)


def load_checkpoint(path: str) -> tuple[nn.Module, dict]:
    """The model (in eval mode) and the saved state of a checkpoint written by train.py."""
    if not os.path.exists(path):
        raise SystemExit(f"{path} missing: run tools/train/train.py first (it saves the checkpoint)")
    state = torch.load(path, map_location="cpu", weights_only=False)
    model = build(state["config"])
    model.load_state_dict(state["state_dict"])
    model.eval()
    return model, state

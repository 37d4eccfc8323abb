"""Interaction tables -> per-user event sequences -> leave-one-out split.

Two readers:

* ``load_table`` — any TSV/CSV with a user, an item and a timestamp column and an
  optional action column (header row, or positional columns).
* ``load_movielens_100k`` — the GroupLens ml-100k directory (u.data, u.item,
  u.genre); rating ``r`` becomes action ``rated_r``.

Both return a :class:`Dataset`: model item ids are 1..=num_items (0 = padding),
action ids index ``actions`` (0 = ``"pad"``).  Each user's events are sorted by
(timestamp, original row order) — a stable sort, so ties keep file order.

``split_leave_one_out`` gives, per user, train = all but the last two events,
validation = second last, test = last (users with < 3 events go entirely to train
and are not evaluated).

The raw data is never copied anywhere: only derived artefacts (trained models,
the catalog of titles/tags, small fixtures) are written by the tools.
"""
from __future__ import annotations

import csv
import json
import os
import re
from dataclasses import dataclass, field

PAD = "pad"


@dataclass
class Event:
    item: int      # model item id, 1..=num_items
    action: int    # index into Dataset.actions, >= 1
    ts: int


@dataclass
class Dataset:
    name: str
    num_items: int
    actions: list[str]                      # actions[0] == "pad"
    sequences: dict[object, list[Event]]    # user -> events, oldest first
    titles: dict[int, str] = field(default_factory=dict)       # item id -> title
    tags: dict[int, list[str]] = field(default_factory=dict)   # item id -> tags
    raw_item_ids: dict[int, str] = field(default_factory=dict)  # item id -> id in the source

    def catalog(self) -> list[dict]:
        """JSON-able catalog: [{"id", "title", "tags"}] for every item id."""
        out = []
        for i in range(1, self.num_items + 1):
            title = self.titles.get(i) or self.raw_item_ids.get(i) or str(i)
            out.append({"id": i, "title": title, "tags": list(self.tags.get(i, []))})
        return out


@dataclass
class Split:
    train: dict[object, list[Event]]
    val: dict[object, Event]     # target of the validation step (input = train)
    test: dict[object, Event]    # target of the test step (input = train + [val])


def _sort_events(rows):
    """rows: list of (user, item, action, ts, row_index) -> {user: [Event]} sorted."""
    by_user: dict[object, list] = {}
    for user, item, action, ts, idx in rows:
        by_user.setdefault(user, []).append((ts, idx, item, action))
    out = {}
    for user, evs in by_user.items():
        evs.sort(key=lambda e: (e[0], e[1]))
        out[user] = [Event(item=it, action=ac, ts=ts) for ts, _, it, ac in evs]
    return out


def _user_key(u: str):
    return int(u) if u.lstrip("-").isdigit() else u


def load_table(path: str, user_col="user", item_col="item", ts_col="timestamp",
               action_col: str | None = None, sep: str | None = None,
               header: bool = True, default_action: str = "interact",
               name: str | None = None, keep_numeric_ids: bool = False) -> Dataset:
    """Read a generic interactions table.

    ``sep`` defaults to tab for .tsv/.txt and comma otherwise.  With
    ``header=False`` the *_col arguments are 0-based column positions.
    Item ids are mapped to 1..=N in order of (numeric, else lexicographic) raw id,
    unless ``keep_numeric_ids`` and every raw id is a positive integer, in which
    case they are kept as-is (num_items = max id).  Actions are mapped in order
    of first appearance after sorting their names; without an action column
    every event gets ``default_action``.
    """
    if sep is None:
        sep = "\t" if path.endswith((".tsv", ".txt", ".data")) else ","
    raw = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f, delimiter=sep)
        if header:
            head = next(reader)
            col = {n.strip(): i for i, n in enumerate(head)}
            try:
                ui, ii, ti = col[user_col], col[item_col], col[ts_col]
                ai = col[action_col] if action_col else None
            except KeyError as e:
                raise SystemExit(f"column {e} not in header {head}")
        else:
            ui, ii, ti = int(user_col), int(item_col), int(ts_col)
            ai = int(action_col) if action_col is not None else None
        for idx, row in enumerate(reader):
            if not row or all(not c.strip() for c in row):
                continue
            act = row[ai].strip() if ai is not None else default_action
            ts_s = row[ti].strip()
            try:
                ts = int(ts_s)
            except ValueError:
                ts = int(float(ts_s))
            raw.append((row[ui].strip(), row[ii].strip(), act, ts, idx))

    raw_items = sorted({r[1] for r in raw},
                       key=lambda s: (0, int(s), "") if s.isdigit() else (1, 0, s))
    if keep_numeric_ids and all(s.isdigit() and int(s) > 0 for s in raw_items):
        item_map = {s: int(s) for s in raw_items}
        num_items = max(item_map.values())
    else:
        item_map = {s: i + 1 for i, s in enumerate(raw_items)}
        num_items = len(item_map)
    actions = [PAD] + sorted({r[2] for r in raw})
    action_map = {a: i for i, a in enumerate(actions)}
    rows = [(_user_key(u), item_map[it], action_map[a], ts, idx) for u, it, a, ts, idx in raw]
    return Dataset(name=name or os.path.basename(path), num_items=num_items, actions=actions,
                   sequences=_sort_events(rows),
                   raw_item_ids={v: k for k, v in item_map.items()})


def load_items_file(ds: Dataset, path: str, id_col="item", title_col="title",
                    tags_col: str | None = "tags", tag_sep="|", sep: str | None = None) -> None:
    """Optional catalog side file (CSV/TSV with a header): fills titles/tags for
    the items of ``ds`` by their raw id."""
    if sep is None:
        sep = "\t" if path.endswith((".tsv", ".txt")) else ","
    back = {raw: i for i, raw in ds.raw_item_ids.items()}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=sep):
            i = back.get(row[id_col].strip())
            if i is None:
                continue
            ds.titles[i] = row[title_col].strip()
            if tags_col and row.get(tags_col):
                ds.tags[i] = [t.strip() for t in row[tags_col].split(tag_sep) if t.strip()]


# Articles that library catalogues move to the end ("Saint, The (1997)"); MovieLens titles are English,
# French, Italian, German and Spanish. "L'" takes no space after it ("L'Enfer").
_ARTICLES = ("The", "A", "An", "La", "Le", "Les", "L'", "Il", "Lo", "Gli", "I", "Der", "Die", "Das",
             "El", "Los", "Las")
_MOVED_ARTICLE = re.compile(r"^(?P<rest>.+), (?P<art>" + "|".join(re.escape(a) for a in _ARTICLES) + r")$")


def natural_title(title: str) -> str:
    """A catalogue title as people write it: "Saint, The (1997)" -> "The Saint (1997)".

    The title and each parenthesised alternative title are turned separately
    ("City of Lost Children, The (Cité des enfants perdus, La) (1995)" ->
    "The City of Lost Children (La Cité des enfants perdus) (1995)"); anything
    else is left as it is."""
    def turn(part: str) -> str:
        m = _MOVED_ARTICLE.match(part.strip())
        if not m:
            return part
        art, rest = m.group("art"), m.group("rest")
        return f"{art}{rest}" if art.endswith("'") else f"{art} {rest}"

    head, sep, tail = title.partition(" (")
    groups = re.sub(r"\(([^()]*)\)", lambda m: "(" + turn(m.group(1)) + ")", sep[1:] + tail) if sep else ""
    return turn(head) + (" " + groups if sep else "")


def write_catalog(ds: "Dataset", path: str) -> None:
    """One item per line (readable diffs), UTF-8."""
    rows = [json.dumps(e, ensure_ascii=False) for e in ds.catalog()]
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(rows) + "\n]\n")


ML100K_ACTIONS = [PAD, "rated_1", "rated_2", "rated_3", "rated_4", "rated_5"]


def load_movielens_100k(directory: str) -> Dataset:
    """ml-100k: u.data (user\\titem\\trating\\tts), u.item (latin-1, '|'-separated:
    id|title|date|video date|url|19 genre flags), u.genre (name|index).
    Item ids are kept (1..=1682); the genre 'unknown' is dropped from tags."""
    genres = []
    with open(os.path.join(directory, "u.genre"), encoding="latin-1") as f:
        for line in f:
            line = line.strip()
            if line:
                name, idx = line.rsplit("|", 1)
                genres.append((int(idx), name))
    genres = [n for _, n in sorted(genres)]

    titles, tags = {}, {}
    with open(os.path.join(directory, "u.item"), encoding="latin-1") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            parts = line.split("|")
            iid = int(parts[0])
            flags = parts[-len(genres):]
            titles[iid] = natural_title(parts[1])
            tags[iid] = [g for g, fl in zip(genres, flags) if fl == "1" and g != "unknown"]
    num_items = max(titles)

    rows = []
    with open(os.path.join(directory, "u.data"), encoding="latin-1") as f:
        for idx, line in enumerate(f):
            p = line.split()
            if len(p) < 4:
                continue
            u, i, r, ts = int(p[0]), int(p[1]), int(p[2]), int(p[3])
            if not 1 <= r <= 5:
                raise ValueError(f"u.data line {idx + 1}: rating {r}")
            rows.append((u, i, r, ts, idx))  # action id == rating (actions[r] == f"rated_{r}")
    return Dataset(name="MovieLens-100k", num_items=num_items, actions=list(ML100K_ACTIONS),
                   sequences=_sort_events(rows), titles=titles, tags=tags,
                   raw_item_ids={i: str(i) for i in titles})


def split_leave_one_out(ds: Dataset) -> Split:
    train, val, test = {}, {}, {}
    for u, evs in ds.sequences.items():
        if len(evs) < 3:
            train[u] = list(evs)
            continue
        train[u] = evs[:-2]
        val[u] = evs[-2]
        test[u] = evs[-1]
    return Split(train=train, val=val, test=test)


def window(events: list[Event], seq_len: int) -> tuple[list[int], list[int]]:
    """Right-aligned, left-padded window of the last seq_len events (§2)."""
    last = events[-seq_len:] if seq_len > 0 else []
    pad = seq_len - len(last)
    return ([0] * pad + [e.item for e in last], [0] * pad + [e.action for e in last])


def load_dataset(kind: str, path: str, **kw) -> Dataset:
    if kind == "movielens-100k":
        return load_movielens_100k(path)
    if kind == "table":
        return load_table(path, **kw)
    raise SystemExit(f"unknown dataset kind {kind!r}")


def add_data_args(ap) -> None:
    """CLI options shared by train.py / evaluate.py / fixtures.py."""
    g = ap.add_argument_group("data")
    g.add_argument("--data", default="/work/shared/data/movielens-100k",
                   help="ml-100k directory, or an interactions table with --format table")
    g.add_argument("--format", default="movielens-100k", choices=["movielens-100k", "table"])
    g.add_argument("--user-col", default="user")
    g.add_argument("--item-col", default="item")
    g.add_argument("--ts-col", default="timestamp")
    g.add_argument("--action-col", default=None, help="optional action column")
    g.add_argument("--sep", default=None, help="field separator (default: tab for .tsv, else comma)")
    g.add_argument("--no-header", action="store_true",
                   help="table has no header; the *-col options are 0-based positions")
    g.add_argument("--items", default=None,
                   help="optional catalog side table (header: item,title,tags with tags '|'-separated)")
    g.add_argument("--name", default=None, help="dataset name for the model card")


def dataset_from_args(args) -> Dataset:
    if args.format == "movielens-100k":
        ds = load_movielens_100k(args.data)
    else:
        ds = load_table(args.data, user_col=args.user_col, item_col=args.item_col,
                        ts_col=args.ts_col, action_col=args.action_col, sep=args.sep,
                        header=not args.no_header, name=args.name)
        if args.items:
            load_items_file(ds, args.items)
    if args.name:
        ds.name = args.name
    return ds


if __name__ == "__main__":
    # Writes only the catalog (no torch needed): python3 tools/train/data.py --out models/catalog.json
    import argparse
    ap = argparse.ArgumentParser(description="Write the catalog of titles and tags of a dataset.")
    add_data_args(ap)
    ap.add_argument("--out", required=True, help="catalog.json to write")
    args = ap.parse_args()
    write_catalog(dataset_from_args(args), args.out)

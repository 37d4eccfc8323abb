#!/usr/bin/env python3
"""Writes www/sample-users.json for the demo storefront from tests/fixtures/windows.json.

Picks a handful of real users with different history lengths, keeps at most the last 50 events of
each (the SASRec window), and lists the items most often seen across all windows as the shop's
"popular" shelf. Run again whenever the fixture changes: python3 scripts/make-sample-users.py
"""
import json
import pathlib
from collections import Counter

ROOT = pathlib.Path(__file__).resolve().parent.parent
WINDOWS = ROOT / "tests/fixtures/windows.json"
CATALOG = ROOT / "models/catalog.json"
OUT = ROOT / "www/sample-users.json"
USERS = 6
KEEP = 50
POPULAR = 60


def main() -> None:
    windows = json.loads(WINDOWS.read_text())
    titles = {}
    if CATALOG.exists():
        titles = {e["id"]: e["title"] for e in json.loads(CATALOG.read_text())}
    rows = [w for w in windows if len(w["history"]) >= 5]
    rows.sort(key=lambda w: (len(w["history"]), w["user"]))
    # Spread the picks over the range of history lengths, shortest to longest.
    step = max(1, len(rows) // USERS)
    picked = [rows[min(i * step + step // 2, len(rows) - 1)] for i in range(USERS)]
    seen_users = set()
    users = []
    for n, w in enumerate(picked, 1):
        if w["user"] in seen_users:
            continue
        seen_users.add(w["user"])
        events = [
            {k: e[k] for k in ("item", "action", "ts") if e.get(k) is not None}
            for e in w["history"][-KEEP:]
        ]
        users.append({"user": w["user"], "name": f"Visitor {n} (user {w['user']})", "history": events})
    counts = Counter(e["item"] for w in windows for e in w["history"])
    popular = [item for item, _ in counts.most_common() if not titles or item in titles][:POPULAR]
    OUT.write_text(json.dumps({"source": "tests/fixtures/windows.json", "users": users, "popular": popular}, separators=(",", ":")) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(users)} users, {len(popular)} popular items")


if __name__ == "__main__":
    main()

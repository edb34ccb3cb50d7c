"""Corrections made before row key version 2 (issue 14) moved onto their rows' new keys.

Version 1 keyed a row by its district's FIRST WORD and 24 letters of its text, so one key could name
rows of two plans (Urganch tumani and Urganch city). After an upgrade every file is read again (the
pipeline version changed) and rows get version 2 keys; a correction stored under a version 1 key then
matches no row. This step finds its row again by the version 1 key of every stored row, narrowed by
what the correction remembers (its file, district, year, item number), and moves it ONLY when exactly
one row key of one plan remains. Moving is append-only like every change of the corrections table: a
`via="rekey"` row retires the old entry (it `reverts` it), and a copy with the same values, clerk and
time is added under the new key, anchored to the value the clerk saw (`context["source"]`).

A correction that fits no row, or rows of several plans, is never guessed: it stays where it is and
is reported as orphaned (kept, not applied) by `apply_corrections`, with its file and item.

This is the one place import writes the corrections table (`reja.batch` calls it after a run).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reja import db as dbapi
from reja.corrections import INSERT_CORRECTION, _anchors, _plain, all_corrections, effective, writing


def _has_corrections(db: Path | str) -> bool:
    con = dbapi.connect(db, timeout=30)
    try:
        return "corrections" in con.tables()
    finally:
        con.close()


def _v1_index(items: pd.DataFrame) -> dict[str, list[dict]]:
    """version 1 key → the stored rows (as dicts) it names, over every document."""
    from reja.records import legacy_row_key_v1

    index: dict[str, list[dict]] = {}
    cols = [c for c in ("document_id", "item_index", "row_key", "source_file", "district", "district_id", "year",
                        "section_no", "item_no", "parent_item_no", "text") if c in items]
    ordered = items[cols].sort_values(["document_id", "item_index"])
    for _doc, group in ordered.groupby("document_id", sort=False):
        rows = [{k: _plain(v) for k, v in r.items()} for r in group.to_dict("records")]
        for row, key in zip(rows, legacy_row_key_v1(rows), strict=True):
            index.setdefault(key, []).append(row)
    return index


def _agrees(row: dict, context: dict) -> bool:
    for name in ("source_file", "district", "item_no"):
        want = context.get(name)
        if want is not None and str(row.get(name) or "") != str(want):
            return False
    year = context.get("year")
    return year is None or str(row.get("year") or "") == str(year)


def move_legacy_corrections(db: Path | str, keys_with_rows, load_items) -> list[tuple[int, str, str]]:
    """Move corrections whose key names no stored row but a version 1 key of exactly one row key;
    returns (correction id, old key, new key) for each move. `keys_with_rows(keys)`: those of the
    given row keys that name a stored row; `load_items(contexts)`: the stored rows (superseded
    versions included) of every document that could hold a row these corrections remember (their
    file, district, year), whole documents since a version 1 key counts occurrences in its document.
    Both are asked only about the corrections, so the cost does not grow with the store."""
    if not _has_corrections(db):
        return []
    every = all_corrections(db)
    in_force = list(effective(every).values())
    present = keys_with_rows(sorted({c.row_key for c in in_force}))
    lost = [c for c in in_force if c.row_key not in present]
    if not lost:
        return []
    items = load_items([c.context for c in lost])
    if not len(items):
        return []
    anchors = _anchors(every)
    index = _v1_index(items)
    moves = []
    for c in lost:
        rows = index.get(c.row_key, [])
        fitting = [r for r in rows if _agrees(r, c.context)]
        new_keys = {r["row_key"] for r in fitting}
        if len(new_keys) == 1:
            moves.append((c, new_keys.pop(), anchors.get(c.id)))
    if not moves:
        return []
    done = []
    with writing(db) as con:
        for c, new_key, anchor in moves:
            con.execute(
                INSERT_CORRECTION,
                (c.row_key, c.field, c.value_after, c.value_before, c.who, c.at,
                 f"row key version 2: moved to {new_key}", "rekey", c.id, json.dumps(c.context, ensure_ascii=False)),
            )
            context = {**c.context, "moved_from": c.id}
            if "source" not in context and c.field != "_accepted":
                context["source"] = anchor
            con.execute(
                INSERT_CORRECTION,
                (new_key, c.field, c.value_before, c.value_after, c.who, c.at, c.why, c.via, None,
                 json.dumps(context, ensure_ascii=False, default=str)),
            )
            done.append((c.id, c.row_key, new_key))
    return done

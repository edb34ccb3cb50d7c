"""What the review tools read: the store's current items with the clerk's corrections applied,
plus where each row's source file is (for the page crop)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from reja import db as dbapi
from reja.compare.consistency import with_consistency_flags
from reja.corrections import apply_corrections

FILTERABLE = ("district", "year", "reason", "max_score", "status")


def load_items(db: Path | str) -> tuple[pd.DataFrame, list[str]]:
    """(items with corrections applied, descriptions of corrections whose row is gone)."""
    items = _stored_items(db)
    items, report = apply_corrections(items, db)
    return with_consistency_flags(items), report.describe_orphans()


# The store's rows change only when an import writes; corrections change with every click. Reading
# and type-checking the rows costs most of a page, so they are kept while the documents table says
# nothing was imported since (the review page answers each action within a few hundred ms).
_cache: dict[str, tuple[tuple, pd.DataFrame]] = {}


def _import_state(db: Path | str) -> tuple:
    from reja.store import Store, StoreError

    try:
        with Store(db, readonly=True) as store:
            return store.import_state()
    except (StoreError, *dbapi.errors()):
        return (None,)


def _stored_items(db: Path | str) -> pd.DataFrame:
    from reja.store import Store

    key = str(dbapi.location(db)) if dbapi.is_server(db) else str(Path(db).resolve())
    state = _import_state(db)
    cached = _cache.get(key)
    if cached is not None and cached[0] == state and state != (None,):
        return cached[1].copy()
    with Store(db, readonly=True) as store:
        items = store.items()
        documents = store.documents()[["document_id", "source_key", "source_format"]]
    items = items.merge(documents.rename(columns={"source_format": "document_format"}), on="document_id",
                        how="left")
    _cache.clear()  # one store at a time is enough for the page
    _cache[key] = (state, items)
    return items.copy()


def flag_codes(flags: str | None) -> list[str]:
    return [f.split(":", 1)[0].strip() for f in (flags or "").split(";") if f.strip()]


def candidates(row: pd.Series) -> dict[str, list[tuple[str, float]]]:
    """Top catalogue candidates per match kind, from the row's `match_candidates` JSON."""
    raw = row.get("match_candidates")
    if not isinstance(raw, str) or not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    out: dict[str, list[tuple[str, float]]] = {}
    for kind, entries in (data or {}).items():
        pairs = []
        for entry in entries or []:
            if isinstance(entry, dict):
                pairs.append((str(entry.get("id")), float(entry.get("score") or 0)))
            elif isinstance(entry, (list, tuple)) and len(entry) >= 2:
                pairs.append((str(entry[0]), float(entry[1])))
        out[kind] = pairs
    return out


def select(items: pd.DataFrame, *, district: str = "", year: str = "", reason: str = "",
           max_score: str = "", status: str = "flagged") -> pd.DataFrame:
    rows = items
    if status:
        rows = rows[rows["status"] == status]
    if district:
        rows = rows[rows["district"].fillna("").str.contains(district, case=False, regex=False)]
    if year:
        rows = rows[rows["year"].astype("string") == year.strip()]
    if reason:
        rows = rows[rows["flags"].fillna("").map(lambda f: reason in flag_codes(f))]
    if max_score:
        try:
            limit = float(max_score)
        except ValueError:
            limit = None
        if limit is not None:
            rows = rows[rows["indicator_score"].fillna(0) <= limit]
    return rows

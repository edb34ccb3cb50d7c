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
    """(items with corrections applied, descriptions of corrections whose row is gone).

    The page asks for this on every request, so it is kept while neither an import nor a correction
    has written since (`_state`) and the language is the same (flag texts are translated); the frame
    returned is shared: callers must not modify it."""
    from reja.corrections import all_corrections
    from reja.i18n import get_language

    key = str(dbapi.location(db)) if dbapi.is_server(db) else str(Path(db).resolve())
    state = (*_state(db), get_language())
    cached = _loaded.get(key)
    if cached is not None and cached[0] == state and None not in state:
        return cached[1], cached[2]
    stored, twins = _stored_items(db, state[0])
    every = all_corrections(db)
    items, report = apply_corrections(stored, db, twins=twins, every=every)
    values_key = (state[0], _value_corrections(every), state[2])  # acceptances change no value
    result = (with_consistency_flags(items, values_key=values_key), report.describe_orphans())
    _loaded.clear()  # one store at a time is enough for the page
    _loaded[key] = (state, *result)
    return result


_loaded: dict[str, tuple] = {}


def flagged_pieces(db: Path | str, *, region_ids=None, years=None):
    """The rows to review — status `flagged` once the clerks' corrections and the consistency findings
    are on them — of the current plans, piece by piece in the dataset's order: the store is read as
    the export reads it (`reja.corrected.corrected_chunks`: findings region-year by region-year), so
    memory holds one piece, not the store (issue 22: a national store's whole load passed 7 GB).
    `region_ids` / `years`: only those regions' and years' plans."""
    from reja.corrected import corrected_chunks
    from reja.store import Store

    with Store(db, readonly=True) as store, store.snapshot():
        for piece in corrected_chunks(store, db, region_ids=region_ids, years=years):
            yield piece.loc[piece["status"] == "flagged"]


def _value_corrections(every) -> frozenset:
    """The corrections in force that change a value (not acceptances): what the consistency checks read."""
    from reja.corrections import ACCEPT_FIELD, effective

    return frozenset(c.id for (_row, name), c in effective(every).items() if name != ACCEPT_FIELD)


# The store's rows change only when an import writes; corrections change with every click. Reading
# the rows and counting their twins costs most of a page, so both are kept while the documents table
# says nothing was imported since (the review page answers each action within a few hundred ms).
_cache: dict[str, tuple[tuple, pd.DataFrame, pd.Series]] = {}


def _import_state(db: Path | str) -> tuple:
    from reja.store import Store, StoreError

    try:
        with Store(db, readonly=True) as store:
            return store.import_state()
    except (StoreError, *dbapi.errors()):
        return (None,)


def _state(db: Path | str) -> tuple:
    """(import state, corrections state): what was imported, and how many corrections were written
    (the table is append-only: an undo is a new row)."""
    from reja.corrections import connect

    imports = _import_state(db)
    if imports == (None,):
        return (None, None)
    con = connect(db)
    try:
        return imports, tuple(con.execute("SELECT count(*), max(id) FROM corrections").fetchone())
    finally:
        con.close()


def _stored_items(db: Path | str, state: tuple | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """(the store's current rows with their file's place and format, `twins_of` them)."""
    from reja.corrections import twins_of
    from reja.store import Store

    key = str(dbapi.location(db)) if dbapi.is_server(db) else str(Path(db).resolve())
    state = _import_state(db) if state is None else state
    cached = _cache.get(key)
    if cached is not None and cached[0] == state and state != (None,):
        return cached[1], cached[2]
    with Store(db, readonly=True) as store:
        items = store.items()
        documents = store.documents()[["document_id", "source_key", "source_format"]]
    items = items.merge(documents.rename(columns={"source_format": "document_format"}), on="document_id",
                        how="left")
    twins = twins_of(items) if len(items) else pd.Series(dtype="Int64")
    _cache.clear()  # one store at a time is enough for the page
    _cache[key] = (state, items, twins)
    return items, twins


def per_wording(column: pd.Series, fn) -> pd.Series:
    """`column.map(fn)` with `fn` called once per distinct value (flags repeat across thousands of rows);
    a missing value is passed as ""."""
    column = column.fillna("")
    results = {value: fn(value) for value in column.unique()}
    return column.map(results)


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
        rows = rows[per_wording(rows["flags"], lambda f: reason in flag_codes(f))]
    if max_score:
        try:
            limit = float(max_score)
        except ValueError:
            limit = None
        if limit is not None:
            rows = rows[rows["indicator_score"].fillna(0) <= limit]
    return rows

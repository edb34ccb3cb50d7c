"""Actions on many rows at once, and undoing the clerk's last action whatever its size.

- `same_wording`: the rows whose wording (activity text, section heading or unit, compared by the
  matcher's key) is the one of a given row. "Apply to all rows with this wording" records ONE
  correction, on the clerk's row (a correction never applies to a row it was not made on); it
  becomes a learned wording (reja.learned), and the stored plans holding that wording are re-matched
  from their stored rows (reja.rematch): every row with the wording gets the choice from the matcher,
  as plans imported later will. Rows where a person set the field to something else are counted as
  conflicts: the re-match changes the value their correction was made against, so the correction is
  held back and the row flagged `correction_conflict` naming both (reja.corrections). Undoing the correction forgets the wording; the same plans
  are re-matched again.
- `accept_all`: confirm the current match of every row of a filter.
- One action = one `action` token in the corrections' context; `undo_last_action` undoes every
  correction of the clerk's latest action, wherever the clerk has moved since.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from reja import corrections as corr
from reja.learned import TAUGHT_BY


@dataclass
class Action:
    kind: str  # accept / pick / correct / wording / bulk_accept
    ids: list[int]
    rows: int
    conflicts: int = 0  # rows of the wording where a person chose otherwise (flagged as conflicts)
    documents: list[str] = field(default_factory=list)  # plans to re-match (reja.rematch) after the action


def new_action() -> str:
    return secrets.token_hex(6)


def wording_column(field: str) -> str | None:
    """The row's text that a match of `field` was made from (indicator_id → text, unit_id → unit …)."""
    taught = TAUGHT_BY.get(field)
    return taught[1] if taught else None


@lru_cache(maxsize=100_000)
def wording_key(text: str) -> str:
    from reja.normalize.keys import match_key

    return match_key(text)


def same_wording_all(items: pd.DataFrame, row: pd.Series, field: str) -> pd.DataFrame:
    """Every current row with the row's wording for `field` (by the matcher's key), people's own
    choices included."""
    column = wording_column(field)
    if column is None:
        return items.iloc[0:0]
    key = wording_key(row.get(column) if isinstance(row.get(column), str) else "")
    if not key:
        return items[items["row_key"] == row["row_key"]]
    texts = items[column]
    # each distinct wording keyed once (a store repeats its wordings across plans and years)
    wordings = [t for t in texts.dropna().unique() if isinstance(t, str) and wording_key(t) == key]
    return items[texts.isin(wordings)].drop_duplicates("row_key")


def same_wording(items: pd.DataFrame | None, row: pd.Series, field: str, *,
                 every: pd.DataFrame | None = None) -> pd.DataFrame:
    """Current rows whose wording for `field` is the row's (by the matcher's key), the row included.
    Rows where a person already set the field to something else are left out: their choice stands.
    `every`: `same_wording_all` when the caller has it (the review page asks its index)."""
    same = same_wording_all(items, row, field) if every is None else every
    decided = same["corrected_fields"].fillna("").map(lambda f: field in f.split(",")) \
        if "corrected_fields" in same else pd.Series(False, index=same.index)
    keep = ~decided | (same["row_key"] == row["row_key"])
    return same[keep]


def _value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    return v


def apply_to_wording(db, items: pd.DataFrame | None, row: pd.Series, field: str, value: str, *, who: str,
                     why: str, via: str = "web", twins: pd.DataFrame | None = None) -> Action:
    """The clerk's choice for `field` on the row, taught as what its wording means (module doc): one
    correction, and the plans holding the wording to re-match (`Action.documents`, see `rematch`).
    `twins`: `same_wording_all` when the caller has it (the review page asks its index)."""
    column = wording_column(field)
    twins = same_wording_all(items, row, field) if twins is None else twins
    same = same_wording(items, row, field, every=twins)
    decided = twins[~twins["row_key"].isin(same["row_key"])]
    conflicts = int((decided[field].astype("string").fillna("") != value).sum())
    documents = sorted({str(d) for d in same["document_id"].dropna()})
    context = {**corr.row_context(row), "action": new_action(), "wording": column, "rematch": documents}
    edit = dict(row_key=row["row_key"], field=field, before=_value(row.get(field)), after=value, why=why,
                context=context)
    ids = corr.record_many(db, [edit], who=who, via=via)
    return Action("wording", ids, len(same), conflicts=conflicts, documents=documents)


def rematch(db, documents: list[str]) -> None:
    """Re-match the plans a taught (or forgotten) wording touches, from their stored rows."""
    from reja.rematch import rematch_store

    if documents:
        rematch_store(db, documents=documents)


def accept_all(db, rows: pd.DataFrame, *, who: str, why: str, via: str = "web") -> Action:
    """Confirm every flagged row of `rows` as extracted, as one action."""
    token = new_action()
    flagged = rows[rows["status"] == "flagged"].drop_duplicates("row_key")
    edits = [dict(row_key=r["row_key"], field=corr.ACCEPT_FIELD, before=None, after="yes", why=why,
                  context={**corr.row_context(r), "action": token}) for _i, r in flagged.iterrows()]
    ids = corr.record_many(db, edits, who=who, via=via) if edits else []
    return Action("bulk_accept", ids, len(edits))


def last_action(db, who: str) -> list[corr.Correction]:
    """The corrections of the clerk's latest action that are still in force (not undone)."""
    every = corr.all_corrections(db)
    undone = {c.reverts for c in every if c.reverts is not None}
    mine = [c for c in every if c.who == who and c.reverts is None and c.id not in undone and c.via != "undo"]
    if not mine:
        return []
    latest = mine[-1]
    token = (latest.context or {}).get("action")
    if not token:
        return [latest]
    return [c for c in mine if (c.context or {}).get("action") == token]


def undo_last_action(db, who: str) -> list[corr.Correction]:
    """Undo the clerk's latest action (all its rows); return what was undone (empty: nothing to undo).
    A taught wording is forgotten with it: `to_rematch(undone)` names the plans to re-match."""
    done = last_action(db, who)
    for c in reversed(done):
        corr.undo(db, c.id, who=who, why="undo")
    return done


def to_rematch(corrections: list[corr.Correction]) -> list[str]:
    """The plans the given corrections taught a wording to (re-matched when they are undone)."""
    return sorted({d for c in corrections for d in (c.context or {}).get("rematch") or []})


class Rematcher:
    """Re-matches plans in one background thread, so "apply to all rows with this wording" (and its
    undo) answers at once: a wording found in a hundred plans takes seconds to re-match. Plans asked
    for while a pass runs are re-matched in the next pass (with the wordings as they are then)."""

    def __init__(self, db):
        self.db = db
        self.errors: list[str] = []
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None

    def submit(self, documents: list[str]) -> None:
        if not documents:
            return
        with self._lock:
            self._pending.update(documents)
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="reja-rematch", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                documents = sorted(self._pending)
                self._pending.clear()
                if not documents:
                    self._thread = None
                    self._idle.set()
                    return
            try:
                rematch(self.db, documents)
            except Exception as exc:  # the page stays up; the plans keep their last match (`reja rematch` redoes it)
                self.errors.append(f"{type(exc).__name__}: {exc}")

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """True when every plan asked for has been re-matched (within `timeout` seconds)."""
        return self._idle.wait(timeout)

"""Actions on many rows at once, and undoing the clerk's last action whatever its size.

- `same_wording`: the rows whose wording (activity text, section heading or unit, compared by the
  matcher's key) is the one of a given row. "Apply to all rows with this wording" records the
  clerk's choice on each of them (each row gets its own correction, so the export, the history and
  undo see it row by row); the choice on the clerk's row also becomes a learned wording
  (reja.learned), so future imports match that wording by themselves.
- `accept_all`: confirm the current match of every row of a filter.
- One action = one `action` token in the corrections' context; `undo_last_action` undoes every
  correction of the clerk's latest action, wherever the clerk has moved since.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from reja import corrections as corr
from reja.learned import TAUGHT_BY


@dataclass
class Action:
    kind: str  # accept / pick / correct / wording / bulk_accept
    ids: list[int]
    rows: int


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


def same_wording(items: pd.DataFrame, row: pd.Series, field: str) -> pd.DataFrame:
    """Current rows whose wording for `field` is the row's (by the matcher's key), the row included.
    Rows where a person already set the field to something else are left out: their choice stands."""
    column = wording_column(field)
    if column is None:
        return items.iloc[0:0]
    key = wording_key(row.get(column) if isinstance(row.get(column), str) else "")
    if not key:
        return items[items["row_key"] == row["row_key"]]
    texts = items[column]
    # each distinct wording keyed once (a store repeats its wordings across plans and years)
    wordings = [t for t in texts.dropna().unique() if isinstance(t, str) and wording_key(t) == key]
    same = items[texts.isin(wordings)]
    decided = same["corrected_fields"].fillna("").map(lambda f: field in f.split(",")) \
        if "corrected_fields" in same else pd.Series(False, index=same.index)
    keep = ~decided | (same["row_key"] == row["row_key"])
    return same[keep].drop_duplicates("row_key")


def _value(v):
    if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)):
        return None
    return v


def apply_to_wording(db, items: pd.DataFrame, row: pd.Series, field: str, value: str, *, who: str,
                     why: str, via: str = "web") -> Action:
    """The clerk's choice for `field` on every row with the row's wording, as one action."""
    token = new_action()
    edits = []
    for _i, other in same_wording(items, row, field).iterrows():
        if other["row_key"] != row["row_key"] and _value(other.get(field)) == value \
                and "flagged" != other.get("status"):
            continue  # already so and nothing in doubt: no correction needed
        edits.append(dict(row_key=other["row_key"], field=field, before=_value(other.get(field)), after=value,
                          why=why, context={**corr.row_context(other), "action": token}))
    ids = corr.record_many(db, edits, who=who, via=via) if edits else []
    return Action("wording", ids, len(edits))


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
    """Undo the clerk's latest action (all its rows); return what was undone (empty: nothing to undo)."""
    done = last_action(db, who)
    for c in reversed(done):
        corr.undo(db, c.id, who=who, why="undo")
    return done

"""The clerk's queue: the rows the current filter selects, in a stable order, and what the filter
page counts about them (facets, score histogram). Previous / next / after-an-action all walk this
queue, so the clerk never leaves the set they chose."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from .data import FILTERABLE, flag_codes, per_wording, select

FILTERS = (*FILTERABLE, "indicator", "band")  # the page also filters by a facet's indicator and band

BANDS = ("unmatched", "review", "matched")  # the indicator match's band, from its flags
HISTOGRAM_BINS = 10  # indicator score 0–100 in steps of 10


def filters_from(params, *, default_status: str = "flagged") -> dict[str, str]:
    """The filter named by a request's query (or form) parameters; missing ones take their default."""
    out = {}
    for name in FILTERS:
        value = params.get(name)
        out[name] = (default_status if name == "status" else "") if value is None else str(value).strip()
    return out


def query_of(filters: dict[str, str]) -> str:
    """The filter as a query string (status kept even when empty: empty means every status)."""
    return urlencode({k: v for k, v in filters.items() if v or k == "status"})


def band(flags: str | None) -> str:
    codes = flag_codes(flags)
    if "indicator_unmatched" in codes:
        return "unmatched"
    if "indicator_review" in codes:
        return "review"
    return "matched"


def selected(items: pd.DataFrame, filters: dict[str, str]) -> pd.DataFrame:
    rows = select(items, **{k: v for k, v in filters.items() if k in ("district", "year", "reason",
                                                                      "max_score", "status")})
    if filters.get("indicator"):
        rows = rows[rows["indicator_id"].fillna("") == filters["indicator"]]
    if filters.get("band"):
        rows = rows[per_wording(rows["flags"], band) == filters["band"]]
    return rows


def keys(items: pd.DataFrame, filters: dict[str, str]) -> list[str]:
    return selected(items, filters)["row_key"].drop_duplicates().tolist()  # twins (two current versions) once


def neighbours(queue: list[str], row_key: str) -> tuple[str | None, str | None]:
    """(next, previous) of a row in the queue; a row outside it (just fixed, so no longer flagged)
    has no previous and the queue's first row as next."""
    if row_key not in queue:
        return (queue[0] if queue else None), None
    i = queue.index(row_key)
    return (queue[i + 1] if i + 1 < len(queue) else None), (queue[i - 1] if i > 0 else None)


def after(queue: list[str], row_key: str) -> str | None:
    """Where an action on `row_key` leads: the next row of the queue as it was before the action,
    else the previous one (the clerk finished the end of the queue), else nowhere."""
    nxt, prev = neighbours(queue, row_key)
    if row_key not in queue:
        return nxt
    return nxt or prev


def facets(rows: pd.DataFrame) -> dict[str, list[tuple[str, int]]]:
    """Counts per value of reason, district, indicator and band among the selected rows."""
    reasons: dict[str, int] = {}
    for flags, n in rows["flags"].fillna("").value_counts().items():  # each distinct flags text once
        for code in set(flag_codes(flags)):
            reasons[code] = reasons.get(code, 0) + int(n)
    out = {"reason": sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))}
    for name, column in (("district", rows["district"]), ("indicator", rows["indicator_id"])):
        counts = column.dropna().astype(str).value_counts()
        out[name] = [(str(k), int(v)) for k, v in counts.items()]
    bands = per_wording(rows["flags"], band).value_counts()
    out["band"] = [(b, int(bands.get(b, 0))) for b in BANDS if bands.get(b, 0)]
    return out


def histogram(rows: pd.DataFrame) -> list[tuple[int, int, int]]:
    """(low, high, count) of the indicator score in bins of 10; rows without a score are left out."""
    scores = pd.to_numeric(rows["indicator_score"], errors="coerce").dropna().clip(0, 100)
    width = 100 // HISTOGRAM_BINS
    bins = (scores // width).clip(upper=HISTOGRAM_BINS - 1).astype(int).value_counts()
    return [(i * width, (i + 1) * width, int(bins.get(i, 0))) for i in range(HISTOGRAM_BINS)]

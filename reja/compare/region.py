"""Region views: totals per indicator, the district × indicator matrix, and completeness.

Every function takes the items table (current plans, corrections applied: `reja.api.load_items`)
and returns a tidy DataFrame. Places are grouped by gazetteer id and labelled with the gazetteer's
Latin name (`places.add_place_names`), so "Жондор тумани" and "Jondor tumani" are one district.

Rules that keep a total honest:
- one plan per district and year (`reja.compare.plans`, the rule every view shares): a district whose plan the store
  holds twice (a DOCX and its scan that were not recognised as one plan) is counted once;
- values are added per indicator, year AND unit: an indicator planned in copies by one district and
  in titles by another gives two lines, never one sum of mixed units;
- the districts that contributed are counted and the region's districts that did not are named
  (no plan, or a plan without that indicator).
"""

from __future__ import annotations

import pandas as pd

from reja.normalize.places import load_places

from .places import add_place_names
from .plans import one_plan_per_district_year

UNIT_UNKNOWN = "(no unit)"


def _prepare(items: pd.DataFrame, *, region_id: str | None = None, years=None) -> pd.DataFrame:
    frame = items
    if region_id is not None:
        frame = frame[frame["region_id"] == region_id]
    if years is not None:
        frame = frame[frame["year"].isin([int(y) for y in years])]
    frame = one_plan_per_district_year(frame)
    frame = add_place_names(frame)  # fills names a store written before those columns lacks
    return frame.assign(unit_key=frame["unit_id"].astype("string").fillna(UNIT_UNKNOWN))


def region_districts(region_id: str) -> pd.DataFrame:
    """Every district and city of a region in the gazetteer: district_id, name, kind."""
    rows = [(p.district_id, p.name_latn, p.name_cyrl, p.kind) for p in load_places()
            if p.region_id == region_id and p.district_id]
    return pd.DataFrame(rows, columns=["district_id", "district_latin", "district_cyrillic", "kind"])


def region_totals(items: pd.DataFrame, *, region: str | None = None, year=None,
                  indicator: str | None = None) -> pd.DataFrame:
    """Totals per region, indicator, year and unit: plan and fact summed over the region's districts,
    with how many districts contributed and which of the region's districts did not.

    `region` is a gazetteer region id (see `places.resolve`); `year` one year or a list."""
    years = None if year is None else ([year] if isinstance(year, int | str) else list(year))
    frame = _prepare(items, region_id=region, years=years)
    frame = frame[frame["indicator_id"].notna() & frame["region_id"].notna()]
    if indicator is not None:
        frame = frame[frame["indicator_id"] == indicator]
    columns = ["region_id", "region_latin", "indicator_id", "year", "unit_id", "plan_total", "fact_total",
               "fact_year", "districts", "district_ids", "not_contributing", "rows", "flagged_rows"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = frame.groupby(["region_id", "indicator_id", "year", "unit_key"], dropna=False)
    out = grouped.agg(
        region_latin=("region_latin", "first"),
        plan_total=("plan_value", lambda s: s.sum(min_count=1)),
        fact_total=("fact_value", lambda s: s.sum(min_count=1)),
        fact_year=("fact_year", lambda s: s.dropna().min() if s.notna().any() else pd.NA),
        districts=("district_id", "nunique"),
        district_ids=("district_id", lambda s: sorted({str(d) for d in s.dropna()})),
        rows=("row_key", "size"),
        flagged_rows=("status", lambda s: int((s == "flagged").sum())),
    ).reset_index()
    out = out.rename(columns={"unit_key": "unit_id"})
    members = {r: set(region_districts(r)["district_id"]) for r in out["region_id"].unique()}
    with_plan = frame.groupby(["region_id", "year"])["district_id"].agg(lambda s: set(s.dropna()))
    out["not_contributing"] = [
        sorted(members[r] - set(ids)) for r, ids in zip(out["region_id"], out["district_ids"], strict=True)
    ]
    out["districts_with_plan"] = [len(with_plan.get((r, y), set())) for r, y in zip(out["region_id"], out["year"],
                                                                                     strict=True)]
    return out[columns + ["districts_with_plan"]].sort_values(
        ["region_id", "indicator_id", "year", "unit_id"]).reset_index(drop=True)


def district_matrix(items: pd.DataFrame, *, region: str, year: int, measure: str = "plan_value") -> pd.DataFrame:
    """District × indicator for one region and year: rows are the region's districts that sent a plan
    (gazetteer Latin names), columns `indicator_id [unit]`, cells the summed `measure`."""
    frame = _prepare(items, region_id=region, years=[year])
    frame = frame[frame["indicator_id"].notna()]
    if frame.empty:
        return pd.DataFrame()
    frame = frame.assign(column=frame["indicator_id"] + " [" + frame["unit_key"] + "]")
    # what pivot_table(aggfunc=lambda s: s.sum(min_count=1)) gives (columns, then rows, with no value
    # dropped), from the grouped sum: a Python function a cell was most of a 400-plan comparison's matrix
    matrix = frame.groupby(["district_latin", "column"])[measure].sum(min_count=1).unstack("column")
    matrix = matrix.dropna(axis=1, how="all").dropna(axis=0, how="all")
    return matrix.sort_index().sort_index(axis=1)


def completeness(items: pd.DataFrame, *, region: str, year: int,
                 documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every district and city of the region for one year: `has_plan`, the current file, the rows
    in review, and `state` (`missing` / `in_review` / `complete`).

    `documents` (from `reja.api.load_documents`) adds the files that failed to import, so a
    district whose only file failed is `failed`, not `missing`."""
    districts = region_districts(region)
    frame = _prepare(items, region_id=region, years=[year])
    per_plan = frame.groupby("district_id").agg(
        source_file=("source_file", "first"), document_id=("document_id", "first"),
        rows=("row_key", "size"), flagged_rows=("status", lambda s: int((s == "flagged").sum())),
    )
    out = districts.merge(per_plan, left_on="district_id", right_index=True, how="left")
    out["has_plan"] = out["document_id"].notna()
    for column in ("rows", "flagged_rows"):
        out[column] = pd.to_numeric(out[column], errors="coerce").fillna(0).astype(int)
    state = pd.Series("complete", index=out.index)
    state[out["flagged_rows"] > 0] = "in_review"
    state[~out["has_plan"]] = "missing"
    if documents is not None and not documents.empty:
        failed = documents[(documents["status"] == "failed") & (documents["year"] == year)]
        failed_ids = set(failed["district_id"].dropna())
        state[~out["has_plan"] & out["district_id"].isin(failed_ids)] = "failed"
    out["state"] = state
    out.insert(0, "year", int(year))
    out.insert(0, "region_id", region)
    return out.reset_index(drop=True)

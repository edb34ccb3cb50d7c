"""Fulfilment: what a district planned for year N against what it reported as done in year N.

A plan for N+1 carries last year's fact (`fact_year` = N): that is the fact for N. It is set against
the plan value of the same district's plan for N, indicator by indicator and unit by unit — the
figure a methodologist checks first. Each line keeps the row keys and source references of both
sides, so every percentage can be traced to the two plans it comes from.
"""

from __future__ import annotations

import pandas as pd

from .region import UNIT_UNKNOWN, _prepare


def _side(frame: pd.DataFrame, value: str, year_column: str) -> pd.DataFrame:
    rows = frame[frame["indicator_id"].notna() & frame[value].notna() & frame[year_column].notna()]
    source = rows["source_file"].fillna("?") + " item " + rows["item_no"].fillna("–").astype(str)
    rows = rows.assign(source=source, the_year=rows[year_column].astype(int))
    return rows.groupby(["district_id", "indicator_id", "the_year"], dropna=False).agg(
        district_latin=("district_latin", "first"),
        region_id=("region_id", "first"),
        value=(value, "sum"),
        units=("unit_key", lambda s: sorted(set(s))),
        row_keys=("row_key", lambda s: list(s)),
        sources=("source", lambda s: "; ".join(s)),
    ).reset_index()


def fulfilment(items: pd.DataFrame, *, year: int | None = None, region: str | None = None,
               indicator: str | None = None) -> pd.DataFrame:
    """Per district, indicator and unit: plan for `year` (from that year's plan), fact for `year`
    (from the next year's plan), and `fulfilment_pct` = fact / plan × 100.

    Only pairs where both sides exist are returned; `year=None` gives every year that has both."""
    frame = _prepare(items, region_id=region)
    frame = frame[frame["district_id"].notna()]
    if indicator is not None:
        frame = frame[frame["indicator_id"] == indicator]
    planned = _side(frame, "plan_value", "year")
    # a fact for N is taken from the plan for N+1 only (an older fact quoted elsewhere is not it)
    next_plans = frame[frame["fact_year"].notna() & (frame["year"] == frame["fact_year"] + 1)]
    done = _side(next_plans, "fact_value", "fact_year")
    # joined on the activity, not the unit: districts write "marta" one year and "ta" the next; where
    # the units differ the line says so (`units_differ`) instead of hiding the figure
    keys = ["district_id", "indicator_id", "the_year"]
    out = planned.merge(done.drop(columns=["district_latin", "region_id"]), on=keys, suffixes=("_plan", "_fact"))
    if year is not None:
        out = out[out["the_year"] == int(year)]
    known = [[u for u in [*a, *b] if u != UNIT_UNKNOWN] for a, b in zip(out["units_plan"], out["units_fact"], strict=True)]
    out["unit_id"] = [", ".join(dict.fromkeys(u)) or UNIT_UNKNOWN for u in known]
    out["units_differ"] = [len(set(u)) > 1 for u in known]
    out = out.rename(columns={"the_year": "year", "value_plan": "plan_value",
                              "value_fact": "fact_value", "sources_plan": "plan_sources",
                              "sources_fact": "fact_sources", "row_keys_plan": "plan_row_keys",
                              "row_keys_fact": "fact_row_keys"})
    plan = out["plan_value"].where(out["plan_value"] != 0)
    out["fulfilment_pct"] = (out["fact_value"] / plan * 100).round(1)
    columns = ["region_id", "district_id", "district_latin", "indicator_id", "unit_id", "units_differ", "year", "plan_value",
               "fact_value", "fulfilment_pct", "plan_sources", "fact_sources", "plan_row_keys", "fact_row_keys"]
    return out[columns].sort_values(["region_id", "district_latin", "indicator_id", "year"]).reset_index(drop=True)

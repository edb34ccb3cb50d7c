"""The questions an analyst at a regional or the national centre asks of a selection, answered
together for the report: regional totals, completeness, fulfilment, consistency, and what was asked
for but is not in the store.

Each answer is also a function of its own for notebooks (`region_totals`, `completeness`,
`fulfilment`, `findings`); this module only decides which rows each one needs — completeness
looks at every district of the selected regions, fulfilment of year N needs the plans of N+1.
"""

from __future__ import annotations

import pandas as pd

from reja.i18n import _

from .consistency import findings
from .fulfilment import fulfilment
from .region import completeness, district_matrix, region_totals


def _years(items: pd.DataFrame, years: list[int] | None) -> list[int]:
    return sorted({int(y) for y in years}) if years else sorted(int(y) for y in items["year"].dropna().unique())


def answer(items: pd.DataFrame, chosen: pd.DataFrame, *, years: list[int] | None,
           districts_selected: bool) -> dict:
    """`items`: the whole store's current items; `chosen`: the selection being compared."""
    if "region_id" not in chosen.columns or "district_id" not in chosen.columns:
        return {}
    wanted_years = _years(chosen, years)
    place_rows = items[items["district_id"].isin(chosen["district_id"].dropna().unique())]
    regions = sorted(chosen["region_id"].dropna().unique())
    full = [completeness(items, region=r, year=y) for r in regions for y in wanted_years]
    if full and districts_selected:  # only the districts asked for
        wanted = set(chosen["district_id"].dropna())
        full = [f[f["district_id"].isin(wanted)] for f in full]
    done = fulfilment(place_rows)
    done = done[done["year"].isin(wanted_years)].reset_index(drop=True)
    return {
        "region_totals": region_totals(chosen),
        "completeness": pd.concat(full, ignore_index=True) if full else pd.DataFrame(),
        "fulfilment": done,
        "findings": findings(chosen),
        "matrix": matrices(chosen, regions, wanted_years),
        "missing": missing_plans(chosen, wanted_years) if years else [],
    }


def missing_plans(chosen: pd.DataFrame, years: list[int]) -> list[str]:
    """"Jondor tumani: no plan for 2025" for each selected district and asked-for year the
    selection has no plan of."""
    out = []
    have = chosen.groupby("district_id")["year"].agg(lambda s: {int(y) for y in s.dropna()})
    names = chosen.groupby("district_id")["district"].first()
    for district_id, got in have.items():
        for year in years:
            if year not in got:
                out.append(_("{district}: no plan for {year}").format(district=names[district_id], year=year))
    return out


def matrices(chosen: pd.DataFrame, regions: list[str], years: list[int]) -> pd.DataFrame:
    """The district × indicator matrix of each selected region and year, stacked: `region_id`, `year`,
    `district_latin`, then one column per `indicator_id [unit]` (plan values)."""
    parts = []
    for region in regions:
        for year in years:
            matrix = district_matrix(chosen, region=region, year=year)
            if not matrix.empty:
                parts.append(matrix.reset_index().assign(region_id=region, year=year))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    first = ["region_id", "year", "district_latin"]
    return out[first + sorted(c for c in out.columns if c not in first)]

"""Consistency checks over the current plans: totals vs their sub-items, plan vs last year's fact,
and districts far from the others of their region.

The rules and their thresholds are data (`data/consistency.yaml`). `findings(items)` returns one row
per finding, naming its rows (`row_keys`), with `flag` True where the finding is a doubt worth a
clerk's look; `flag_rows(items, found)` puts those on the rows' `flags` (status `flagged`), which is
how they reach the clerk's queue as flags of their own kind.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from reja.i18n import _

from .region import _prepare

RULES_FILE = Path(__file__).parent / "data" / "consistency.yaml"

_MEASURE = {"plan_value": lambda: _("plan"), "fact_value": lambda: _("fact")}


def _num(value) -> str:
    """12 500, 0,5: numbers as the plans write them."""
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")

FINDING_COLUMNS = ["check", "flag", "code", "region_id", "district_id", "district_latin", "year", "indicator_id",
                   "unit_id", "measure", "value", "expected", "ratio", "detail", "row_keys", "sources"]


@lru_cache(maxsize=1)
def rules() -> dict:
    with RULES_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _finding(check: str, code: str, flag: bool, row: pd.Series, measure: str, value, expected,
             detail: str, row_keys: list[str], sources: str) -> dict:
    ratio = value / expected if expected not in (0, None) and pd.notna(expected) else np.nan
    return {"check": check, "flag": bool(flag), "code": code, "region_id": row.get("region_id"),
            "district_id": row.get("district_id"), "district_latin": row.get("district_latin"),
            "year": row.get("year"), "indicator_id": row.get("indicator_id"), "unit_id": row.get("unit_key"),
            "measure": measure, "value": value, "expected": expected, "ratio": round(float(ratio), 3),
            "detail": detail, "row_keys": row_keys, "sources": sources}


def _ref(row: pd.Series) -> str:
    def text(name: str, missing: str) -> str:
        value = row.get(name)
        return missing if value is None or pd.isna(value) or value == "" else str(value)

    page = f" p.{int(row['page'])}" if pd.notna(row.get("page")) else ""
    return f"{text('source_file', '?')}{page} item {text('item_no', '–')}"


def subitems_vs_total(frame: pd.DataFrame) -> list[dict]:
    """A parent row whose sub-items' values do not add up to its own (per measure)."""
    rule = rules()["subitems_vs_total"]
    partial = set(rule.get("partial_breakdowns") or [])
    out = []
    children = frame[frame["parent_item_no"].notna()]
    if children.empty:
        return out
    parents = frame[frame["parent_item_no"].isna() & frame["item_no"].notna()]
    keys = ["document_id", "section_no", "item_no"]
    parent_of = parents.drop_duplicates(keys).set_index(keys)
    for (doc, section, parent_no), kids in children.groupby(["document_id", "section_no", "parent_item_no"],
                                                            dropna=False):
        if (doc, section, parent_no) not in parent_of.index:
            continue
        parent = parent_of.loc[(doc, section, parent_no)]
        for measure in ("plan_value", "fact_value"):
            parts = kids[measure].dropna()
            total = parent[measure]
            if len(parts) < rule["min_parts"] or pd.isna(total):
                continue
            summed = float(parts.sum())
            if abs(summed - total) <= rule["tolerance"] * max(abs(total), 1):
                continue
            if parent.get("indicator_id") in partial and summed <= total:
                continue  # a partial breakdown may list fewer parts than the whole
            detail = _("{measure}: item {item} = {total}, its {n} sub-items add up to {summed}").format(
                measure=_MEASURE[measure](), item=parent_no, total=_num(total), n=len(parts), summed=_num(summed))
            row = parent.copy()
            row["region_id"], row["district_id"], row["year"] = parent["region_id"], parent["district_id"], parent["year"]
            out.append(_finding("subitems_vs_total", rule["flag"], True, row, measure, summed, total, detail,
                                [parent["row_key"], *kids.loc[parts.index, "row_key"]],
                                "; ".join([_ref(parent), *(_ref(k) for _i, k in kids.loc[parts.index].iterrows())])))
    return out


def plan_below_fact(frame: pd.DataFrame) -> list[dict]:
    """A row whose plan is below last year's fact (reported), far below (flagged)."""
    rule = rules()["plan_below_fact"]
    rows = frame[frame["plan_value"].notna() & frame["fact_value"].notna() & (frame["fact_value"] > 0)]
    ratio = rows["plan_value"] / rows["fact_value"]
    out = []
    for idx in rows.index[ratio < rule["report_below"]]:
        row = rows.loc[idx]
        share = ratio[idx]
        detail = _("plan {year}: {plan} is {share}% of last year's fact {fact}").format(
            year=int(row["year"]), plan=_num(row["plan_value"]), share=round(100 * share), fact=_num(row["fact_value"]))
        out.append(_finding("plan_below_fact", rule["flag"], share < rule["flag_below"], row, "plan_value",
                            row["plan_value"], row["fact_value"], detail, [row["row_key"]], _ref(row)))
    return out


def outliers(frame: pd.DataFrame) -> list[dict]:
    """A district's summed figure ≥ `min_ratio` × (or ≤ 1/`min_ratio` of) its region's median for the
    same indicator, year and unit, and a robust z-score beyond `modified_z`."""
    rule = rules()["outlier"]
    measure = rule["measure"]
    data = frame[frame["indicator_id"].notna() & frame["district_id"].notna() & frame[measure].notna()]
    per_district = data.groupby(["region_id", "indicator_id", "year", "unit_key", "district_id"]).agg(
        value=(measure, "sum"), district_latin=("district_latin", "first"),
        row_keys=("row_key", list), first_index=("row_key", lambda s: s.index[0]),
    ).reset_index()
    out = []
    for _key, group in per_district.groupby(["region_id", "indicator_id", "year", "unit_key"]):
        if len(group) < rule["min_districts"]:
            continue
        values = group["value"].astype(float)
        median = float(values.median())
        mad = float((values - median).abs().median())
        if median <= 0:
            continue
        for _index, g in group.iterrows():
            ratio = g["value"] / median
            z = 0.6745 * (g["value"] - median) / mad if mad > 0 else np.inf * np.sign(g["value"] - median)
            if abs(z) < rule["modified_z"] or rule["min_ratio"] > ratio > 1 / rule["min_ratio"]:
                continue
            row = data.loc[g["first_index"]]
            detail = _("{measure} {value} is {ratio}× the median {median} of {n} districts of the region").format(
                measure=_MEASURE[measure](), value=_num(g["value"]), ratio=f"{ratio:.1f}", median=_num(median),
                n=len(group))
            out.append(_finding("outlier", rule["flag"], True, row, measure, g["value"], median, detail,
                                g["row_keys"], _ref(row)))
    return out


def findings(items: pd.DataFrame, *, region: str | None = None, years=None) -> pd.DataFrame:
    """Every finding of every check over the current plans (optionally one region / some years)."""
    frame = _prepare(items, region_id=region, years=years)
    found = subitems_vs_total(frame) + plan_below_fact(frame) + outliers(frame)
    out = pd.DataFrame(found, columns=FINDING_COLUMNS)
    return out.sort_values(["check", "region_id", "district_latin", "indicator_id"], na_position="last",
                           kind="stable").reset_index(drop=True)


def flag_rows(items: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Items with the flagged findings added to their rows' `flags` ("code: detail"); a clean row
    becomes `flagged`, a corrected one stays `corrected` (the clerk already looked at it)."""
    extra: dict[str, list[str]] = {}
    for f in found[found["flag"]].itertuples():
        for key in f.row_keys:
            extra.setdefault(key, []).append(f"{f.code}: {f.detail}")
    if not extra:
        return items
    out = items.copy()
    hit = out["row_key"].isin(extra.keys())
    added = out.loc[hit, "row_key"].map(lambda k: "; ".join(dict.fromkeys(extra[k])))
    old = out.loc[hit, "flags"].fillna("")
    out.loc[hit, "flags"] = [f"{o}; {a}" if o else a for o, a in zip(old, added, strict=True)]
    out.loc[hit & (out["status"] == "ok"), "status"] = "flagged"
    return out


def with_consistency_flags(items: pd.DataFrame) -> pd.DataFrame:
    """The current items with every flagged finding on its rows (see `flag_rows`)."""
    if items.empty or "district_id" not in items.columns:
        return items
    return flag_rows(items, findings(items))

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

from reja.i18n import _, get_language
from reja.schema.data_files import read_yaml

from .plans import one_plan_per_district_year
from .region import _prepare

RULES_FILE = Path(__file__).parent / "data" / "consistency.yaml"

_MEASURE = {"plan_value": lambda: _("plan"), "fact_value": lambda: _("fact")}


def _num(value) -> str:
    """12 500, 0,5: numbers as the plans write them."""
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")

FINDING_COLUMNS = ["check", "flag", "code", "region_id", "district_id", "district_latin", "year", "indicator_id",
                   "unit_id", "measure", "value", "expected", "ratio", "detail", "row_keys", "sources"]


# what the checks and their findings read of a row
CHECKED_COLUMNS = ["document_id", "row_key", "region_id", "district_id", "district_latin", "year", "indicator_id",
                   "unit_key", "section_no", "item_no", "parent_item_no", "plan_value", "fact_value", "page",
                   "source_file"]


@lru_cache(maxsize=1)
def rules() -> dict:
    return read_yaml(RULES_FILE)


_PLACE = ["region_id", "district_id", "district_latin", "year", "indicator_id", "unit_key"]


def _refs(frame: pd.DataFrame) -> pd.Series:
    """"plan.docx p.3 item 9" per row: where a clerk finds the figure."""
    def texts(name: str, missing: str) -> list[str]:
        if name not in frame.columns:
            return [missing] * len(frame)
        return [missing if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) or v == "" else str(v)
                for v in frame[name].tolist()]

    pages = pd.to_numeric(frame["page"], errors="coerce").tolist() if "page" in frame.columns else [None] * len(frame)
    refs = [f"{file}{f' p.{int(p)}' if p is not None and p is not pd.NA and not np.isnan(p) else ''} item {item}"
            for file, p, item in zip(texts("source_file", "?"), pages, texts("item_no", "–"), strict=True)]
    return pd.Series(refs, index=frame.index, dtype=object)


def _findings(check: str, flags, at: pd.DataFrame, measure: str, values, expected, details,
              row_keys, sources) -> list[dict]:
    """One finding per row of `at` (the row whose place, year, indicator and unit it reports)."""
    code = rules()[check]["flag"]  # each check's rule is named after it
    values = np.asarray(values, dtype=float)
    expected = np.asarray(expected, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((expected != 0) & ~np.isnan(expected), values / expected, np.nan)
    place = {c: at[c].tolist() if c in at.columns else [None] * len(at) for c in _PLACE}
    return [{"check": check, "flag": bool(flag), "code": code, "region_id": place["region_id"][i],
             "district_id": place["district_id"][i], "district_latin": place["district_latin"][i],
             "year": place["year"][i], "indicator_id": place["indicator_id"][i], "unit_id": place["unit_key"][i],
             "measure": measure, "value": values[i], "expected": expected[i], "ratio": round(float(ratio[i]), 3),
             "detail": details[i], "row_keys": row_keys[i], "sources": sources[i]}
            for i, flag in enumerate(flags)]


_PARENT = ["document_id", "section_no", "item_no"]
_CHILD = ["document_id", "section_no", "parent_item_no"]


def _allowed(joined: pd.DataFrame, measure: str, tolerance: float) -> pd.Series:
    """How far sub-items may be from their total: nothing when the total and every part are whole
    numbers (a count has nothing to round; a float's last bits aside), `tolerance` of the total when
    one of them is written with a fraction."""
    total = joined[measure]
    some_fraction = joined["fractional"] | (total % 1 != 0)
    return np.maximum(total.abs(), 1) * np.where(some_fraction, tolerance, 1e-9)


def subitems_vs_total(frame: pd.DataFrame) -> list[dict]:
    """A parent row whose sub-items' values do not add up to its own (per measure)."""
    rule = rules()["subitems_vs_total"]
    partial = set(rule.get("partial_breakdowns") or [])
    children = frame[frame["parent_item_no"].notna()]
    if children.empty:
        return []
    parents = frame[frame["parent_item_no"].isna() & frame["item_no"].notna()].drop_duplicates(_PARENT)
    parents = parents.assign(_ref=_refs(parents))
    out = []
    for order, measure in enumerate(("plan_value", "fact_value")):
        kids = children[children[measure].notna()]
        grouped = kids.assign(fractional=kids[measure] % 1 != 0).groupby(_CHILD, dropna=False, sort=False)
        parts = grouped.agg(summed=(measure, "sum"), n=(measure, "size"), fractional=("fractional", "any"))
        joined = parents.merge(parts, left_on=_PARENT, right_index=True, how="inner")
        total = joined[measure]
        off = (joined["n"] >= rule["min_parts"]) & total.notna()
        off &= (joined["summed"] - total).abs() > _allowed(joined, measure, rule["tolerance"])
        off &= ~(joined["indicator_id"].isin(partial) & (joined["summed"] <= total))  # a partial breakdown may list fewer parts
        bad = joined[off]
        where = list(zip(*(bad[c].tolist() for c in _PARENT), strict=True))
        # the sub-items of the parents that do not add up, in the plan's order (lists only where needed)
        wanted = dict.fromkeys(where)
        their: dict[tuple, tuple[list, list]] = {key: ([], []) for key in wanted}
        kid_keys = zip(*(kids[c].tolist() for c in _CHILD), strict=True)
        for key, row_key, ref in zip(kid_keys, kids["row_key"].tolist(), _refs(kids).tolist(), strict=True):
            if key in their:
                their[key][0].append(row_key)
                their[key][1].append(ref)
        details = [_("{measure}: item {item} = {total}, its {n} sub-items add up to {summed}").format(
            measure=_MEASURE[measure](), item=item, total=_num(tot), n=n, summed=_num(summed))
            for item, tot, n, summed in zip(bad["item_no"].tolist(), bad[measure].tolist(), bad["n"].tolist(),
                                            bad["summed"].tolist(), strict=True)]
        keys = [[p, *their[w][0]] for p, w in zip(bad["row_key"].tolist(), where, strict=True)]
        sources = ["; ".join([p, *their[w][1]]) for p, w in zip(bad["_ref"].tolist(), where, strict=True)]
        found = _findings("subitems_vs_total", [True] * len(bad), bad, measure, bad["summed"], bad[measure],
                          details, keys, sources)
        out += [(*w, order, f) for w, f in zip(where, found, strict=True)]
    # as the plan reads: parent by parent, plan before fact
    out.sort(key=lambda t: (str(t[0]), str(t[1]), str(t[2]), t[3]))
    return [t[4] for t in out]


def plan_below_fact(frame: pd.DataFrame) -> list[dict]:
    """A row whose plan is below last year's fact (reported), far below (flagged)."""
    rule = rules()["plan_below_fact"]
    rows = frame[frame["plan_value"].notna() & frame["fact_value"].notna() & (frame["fact_value"] > 0)]
    share = rows["plan_value"] / rows["fact_value"]
    below = rows[share < rule["report_below"]]
    share = share[below.index]
    details = [_("plan {year}: {plan} is {share}% of last year's fact {fact}").format(
        year=int(year), plan=_num(plan), share=round(100 * s), fact=_num(fact))
        for year, plan, s, fact in zip(below["year"], below["plan_value"], share, below["fact_value"], strict=True)]
    return _findings("plan_below_fact", (share < rule["flag_below"]).tolist(), below, "plan_value",
                     below["plan_value"], below["fact_value"], details, [[k] for k in below["row_key"]],
                     _refs(below).tolist())


def outliers(frame: pd.DataFrame) -> list[dict]:
    """A district's summed figure ≥ `min_ratio` × (or ≤ 1/`min_ratio` of) its region's median for the
    same indicator, year and unit, and a robust z-score beyond `modified_z`."""
    rule = rules()["outlier"]
    measure = rule["measure"]
    data = frame[frame["indicator_id"].notna() & frame["district_id"].notna() & frame[measure].notna()]
    group_keys = ["region_id", "indicator_id", "year", "unit_key"]
    data = data.assign(_pos=np.arange(len(data)))
    per_district = data.groupby([*group_keys, "district_id"]).agg(
        value=(measure, "sum"), first=("_pos", "min")).reset_index()
    grouped = per_district.groupby(group_keys)["value"]
    per_district["n"] = grouped.transform("size")
    per_district["median"] = grouped.transform("median")
    per_district["mad"] = (per_district["value"] - per_district["median"]).abs().groupby(
        [per_district[k] for k in group_keys]).transform("median")
    cand = per_district[(per_district["n"] >= rule["min_districts"]) & (per_district["median"] > 0)]
    ratio = cand["value"] / cand["median"]
    diff = cand["value"] - cand["median"]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(cand["mad"] > 0, 0.6745 * diff / cand["mad"], np.inf * np.sign(diff))
    far = (np.abs(z) >= rule["modified_z"]) & ~((rule["min_ratio"] > ratio) & (ratio > 1 / rule["min_ratio"]))
    hits = cand[far].assign(ratio=ratio[far])
    at = data.iloc[hits["first"].to_numpy()]  # the district's first row: its place and unit
    row_keys: dict[tuple, list] = {key: [] for key in zip(*(hits[c].tolist() for c in [*group_keys, "district_id"]), strict=True)}
    for key, row_key in zip(zip(*(data[c].tolist() for c in [*group_keys, "district_id"]), strict=True), data["row_key"].tolist(), strict=True):
        if key in row_keys:
            row_keys[key].append(row_key)
    details = [_("{measure} {value} is {ratio}× the median {median} of {n} districts of the region").format(
        measure=_MEASURE[measure](), value=_num(v), ratio=f"{r:.1f}", median=_num(m), n=n)
        for v, r, m, n in zip(hits["value"], hits["ratio"], hits["median"], hits["n"], strict=True)]
    return _findings("outlier", [True] * len(hits), at, measure, hits["value"], hits["median"], details,
                     list(row_keys.values()), _refs(at).tolist())


def findings(items: pd.DataFrame, *, region: str | None = None, years=None) -> pd.DataFrame:
    """Every finding of every check over the current plans (optionally one region / some years)."""
    frame = _prepare(items, region_id=region, years=years)
    frame = frame[[c for c in CHECKED_COLUMNS if c in frame.columns]]  # a row read is 15 cells, not 60
    found = subitems_vs_total(frame) + plan_below_fact(frame) + outliers(frame)
    out = pd.DataFrame(found, columns=FINDING_COLUMNS)
    return out.sort_values(["check", "region_id", "district_latin", "indicator_id"], na_position="last",
                           kind="stable").reset_index(drop=True)


def flag_rows(items: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """Items with the flagged findings added to their rows' `flags` ("code: detail"); a clean row
    becomes `flagged`, a corrected one stays `corrected` (the clerk already looked at it)."""
    extra: dict[str, list[str]] = {}
    flagged = found.loc[found["flag"].astype(bool)] if len(found) else found.iloc[0:0]
    if flagged.empty:
        return items
    for code, detail, keys in zip(flagged["code"].tolist(), flagged["detail"].tolist(), flagged["row_keys"].tolist(),
                                  strict=True):
        for key in keys:
            extra.setdefault(key, []).append(f"{code}: {detail}")
    if not extra:
        return items
    out = items.copy()
    row_keys = out["row_key"].tolist()
    hit = [k in extra for k in row_keys]
    old = out["flags"].tolist()
    out["flags"] = [
        (f"{o}; " if isinstance(o, str) and o else "") + "; ".join(dict.fromkeys(extra[k])) if h else o
        for k, h, o in zip(row_keys, hit, old, strict=True)
    ]
    out["flags"] = out["flags"].astype(items["flags"].dtype)
    hit = pd.Series(hit, index=out.index)
    out.loc[hit & (out["status"] == "ok"), "status"] = "flagged"
    return out


# What the checks read. Review state (status, flags) is left out: accepting a row or picking a
# section changes no value, so the findings stay; which document speaks for a plan is keyed apart.
_INPUTS = ("document_id", "source_file", "page", "region_id", "district_id", "district_latin", "year",
           "section_no", "item_no", "parent_item_no", "indicator_id", "unit_id", "plan_value", "fact_value",
           "row_key")
_cache: dict[tuple, pd.DataFrame] = {}
# `values_key`: a caller that can tell the values are unchanged (the review page: same import, same value
# corrections, same language — an acceptance changes no value) skips even the fingerprints
_last: dict = {}


def _fingerprint(items: pd.DataFrame) -> tuple:
    columns = [c for c in _INPUTS if c in items.columns]
    values = int(pd.util.hash_pandas_object(items[columns], index=False).sum())
    chosen = tuple(sorted(map(str, one_plan_per_district_year(items)["document_id"].unique())))
    return len(items), values, hash(chosen), get_language()


def with_consistency_flags(items: pd.DataFrame, *, values_key: tuple | None = None) -> pd.DataFrame:
    """The current items with every flagged finding on its rows (see `flag_rows`). The findings of
    the last items seen are kept: every load of the dataset (each review action, each export) would
    otherwise run all checks again over the whole store for the same values."""
    if items.empty or "district_id" not in items.columns:
        return items
    if values_key is not None and _last.get("key") == values_key:  # the caller knows no value changed
        return flag_rows(items, _last["found"])
    # every check stays inside one region (a plan's sub-items, a row's plan and fact, a region's
    # districts): findings are kept per region, so a clerk's change in one region re-checks that one
    found, kept = [], {}
    regions = items["region_id"].astype("string").fillna("") if "region_id" in items.columns else None
    for region, part in (items.groupby(regions, sort=False) if regions is not None else [("", items)]):
        key = (region, *_fingerprint(part))
        part_found = _cache.get(key)
        if part_found is None:
            part_found = findings(part)
        kept[key] = part_found
        found.append(part_found)
    _cache.clear()
    _cache.update(kept)
    everything = pd.concat(found, ignore_index=True)
    _last.clear()
    if values_key is not None:
        _last.update(key=values_key, found=everything)
    return flag_rows(items, everything)

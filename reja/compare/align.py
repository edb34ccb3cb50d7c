"""Align plans by canonical indicator: the analyst's view of the dataset.

Input is the items table (the columns of `reja.schema.dataset`); output is a set of plain DataFrames
that the XLSX and HTML writers render. A "plan" is one district's plan for one year; when the store
holds two current documents for the same district and year, `reja.compare.plans` picks one (the rule
the regional views share) and the choice is listed in `Comparison.notes`.

Values of several items mapped to the same indicator in one plan are added up (a plan may split
an activity over rows); the number of rows behind each figure is kept, so a sum is never mistaken
for a single row. Where no indicator matched, the item stays visible in `unaligned` and is still
counted per section in `sections`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from reja.i18n import _

from .plans import choose_plans, plan_place


@dataclass
class Comparison:
    plans: pd.DataFrame  # one row per plan: plan label, district, region, year, document, counts
    values: pd.DataFrame  # long: plan × indicator with plan/fact values, row counts, doubt markers
    side_by_side: pd.DataFrame  # wide: indicator rows, a plan/fact column pair per plan
    changes: pd.DataFrame  # per district: indicator change between consecutive selected years
    plan_vs_fact: pd.DataFrame  # per plan and indicator: this year's plan against last year's fact
    presence: pd.DataFrame  # indicator × plan: present or not, and in which plans only
    coverage: pd.DataFrame  # per plan: share of the catalogue's indicators the plan covers
    sections: pd.DataFrame  # section × plan item counts (alignment where no indicator matched)
    unaligned: pd.DataFrame  # items without an indicator, listed with their source
    sources: pd.DataFrame  # every item behind a figure: file, page, item number
    notes: list[str] = field(default_factory=list)
    # the region questions (empty frames when the items carry no gazetteer ids)
    region_totals: pd.DataFrame = field(default_factory=pd.DataFrame)  # region × indicator × year × unit
    completeness: pd.DataFrame = field(default_factory=pd.DataFrame)  # every district of the region(s)
    fulfilment: pd.DataFrame = field(default_factory=pd.DataFrame)  # plan N against fact N (plan N+1)
    findings: pd.DataFrame = field(default_factory=pd.DataFrame)  # consistency checks, with their rows
    matrix: pd.DataFrame = field(default_factory=pd.DataFrame)  # district × indicator [unit] per region and year
    missing: list[str] = field(default_factory=list)  # asked for but absent: "Jondor: no plan for 2025"


def plan_label(district: str | None, year) -> str:
    name = district if isinstance(district, str) and district else "unknown district"
    return f"{name} {int(year)}" if pd.notna(year) else name


def _latin_place_names(items: pd.DataFrame, kind: str) -> pd.Series:
    """The gazetteer's Latin name of each row's district or region (plans write it in either
    script), falling back to the name as written when the place was not matched."""
    id_col = f"{kind}_id"
    if id_col not in items.columns:
        return items[kind]
    from reja.normalize.places import load_places

    places = load_places()
    if kind == "district":
        names = {p.district_id: p.name_latn for p in places if p.district_id}
    else:
        names = {p.region_id: p.name_latn for p in places if p.kind == "region"}
    latin = items[id_col].map(lambda i: names.get(i) if isinstance(i, str) else None)
    return latin.where(latin.notna(), items[kind])


def catalogue_names() -> tuple[dict[str, str], int]:
    """Indicator id → Latin name, and how many indicators the catalogue has."""
    from reja.schema.catalogue import load_catalogue

    cat = load_catalogue()
    return {i.id: i.name_latn for i in cat.indicators.values()}, len(cat.indicators)


def indicator_labels(comparison: Comparison) -> dict[str, str]:
    """Indicator id → name: the names the comparison was made with, else the catalogue's."""
    values = comparison.values
    return catalogue_names()[0] | dict(zip(values["indicator_id"], values["indicator"], strict=True))


def matrix_column_label(column: str, names: dict[str, str]) -> str:
    """"book_issue [nusxa]" → "Kitob berish [nusxa]"."""
    indicator, _sep, unit = column.partition(" [")
    return f"{names.get(indicator, indicator)} [{unit}" if unit else names.get(indicator, indicator)


def select_items(
    items: pd.DataFrame,
    *,
    years: list[int] | None = None,
    districts: list[str] | None = None,
    regions: list[str] | None = None,
) -> pd.DataFrame:
    """Filter items by year and by district/region. A name the gazetteer knows ("Gijduvon",
    "Ғиждувон", "Buxoro shahri", or an id) selects by gazetteer id; a name it does not know matches
    any part of the plan's name as written, in either script. A name that fits two places
    ("Buxoro": the district and the city) is refused (`PlaceLookupError`) with both named."""
    out = items
    if years:
        out = out[out["year"].isin([int(y) for y in years])]
    for column, wanted, kinds in (("district", districts, ("district", "city")), ("region", regions, ("region",))):
        if wanted:
            mask = pd.Series(False, index=out.index)
            for name in wanted:
                mask |= _place_mask(out, column, name, kinds)
            out = out[mask]
    return out


def _place_mask(items: pd.DataFrame, column: str, name: str, kinds: tuple[str, ...]) -> pd.Series:
    from reja.normalize.keys import match_key

    from .places import find_places, resolve

    id_column = f"{column}_id"
    if id_column in items.columns and find_places(name, kinds):
        place = resolve(name, kinds)  # raises when the name fits two places
        return items[id_column] == (place.district_id if column == "district" else place.region_id)
    key = match_key(name)
    return items[column].fillna("").astype(str).map(match_key).str.contains(key, regex=False)


def _one_document_per_plan(items: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The shared rule (`reja.compare.plans`), with a note for every plan that had several documents."""
    chosen, choices = choose_plans(items)
    names = items.drop_duplicates("document_id").set_index("document_id")["district"]
    for row in choices.itertuples():
        notes.append(_("{plan}: {n} documents in the store; compared the one with the fewest flagged rows "
                       "(document {kept}), ignored {dropped}").format(
            plan=plan_label(names.get(row.kept), row.year), n=1 + len(row.dropped), kept=row.kept,
            dropped=", ".join(map(str, row.dropped))))
    return chosen


def _plan_labels(chosen: pd.DataFrame) -> pd.Series:
    """"Jondor tumani 2025" per row. A plan that stands alone (its district not identified) keeps its
    own label even when another plan is written with the same name: its document id is added, so two
    plans are never summed under one label."""
    labels = pd.Series([plan_label(d, y) for d, y in zip(chosen["district"], chosen["year"], strict=True)],
                       index=chosen.index, dtype=object)
    place = plan_place(chosen)
    per_label = pd.DataFrame({"label": labels, "place": place, "year": chosen["year"]}).drop_duplicates()
    shared = per_label.groupby("label")["place"].transform("size") > 1
    clash = set(per_label.loc[shared, "label"])
    alone = place.str.startswith("doc:") & labels.isin(clash)
    labels[alone] = labels[alone] + " (" + _("document") + " " + chosen.loc[alone, "document_id"].astype(str) + ")"
    return labels


def _doubt(frame: pd.DataFrame) -> pd.Series:
    """Per row: 'corrected' beats 'flagged' beats ''. Shown next to every figure."""
    status = frame["status"].fillna("ok")
    return status.where(status.isin(["flagged", "corrected"]), "")


def _source_ref(frame: pd.DataFrame) -> pd.Series:
    page = frame["page"].map(lambda p: f" p.{int(p)}" if pd.notna(p) else "")  # DOCX has no pages
    item = frame["item_no"].fillna("(no number)")
    return frame["source_file"].fillna("?") + page + " item " + item.astype(str)


def compare(
    items: pd.DataFrame,
    *,
    years: list[int] | None = None,
    districts: list[str] | None = None,
    regions: list[str] | None = None,
    indicator_names: dict[str, str] | None = None,
    catalogue_size: int | None = None,
) -> Comparison:
    notes: list[str] = []
    items = items.assign(district=_latin_place_names(items, "district"), region=_latin_place_names(items, "region"))
    chosen = select_items(items, years=years, districts=districts, regions=regions)
    if chosen.empty:
        raise ValueError(_("no items match the selection (check --years / --district / --region)"))
    chosen = _one_document_per_plan(chosen, notes).copy()
    chosen["plan"] = _plan_labels(chosen)
    chosen["doubt"] = _doubt(chosen)
    chosen["source"] = _source_ref(chosen)
    if indicator_names is None or catalogue_size is None:
        default_names, default_size = catalogue_names()
        indicator_names = default_names if indicator_names is None else indicator_names
        catalogue_size = default_size if catalogue_size is None else catalogue_size
    names = indicator_names

    # counted with the group's own sums, not a Python function a group (400 plans x 50 indicators)
    doubt = chosen["doubt"].astype(object)
    chosen = chosen.assign(is_flagged=(doubt == "flagged").astype("int64[pyarrow]"),
                           is_corrected=(doubt == "corrected").astype("int64[pyarrow]"))
    plans = (
        chosen.groupby("plan", sort=False)
        .agg(
            district=("district", "first"),
            region=("region", "first"),
            year=("year", "first"),
            document_id=("document_id", "first"),
            source_file=("source_file", "first"),
            items=("text", "size"),
            aligned=("indicator_id", "count"),
            flagged=("is_flagged", "sum"),
            corrected=("is_corrected", "sum"),
        )
        .reset_index()
        .sort_values(["year", "district"], kind="stable")
        .reset_index(drop=True)
    )
    plan_order = list(plans["plan"])

    aligned = chosen[chosen["indicator_id"].notna()]
    values = _values(aligned)
    values["indicator"] = values["indicator_id"].map(lambda i: names.get(i, i))
    values.loc[values["units"].str.contains(","), "doubt"] += " mixed units"
    values["doubt"] = values["doubt"].str.strip()

    side = _side_by_side(values, plan_order)
    changes = _changes(values, plans)
    plan_vs_fact = values.assign(
        change=values["plan_value"] - values["fact_value"],
        change_pct=_pct(values["plan_value"], values["fact_value"]),
    )[["plan", "indicator_id", "indicator", "fact_year", "fact_value", "year", "plan_value",
       "change", "change_pct", "doubt", "sources"]]
    plan_vs_fact = plan_vs_fact[plan_vs_fact["fact_value"].notna() | plan_vs_fact["plan_value"].notna()]

    presence = pd.crosstab(aligned["indicator_id"], aligned["plan"]).reindex(columns=plan_order, fill_value=0) > 0
    presence.insert(0, "indicator", presence.index.map(lambda i: names.get(i, i)))
    in_plans = presence[plan_order].apply(lambda r: [p for p in plan_order if r[p]], axis=1)
    presence["present_in"] = in_plans.map(", ".join)
    presence["absent_from"] = in_plans.map(lambda ps: ", ".join(p for p in plan_order if p not in ps))
    presence = presence.reset_index()

    total = max(catalogue_size, 1)
    coverage = plans[["plan", "items", "aligned"]].copy()
    coverage["indicators"] = coverage["plan"].map(aligned.groupby("plan")["indicator_id"].nunique()).fillna(0).astype(int)
    coverage["catalogue_indicators"] = total
    coverage["coverage_pct"] = (100 * coverage["indicators"] / total).round(1)
    coverage["unaligned"] = coverage["items"] - coverage["aligned"]

    sections = (
        pd.crosstab(chosen["section_id"].fillna("(unmatched section)"), chosen["plan"])
        .reindex(columns=plan_order, fill_value=0)
        .reset_index()
    )
    unaligned = chosen[chosen["indicator_id"].isna()][
        ["plan", "source_file", "page", "section_no", "section_id", "item_no", "text", "unit",
         "fact_value", "plan_value", "flags", "status"]
    ].reset_index(drop=True)
    sources = chosen[["plan", "indicator_id", "source_file", "page", "item_no", "text", "unit",
                      "fact_value", "plan_value", "status", "flags"]].reset_index(drop=True)
    from .questions import answer

    answers = answer(items, chosen, years=years, districts_selected=bool(districts))
    return Comparison(plans, values, side, changes, plan_vs_fact, presence, coverage, sections,
                      unaligned, sources, notes, **answers)


def _values(aligned: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator and plan: values summed, units and sources listed, the strongest doubt.
    Each column is a grouped sum or first, or one pass over the rows: a Python function a group
    cost ~10 s on 400 plans."""
    keys = ["indicator_id", "plan"]
    grouped = aligned.groupby(keys, sort=False)
    out = grouped.agg(district=("district", "first"), year=("year", "first"))
    for measure in ("plan_value", "fact_value"):
        out[measure] = grouped[measure].sum(min_count=1)
    out["fact_year"] = grouped["fact_year"].first()
    out["rows"] = grouped["text"].size()
    units: dict[tuple, set] = {}
    sources: dict[tuple, list] = {}
    doubts: dict[tuple, set] = {}
    for key, unit, source, doubt in zip(zip(aligned["indicator_id"], aligned["plan"], strict=True),
                                        aligned["unit_id"], aligned["source"], aligned["doubt"], strict=True):  # fmt: skip
        if unit is not None and not pd.isna(unit):
            units.setdefault(key, set()).add(str(unit))
        sources.setdefault(key, []).append(source)
        doubts.setdefault(key, set()).add(doubt)
    index = list(out.index)
    text = pd.StringDtype()  # as the grouped functions' results were typed
    out["units"] = pd.array([", ".join(sorted(units.get(k, ()))) for k in index], dtype=text)
    out["doubt"] = pd.array(["corrected" if "corrected" in doubts[k] else ("flagged" if "flagged" in doubts[k] else "")
                             for k in index], dtype=text)  # fmt: skip
    out["sources"] = pd.array(["; ".join(sources[k]) for k in index], dtype=text)
    return out.reset_index()


def _pct(new: pd.Series, old: pd.Series) -> pd.Series:
    old = old.where(old != 0)
    return ((new - old) / old * 100).round(1)


def _side_by_side(values: pd.DataFrame, plan_order: list[str]) -> pd.DataFrame:
    # unstack, not pivot_table: an indicator present with no numbers must keep its row
    wide = values.set_index(["indicator_id", "indicator", "plan"])[["fact_value", "plan_value"]].unstack("plan")
    columns = []
    for plan in plan_order:
        for measure in ("fact_value", "plan_value"):
            if (measure, plan) in wide.columns:
                columns.append((measure, plan))
    wide = wide.reindex(columns=columns)
    wide.columns = [f"{plan}: {'fact' if m == 'fact_value' else 'plan'}" for m, plan in wide.columns]
    doubts = values.set_index(["indicator_id", "indicator", "plan"])["doubt"].unstack("plan")
    wide["doubtful in"] = doubts.apply(
        lambda r: ", ".join(f"{p} ({r[p]})" for p in plan_order if p in r and isinstance(r[p], str) and r[p]),
        axis=1,
    ).reindex(wide.index).fillna("")
    shared = values.groupby(["indicator_id", "indicator"])["plan"].nunique()
    wide["plans"] = shared.reindex(wide.index).fillna(0).astype(int)
    return wide.reset_index().sort_values(["plans", "indicator_id"], ascending=[False, True]).reset_index(drop=True)


def _changes(values: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """Indicator change between consecutive selected years of the same district."""
    rows = []
    # each district-year's values split once (a filter of every value a district-year was quadratic)
    by_plan = {key: group for key, group in values.groupby(["district", "year"], sort=False)}
    empty = values.iloc[:0]
    for district, group in plans.groupby("district", sort=False):
        years = sorted(group["year"].dropna().unique())
        for old, new in zip(years, years[1:], strict=False):
            a = by_plan.get((district, old), empty).set_index("indicator_id")
            b = by_plan.get((district, new), empty).set_index("indicator_id")
            for ind in sorted(set(a.index) | set(b.index)):
                va = a["plan_value"].get(ind)
                vb = b["plan_value"].get(ind)
                rows.append({
                    "district": district, "indicator_id": ind,
                    "indicator": (b if ind in b.index else a)["indicator"].get(ind),
                    "from_year": int(old), "to_year": int(new),
                    "from_plan": va, "to_plan": vb,
                    "change": None if va is None or vb is None or pd.isna(va) or pd.isna(vb) else vb - va,
                    "status": "both" if ind in a.index and ind in b.index else (
                        f"only {int(old)}" if ind in a.index else f"only {int(new)}"),
                })
    frame = pd.DataFrame(rows, columns=["district", "indicator_id", "indicator", "from_year", "to_year",
                                        "from_plan", "to_plan", "change", "status"])
    frame["change_pct"] = _pct(frame["to_plan"].astype(float), frame["from_plan"].astype(float))
    return frame

"""The analyst's region questions, each one call, answered exactly as the generating spec says."""

from __future__ import annotations

import pandas as pd
import pytest

from reja.compare.consistency import findings, flag_rows
from reja.compare.fulfilment import fulfilment
from reja.compare.places import PlaceLookupError, find_places, resolve
from reja.compare.region import completeness, district_matrix, region_totals

from .region_batch import items_of, make_spec


@pytest.fixture(scope="module")
def spec():
    return make_spec()


@pytest.fixture(scope="module")
def items(spec):
    return items_of(spec)


def test_regional_total_of_book_loans_per_year(spec, items):
    totals = region_totals(items, region=spec.region_id, indicator="book_issue")
    got = {int(r.year): r.plan_total for r in totals.itertuples()}
    expected = {y: sum(p.plan["book_issue"] for p in spec.plans if p.year == y) for y in spec.years}
    assert got == expected
    last = spec.years[-1]
    row = totals[totals["year"] == last].iloc[0]
    assert row["districts"] == len(spec.districts) - len(spec.missing[last])
    assert set(row["not_contributing"]) == spec.missing[last]


def test_two_years_of_one_district_never_add_up(spec, items):
    one_year = region_totals(items, region=spec.region_id, year=spec.years[0], indicator="events")
    assert len(one_year) == 1
    assert one_year.iloc[0]["plan_total"] == sum(p.plan["events"] for p in spec.plans if p.year == spec.years[0])


def test_mixed_units_are_never_summed(spec, items):
    mixed = items.copy()
    first = mixed.index[(mixed["indicator_id"] == "events") & (mixed["year"] == spec.years[1])][0]
    mixed.loc[first, "unit_id"] = "nafar"
    totals = region_totals(mixed, region=spec.region_id, year=spec.years[1], indicator="events")
    assert sorted(totals["unit_id"]) == ["nafar", "tadbir"]
    assert totals.set_index("unit_id").loc["nafar", "plan_total"] == mixed.loc[first, "plan_value"]


def test_districts_without_a_2025_plan(spec, items):
    year = spec.years[-1]
    table = completeness(items, region=spec.region_id, year=year)
    assert set(table.loc[table["state"] == "missing", "district_id"]) == spec.missing[year]
    assert set(table["district_id"]) == set(spec.districts)  # cities included


def test_fulfilment_of_2024_plans_for_events(spec, items):
    year = spec.years[1]
    table = fulfilment(items, year=year, region=spec.region_id, indicator="events")
    planned = {p.district_id: p.plan["events"] for p in spec.plans if p.year == year}
    done = {p.district_id: p.fact["events"] for p in spec.plans if p.year == year + 1}
    expected = {d: round(done[d] / planned[d] * 100, 1) for d in planned if d in done}
    got = dict(zip(table["district_id"], table["fulfilment_pct"], strict=True))
    assert got == expected
    assert all(table["plan_row_keys"].map(len) == 1) and all(table["fact_row_keys"].map(len) == 1)


def test_totals_that_do_not_equal_their_sub_items(spec, items):
    found = findings(items, region=spec.region_id)
    subtotal = found[found["check"] == "subitems_vs_total"]
    assert set(zip(subtotal["district_id"], subtotal["year"].astype(int), strict=True)) == spec.bad_totals
    assert subtotal["flag"].all()
    assert all(len(keys) == 5 for keys in subtotal["row_keys"])  # the total and its four parts


def test_districts_whose_plan_is_below_last_years_fact(spec, items):
    found = findings(items, region=spec.region_id)
    below = found[found["check"] == "plan_below_fact"]
    got = set(zip(below["district_id"], below["year"].astype(int), below["indicator_id"], strict=True))
    assert got == spec.below_fact


def test_outlier_district_is_found(spec, items):
    found = findings(items, region=spec.region_id)
    out = found[found["check"] == "outlier"]
    got = set(zip(out["district_id"], out["year"].astype(int), out["indicator_id"], strict=True))
    assert got == spec.outliers


def test_findings_reach_the_clerks_queue_as_their_own_flags(spec, items):
    found = findings(items, region=spec.region_id)
    flagged = flag_rows(items, found)
    keys = {k for ks in found.loc[found["flag"], "row_keys"] for k in ks}
    rows = flagged[flagged["row_key"].isin(keys)]
    assert (rows["status"] == "flagged").all()
    assert rows["flags"].str.contains("consistency_").all()
    untouched = flagged[~flagged["row_key"].isin(keys)]
    assert (untouched["status"] == "ok").all()
    # a plan merely a little below last year's fact is reported, not sent to the clerk
    mild = found[(found["check"] == "plan_below_fact") & (found["ratio"] >= 0.5)]
    assert len(mild) and not mild["flag"].any()


def test_district_matrix_has_one_row_per_sending_district(spec, items):
    year = spec.years[-1]
    matrix = district_matrix(items, region=spec.region_id, year=year)
    assert len(matrix) == len(spec.districts) - len(spec.missing[year])
    assert "book_issue [nusxa]" in matrix.columns


@pytest.mark.parametrize("typed, expected", [
    ("Gijduvon", "1706215"), ("G'ijduvon", "1706215"), ("Ғиждувон тумани", "1706215"),
    ("Jondor", "1706246"), ("Жондор", "1706246"), ("buxoro shahri", "1706401"), ("Buxoro tumani", "1706207"),
])
def test_district_lookup_forgives_apostrophes_script_and_designators(typed, expected):
    assert resolve(typed, ("district", "city")).district_id == expected


def test_a_typed_designator_picks_the_region_or_the_capital():
    # the capital Toshkent shahri is a region of its own beside Toshkent viloyati
    assert resolve("Toshkent viloyati", ("region",)).region_id == "1727"
    assert resolve("Тошкент шаҳри", ("region",)).region_id == "1726"
    with pytest.raises(PlaceLookupError, match="Toshkent shahri.*Toshkent viloyati"):
        resolve("Toshkent", ("region",))


def test_an_ambiguous_bare_name_is_refused_with_both_places():
    with pytest.raises(PlaceLookupError, match="Buxoro tumani.*Buxoro"):
        resolve("Buxoro", ("district", "city"))
    assert find_places("Nowhere-town", ("district", "city")) == []


def test_place_names_in_both_scripts(items):
    from reja.compare.places import add_place_names

    named = add_place_names(items)
    assert named["district_latin"].notna().all()
    # a plan that wrote its district in Cyrillic is labelled with the gazetteer's Latin name
    cyr = named[named["district"].str.contains("[а-яА-Я]", regex=True)]
    assert len(cyr) and not cyr["district_latin"].str.contains("[а-яА-Я]", regex=True).any()
    assert pd.api.types.is_string_dtype(named["district_cyrillic"])


def test_fulfilment_joins_across_a_changed_unit_and_says_so(spec, items):
    """A district writes "tadbir" one year and "marta" the next: the figure is shown, marked."""
    year = spec.years[1]
    changed = items.copy()
    district = next(p.district_id for p in spec.plans if p.year == year + 1)
    rows = (changed["district_id"] == district) & (changed["year"] == year + 1) & (changed["indicator_id"] == "events")
    changed.loc[rows, "unit_id"] = "marta"
    table = fulfilment(changed, year=year, region=spec.region_id, indicator="events").set_index("district_id")
    assert table.loc[district, "units_differ"]
    assert table["units_differ"].sum() == 1
    plan = next(p.plan["events"] for p in spec.plans if p.year == year and p.district_id == district)
    fact = next(p.fact["events"] for p in spec.plans if p.year == year + 1 and p.district_id == district)
    assert table.loc[district, "fulfilment_pct"] == round(fact / plan * 100, 1)


def test_the_report_carries_the_district_matrix(spec, items, tmp_path):
    from reja.compare import compare, render_html, write_xlsx

    year = spec.years[-1]
    result = compare(items, years=[year], regions=[spec.region_id])
    sheet = pd.read_excel(write_xlsx(result, tmp_path / "c.xlsx"), sheet_name="District matrix")
    sending = len(spec.districts) - len(spec.missing[year])
    assert len(sheet) == sending and set(sheet["year"]) == {year}
    from reja.normalize.places import load_places

    from reja.compare.align import indicator_labels, matrix_column_label

    latin = {p.district_id: p.name_latn for p in load_places() if p.district_id}
    column = matrix_column_label("book_issue [nusxa]", indicator_labels(result))
    got = dict(zip(sheet["district_latin"], sheet[column], strict=True))
    assert got == {latin[p.district_id]: p.plan["book_issue"] for p in spec.plans if p.year == year}
    html = render_html(result)
    assert 'id="matrix"' in html and f"({sending} " in html


def test_region_totals_district_lists_are_plain_text_in_the_workbook(spec, items, tmp_path):
    """A list cell is written as its items joined by ", " — also the district ids, which pandas holds in an
    Arrow list column (to_excel wrote those as a Python repr, "['1703202', ...]")."""
    from reja.compare import compare, write_xlsx

    year = spec.years[-1]
    result = compare(items, years=[year], regions=[spec.region_id])
    sheet = pd.read_excel(write_xlsx(result, tmp_path / "c.xlsx"), sheet_name="Regional totals", dtype=str)
    sending = sorted(p.district_id for p in spec.plans if p.year == year)
    assert set(sheet["district_ids"]) == {", ".join(sending)}
    assert set(sheet["not_contributing"]) == {", ".join(sorted(spec.missing[year]))}

"""Comparison on a small hand-written items table: every expected figure is worked out by hand."""

import pandas as pd
import pytest

from reja.compare import compare, render_html, write_xlsx

COLUMNS = ["document_id", "source_file", "page", "region", "district", "year", "section_no", "section_id",
           "item_no", "text", "indicator_id", "unit", "unit_id", "fact_year", "fact_value", "plan_year",
           "plan_value", "flags", "status"]


def item(doc, district, year, item_no, indicator, plan, fact=None, status="ok", unit="copy", page=1):
    return dict(document_id=doc, source_file=f"{district.lower()}_{year}.pdf", page=page, region="Buxoro viloyati",
                district=district, year=year, section_no="I", section_id="acquisition", item_no=item_no,
                text=f"text {item_no}", indicator_id=indicator, unit="nusxa", unit_id=unit, fact_year=year - 1,
                fact_value=fact, plan_year=year, plan_value=plan, flags="" if status == "ok" else "x",
                status=status)


@pytest.fixture
def items():
    rows = [
        item(1, "Jondor", 2021, "1.1", "acq_total", 1000, fact=900),
        item(1, "Jondor", 2021, "1.2", "digitising", 5),
        item(1, "Jondor", 2021, "1.3", None, 7),
        item(2, "Jondor", 2025, "9", "acq_total", 1750, fact=1075),
        item(2, "Jondor", 2025, "9.2", "acq_total", 250, fact=230, status="flagged"),
        item(2, "Jondor", 2025, "26", "digitising", 4000, fact=3135, page=3),
        item(2, "Jondor", 2025, "27", "staff_training", 10, status="corrected"),
        item(3, "Izboskan", 2025, "9", "acq_total", 1500),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def test_values_are_summed_per_plan_and_indicator_with_row_counts(items):
    result = compare(items, districts=["Jondor"])
    v = result.values.set_index(["plan", "indicator_id"])
    assert v.loc[("Jondor 2025", "acq_total"), "plan_value"] == 2000  # 1750 + 250
    assert v.loc[("Jondor 2025", "acq_total"), "fact_value"] == 1305  # 1075 + 230
    assert v.loc[("Jondor 2025", "acq_total"), "rows"] == 2
    assert v.loc[("Jondor 2025", "acq_total"), "doubt"] == "flagged"
    assert v.loc[("Jondor 2025", "staff_training"), "doubt"] == "corrected"


def test_change_between_years_and_presence(items):
    result = compare(items, districts=["jondor"], years=[2021, 2025])
    ch = result.changes.set_index("indicator_id")
    assert ch.loc["acq_total", "change"] == 1000  # 2000 - 1000
    assert ch.loc["acq_total", "change_pct"] == 100.0
    assert ch.loc["digitising", "change"] == 3995  # 4000 - 5
    assert ch.loc["staff_training", "status"] == "only 2025"
    presence = result.presence.set_index("indicator_id")
    assert presence.loc["staff_training", "absent_from"] == "Jondor 2021"
    assert list(result.unaligned["item_no"]) == ["1.3"]


def test_plan_vs_previous_year_fact(items):
    result = compare(items, districts=["Jondor"], years=[2025])
    pvf = result.plan_vs_fact.set_index("indicator_id")
    assert pvf.loc["digitising", "change"] == 865  # 4000 - 3135
    assert pvf.loc["digitising", "change_pct"] == pytest.approx(27.6)


def test_districts_side_by_side_and_coverage(items):
    result = compare(items, years=[2025], catalogue_size=10)
    side = result.side_by_side.set_index("indicator_id")
    assert side.loc["acq_total", "Izboskan 2025: plan"] == 1500
    assert side.loc["acq_total", "Jondor 2025: plan"] == 2000
    assert side.loc["acq_total", "plans"] == 2
    cov = result.coverage.set_index("plan")
    assert cov.loc["Jondor 2025", "indicators"] == 3
    assert cov.loc["Jondor 2025", "coverage_pct"] == 30.0


def test_one_document_speaks_for_a_plan_held_twice(items):
    # two current documents of one identified district and year: the one without flagged rows is compared
    items = items.assign(district_id=items["district"].map({"Jondor": "1706246", "Izboskan": "1703214"}))
    again = items[items["document_id"] == 3].assign(document_id=4, plan_value=1600, status="flagged")
    result = compare(pd.concat([items, again]), districts=["Izboskan"])
    assert result.values["plan_value"].tolist() == [1500]
    assert "2 documents" in result.notes[0]


def test_empty_selection_is_a_clear_error(items):
    with pytest.raises(ValueError, match="no items match"):
        compare(items, years=[1999])


def test_reports_render_and_link_to_sources(items, tmp_path):
    result = compare(items)
    html = render_html(result)
    assert "<svg" in html
    assert "<script" not in html and "<link" not in html and 'src="http' not in html  # opens offline
    assert 'href="#src-jondor-2025-acq-total"' in html and 'id="src-jondor-2025-acq-total"' in html
    path = write_xlsx(result, tmp_path / "c.xlsx")
    side = pd.read_excel(path, sheet_name="Side by side").set_index("indicator_id")
    assert side.loc["acq_total", "Jondor 2025: plan"] == 2000


def test_the_same_comparison_renders_the_same_report_byte_for_byte(items, monkeypatch):
    # matplotlib names clip paths and markers with random ids unless salted; the date is the one given
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    first = render_html(compare(items))
    assert "clip-path=" in first and "2026-01-01 00:00 UTC" in first  # the charts have clipped parts
    assert render_html(compare(items)) == first


def test_indicator_without_numbers_keeps_its_row(items):
    bare = items.assign(plan_value=None, fact_value=None)
    result = compare(bare, years=[2025])
    side = result.side_by_side.set_index("indicator_id")
    assert side.loc["acq_total", "plans"] == 2
    assert pd.isna(side.loc["acq_total", "Jondor 2025: plan"])


def test_regional_tables_use_the_indicator_names_the_comparison_was_made_with(items):
    ids = {"Jondor": ("1706", "1706246"), "Izboskan": ("1703", "1703214")}
    placed = items.assign(region_id=items["district"].map(lambda d: ids[d][0]),
                          district_id=items["district"].map(lambda d: ids[d][1]),
                          row_key=[f"k{i}" for i in range(len(items))])
    from reja.schema.dataset import ITEM_FIELDS, coerce

    placed = coerce(placed.assign(document_id=placed["document_id"].astype(str)), ITEM_FIELDS)
    html = render_html(compare(placed, years=[2025], indicator_names={"acq_total": "Fond (o'z nomi)"}))
    start = html.index('id="totals"')
    totals = html[start:html.index("<h2", start + 1)]  # the regional totals table alone
    assert "Fond (o&#39;z nomi)" in totals

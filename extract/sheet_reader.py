"""Spreadsheet (XLSX/XLSM; XLS and ODS after LibreOffice) → IR Document with openpyxl.

A workbook plan is a sheet: a title block in merged cells above a table whose header names the
columns. The reader
- picks the plan sheet by content (the sheet with a plan header and the most rows under it; the
  other sheets are named in the warnings), never by its name or position;
- turns the rows above the header into paragraphs placed by their cells' columns, so the side-by-side
  KELISHILDI / TASDIQLAYMAN blocks are told apart as in a PDF;
- gives the table merged cells as spans (as a Word table's), numbers as the numbers stored (1750 with
  the format "1 750" is "1750"; the displayed string is never re-parsed), formulas as their cached
  values — a formula with no cached value is never read as 0: its cell is empty and noted
  `formula_uncached`;
- leaves hidden rows and columns out, counted in the warnings.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from reja.extract.errors import CorruptFile, TooLarge
from reja.extract.ir import Cell, Document, Paragraph, Table
from reja.extract.limits import Deadline, Limits
from reja.extract.settings import HeaderScores

HEADER_SEARCH_ROWS = 40  # a title block in a workbook rarely takes more than a dozen rows
_COL_WIDTH = 100.0  # bbox units per column and per row: positions only need to be comparable
_ROW_HEIGHT = 20.0
# A formula cell in the sheet XML that has no cached <v> value.
_FORMULA_CELL_RE = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3}\d{1,7})"[^>]*>(.*?)</c>', re.S)


@dataclass
class _Sheet:
    title: str
    rows: list[int]  # visible sheet rows (1-based), in order
    cols: list[int]  # visible sheet columns (1-based), in order
    values: dict[tuple[int, int], str]  # (row, col) → text of the cell, anchors only
    spans: dict[tuple[int, int], tuple[int, int]]  # anchor → (last row, last col) of its merge
    uncached: set[tuple[int, int]] = field(default_factory=set)
    hidden_rows: int = 0
    hidden_cols: int = 0


def read_sheets(path: Path, *, name: str, scores: HeaderScores, limits: Limits | None = None,
                deadline: Deadline | None = None, fmt: str = "xlsx") -> Document:
    """Read the plan sheet of a workbook into the IR (see the module docstring); `scores`: the parse
    settings' header scores (`ParseSettings.header`), which find the plan sheet's header."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    limits = limits or Limits()
    uncached = _uncached_formula_cells(path, name)
    try:
        with open(path, "rb") as fh:  # a file object: openpyxl would refuse a workbook named .docx
            wb = load_workbook(fh, data_only=True, read_only=False, keep_links=False)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, EOFError, IndexError,
            AttributeError, InvalidFileException, SyntaxError) as exc:  # SyntaxError: ElementTree's ParseError
        raise CorruptFile(name, f"damaged workbook ({type(exc).__name__}: {exc})") from exc
    try:
        sheets: list[_Sheet] = []
        hidden_sheets: list[str] = []
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                hidden_sheets.append(ws.title)
                continue
            if deadline is not None:
                deadline.check()
            sheets.append(_read_sheet(ws, uncached.get(ws.title, set()), limits, name))
    finally:
        wb.close()
    return _document(sheets, hidden_sheets, name, fmt, scores)


def _text(value) -> str:
    """A stored value as text: numbers as the number (never its display format), dates as dd.mm.yyyy."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(round(value, 10))
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == dt.time() else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, (dt.date, dt.time)):
        return value.strftime("%d.%m.%Y") if isinstance(value, dt.date) else value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value)
    return "" if text.startswith("#") and text.endswith(("!", "?", "/0", "N/A")) else text  # #REF!, #DIV/0!


def _read_sheet(ws, uncached: set[tuple[int, int]], limits: Limits, name: str) -> _Sheet:
    max_row, max_col = ws.max_row or 0, ws.max_column or 0
    if max_row > limits.max_table_rows:
        raise TooLarge(name, f"sheet {ws.title!r} has {max_row} rows (limit {limits.max_table_rows})")
    hidden_rows, hidden_cols = _hidden(ws, max_row, max_col)
    values = _cell_texts(ws, max_row, max_col)
    spans = _merged_spans(ws, values)
    rows, cols, n_hidden_rows, n_hidden_cols = _visible(values, uncached, hidden_rows, hidden_cols)
    return _Sheet(ws.title, rows, cols, values, spans, uncached & {(r, c) for r in rows for c in cols},
                  n_hidden_rows, n_hidden_cols)


def _visible(values: dict[tuple[int, int], str], uncached: set[tuple[int, int]], hidden_rows: set[int],
             hidden_cols: set[int]) -> tuple[list[int], list[int], int, int]:
    """The visible rows and columns up to the last one used, and how many hidden ones held something
    (a hidden row or column is left out only where it holds something: an empty one changes nothing)."""
    last_row = max({r for r, _ in values} | {r for r, _ in uncached}, default=0)
    last_col = max({c for _, c in values} | {c for _, c in uncached}, default=0)
    counted_rows = {r for r in hidden_rows if any((r, c) in values for c in range(1, last_col + 1))}
    counted_cols = {c for c in hidden_cols if any((r, c) in values for r in range(1, last_row + 1))}
    rows = [r for r in range(1, last_row + 1) if r not in hidden_rows]
    cols = [c for c in range(1, last_col + 1) if c not in hidden_cols]
    return rows, cols, len(counted_rows), len(counted_cols)


def _hidden(ws, max_row: int, max_col: int) -> tuple[set[int], set[int]]:
    """The sheet's hidden rows and columns (1-based)."""
    hidden_rows = {r for r, d in ws.row_dimensions.items() if d.hidden and r <= max_row}
    hidden_cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min:
            hidden_cols.update(range(dim.min, min(dim.max or dim.min, max_col) + 1))
    return hidden_rows, hidden_cols


def _cell_texts(ws, max_row: int, max_col: int) -> dict[tuple[int, int], str]:
    """(row, col) → the text of every cell that holds something."""
    values: dict[tuple[int, int], str] = {}
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for cell in row:
            if cell.value is not None:
                text = _text(cell.value).strip()
                if text:
                    values[(cell.row, cell.column)] = text
    return values


def _merged_spans(ws, values: dict[tuple[int, int], str]) -> dict[tuple[int, int], tuple[int, int]]:
    """Anchor → (last row, last col) of each merge; what `values` holds under a merge but its anchor is dropped."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        if rng.max_row > rng.min_row or rng.max_col > rng.min_col:
            spans[(rng.min_row, rng.min_col)] = (rng.max_row, rng.max_col)
            for r in range(rng.min_row, rng.max_row + 1):  # openpyxl keeps nothing there; be sure
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        values.pop((r, c), None)
    return spans


def uncached_formula_count(path: Path, name: str) -> int:
    """How many formula cells of the workbook have no cached value."""
    return sum(len(cells) for cells in _uncached_formula_cells(path, name).values())


def _uncached_formula_cells(path: Path, name: str) -> dict[str, set[tuple[int, int]]]:
    """Sheet title → cells whose formula has no cached value (the workbook was written by a program
    that does not calculate). openpyxl's data_only load gives None for them, like an empty cell."""
    from openpyxl.utils.cell import coordinate_to_tuple

    out: dict[str, set[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            titles = _sheet_titles(zf)
            for part, title in titles.items():
                try:
                    data = zf.read(part)
                except KeyError:
                    continue
                if b"<f" not in data:
                    continue
                found = set()
                for m in _FORMULA_CELL_RE.finditer(data):
                    body = m.group(2)
                    if b"<f" in body and (b"<v>" not in body and b"<v " not in body or b"<v></v>" in body):
                        found.add(coordinate_to_tuple(m.group(1).decode()))
                if found:
                    out[title] = found
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFile(name, f"damaged workbook ({type(exc).__name__}: {exc})") from exc
    return out


def _sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name → sheet title, from workbook.xml and its relationships."""
    import xml.etree.ElementTree as ET  # parts are small and were size-checked by check_zip

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    out = {}
    for sheet in wb.iter(f"{ns_main}sheet"):
        part = targets.get(sheet.get(f"{ns_rel}id"))
        if part:
            out[part] = sheet.get("name", "")
    return out


# -- the plan sheet and its table ------------------------------------------------------------------


def _as_table(sheet: _Sheet, first_row: int = 0, index: int = 0) -> Table:
    """Sheet rows sheet.rows[first_row:] as one IR table, merges as spans over the visible grid."""
    rows = sheet.rows[first_row:]
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: i for i, c in enumerate(sheet.cols)}
    cells: list[Cell] = []
    anchors = set(sheet.values) | set(sheet.spans) | sheet.uncached
    for r, c in sorted(anchors):
        if r not in row_at or c not in col_at:
            continue
        last_r, last_c = sheet.spans.get((r, c), (r, c))
        rowspan = sum(1 for x in rows if r <= x <= last_r)
        colspan = sum(1 for x in sheet.cols if c <= x <= last_c)
        cell = Cell(row_at[r], col_at[c], sheet.values.get((r, c), ""), rowspan=max(rowspan, 1),
                    colspan=max(colspan, 1), page=1)
        if (r, c) in sheet.uncached:
            cell.notes.append(f"formula_uncached: sheet {sheet.title!r} cell {_coordinate(r, c)} has a formula "
                              "with no saved value (open and save the workbook in Excel or LibreOffice)")
        cells.append(cell)
    return Table(index=index, n_rows=len(rows), n_cols=len(sheet.cols), cells=cells, page=1)


def _coordinate(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _header_at(table: Table, scores: HeaderScores) -> int | None:
    from reja.extract.header import header_span

    for r in range(min(table.n_rows, HEADER_SEARCH_ROWS)):
        if header_span(table, r, scores):
            return r
    return None


def _title_paragraphs(table: Table, header_at: int) -> list[Paragraph]:
    """Cells above the header as positioned lines: the title-block parser tells side-by-side
    signature blocks apart by these positions, as it does on a PDF page."""
    out = []
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if cell.row >= header_at or not cell.text.strip():
            continue
        x0, x1 = cell.col * _COL_WIDTH, (cell.col + cell.colspan) * _COL_WIDTH - 1
        for k, line in enumerate(cell.text.splitlines()):
            if not line.strip():
                continue
            top = cell.row * _ROW_HEIGHT + k * 0.1
            out.append(Paragraph(line.strip(), page=1, bbox=(x0, top, x1, top + _ROW_HEIGHT * 0.75)))
    return out


def _document(sheets: list[_Sheet], hidden_sheets: list[str], name: str, fmt: str, scores: HeaderScores) -> Document:
    doc = Document(source=name, format=fmt, page_count=1)
    found = _plan_sheets(sheets, scores)
    if hidden_sheets:
        doc.warnings.append(f"{len(hidden_sheets)} hidden sheet(s) not read: "
                            + ", ".join(repr(t) for t in hidden_sheets))
    if not found:
        # no plan header anywhere: hand over the fullest sheet (the parser may still guess its
        # columns) and say what the workbook holds
        doc.warnings.append(_nothing_found(sheets))
        fullest = max(sheets, key=lambda s: len(s.values), default=None)
        if fullest is not None and fullest.values:
            doc.blocks.append(_as_table(fullest))
        return doc
    _, sheet, table, at = max(found, key=lambda f: f[0])
    _say_what_was_left_out(doc, sheets, sheet)
    doc.blocks.extend(_title_paragraphs(table, at))
    body = _as_table(sheet, first_row=at)
    doc.blocks.append(body)
    n_uncached = sum(1 for c in body.cells if c.notes)
    if n_uncached:
        doc.warnings.append(f"sheet {sheet.title!r}: {n_uncached} formula cell(s) without a saved value")
    return doc


def _plan_sheets(sheets: list[_Sheet], scores: HeaderScores) -> list[tuple[int, _Sheet, Table, int]]:
    """(filled rows from the header down, sheet, its table, header row) of every sheet with a plan header."""
    found = []
    for sheet in sheets:
        table = _as_table(sheet)
        at = _header_at(table, scores)
        if at is not None:
            found.append((sum(1 for r in range(at, table.n_rows) if any(table.row_texts(r))), sheet, table, at))
    return found


def _say_what_was_left_out(doc: Document, sheets: list[_Sheet], sheet: _Sheet) -> None:
    """Warnings naming the other sheets with content, and the plan sheet's hidden rows and columns."""
    others = [s.title for s in sheets if s is not sheet and s.values]
    if others:
        doc.warnings.append(f"plan read from sheet {sheet.title!r}; other sheets not read: "
                            + ", ".join(repr(t) for t in others))
    if sheet.hidden_rows or sheet.hidden_cols:
        doc.warnings.append(f"sheet {sheet.title!r}: {sheet.hidden_rows} hidden row(s) and "
                            f"{sheet.hidden_cols} hidden column(s) with content left out")


def _nothing_found(sheets: list[_Sheet]) -> str:
    if not sheets:
        return "no visible sheet in the workbook"
    parts = [f"{len(sheets)} sheet(s), none with a №/activity header"]
    for sheet in sheets:
        cols = {c for _, c in sheet.values}
        parts.append(f"sheet {sheet.title!r} has {len(cols)} column(s) and {len({r for r, _ in sheet.values})} row(s)"
                     if sheet.values else f"sheet {sheet.title!r} is empty")
    return "; ".join(parts)

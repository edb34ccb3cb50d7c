"""Exports of the dataset to a folder: Parquet (canonical), CSV (UTF-8 with BOM, for Excel), XLSX (one
sheet per table, frozen header, filters, flagged rows yellow, corrected green, failed files red) and a Frictionless
`datapackage.json` describing every field.

The pandera contract (`reja.schema.dataset`) is checked on both tables BEFORE anything is written: a
frame that breaks it blocks the export (`DatasetContractError`) rather than shipping bad data. Every
export is written whole into a staging folder in the target folder and switched in (see
`write_tables`), so a reader never sees half a file and a failed export leaves the previous one intact.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import json
import math
import multiprocessing
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pandera.errors

from reja.db import is_server
from reja.files import atomic_path, default_mode
from reja.schema.dataset import (
    DOCUMENT_FIELDS,
    DOCUMENT_STATUSES,
    ITEM_FIELDS,
    ITEM_STATUSES,
    FieldDef,
    documents_schema,
    items_schema,
)
from reja.schema.flags import FLAG_CODES


class DatasetContractError(ValueError):
    """A table does not satisfy its pandera schema; the message lists the failures."""


def validate(items: pd.DataFrame, documents: pd.DataFrame) -> None:
    """Check both tables against the contract; raise DatasetContractError listing what is wrong."""
    problems = []
    for name, schema, frame in (("items", items_schema, items), ("documents", documents_schema, documents)):
        try:
            schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            problems.append(f"{name} table breaks its schema:\n" + _describe(exc.failure_cases))
    if problems:
        raise DatasetContractError("\n".join(problems))


def _describe(cases: pd.DataFrame) -> str:
    """One line per broken rule: which column, which check, how many rows, an example."""
    lines = []
    cases = cases.assign(column=cases["column"].where(cases["schema_context"] == "Column", "(table)"))
    for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=False):
        rows = sorted({int(i) for i in group["index"].dropna()})
        where = f"{len(rows)} row(s), e.g. rows {rows[:5]}" if rows else "the whole table"
        values = [v for v in group["failure_case"].tolist() if v is not None and not (column == "(table)" and rows)]
        example = f", value {values[0]!r}" if len(values) == 1 or (values and rows) else (
            f", values {values[:5]}" if values else ""
        )
        lines.append(f"  {column}: {check} — {where}{example}")
    return "\n".join(lines[:30]) + (f"\n  … and {len(lines) - 30} more rules" if len(lines) > 30 else "")


# A CSV cell starting with one of these is run as a formula (or DDE call) when Excel opens the file.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS = re.compile(r"[+-]?\d+(?:[.,]\d+)?|-")  # a plain number, or the lone dash plans write for "none"


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as the CSV shows it: a text cell that Excel would run as a formula gets one leading
    apostrophe ("=1+1" → "'=1+1"), the usual spreadsheet escape. Plain numbers ("-5") and a lone "-"
    are left alone.
    Only the CSV files get this; Parquet (canonical) and XLSX (strings written as strings) keep the text."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind in "biufcmM":  # numeric and dates cannot start a formula
            continue
        if isinstance(out[col].dtype, pd.StringDtype):  # text: only cells that start with a lead are looked at
            lead = out[col].str.slice(0, 1).isin(FORMULA_LEADS).fillna(False).to_numpy(dtype=bool)
            if lead.any():
                texts = out[col].to_numpy(dtype=object)
                risky = [i for i in lead.nonzero()[0] if not _HARMLESS.fullmatch(texts[i])]
                for i in risky:
                    texts[i] = "'" + texts[i]
                if risky:
                    out[col] = texts
            continue
        values = out[col].astype(object)
        risky = [isinstance(v, str) and v.startswith(FORMULA_LEADS) and not _HARMLESS.fullmatch(v)
                 for v in values]
        if any(risky):
            out[col] = [("'" + v) if r else v for v, r in zip(values, risky, strict=True)]
    return out


# What Python's csv module (pandas' CSV writer, minimal quoting, "\r\n" line ends) puts in quotes.
_CSV_QUOTED = '[,"\r\n]'


def csv_bytes(frame: pd.DataFrame, *, header: bool = True) -> bytes:
    """`frame.to_csv(index=False, header=header, lineterminator="\r\n")` encoded as UTF-8, the same
    bytes, made column by column with Arrow's compute functions (pandas hands every cell to Python's
    csv module: most of a big export's CSV time). A frame with a column of another kind goes to
    pandas."""
    if len(frame.columns) < 2 or any(_csv_column(frame[c].iloc[:0]) is None for c in frame.columns):
        return frame.to_csv(index=False, header=header, lineterminator="\r\n").encode("utf-8")
    head = (",".join(_csv_field(str(c)) for c in frame.columns) + "\r\n").encode("utf-8") if header else b""
    step = 50_000  # rows at a time: an Arrow string array holds at most 2 GiB
    return b"".join([head, *(_csv_lines(frame.iloc[i : i + step]) for i in range(0, len(frame), step))])


def _csv_lines(frame: pd.DataFrame) -> memoryview:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = [_csv_column(frame[c]) for c in frame.columns]
    columns[-1] = pc.binary_join_element_wise(columns[-1], pa.scalar("\r\n"), pa.scalar(""))  # the line end
    lines = pc.binary_join_element_wise(*columns, pa.scalar(","))
    # the lines' characters lie one after another in the array's data buffer: that is the text
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if re.search(_CSV_QUOTED, text) else text


def _csv_column(col: pd.Series):
    """A column's CSV cells as an Arrow string array, or None for a kind this path leaves to pandas."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(col.dtype, pd.StringDtype) or col.dtype == object:
        try:
            if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
                text = pa.chunked_array(pa.array(col.array)).combine_chunks()  # the column's own Arrow data
            else:
                text = pa.array(col.to_numpy(dtype=object, na_value=None), type=pa.string())
        except (pa.ArrowException, TypeError, ValueError):
            return None  # not only text: pandas writes it
        text = text.cast(pa.string()).fill_null("")
        need = pc.match_substring_regex(text, _CSV_QUOTED)
        if not pc.any(need).as_py():
            return text
        quoted = pc.binary_join_element_wise(pa.scalar('"'), pc.replace_substring(text, '"', '""'), pa.scalar('"'),
                                             pa.scalar(""))  # fmt: skip
        return pc.if_else(need, quoted, text)
    if col.dtype == np.float64:  # as pandas writes floats: numpy's str, no value empty
        values = col.to_numpy()
        text = values.astype(str)
        text[np.isnan(values)] = ""
        return pa.array(text, type=pa.string())
    if isinstance(col.dtype, pd.Int64Dtype):
        return pc.cast(pa.array(col.array), pa.string()).fill_null("")
    return None


def _to_cells(frame: pd.DataFrame) -> list[list]:
    """Python values for a spreadsheet: None for every kind of missing; see `excel_row`."""
    out = frame.astype(object).where(frame.notna(), None)
    cols = list(frame.columns)
    return [excel_row(row, cols) for row in out.values.tolist()]


def excel_row(values: list, columns: list[str]) -> list:
    """One spreadsheet row: text longer than a cell can hold is cut with a visible marker, and the
    row's flags (`flags`, else `meta_flags`) name the columns cut (code `cut_in_xlsx`)."""
    cut = [col for col, v in zip(columns, values, strict=True) if isinstance(v, str) and len(v) > EXCEL_CELL_MAX]
    if not cut:
        return values
    values = [excel_text(v) for v in values]
    flag_col = next((columns.index(c) for c in ("flags", "meta_flags") if c in columns), None)
    if flag_col is not None:
        flag = f"cut_in_xlsx: {', '.join(cut)}"
        values[flag_col] = excel_text("; ".join(x for x in (values[flag_col], flag) if x))
    return values


EXCEL_CELL_MAX = 32_767  # characters in one cell: Excel's limit; writers cut silently beyond it


def excel_text(value):
    """`value` as a spreadsheet cell can hold it: text over Excel's limit ends with a marker saying
    how much was cut (the Parquet export has all of it)."""
    if not isinstance(value, str) or len(value) <= EXCEL_CELL_MAX:
        return value
    marker = f" … [cut: {len(value)} characters in all, Excel holds {EXCEL_CELL_MAX}]"
    return value[:EXCEL_CELL_MAX - len(marker)] + marker


# rows of one worksheet: Excel's limit is 1,048,576 including the header row. A longer table goes on
# to further sheets ("items 2", "items 3" …, in row order), each with the header and filters: an
# analyst gets every row in the workbook, nothing lost and nothing refused (docs/dataset.md).
EXCEL_MAX_ROWS = 1_048_576


def write_xlsx(path: Path, items: pd.DataFrame, documents: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        _write_xlsx(tmp, items, documents)


class _Sheets:
    """One table written over as many worksheets as its rows need, row by row (constant memory)."""

    def __init__(self, wb, name: str, cols: list[str], header, widths: dict, rules: list, max_rows: int):
        self.wb, self.name, self.cols, self.header, self.widths, self.rules = wb, name, cols, header, widths, rules
        self.max_rows = max_rows
        self.sheets: list = []  # [worksheet, rows written]
        self._new()

    def _new(self) -> None:
        n = len(self.sheets) + 1
        ws = self.wb.add_worksheet(self.name if n == 1 else f"{self.name} {n}")
        ws.write_row(0, 0, self.cols, self.header)
        for c, col in enumerate(self.cols):
            ws.set_column(c, c, self.widths.get(col, 12))
        ws.freeze_panes(1, 0)
        self.sheets.append([ws, 0])

    def write(self, frame: pd.DataFrame) -> None:
        start = 0
        while start < len(frame):
            if self.sheets[-1][1] >= self.max_rows - 1:
                self._new()
            ws = self.sheets[-1]
            part = frame.iloc[start : start + self.max_rows - 1 - ws[1]]
            _write_rows(ws[0], ws[1] + 1, part)
            ws[1] += len(part)
            start += len(part)

    def finish(self) -> int:
        """Filters and row colours on every sheet; returns the number of sheets."""
        import xlsxwriter

        status_col = xlsxwriter.utility.xl_col_to_name(self.cols.index("status"))
        for ws, rows in self.sheets:
            last = max(rows, 1)
            ws.autofilter(0, 0, last, len(self.cols) - 1)
            for value, f in self.rules:
                ws.conditional_format(1, 0, last, len(self.cols) - 1,
                                      {"type": "formula", "criteria": f'=${status_col}2="{value}"', "format": f})  # fmt: skip
        return len(self.sheets)


# The rows of a big table are written as XML straight into the worksheet's row file, exactly as
# xlsxwriter's own write_row would write them in constant-memory mode (tests/store/test_xlsx_rows.py
# compares the two byte for byte), column by column and with each distinct text escaped once: write_row
# spends ~25 µs a row in Python (most of a national export: 1.1 M rows x 47 columns). A cell this path
# does not know (another type, NaN, text past half of Excel's cell limit, which `excel_row` may cut and
# flag) sends its row through xlsxwriter itself.
_ROW_MARK = "\x01"  # stands for the row number in a cell's XML (a control character: escaped in any text)
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_FAST_TEXT_MAX = EXCEL_CELL_MAX // 2  # xlsxwriter counts UTF-16 units only beyond this length


def _text_cell(head: str, text: str) -> str | None:
    if text == "":
        return ""  # xlsxwriter writes an empty string as a blank: no cell at all
    if len(text) > _FAST_TEXT_MAX:
        return None
    from xlsxwriter.utility import _preserve_whitespace
    from xlsxwriter.worksheet import Worksheet

    if _NEEDS_ESCAPE.search(text):
        text = Worksheet._escape_control_characters(text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f'{head}" t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def _column_cells(values: list, head: str) -> list:
    """Each value's cell XML (row number as `_ROW_MARK`), "" for no cell, None for one this path leaves
    to xlsxwriter."""
    seen: dict[str, str | None] = {}
    out = []
    for v in values:
        kind = v.__class__
        if kind is str:
            cell = seen.get(v, _ROW_MARK)
            if cell is _ROW_MARK:
                cell = seen[v] = _text_cell(head, v)
            out.append(cell)
        elif v is None:
            out.append("")
        elif kind is int or (kind is float and math.isfinite(v)):
            out.append(f'{head}"><v>{v:.16G}</v></c>')
        else:
            out.append(None)
    return out


def _write_rows(ws, first: int, frame: pd.DataFrame) -> None:
    """`frame`'s rows from sheet row `first` on, as `ws.write_row(r, 0, excel_row(...))` would write them."""
    from xlsxwriter.utility import xl_col_to_name

    if not len(frame):
        return
    names = list(frame.columns)
    values = frame.astype(object).where(frame.notna(), None)
    columns = [_column_cells(values[c].tolist(), f'<c r="{xl_col_to_name(j)}{_ROW_MARK}')
               for j, c in enumerate(names)]  # fmt: skip
    used = [j for j, cells in enumerate(columns) if any(cells)]
    ws._write_single_row(first)  # the row xlsxwriter still holds (the header) goes to the file first
    if used:
        ws._check_dimensions(first, used[0])
        ws._check_dimensions(first + len(frame) - 1, used[-1])
    buffer: list[str] = []
    for i, cells in enumerate(zip(*columns, strict=True)):
        row = first + i
        if None in cells:  # a cell xlsxwriter must write itself: this row goes through write_row
            ws.fh.write("".join(buffer))
            buffer = []
            ws.previous_row = row
            ws.write_row(row, 0, excel_row(values.iloc[i].tolist(), names))
            ws._write_single_row(row + 1)
            continue
        xml = "".join(cells)
        if xml:
            number = str(row + 1)
            buffer.append(f'<row r="{number}">{xml.replace(_ROW_MARK, number)}</row>')
        if len(buffer) >= 1000:
            ws.fh.write("".join(buffer))
            buffer = []
    ws.fh.write("".join(buffer))
    ws.previous_row = first + len(frame) - 1


# zlib level of the workbook's parts. xlsxwriter deflates at zlib's default (6); a national store's
# items sheets are ~2.5 GB of XML, which takes ~35 s at level 6 and ~12 s at level 1 for a file ~25%
# larger (measured on the generated national store's rows; docs/dataset.md). Any level is a valid ZIP.
XLSX_ZIP_LEVEL = 1


def _Workbook(*args, **kwargs):
    import xlsxwriter
    import xlsxwriter.workbook

    class Workbook(xlsxwriter.Workbook):
        def _store_workbook(self) -> None:  # the same package, deflated at XLSX_ZIP_LEVEL
            plain = xlsxwriter.workbook.ZipFile
            xlsxwriter.workbook.ZipFile = functools.partial(plain, compresslevel=XLSX_ZIP_LEVEL)
            try:
                super()._store_workbook()
            finally:
                xlsxwriter.workbook.ZipFile = plain

    return Workbook(*args, **kwargs)


def _write_xlsx(tmp: Path, items, documents: pd.DataFrame, *, max_rows: int = EXCEL_MAX_ROWS) -> int:
    """Write the workbook; `items` is a frame or an iterable of frames (pieces of one table, in
    order). Rows go straight to disk (xlsxwriter's constant-memory mode); a table longer than a sheet
    continues on further sheets. Returns the number of items sheets."""

    # strings stay strings: text from a plan must never become a formula or a link (CSV/XLSX injection)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "nan_inf_to_errors": True, "constant_memory": True}  # fmt: skip
    wb = _Workbook(str(tmp), options)
    # a national store's sheets pass 4 GiB of XML: without ZIP64 the workbook is refused at the very end
    # (FileSizeError after minutes of writing); a small workbook is written exactly as before
    wb.use_zip64()
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    flagged = wb.add_format({"bg_color": "#FFF2CC"})
    failed = wb.add_format({"bg_color": "#F8CBAD"})
    widths = {"text": 60, "text_latin": 60, "section_title": 30, "flags": 45, "error": 45, "source_file": 28,
              "responsible": 25, "mechanism": 25, "match_candidates": 30}  # fmt: skip
    legend = [("flag", "meaning")] + sorted(FLAG_CODES.items())
    corrected = wb.add_format({"bg_color": "#E2EFDA"})
    pieces = [items] if isinstance(items, pd.DataFrame) else items
    item_sheets = None
    for piece in pieces:
        if item_sheets is None:
            item_sheets = _Sheets(wb, "items", list(piece.columns), header, widths,
                                  [("flagged", flagged), ("corrected", corrected)], max_rows)  # fmt: skip
        item_sheets.write(piece)
    if item_sheets is None:  # no piece at all: the header of the contract's columns
        item_sheets = _Sheets(wb, "items", [f.name for f in ITEM_FIELDS], header, widths,
                              [("flagged", flagged), ("corrected", corrected)], max_rows)  # fmt: skip
    n_sheets = item_sheets.finish()
    doc_sheets = _Sheets(wb, "documents", list(documents.columns), header, widths,
                         [("partial", flagged), ("failed", failed)], max_rows)  # fmt: skip
    doc_sheets.write(documents)
    doc_sheets.finish()
    ws = wb.add_worksheet("flags")
    for r, (code, meaning) in enumerate(legend):
        ws.write_row(r, 0, [code, meaning], header if r == 0 else None)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 80)
    wb.close()
    return n_sheets


def _field_json(f: FieldDef) -> dict:
    out = {"name": f.name, "type": f.kind, "description": f.description}
    constraints = {}
    if f.required and not f.empty_ok:
        constraints["required"] = True
    if f.name == "status":
        constraints["enum"] = list(ITEM_STATUSES if f in ITEM_FIELDS else DOCUMENT_STATUSES)
    if constraints:
        out["constraints"] = constraints
    return out


def datapackage(files: dict[str, str]) -> dict:
    """Frictionless Data Package descriptor for the exported files (resource name → file name)."""
    schemas = {
        "items": {
            "fields": [_field_json(f) for f in ITEM_FIELDS],
            "primaryKey": ["document_id", "item_index"],
            "foreignKeys": [{"fields": ["document_id"], "reference": {"resource": "documents", "fields": ["document_id"]}}],
            "missingValues": [""],
        },
        "documents": {
            "fields": [_field_json(f) for f in DOCUMENT_FIELDS],
            "primaryKey": ["document_id"],
            "missingValues": [""],
        },
    }
    resources = []
    for table in ("items", "documents"):
        resources.append({
            "name": table, "path": files[f"{table}.csv"], "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8-sig", "schema": schemas[table],
            "description": "For Excel. A text cell that would start with =, +, -, @, tab or CR (and is not a plain "
            "number) has one leading apostrophe added so Excel shows it as text; the Parquet resource has the "
            "exact values.",
        })  # fmt: skip
    for table in ("items", "documents"):
        resources.append({
            "name": f"{table}-parquet", "path": files[f"{table}.parquet"], "format": "parquet",
            "mediatype": "application/vnd.apache.parquet", "schema": schemas[table],
        })  # fmt: skip
    resources.append({"name": "workbook", "path": files["reja.xlsx"], "format": "xlsx",
                      "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})  # fmt: skip
    return {
        "profile": "data-package",  # tabular CSV resources next to Parquet and XLSX files
        "name": "reja-dataset",
        "title": "District AKM work plans (ish rejasi) as one dataset",
        "description": "One row per plan activity (items) and per imported file (documents), written by reja. "
        "Only current (not superseded) plans are in items. Flags explain every row that needs review.",
        "resources": resources,
    }


EXPORT_NAMES = ("items.parquet", "items.csv", "documents.parquet", "documents.csv", "reja.xlsx", "datapackage.json")
STAGING_PREFIX = ".reja-export-"  # out/.reja-export-<pid>-<random>/: one export being written


def write_tables(out_dir: Path | str, items, documents: pd.DataFrame, *,
                 mode: int | None = None, split: bool = False) -> dict[str, Path]:
    """Validate, then write every export format. Returns file name → path.

    `items` is a frame, or an iterable of frames (pieces of the table in order, e.g.
    `reja.corrected.corrected_chunks`): each piece is checked against the contract and appended to
    every file (Parquet row groups, CSV lines, workbook rows), so memory stays that of one piece.
    A piece that breaks the contract stops the export before any file is switched in.

    The whole set is written into a staging folder inside `out_dir` and then switched in: the old
    files are moved aside, the new ones moved in, and on any failure (a file open in Excel on
    Windows, an immutable file, disk full, a piece breaking the contract) everything moved so far is
    moved back, so the previous export stays whole. Stale staging folders of killed exports are
    cleaned (or finished) first.
    `mode`: permission bits of the files (default: what the umask gives a new file); export_dataset
    passes the store's, so whoever can read the store can read its exports.
    `split`: the CSV and the workbook are written by a second process while this one reads the store
    and writes the Parquet file (`_write_split`; export_dataset asks for it on a big store).
    """
    if isinstance(items, pd.DataFrame):
        validate(items, documents)  # both tables checked before anything is written
        pieces = iter([items])
    else:
        validate(items_schema_empty(), documents)
        pieces = iter(items)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    clean_stale_exports(out)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=out))
    try:
        validated = isinstance(items, pd.DataFrame)
        if split and not multiprocessing.current_process().daemon:  # a daemon may not start a process
            parquet = _TableStreams(staging, csv=False)
            try:
                _write_split(staging, _checked(pieces, documents, parquet, validated), documents)
            finally:
                parquet.close()
        else:
            streams = _TableStreams(staging)
            try:
                _write_xlsx(staging / "reja.xlsx", _checked(pieces, documents, streams, validated), documents)
            finally:
                streams.close()
        documents.to_parquet(staging / "documents.parquet", index=False, engine="pyarrow")
        csv_safe(documents).to_csv(staging / "documents.csv", index=False, encoding="utf-8-sig", lineterminator="\r\n")
        descriptor = datapackage({name: name for name in EXPORT_NAMES})
        (staging / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n",
                                                  encoding="utf-8")
        file_mode = default_mode() if mode is None else mode & 0o666
        for name in EXPORT_NAMES:
            with open(staging / name, "rb+") as fh:
                os.fsync(fh.fileno())  # on disk before the switch: a crash never leaves an empty file
            os.chmod(staging / name, file_mode)
        (staging / _COMPLETE).touch()
        _switch_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {name: out / name for name in EXPORT_NAMES}


def items_schema_empty() -> pd.DataFrame:
    """An items frame with the contract's columns and no rows."""
    from reja.schema.dataset import coerce

    return coerce(pd.DataFrame(columns=[f.name for f in ITEM_FIELDS]), ITEM_FIELDS)


def _checked(pieces, documents: pd.DataFrame, streams: _TableStreams, validated: bool):
    """Each piece checked against the contract (unless `validated` already), appended to the Parquet
    and CSV files, and passed on (to the workbook); at least one piece, so an empty table still has
    its header."""
    any_piece = False
    for piece in pieces:
        if not any_piece or len(piece):
            if not validated:
                validate(piece, documents.iloc[:0])
            streams.write(piece)
            any_piece = True
            yield piece
    if not any_piece:
        empty = items_schema_empty()
        streams.write(empty)
        yield empty


class _TableStreams:
    """items.parquet (one row group per piece, pyarrow) and items.csv (appended) written piece by piece
    (either one alone with `csv=False` / `parquet=False`)."""

    def __init__(self, staging: Path, *, parquet: bool = True, csv: bool = True):
        self.staging = staging
        self.parquet = None
        self.with_parquet = parquet
        self.csv = open(staging / "items.csv", "wb") if csv else None  # noqa: SIM115 — closed in close()
        if self.csv is not None:
            self.csv.write(codecs.BOM_UTF8)  # utf-8-sig: Excel reads the file as UTF-8
        self.header = True

    def write(self, piece: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.with_parquet:
            table = pa.Table.from_pandas(piece, preserve_index=False)
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(self.staging / "items.parquet", table.schema)
            self.parquet.write_table(table.cast(self.parquet.schema))
        if self.csv is not None:
            self.csv.write(csv_bytes(csv_safe(piece), header=self.header))
            self.header = False

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
        if self.csv is not None:
            self.csv.close()


# An export of at least this many rows writes its CSV and workbook in a second process (when the
# machine has a second core): reading the store and writing Parquet is about half of a big export's
# CPU, the CSV and the workbook the other half (measured on a generated store of 94,650 rows: 8.4 s
# and 8.6 s), so two cores finish it in about half the time. A small export is not worth the start
# of a process (~1 s).
SPLIT_MIN_ROWS = 50_000


def _write_split(staging: Path, pieces, documents: pd.DataFrame) -> None:
    """Parquet here, the pieces sent on to `_csv_and_workbook` in a spawned process (the pipe holds a
    piece or two: memory stays that of a few pieces). An error on either side stops both."""
    ctx = multiprocessing.get_context("spawn")
    here, there = ctx.Pipe()
    proc = ctx.Process(target=_csv_and_workbook, args=(there, str(staging), documents), daemon=True,
                       name="reja-export-writer")  # fmt: skip
    proc.start()
    there.close()
    done = False
    try:
        try:
            for piece in pieces:  # `_checked` writes each piece's Parquet row group, then hands it on
                here.send(piece)
            here.send(None)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the writer stopped: its own error is read below
        try:
            status, value = here.recv()
        except EOFError:
            raise RuntimeError(f"the CSV/workbook writer stopped (exit code {proc.exitcode})") from None
        if status != "ok":
            raise value
        done = True
    finally:
        if not done and proc.is_alive():
            proc.terminate()
        proc.join()
        here.close()


def _csv_and_workbook(conn, staging: str, documents: pd.DataFrame) -> None:
    """The second process of `_write_split`: items.csv and reja.xlsx from the pieces received."""
    try:
        streams = _TableStreams(Path(staging), parquet=False)

        def received():
            while (piece := conn.recv()) is not None:
                streams.write(piece)
                yield piece

        try:
            _write_xlsx(Path(staging) / "reja.xlsx", received(), documents)
        finally:
            streams.close()
        conn.send(("ok", None))
    except BaseException as exc:  # noqa: BLE001 — handed to the parent, which raises it
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 — an exception that cannot be pickled: its text
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


_COMPLETE = ".complete"  # in a staging folder: every file of the set is written
_OLD = "old"  # in a staging folder: the previous export's files moved aside during the switch


def _switch_in(staging: Path, out: Path) -> None:
    """Move the previous files aside (into staging/old), the new ones in; undo it all on failure."""
    old = staging / _OLD
    old.mkdir()
    moved_aside: list[str] = []
    moved_in: list[str] = []
    try:
        for name in EXPORT_NAMES:
            if (out / name).exists():
                os.replace(out / name, old / name)
                moved_aside.append(name)
        for name in EXPORT_NAMES:
            os.replace(staging / name, out / name)
            moved_in.append(name)
    except BaseException:
        for name in moved_in:
            with contextlib.suppress(OSError):
                os.replace(out / name, staging / name)
        for name in moved_aside:
            with contextlib.suppress(OSError):
                os.replace(old / name, out / name)
        raise


def clean_stale_exports(out: Path) -> None:
    """Finish or drop what a killed export left: a staging folder whose process is gone is switched in
    when it was complete (the kill came during the switch), else the previous files it moved aside
    are put back; then it is removed. Temporary files of older reja versions (`.items.csv.*.tmp`)
    are removed too."""
    for folder in out.glob(f"{STAGING_PREFIX}*"):
        pid = folder.name[len(STAGING_PREFIX):].split("-", 1)[0]
        if not folder.is_dir() or (pid.isdecimal() and _alive(int(pid))):
            continue
        old = folder / _OLD
        if (folder / _COMPLETE).exists() and old.is_dir():
            for name in EXPORT_NAMES:
                if (folder / name).exists():
                    with contextlib.suppress(OSError):
                        os.replace(folder / name, out / name)
        elif old.is_dir():
            for name in EXPORT_NAMES:
                if (old / name).exists() and not (out / name).exists():
                    with contextlib.suppress(OSError):
                        os.replace(old / name, out / name)
        shutil.rmtree(folder, ignore_errors=True)
    for name in EXPORT_NAMES:
        for tmp in out.glob(f".{name}.*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def export_dataset(db: Path | str, out_dir: Path | str, *, include_superseded: bool = False) -> dict[str, Path]:
    """Load both tables from the store, check them, write every export into out_dir."""
    from reja.corrected import corrected_chunks
    from reja.store import Store

    with Store(db, readonly=True) as store:
        # one read transaction: an import committing between the reads would leave items whose
        # document is not in documents (WAL readers see one snapshot and never block the import)
        with store.snapshot():
            documents = store.documents()
            # the exports are as readable as the store file they come from (a server's: as the umask gives)
            mode = None if is_server(db) else Path(db).stat().st_mode
            # the items stream from the store in pieces (memory does not grow with the store); a big
            # store's CSV and workbook are written by a second process beside this one
            rows = documents.loc[documents["status"] != "failed"]
            if not include_superseded:
                rows = rows.loc[rows["superseded_by"].isna()]
            split = (os.cpu_count() or 1) > 1 and int(rows["n_items"].fillna(0).sum()) >= SPLIT_MIN_ROWS
            return write_tables(out_dir, corrected_chunks(store, db, include_superseded=include_superseded),
                                documents, mode=mode, split=split)

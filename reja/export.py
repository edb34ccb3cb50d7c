"""Exports of the dataset to a folder: Parquet (canonical), CSV (UTF-8 with BOM, for Excel), XLSX (one
sheet per table, frozen header, filters, flagged rows yellow, corrected green, failed files red) and a Frictionless
`datapackage.json` describing every field.

The pandera contract (`reja.schema.dataset`) is checked on both tables BEFORE anything is written: a
frame that breaks it blocks the export (`DatasetContractError`) rather than shipping bad data. Every
export is written whole into a staging folder in the target folder and switched in (see
`write_tables`), so a reader never sees half a file and a failed export leaves the previous one intact.
"""

from __future__ import annotations

import contextlib
import json
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
        values = out[col].astype(object)
        risky = [isinstance(v, str) and v.startswith(FORMULA_LEADS) and not _HARMLESS.fullmatch(v)
                 for v in values]
        if any(risky):
            out[col] = [("'" + v) if r else v for v, r in zip(values, risky, strict=True)]
    return out


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
        for values in _to_cells(frame):
            if self.sheets[-1][1] >= self.max_rows - 1:
                self._new()
            ws = self.sheets[-1]
            ws[1] += 1
            ws[0].write_row(ws[1], 0, values)

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


def _write_xlsx(tmp: Path, items, documents: pd.DataFrame, *, max_rows: int = EXCEL_MAX_ROWS) -> int:
    """Write the workbook; `items` is a frame or an iterable of frames (pieces of one table, in
    order). Rows go straight to disk (xlsxwriter's constant-memory mode); a table longer than a sheet
    continues on further sheets. Returns the number of items sheets."""
    import xlsxwriter

    # strings stay strings: text from a plan must never become a formula or a link (CSV/XLSX injection)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "nan_inf_to_errors": True, "constant_memory": True}  # fmt: skip
    wb = xlsxwriter.Workbook(str(tmp), options)
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
                 mode: int | None = None) -> dict[str, Path]:
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
        streams = _TableStreams(staging)
        try:
            _write_xlsx(staging / "reja.xlsx", _checked(pieces, documents, streams, isinstance(items, pd.DataFrame)),
                        documents)
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
    """items.parquet (one row group per piece, pyarrow) and items.csv (appended) written piece by piece."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.parquet = None
        self.csv = open(staging / "items.csv", "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 — closed in close()
        self.header = True

    def write(self, piece: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(piece, preserve_index=False)
        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.staging / "items.parquet", table.schema)
        self.parquet.write_table(table.cast(self.parquet.schema))
        csv_safe(piece).to_csv(self.csv, index=False, header=self.header, lineterminator="\r\n")
        self.header = False

    def close(self) -> None:
        if self.parquet is not None:
            self.parquet.close()
        self.csv.close()


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
            # the items stream from the store in pieces (memory does not grow with the store)
            return write_tables(out_dir, corrected_chunks(store, db, include_superseded=include_superseded),
                                documents, mode=mode)
